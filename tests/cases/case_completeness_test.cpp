// Every bundled PMS file comes with cases: an accept, a strip and a reject for each operation it
// offers, and a case for each operation of a model it mentions but does not offer.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "cases/bundled_cases.hpp"

namespace gatehouse {
namespace {

TEST(BundledCases, EveryOperationOfEveryPmsHasItsCases) {
  Compilation c = compile_directory(testing::bundled_rules_dir());
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  // (pms, model, op) -> verdicts seen
  std::map<std::tuple<std::string, std::string, std::string>, std::set<std::string>> seen;
  for (const auto& rc : testing::bundled_cases())
    seen[{rc.pms, rc.model, ast::operation_name(rc.operation)}].insert(rc.expect_verdict);
  std::size_t checked = 0;
  for (const auto& [id, pms] : c.program->pms()) {
    for (const auto& [model, rules] : pms.models) {
      const GenericModel& generic = c.program->models().at(model);
      for (auto op : ast::all_operations()) {
        if (!generic.route(op)) continue;
        const OperationRules& o = rules.operation(op);
        const auto& verdicts = seen[{id, model, ast::operation_name(op)}];
        if (o.offered) {
          for (const char* v : {"accept", "strip", "reject"})
            EXPECT_TRUE(verdicts.count(v)) << id << " " << model << " " << ast::operation_name(op)
                                           << ": no '" << v << "' case in rules/tests/";
          ++checked;
        } else if (o.refused) {  // the PMS refuses it: the refusal is tested
          EXPECT_TRUE(verdicts.count("reject")) << id << " " << model << " " << ast::operation_name(op)
                                                << ": no case for the refused operation";
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 50u);
}

// Each bundled case names the reference page it follows (`source:`), so a reader can check it.
TEST(BundledCases, EveryCaseNamesItsSourcePage) {
  for (const auto& rc : testing::bundled_cases())
    EXPECT_FALSE(rc.source.empty()) << rc.file << ":" << rc.line << ": case '" << rc.name << "' has no source:";
}

}  // namespace
}  // namespace gatehouse
