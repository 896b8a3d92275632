// check, eval and list: the core commands.
#include "commands.hpp"

#include <iostream>

#include "cli_support.hpp"
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
  std::size_t pms = c.program->pms().size(), models = c.program->generic_models().size();
  std::cerr << "ok: " << c.sources.size() << " files, " << models << " models, " << pms
            << " PMSs; rules_version " << c.program->rules_version() << '\n';
  return ok;
}

int eval(const std::vector<std::string>& args) {
  po::options_description options = base_options();
  options.add_options()("pretty", "indent the decision for reading");
  po::variables_map vm;
  const char* synopsis =
      "usage: gatehouse eval [--rules DIR] --pms PMS --model MODEL --op create|update\n"
      "                      [--ignore-unknown-fields] [--pretty] [FILE|-]";
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
  for (const auto& [name, record] : c.program->generic_models()) {
    std::cout << (first ? "" : ", ") << name;
    first = false;
  }
  std::cout << '\n';
  for (const auto& [id, pms] : c.program->pms()) {
    std::cout << '\n' << id << " (" << pms.display_name << ")\n";
    for (const auto& [name, model] : pms.models) {
      std::cout << "  " << name << ':';
      for (auto op : {ast::Operation::create, ast::Operation::update}) {
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
