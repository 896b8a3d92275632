// Payload size and nesting limits.
#include "unit/evaluator_fixture.hpp"

namespace gatehouse::testing {
namespace {

TEST_F(EvaluatorTest, PayloadLargerThanTheLimit) {
  EvaluationContext small(Limits{64, 32});
  std::string payload = base(R"("nickname":")" + std::string(100, 'x') + "\"");
  Request r{"TEST", "things", ast::Operation::update, false, payload};
  Decision d = evaluate(*program_, r, small);
  EXPECT_EQ(codes(d.errors), (Pairs{{"", "payload_too_large"}}));
  EXPECT_EQ(d.errors[0].message, "the payload is " + std::to_string(payload.size()) +
                                     " bytes; the limit is 64");
}

TEST_F(EvaluatorTest, DefaultLimitsAreOneMebibyteAndDepth32) {
  Limits defaults;
  EXPECT_EQ(defaults.max_payload_bytes, 1u << 20);
  EXPECT_EQ(defaults.max_depth, 32u);
}

TEST_F(EvaluatorTest, NestingDeeperThanTheLimit) {
  auto nested = [](int depth) {
    std::string s = base(R"("zz":)");
    s.pop_back();
    for (int i = 1; i < depth; ++i) s += "[";
    s += "1";
    for (int i = 1; i < depth; ++i) s += "]";
    return s + "}";
  };
  EvaluationContext context(Limits{1 << 20, 8});
  std::string ok = nested(8), deep = nested(9);
  Decision d = evaluate(*program_, Request{"TEST", "things", ast::Operation::update, true, ok}, context);
  EXPECT_EQ(d.verdict, Verdict::strip) << to_json(d);
  d = evaluate(*program_, Request{"TEST", "things", ast::Operation::update, true, deep}, context);
  EXPECT_EQ(codes(d.errors), (Pairs{{"/zz", "nesting_too_deep"}})) << to_json(d);
  EXPECT_EQ(d.errors[0].message, "objects and arrays nest deeper than the limit of 8");
}

TEST_F(EvaluatorTest, HostileDeepNestingIsRejectedWithoutCrashing) {
  std::string payload = "{\"zz\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  Decision d = eval(payload, true);
  EXPECT_EQ(d.verdict, Verdict::reject);
  ASSERT_FALSE(d.errors.empty());
}

}  // namespace
}  // namespace gatehouse::testing
