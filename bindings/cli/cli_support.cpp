#include "cli_support.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

#include "commands.hpp"
#include "gatehouse/rules_loader.hpp"

namespace gatehouse::cli {

po::options_description base_options() {
  po::options_description options("options");
  options.add_options()("help,h", "show this help");
  add_rules_option(options);
  return options;
}

std::string default_rules_dir() {
  if (const char* env = std::getenv("GATEHOUSE_RULES"); env && *env) return env;
  // The build's rules folder; an installed program (that folder gone) finds the rules installed
  // beside it, in ../share/gatehouse/rules.
  std::error_code ec;
  if (std::filesystem::is_directory(GATEHOUSE_BUNDLED_RULES_DIR, ec)) return GATEHOUSE_BUNDLED_RULES_DIR;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share" / "gatehouse" / "rules";
    if (std::filesystem::is_directory(installed, ec)) return installed.string();
  }
  return GATEHOUSE_BUNDLED_RULES_DIR;
}

std::string rules_dir(const po::variables_map& vm) {
  return vm.count("rules") ? vm["rules"].as<std::string>() : default_rules_dir();
}

void add_rules_option(po::options_description& options) {
  options.add_options()("rules", po::value<std::string>()->value_name("DIR"),
                        "directory of .rules files (default: $GATEHOUSE_RULES or the bundled rules)");
}

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

Compilation load(const po::variables_map& vm) {
  std::string dir = rules_dir(vm);
  Compilation c = compile_directory(dir);
  if (!c.diagnostics.all().empty()) std::cerr << c.render_diagnostics();
  if (!c.ok()) {
    std::size_t n = c.diagnostics.error_count();
    std::cerr << n << (n == 1 ? " error" : " errors") << " in " << dir << '\n';
  }
  return c;
}

std::optional<std::string> read_input(const std::string& name) {
  if (name == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(name, std::ios::binary);
  if (!in) {
    std::cerr << "gatehouse: cannot open '" << name << "'\n";
    return std::nullopt;
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void add_limit_options(po::options_description& options) {
  Limits defaults;
  options.add_options()
      ("max-payload-bytes", po::value<std::size_t>()->default_value(defaults.max_payload_bytes),
       "reject larger payloads")
      ("max-depth", po::value<std::uint32_t>()->default_value(defaults.max_depth),
       "reject payloads nested deeper")
      ("max-issues", po::value<std::size_t>()->default_value(defaults.max_issues),
       "list at most this many errors (and stripped fields); one too_many_errors issue counts the rest");
}

Limits limits_from(const po::variables_map& vm) {
  Limits limits;
  limits.max_payload_bytes = vm["max-payload-bytes"].as<std::size_t>();
  limits.max_depth = vm["max-depth"].as<std::uint32_t>();
  limits.max_issues = vm["max-issues"].as<std::size_t>();
  return limits;
}

void add_request_options(po::options_description& options,
                         po::positional_options_description& positional) {
  options.add_options()
      ("pms", po::value<std::string>()->required()->value_name("PMS"), "target PMS, e.g. RENTMANAGER")
      ("model", po::value<std::string>()->required()->value_name("MODEL"), "generic model, e.g. residents")
      ("op", po::value<std::string>()->required()->value_name("OP"),
       "operation: create, update, or a named action (cancel, upload_file, ...)")
      ("ignore-unknown-fields", "strip fields the PMS does not support instead of rejecting")
      ("input", po::value<std::string>()->default_value("-")->value_name("FILE"),
       "the JSON payload; - for standard input");
  add_limit_options(options);
  positional.add("input", 1);
}

std::optional<RequestArgs> request_args(const po::variables_map& vm) {
  RequestArgs a;
  const std::string op = vm["op"].as<std::string>();
  a.model = vm["model"].as<std::string>();
  auto operation = ast::resolve_operation(a.model, op);
  if (!operation) {
    std::cerr << "gatehouse: --op must be one of " << ast::operation_names() << ", not '" << op << "'\n";
    return std::nullopt;
  }
  a.operation = *operation;
  a.pms = vm["pms"].as<std::string>();
  a.ignore_unknown_fields = vm.count("ignore-unknown-fields") > 0;
  a.limits = limits_from(vm);
  auto payload = read_input(vm["input"].as<std::string>());
  if (!payload) return std::nullopt;
  a.payload = std::move(*payload);
  return a;
}

}  // namespace gatehouse::cli

namespace gatehouse::cli {

std::optional<int> load_request(const std::vector<std::string>& args, const char* synopsis,
                                po::options_description& options, po::variables_map& vm,
                                RequestArgs& request, Compilation& rules) {
  po::positional_options_description positional;
  add_request_options(options, positional);
  if (auto code = parse(args, synopsis, options, positional, vm)) return code;
  auto parsed = request_args(vm);
  if (!parsed) return usage_error;
  request = std::move(*parsed);
  rules = load(vm);
  if (!rules.ok()) return usage_error;
  return std::nullopt;
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    std::cerr << "gatehouse: cannot write '" << path.string() << "'\n";
    return false;
  }
  return true;
}

}  // namespace gatehouse::cli
