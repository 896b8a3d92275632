// Batch decisions: one decision line per request line, envelope problems as invalid_json.
#include <gtest/gtest.h>

#include <sstream>

#include "gatehouse/batch.hpp"
#include "unit/evaluator_fixture.hpp"

namespace gatehouse::testing {
namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST_F(EvaluatorTest, BatchDecidesLineByLine) {
  BatchRunner runner(*program_);
  std::string out;
  std::string input =
      R"({"pms":"TEST","model":"things","op":"update","payload":{"name":"Ann","email":"a@b.co"}})" "\n"
      "\n"
      R"({"op":"update","ignore_unknown_fields":true,"model":"things","pms":"TEST","payload":{"name":"Ann","email":"a@b.co","zz":1}})" "\r\n"
      R"({"pms":"TEST","model":"things","op":"create","payload":{}})" "\n"
      "not json\n"
      R"({"pms":"TEST","model":"things","op":"delete","payload":{}})" "\n"
      R"({"pms":"TEST","model":"things","op":"update","payload":[1,2]})";
  BatchCounts counts = runner.run(input, out);
  EXPECT_EQ(counts.requests, 6u);
  EXPECT_EQ(counts.accepted, 1u);
  EXPECT_EQ(counts.stripped, 1u);
  EXPECT_EQ(counts.rejected, 4u);
  auto decisions = lines(out);
  ASSERT_EQ(decisions.size(), 6u) << out;
  EXPECT_NE(decisions[0].find(R"("verdict":"accept")"), std::string::npos);
  EXPECT_NE(decisions[0].find(R"("payload":{"name":"Ann","email":"a@b.co"}})"), std::string::npos) << decisions[0];
  EXPECT_NE(decisions[1].find(R"("payload":{"name":"Ann","email":"a@b.co"}})"), std::string::npos) << decisions[1];
  EXPECT_NE(decisions[2].find(R"("status":405)"), std::string::npos);
  EXPECT_NE(decisions[3].find(R"("message":"line 5: not a JSON object)"), std::string::npos) << decisions[3];
  EXPECT_NE(decisions[4].find("line 6: missing or invalid pms, model, op or payload"), std::string::npos) << decisions[4];
  EXPECT_NE(decisions[5].find("the payload must be a JSON object, found an array"), std::string::npos) << decisions[5];
}

TEST_F(EvaluatorTest, BatchOfOneLineWithoutNewline) {
  BatchRunner runner(*program_);
  std::string out;
  runner.run(R"({"pms":"TEST","model":"things","op":"update","payload":{"name":"Ann","email":"a@b.co"}})", out);
  EXPECT_EQ(lines(out).size(), 1u);
}

}  // namespace
}  // namespace gatehouse::testing
