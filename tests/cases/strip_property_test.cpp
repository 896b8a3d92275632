// Properties over every bundled case: a stripped payload, sent again without the flag, is
// accepted as it is; a decision's verdict and status agree with its errors and stripped lists.
#include <gtest/gtest.h>

#include <filesystem>

#include "cases/bundled_cases.hpp"
#include "gatehouse/evaluator.hpp"

namespace gatehouse {
namespace {

TEST(BundledCases, StrippedPayloadsAreAcceptedAsTheyAre) {
  Compilation c = compile_directory(testing::bundled_rules_dir());
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  EvaluationContext context, again;
  std::size_t strips = 0;
  for (const auto& rc : testing::bundled_cases()) {
    for (bool flag : {false, true}) {
      Request r{rc.pms, rc.model, rc.operation, flag, rc.payload};
      Decision d = evaluate(*c.program, r, context);
      bool has_errors = !d.errors.empty();
      EXPECT_EQ(d.verdict == Verdict::reject, has_errors) << rc.file << ":" << rc.line;
      EXPECT_EQ(d.payload.has_value(), !has_errors) << rc.file << ":" << rc.line;
      if (!flag) {
        EXPECT_TRUE(d.stripped.empty()) << rc.file << ":" << rc.line;
      }
      if (d.verdict != Verdict::strip) continue;
      ++strips;
      std::string stripped(*d.payload);
      Decision second = evaluate(*c.program, {rc.pms, rc.model, rc.operation, false, stripped}, again);
      EXPECT_EQ(second.verdict, Verdict::accept) << rc.file << ":" << rc.line << "\n" << stripped << "\n"
                                                 << to_json(second);
      ASSERT_TRUE(second.payload);
      EXPECT_EQ(*second.payload, stripped);
    }
  }
  EXPECT_GT(strips, 20u);
}

}  // namespace
}  // namespace gatehouse
