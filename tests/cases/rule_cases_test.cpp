// Registers every case of tests/cases/*.yaml (and rules/tests/*.yaml, when present) as its own
// GoogleTest, named <file>.<case>, so a failure names the YAML file and line.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>

#include "gatehouse/compiler.hpp"
#include "gatehouse/evaluator.hpp"
#include "gatehouse/rule_cases.hpp"
#include "gatehouse/rules_loader.hpp"

namespace gatehouse {
namespace {

namespace fs = std::filesystem;

std::string identifier(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

/// Programs by rules directory, compiled once and shared by the cases that use them.
std::shared_ptr<const Program> program_for(const fs::path& dir, std::string& diagnostics) {
  static std::map<std::string, std::pair<std::shared_ptr<const Program>, std::string>> cache;
  auto key = fs::weakly_canonical(dir).string();
  auto it = cache.find(key);
  if (it == cache.end()) {
    Compilation c = compile_directory(dir);
    it = cache.emplace(key, std::pair{c.program, c.render_diagnostics()}).first;
  }
  diagnostics = it->second.second;
  return it->second.first;
}

class RuleCaseTest : public ::testing::Test {
 public:
  RuleCaseTest(RuleCase c, fs::path rules) : case_(std::move(c)), rules_(std::move(rules)) {}
  void TestBody() override {
    std::string diagnostics;
    auto program = program_for(rules_, diagnostics);
    ASSERT_TRUE(program) << "rules in " << rules_ << " do not compile:\n" << diagnostics;
    EvaluationContext context;
    Request r{case_.pms, case_.model, case_.operation, case_.ignore_unknown_fields, case_.payload};
    Decision d = evaluate(*program, r, context);
    std::string diff = compare_with_expectation(case_, d);
    EXPECT_TRUE(diff.empty()) << case_.file << ":" << case_.line << ": case '" << case_.name
                              << "'\n" << diff << "decision: " << to_json(d);
  }

 private:
  RuleCase case_;
  fs::path rules_;
};

void register_directory(const fs::path& dir) {
  if (!fs::is_directory(dir)) return;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    RuleCaseFile file = load_rule_cases(path);
    fs::path rules = file.rules_dir.value_or(fs::path(GATEHOUSE_SOURCE_DIR) / "rules");
    std::string suite = identifier(path.stem().string());
    for (const auto& c : file.cases) {
      ::testing::RegisterTest(suite.c_str(), identifier(c.name).c_str(), nullptr, nullptr,
                              c.file.c_str(), c.line,
                              [c, rules]() -> ::testing::Test* { return new RuleCaseTest(c, rules); });
    }
  }
}

}  // namespace
}  // namespace gatehouse

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  try {
    gatehouse::register_directory(std::filesystem::path(GATEHOUSE_SOURCE_DIR) / "tests" / "cases");
    gatehouse::register_directory(std::filesystem::path(GATEHOUSE_SOURCE_DIR) / "rules" / "tests");
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
  return RUN_ALL_TESTS();
}
