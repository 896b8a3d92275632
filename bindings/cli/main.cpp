// gatehouse: decide whether write requests can go to a PMS, and check the rules that say so.
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"

namespace {

const char* const usage = R"(usage: gatehouse <command> [options]

commands:
  check   compile the rules and report every problem (exit 0, or 2 with diagnostics)
  eval    decide one request: accept, strip or reject (exit 0, 1 on reject, 2 on error)
  list    the PMSs, models and operations the rules define
  test    run the YAML rule cases (exit 1 if any fails)
  explain decide one request and say, field by field, which rule decided what
  schema  the rules as JSON Schema (draft 2020-12) and OpenAPI 3.1
  fmt     print rules in the canonical layout (--check, -w)
  docs    what each PMS takes, as markdown pages or one HTML page
  serve   the write service over HTTP (--config FILE)
  keygen  a new API key (160 random bits) for a customer or the admin

Run 'gatehouse <command> --help' for a command's options.
Rules are read from --rules DIR, else $GATEHOUSE_RULES, else the bundled rules directory.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << usage;
    return gatehouse::cli::usage_error;
  }
  const std::string command = args.front();
  args.erase(args.begin());
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << usage;
    return gatehouse::cli::ok;
  }
  if (command == "--version") {
    std::cout << "gatehouse " << GATEHOUSE_VERSION << '\n';
    return gatehouse::cli::ok;
  }
  if (command == "check") return gatehouse::cli::check(args);
  if (command == "eval") return gatehouse::cli::eval(args);
  if (command == "list") return gatehouse::cli::list(args);
  if (command == "test") return gatehouse::cli::test(args);
  if (command == "explain") return gatehouse::cli::explain(args);
  if (command == "schema") return gatehouse::cli::schema(args);
  if (command == "fmt") return gatehouse::cli::fmt(args);
  if (command == "docs") return gatehouse::cli::docs(args);
  if (command == "serve") return gatehouse::cli::serve(args);
  if (command == "keygen") return gatehouse::cli::keygen(args);
  std::cerr << "gatehouse: unknown command '" << command << "'\n\n" << usage;
  return gatehouse::cli::usage_error;
}
