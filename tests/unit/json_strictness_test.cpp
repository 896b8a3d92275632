// Differential test: for many mutations of valid payloads, the evaluator reports invalid_json
// exactly when the strict RFC 8259 checker (json_locator) finds a problem. Deterministic seed.
#include <random>

#include "json_locator.hpp"
#include "unit/evaluator_fixture.hpp"

namespace gatehouse::testing {
namespace {

TEST_F(EvaluatorTest, InvalidJsonExactlyWhenTheStrictCheckerSaysSo) {
  const std::vector<std::string> seeds = {
      base(R"("tags":["a","b"],"address":{"street":"1 Main","city":"X"},"count":3,"ratio":-1.5e2)"),
      base(R"("zz":{"a":[true,false,null,{"b":"\u00e9\n"}]},"items":[{"description":"d"}])"),
      R"({"name":"Ann","email":"a@b.co","nickname":null,"active":false})",
  };
  const std::string alphabet = "{}[]\",:\\ tfn0-.eE1\x01\x7f\xc3\xa9\xff";
  std::mt19937 random(12345);
  int checked = 0, invalid = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string p = seeds[random() % seeds.size()];
    int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = random() % (p.size() + 1);
      switch (random() % 3) {
        case 0: p.insert(at, 1, alphabet[random() % alphabet.size()]); break;
        case 1: if (at < p.size()) p.erase(at, 1); break;
        case 2: if (at < p.size()) p[at] = alphabet[random() % alphabet.size()]; break;
      }
    }
    bool strict_invalid = locate_json_error(p).has_value();
    Decision d = eval(p, true);
    bool reported_invalid = std::any_of(d.errors.begin(), d.errors.end(), [](const Issue& i) {
      return i.code == ErrorCode::invalid_json;
    });
    ASSERT_EQ(reported_invalid, strict_invalid) << "payload: " << p << "\n" << to_json(d);
    ++checked;
    invalid += strict_invalid;
  }
  EXPECT_GT(invalid, checked / 4);
  EXPECT_LT(invalid, checked);
}

}  // namespace
}  // namespace gatehouse::testing
