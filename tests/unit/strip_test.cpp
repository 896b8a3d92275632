// Strip decisions: the stripped payload is the input minus the stripped members (and the
// separators that belonged to them), every other byte as sent.
#include "unit/evaluator_fixture.hpp"

namespace gatehouse::testing {
namespace {

struct StripCase {
  const char* name;
  const char* input;
  const char* output;
};

// Test names print the case's name, not its bytes.
[[maybe_unused]] void PrintTo(const StripCase& c, std::ostream* os) { *os << c.name; }

class StripTable : public EvaluatorTest, public ::testing::WithParamInterface<StripCase> {};

TEST_P(StripTable, KeepsEveryOtherByte) {
  Decision d = eval(GetParam().input, true);
  ASSERT_EQ(d.verdict, Verdict::strip) << to_json(d);
  ASSERT_TRUE(d.payload);
  EXPECT_EQ(*d.payload, GetParam().output);
  EXPECT_TRUE(d.errors.empty());
}

const StripCase strip_cases[] = {
    {"last_member", R"({"name":"Ann","email":"a@b.co","notes":"x"})", R"({"name":"Ann","email":"a@b.co"})"},
    {"first_member", R"({"notes":"x","name":"Ann","email":"a@b.co"})", R"({"name":"Ann","email":"a@b.co"})"},
    {"middle_member", R"({"name":"Ann","notes":"x","email":"a@b.co"})", R"({"name":"Ann","email":"a@b.co"})"},
    {"several_in_a_row", R"({"name":"Ann","zz":1,"notes":"x","email":"a@b.co","q":[1,{"a":"}"}]})",
     R"({"name":"Ann","email":"a@b.co"})"},
    {"whitespace_and_number_spelling_kept",
     "{ \"name\" : \"Ann\" ,\n  \"notes\": \"x\",\n  \"count\": 1E1 ,\"email\":\"a@b.co\"\n}\n",
     // The stripped member takes the separator in front of it (here " ,\n  ") with it.
     "{ \"name\" : \"Ann\",\n  \"count\": 1E1 ,\"email\":\"a@b.co\"\n}\n"},
    {"nested_record_member", R"({"name":"Ann","email":"a@b.co","address":{"zz":true,"street":"s"}})",
     R"({"name":"Ann","email":"a@b.co","address":{"street":"s"}})"},
    {"inside_list_elements",
     R"({"name":"Ann","email":"a@b.co","items":[{"description":"a","q":1},{"q":2,"description":"b"}]})",
     R"({"name":"Ann","email":"a@b.co","items":[{"description":"a"},{"description":"b"}]})"},
    {"escaped_strings_in_stripped_values", R"({"name":"Ann","notes":"a \"}\" b","email":"a@b.co"})",
     R"({"name":"Ann","email":"a@b.co"})"},
    {"all_members_of_a_nested_object", R"({"name":"Ann","email":"a@b.co","address":{"street":"s","zz":1}})",
     R"({"name":"Ann","email":"a@b.co","address":{"street":"s"}})"},
};

INSTANTIATE_TEST_SUITE_P(Strip, StripTable, ::testing::ValuesIn(strip_cases),
                         [](const auto& test) { return std::string(test.param.name); });

TEST_F(EvaluatorTest, StripListsWhatWasRemoved) {
  Decision d = eval(R"({"name":"Ann","email":"a@b.co","notes":"x","zz":1})", true);
  EXPECT_EQ(d.verdict, Verdict::strip);
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(codes(d.stripped), (Pairs{{"/notes", "unsupported_field"}, {"/zz", "unknown_field"}}));
}

TEST_F(EvaluatorTest, WithoutTheFlagUnsupportedFieldsReject) {
  Decision d = eval(R"({"name":"Ann","email":"a@b.co","notes":"x"})", false);
  EXPECT_EQ(d.verdict, Verdict::reject);
  EXPECT_TRUE(d.stripped.empty());
  EXPECT_FALSE(d.payload);
}

TEST_F(EvaluatorTest, InvalidValuesAreNeverStripped) {
  Decision d = eval(R"({"name":"Ann","email":"nope","notes":"x"})", true);
  EXPECT_EQ(d.verdict, Verdict::reject);
  EXPECT_EQ(codes(d.errors), (Pairs{{"/email", "invalid_format"}}));
  EXPECT_FALSE(d.payload);
}

TEST_F(EvaluatorTest, StrippedPayloadIsValidJsonThatAccepts) {
  Decision d = eval(R"({"zz":0,"name":"Ann","notes":"x","email":"a@b.co","yy":[]})", true);
  ASSERT_EQ(d.verdict, Verdict::strip);
  std::string again(*d.payload);
  Decision second = eval(again, false);
  EXPECT_EQ(second.verdict, Verdict::accept) << again;
}

}  // namespace
}  // namespace gatehouse::testing
