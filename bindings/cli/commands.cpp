#include "commands.hpp"

#include <boost/program_options.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "gatehouse/compiler.hpp"
#include "gatehouse/evaluator.hpp"
#include "gatehouse/grammar/parser.hpp"
#include "gatehouse/rules_loader.hpp"

namespace gatehouse::cli {

namespace po = boost::program_options;

namespace {

std::string default_rules_dir() {
  if (const char* env = std::getenv("GATEHOUSE_RULES"); env && *env) return env;
  return GATEHOUSE_BUNDLED_RULES_DIR;
}

void add_rules_option(po::options_description& options) {
  options.add_options()("rules", po::value<std::string>()->value_name("DIR"),
                        "directory of .rules files (default: $GATEHOUSE_RULES or the bundled rules)");
}

/// Parses `args`; prints help or the problem and returns an exit code when the command should
/// stop, nullopt when it should go on.
std::optional<int> parse(const std::vector<std::string>& args, const char* synopsis,
                         const po::options_description& options,
                         const po::positional_options_description& positional,
                         po::variables_map& vm) {
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    if (vm.count("help")) {  // before notify(), so --help works without the required options
      std::cout << synopsis << '\n' << options;
      return ok;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gatehouse: " << e.what() << "\n\n" << synopsis << '\n' << options;
    return usage_error;
  }
  return std::nullopt;
}

/// Compiles the rules directory chosen by --rules; prints diagnostics on failure.
Compilation load(const po::variables_map& vm) {
  std::string dir = vm.count("rules") ? vm["rules"].as<std::string>() : default_rules_dir();
  Compilation c = compile_directory(dir);
  if (!c.diagnostics.all().empty()) std::cerr << c.render_diagnostics();
  if (!c.ok()) {
    std::cerr << c.diagnostics.error_count() << (c.diagnostics.error_count() == 1 ? " error" : " errors")
              << " in " << dir << '\n';
  }
  return c;
}

}  // namespace

int check(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("help,h", "show this help");
  add_rules_option(options);
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
  po::options_description options("options");
  options.add_options()("help,h", "show this help");
  add_rules_option(options);
  Limits defaults;
  options.add_options()
      ("pms", po::value<std::string>()->required()->value_name("PMS"), "target PMS, e.g. RENT_MANAGER")
      ("model", po::value<std::string>()->required()->value_name("MODEL"), "generic model, e.g. residents")
      ("op", po::value<std::string>()->required()->value_name("create|update"), "operation")
      ("ignore-unknown-fields", "strip fields the PMS does not support instead of rejecting")
      ("pretty", "indent the decision for reading")
      ("max-payload-bytes", po::value<std::size_t>()->default_value(defaults.max_payload_bytes),
       "reject larger payloads")
      ("max-depth", po::value<std::uint32_t>()->default_value(defaults.max_depth),
       "reject payloads nested deeper")
      ("input", po::value<std::string>()->default_value("-")->value_name("FILE"),
       "the JSON payload; - for standard input");
  po::positional_options_description positional;
  positional.add("input", 1);
  po::variables_map vm;
  const char* synopsis =
      "usage: gatehouse eval [--rules DIR] --pms PMS --model MODEL --op create|update\n"
      "                      [--ignore-unknown-fields] [--pretty] [FILE|-]";
  if (auto code = parse(args, synopsis, options, positional, vm)) return *code;

  const std::string op_name = vm["op"].as<std::string>();
  if (op_name != "create" && op_name != "update") {
    std::cerr << "gatehouse: --op must be 'create' or 'update', not '" << op_name << "'\n";
    return usage_error;
  }

  std::string payload;
  const std::string input = vm["input"].as<std::string>();
  if (input == "-") {
    payload.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(input, std::ios::binary);
    if (!in) {
      std::cerr << "gatehouse: cannot open '" << input << "'\n";
      return usage_error;
    }
    payload.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  Compilation c = load(vm);
  if (!c.ok()) return usage_error;

  Limits limits;
  limits.max_payload_bytes = vm["max-payload-bytes"].as<std::size_t>();
  limits.max_depth = vm["max-depth"].as<std::uint32_t>();
  EvaluationContext context(limits);
  Request request;
  const std::string pms = vm["pms"].as<std::string>();
  const std::string model = vm["model"].as<std::string>();
  request.pms = pms;
  request.model = model;
  request.operation = op_name == "create" ? ast::Operation::create : ast::Operation::update;
  request.ignore_unknown_fields = vm.count("ignore-unknown-fields") > 0;
  request.payload = payload;
  Decision decision = evaluate(*c.program, request, context);
  std::string json = to_json(decision);
  std::cout << (vm.count("pretty") ? pretty_json(json) : json) << '\n';
  return decision.verdict == Verdict::reject ? rejected : ok;
}

int list(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("help,h", "show this help");
  add_rules_option(options);
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
