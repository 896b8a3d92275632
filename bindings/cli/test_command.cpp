// gatehouse test: runs the YAML rule cases, like `opa test`.
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>

#include "cli_support.hpp"
#include "commands.hpp"
#include "gatehouse/coverage.hpp"
#include "gatehouse/rule_cases.hpp"
#include "gatehouse/rules_loader.hpp"

namespace gatehouse::cli {

namespace fs = std::filesystem;

int test(const std::vector<std::string>& args) {
  po::options_description options = base_options();
  options.add_options()
      ("cases", po::value<std::string>()->value_name("DIR"),
       "folder of *.yaml cases (default: RULES/tests); a file that names its own rules (rules: DIR) "
       "is run against them unless --rules is given")
      ("coverage", "list, per rules file, the field rules and checks no case exercised")
      ("verbose,v", "print a line for every case, not only the failing ones")
      ("filter", po::value<std::string>()->value_name("REGEX"),
       "run only the cases whose '<file>/<case name>' matches");
  po::positional_options_description positional;
  positional.add("filter", 1);
  po::variables_map vm;
  const char* synopsis = "usage: gatehouse test [--rules DIR] [--cases DIR] [--coverage] [-v] [FILTER]";
  if (auto code = parse(args, synopsis, options, positional, vm)) return *code;

  std::optional<std::regex> filter;
  if (vm.count("filter")) {
    try {
      filter.emplace(vm["filter"].as<std::string>());
    } catch (const std::regex_error& e) {
      std::cerr << "gatehouse: invalid FILTER: " << e.what() << '\n';
      return usage_error;
    }
  }
  Compilation c = load(vm);
  if (!c.ok()) return usage_error;
  fs::path cases_dir = vm.count("cases") ? fs::path(vm["cases"].as<std::string>())
                                         : fs::path(rules_dir(vm)) / "tests";
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(cases_dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".yaml") files.push_back(it->path());
  if (ec || files.empty()) {
    std::cerr << "gatehouse: no *.yaml cases in '" << cases_dir.string() << "'\n";
    return usage_error;
  }
  std::sort(files.begin(), files.end());

  std::size_t passed = 0, failed = 0;
  std::map<std::string, Compilation> own_rules;  // rules named by case files, by folder
  CoverageCounter coverage;
  Trace trace;
  EvaluationContext context;
  if (vm.count("coverage")) context.set_trace(&trace);
  for (const auto& path : files) {
    RuleCaseFile file;
    try {
      file = load_rule_cases(path);
    } catch (const std::exception& e) {
      std::cerr << e.what() << '\n';
      return usage_error;
    }
    // A case file may name its own rules (`rules: DIR`); --rules, when given, wins.
    const Program* program = c.program.get();
    if (file.rules_dir && !vm.count("rules")) {
      auto& own = own_rules[fs::weakly_canonical(*file.rules_dir).string()];
      if (!own.program) {
        own = compile_directory(*file.rules_dir);
        if (!own.ok()) {
          std::cerr << own.render_diagnostics() << "gatehouse: the rules of " << path.string()
                    << " do not compile\n";
          return usage_error;
        }
      }
      program = own.program.get();
    }
    for (const auto& rc : file.cases) {
      std::string id = path.stem().string() + "/" + rc.name;
      if (filter && !std::regex_search(id, *filter)) continue;
      trace.steps.clear();
      Decision d = evaluate(*program, {rc.pms, rc.model, rc.operation, rc.ignore_unknown_fields, rc.payload}, context);
      coverage.add(trace);
      std::string diff = compare_with_expectation(rc, d);
      if (diff.empty()) {
        ++passed;
        if (vm.count("verbose")) std::cout << "PASS " << rc.file << ":" << rc.line << ": " << rc.name << '\n';
        continue;
      }
      ++failed;
      std::cout << "FAIL " << rc.file << ":" << rc.line << ": " << rc.name << '\n';
      std::istringstream lines(diff);
      for (std::string line; std::getline(lines, line);) std::cout << "    " << line << '\n';
    }
  }
  if (vm.count("coverage")) {
    std::size_t total = 0, uncovered = 0;
    std::string current_file;
    for (const auto& site : rule_sites(*c.program)) {
      ++total;
      if (coverage.covered(site.rule)) continue;
      ++uncovered;
      std::cout << c.program->location(site.rule) << ": not exercised: " << site.description << '\n';
    }
    std::cout << "coverage: " << (total - uncovered) << " of " << total << " rules exercised\n";
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? ok : rejected;
}

}  // namespace gatehouse::cli
