// Payload size and nesting limits.
#include <chrono>

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

namespace gatehouse::testing {
namespace {

std::string many_unknown_keys(int n, const std::string& first = "") {
  std::string s = R"({"name":"Ann","email":"ann@example.com")" + first;
  for (int i = 0; i < n; ++i) s += ",\"k" + std::to_string(i) + "\":1";
  return s + "}";
}

// 60,000 unknown keys took 5.2 s and answered 9 MB: each key was looked for among the earlier
// ones one by one, and each got its own "did you mean". Now: one hash probe a key, and at most
// max_issues listed, then one too_many_errors issue with the count.
TEST_F(EvaluatorTest, ManyUnknownKeysCostLittleAndAreListedUpToTheLimit) {
  EvaluationContext context;
  std::string payload = many_unknown_keys(60000);
  auto started = std::chrono::steady_clock::now();
  Decision d = evaluate(*program_, Request{"TEST", "things", ast::Operation::update, false, payload}, context);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(seconds, 1.0);  // about 10 ms here; the quadratic walk took seconds
  ASSERT_EQ(d.errors.size(), Limits{}.max_issues + 1);
  EXPECT_EQ(d.errors.back().code, ErrorCode::too_many_errors);
  EXPECT_EQ(d.errors.back().message, "59900 more errors not listed (the limit is 100)");
  EXPECT_EQ(d.errors.front().message, "'k0' is not a field of the things update route");
  EXPECT_LT(to_json(d).size(), 20000u);
}

TEST_F(EvaluatorTest, AStripListsUpToTheLimitAndStripsEveryField) {
  EvaluationContext context(Limits{1 << 20, 32, 5});
  std::string payload = many_unknown_keys(8);
  Decision d = evaluate(*program_, Request{"TEST", "things", ast::Operation::update, true, payload}, context);
  ASSERT_EQ(d.verdict, Verdict::strip) << to_json(d);
  EXPECT_EQ(d.stripped.size(), 6u);
  EXPECT_EQ(d.stripped.back().code, ErrorCode::too_many_errors);
  EXPECT_EQ(d.stripped.back().message, "3 more stripped fields not listed (the limit is 5)");
  EXPECT_EQ(std::string(*d.payload), R"({"name":"Ann","email":"ann@example.com"})");
}

TEST_F(EvaluatorTest, DuplicateUnknownKeysAreStillFound) {
  EvaluationContext context;
  std::string payload = R"({"name":"Ann","email":"ann@example.com","zz":1,"yy":2,"zz":3})";
  Decision d = evaluate(*program_, Request{"TEST", "things", ast::Operation::update, false, payload}, context);
  EXPECT_EQ(codes(d.errors), (Pairs{{"/zz", "unknown_field"}, {"/yy", "unknown_field"}, {"/zz", "duplicate_field"}}));
}

TEST_F(EvaluatorTest, TheIssueLimitCountsEveryKindOfError) {
  EvaluationContext context(Limits{1 << 20, 32, 2});
  std::string payload = R"({"name":"A","count":"x","ratio":"y","active":"z"})";
  Decision d = evaluate(*program_, Request{"TEST", "things", ast::Operation::update, false, payload}, context);
  ASSERT_EQ(d.errors.size(), 3u) << to_json(d);
  EXPECT_EQ(d.errors[2].code, ErrorCode::too_many_errors);
}

}  // namespace
}  // namespace gatehouse::testing
