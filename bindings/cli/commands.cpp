// check, eval and list: the core commands.
#include "commands.hpp"

#include <iostream>

#include "cli_support.hpp"
#include "gatehouse/batch.hpp"
#include "gatehouse/grammar/parser.hpp"

namespace gatehouse::cli {

int check(const std::vector<std::string>& args) {
  po::options_description options = base_options();
  options.add_options()("dump-ast", "print the syntax tree of every file")(
      "dump-program", "print the compiled program");
  po::variables_map vm;
  if (auto code = parse(args, "usage: gatehouse check [--rules DIR] [--dump-ast] [--dump-program]",
                        options, {}, vm))
    return *code;
  Compilation c = load(vm);
  if (vm.count("dump-ast")) {
    for (const auto& file : c.files)
      std::cout << "# " << c.sources.file(file.source).name << '\n' << dump_ast(file);
  }
  if (!c.ok()) return usage_error;
  if (vm.count("dump-program")) std::cout << dump_program(*c.program);
  std::size_t pms = c.program->pms().size(), models = c.program->models().size();
  std::cerr << "ok: " << c.sources.size() << " files, " << models << " models, " << pms
            << " PMSs; rules_version " << c.program->rules_version() << '\n';
  return ok;
}

namespace {

/// `eval --batch FILE`: NDJSON requests in, NDJSON decisions out, in blocks.
int eval_batch(const po::variables_map& vm) {
  auto input = read_input(vm["batch"].as<std::string>());
  if (!input) return usage_error;
  Compilation c = load(vm);
  if (!c.ok()) return usage_error;
  BatchRunner runner(*c.program, limits_from(vm));
  std::string output;
  BatchCounts total;
  // Decide in blocks of lines so that the output buffer stays small for large inputs.
  std::string_view rest = *input;
  const std::size_t block = 4 << 20;
  while (!rest.empty()) {
    std::size_t cut = rest.size();
    if (rest.size() > block) {
      std::size_t newline = rest.find('\n', block);
      if (newline != std::string_view::npos) cut = newline + 1;
    }
    output.clear();
    BatchCounts counts = runner.run(rest.substr(0, cut), output);
    std::cout.write(output.data(), static_cast<std::streamsize>(output.size()));
    total.requests += counts.requests;
    total.accepted += counts.accepted;
    total.stripped += counts.stripped;
    total.rejected += counts.rejected;
    rest.remove_prefix(cut);
  }
  std::cout.flush();
  std::cerr << total.requests << " requests: " << total.accepted << " accepted, " << total.stripped
            << " stripped, " << total.rejected << " rejected\n";
  return ok;
}

}  // namespace

int eval(const std::vector<std::string>& args) {
  po::options_description options = base_options();
  options.add_options()("pretty", "indent the decision for reading");
  const char* synopsis =
      "usage: gatehouse eval [--rules DIR] --pms PMS --model MODEL --op create|update\n"
      "                      [--ignore-unknown-fields] [--pretty] [FILE|-]\n"
      "       gatehouse eval [--rules DIR] --batch FILE.ndjson";
  // --batch takes the requests from the file: the single-request options are not required then.
  for (const auto& a : args) {
    if (a == "--batch" || a.rfind("--batch=", 0) == 0) {
      po::options_description batch = base_options();
      batch.add_options()
          ("batch", po::value<std::string>()->required()->value_name("FILE.ndjson"),
           "one request per line: {\"pms\", \"model\", \"op\", \"ignore_unknown_fields\", \"payload\"}; "
           "one decision per line out");
      add_limit_options(batch);
      po::variables_map vm;
      if (auto code = parse(args, synopsis, batch, {}, vm)) return *code;
      return eval_batch(vm);
    }
  }
  po::variables_map vm;
  RequestArgs request;
  Compilation c;
  if (auto code = load_request(args, synopsis, options, vm, request, c)) return *code;

  EvaluationContext context(request.limits);
  Decision decision = evaluate(*c.program, request.request(), context);
  std::string json = to_json(decision);
  std::cout << (vm.count("pretty") ? pretty_json(json) : json) << '\n';
  return decision.verdict == Verdict::reject ? rejected : ok;
}

int list(const std::vector<std::string>& args) {
  po::options_description options = base_options();
  po::variables_map vm;
  if (auto code = parse(args, "usage: gatehouse list [--rules DIR]", options, {}, vm)) return *code;
  Compilation c = load(vm);
  if (!c.ok()) return usage_error;
  std::cout << "models: ";
  bool first = true;
  for (const auto& [name, model] : c.program->models()) {
    std::cout << (first ? "" : ", ") << name;
    if (model.resource != name) std::cout << " (" << model.resource << ")";
    first = false;
  }
  std::cout << '\n';
  for (const auto& [id, pms] : c.program->pms()) {
    std::cout << '\n' << id << " (" << pms.display_name << ")\n";
    for (const auto& [name, model] : pms.models) {
      std::cout << "  " << name << ':';
      const GenericModel& generic = c.program->models().at(name);
      for (auto op : ast::all_operations()) {
        if (!generic.route(op)) continue;
        const OperationRules& rules = model.operation(op);
        std::cout << ' ' << ast::operation_name(op) << (rules.offered ? "" : " (not offered)");
      }
      std::cout << '\n';
    }
  }
  return ok;
}

std::string pretty_json(const std::string& json) {
  std::string out;
  int depth = 0;
  bool in_string = false;
  auto newline = [&] {
    out += '\n';
    out.append(2 * static_cast<std::size_t>(depth), ' ');
  };
  for (std::size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size()) {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; out += c; break;
      case '{':
      case '[':
        out += c;
        if (i + 1 < json.size() && (json[i + 1] == '}' || json[i + 1] == ']')) {
          out += json[++i];
        } else {
          ++depth;
          newline();
        }
        break;
      case '}':
      case ']': --depth; newline(); out += c; break;
      case ',': out += c; newline(); break;
      case ':': out += ": "; break;
      case ' ': case '\n': case '\r': case '\t': break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace gatehouse::cli
