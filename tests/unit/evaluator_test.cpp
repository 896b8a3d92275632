// One test per error code and per constraint kind, over the rules of evaluator_fixture.hpp.
#include "unit/evaluator_fixture.hpp"

namespace gatehouse::testing {
namespace {

TEST_F(EvaluatorTest, AcceptsAValidPayloadAsSent) {
  std::string p = base(R"("tags":["a","b"],"address":{"street":"1 Main","city":"X","country":"CA"},)"
                       R"("items":[{"description":"d","amount_in_cents":5,"address":{"city":"Y"}}],)"
                       R"("born":"2000-02-29","seen_at":"2026-01-31T09:30:00.5+01:00","ratio":-1.5,)"
                       R"("id":"123e4567-E89B-12d3-a456-426614174000","code":"ABC-12","nickname":null)");
  Decision d = eval(p);
  EXPECT_EQ(d.verdict, Verdict::accept) << to_json(d);
  EXPECT_EQ(d.status, 200);
  ASSERT_TRUE(d.payload);
  EXPECT_EQ(*d.payload, p);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.rules_version, program_->rules_version());
}

TEST_F(EvaluatorTest, UnknownPms) {
  Decision d = eval(base(), false, ast::Operation::update, "TESTT");
  EXPECT_EQ(codes(d.errors), (Pairs{{"", "unknown_pms"}}));
  EXPECT_EQ(d.errors[0].message, "unknown PMS 'TESTT'; known: TEST; did you mean 'TEST'?");
  EXPECT_EQ(d.status, 400);
  EXPECT_FALSE(d.payload);
}

TEST_F(EvaluatorTest, UnknownModel) {
  Decision d = eval(base(), false, ast::Operation::update, "TEST", "thing");
  EXPECT_EQ(codes(d.errors), (Pairs{{"", "unknown_model"}}));
  EXPECT_EQ(d.errors[0].message, "unknown model 'thing'; did you mean 'things'?");
}

TEST_F(EvaluatorTest, OperationNotSupportedAloneIs405WithTheReason) {
  Decision d = eval(base(), false, ast::Operation::create);
  EXPECT_EQ(codes(d.errors), (Pairs{{"", "operation_not_supported"}}));
  EXPECT_EQ(d.status, 405);
  EXPECT_EQ(d.errors[0].message, "Test PMS does not offer create on things: things are created elsewhere");
  EXPECT_EQ(d.errors[0].rule, "test.rules:3:5");
}

TEST_F(EvaluatorTest, OperationNotSupportedWithOtherErrorsIs400) {
  Decision d = eval(R"({"name":5})", false, ast::Operation::create);
  EXPECT_EQ(codes(d.errors), (Pairs{{"", "operation_not_supported"}, {"/name", "type_mismatch"}}));
  EXPECT_EQ(d.status, 400);
}

TEST_F(EvaluatorTest, InvalidJsonNamesTheByteOffset) {
  Decision d = eval(R"({"name":"Ann",})");
  EXPECT_EQ(codes(d.errors), (Pairs{{"", "invalid_json"}}));
  EXPECT_EQ(d.errors[0].message, "invalid JSON: expected a \"key\", found '}' at byte 14");
}

TEST_F(EvaluatorTest, InvalidJsonCases) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "invalid JSON: the payload is empty; expected a JSON object at byte 0"},
      {"  ", "invalid JSON: the payload is empty; expected a JSON object at byte 2"},
      {"[]", "invalid JSON: the payload must be a JSON object, found an array at byte 0"},
      {"\"x\"", "invalid JSON: the payload must be a JSON object, found a string at byte 0"},
      {"{} {}", "invalid JSON: unexpected '{' after the JSON object at byte 3"},
      {"{\"name\":\"A\xc3\"}", "invalid JSON: invalid UTF-8 at byte 10"},
      {"{\"name\":\"a\tb\"}", "invalid JSON: unescaped control character 0x09 in a string at byte 10"},
      {"{\"notes\":[1,2,]}", "invalid JSON: expected a value, found ']' at byte 14"},
      {"{\"notes\":tru}", "invalid JSON: expected a value, found a boolean at byte 9"},
      {"{\"count\":01}", "invalid JSON: invalid number (leading zero) at byte 9"},
      {"{\"name\":\"\\x\"}", "invalid JSON: invalid escape '\\x' in a string at byte 9"},
      // The whole character after the backslash is quoted, not its first byte (valid UTF-8).
      {"{\"name\":\"\\\xc3\xa9\"}", "invalid JSON: invalid escape '\\\xc3\xa9' in a string at byte 9"},
      {"{\"name\" \"A\"}", "invalid JSON: expected ':' after the key, found a string at byte 8"},
      {"{\"zzz\":{\"a\":nul}}", "invalid JSON: expected a value, found null at byte 12"},
  };
  for (const auto& [payload, message] : cases) {
    Decision d = eval(payload, true);
    ASSERT_EQ(codes(d.errors), (Pairs{{"", "invalid_json"}})) << payload << "\n" << to_json(d);
    EXPECT_EQ(d.errors[0].message, message) << payload;
    EXPECT_TRUE(d.stripped.empty());
  }
}

TEST_F(EvaluatorTest, DuplicateFieldAtTheRepeatedKey) {
  Decision d = eval(base(R"("count":3,"count":4,"x":1,"x":2)"), true);
  EXPECT_EQ(codes(d.errors), (Pairs{{"/count", "duplicate_field"}, {"/x", "duplicate_field"}}));
  EXPECT_EQ(codes(d.stripped), (Pairs{{"/x", "unknown_field"}}));
}

TEST_F(EvaluatorTest, DuplicateFieldAfterUnescapingTheKey) {
  Decision d = eval(base(R"("count":3,"\u0063ount":4)"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/count", "duplicate_field"}}));
}

TEST_F(EvaluatorTest, UnknownField) {
  Decision d = eval(base(R"("nmae":"x")"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/nmae", "unknown_field"}}));
  EXPECT_EQ(d.errors[0].message, "'nmae' is not a field of the things update route; did you mean 'name'?");
  EXPECT_EQ(d.errors[0].rule, "models.rules:11:7");
}

TEST_F(EvaluatorTest, UnsupportedField) {
  Decision d = eval(base(R"("notes":"x")"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/notes", "unsupported_field"}}));
  EXPECT_EQ(d.errors[0].message, "Test PMS does not accept 'notes' on things update");
  EXPECT_EQ(d.errors[0].rule, "test.rules:4:5");
}

TEST_F(EvaluatorTest, UnsupportedFieldWithAnInvalidValueFailsEvenWhenStripping) {
  Decision d = eval(base(R"("notes":5)"), true);
  EXPECT_EQ(d.verdict, Verdict::reject);
  EXPECT_EQ(codes(d.errors), (Pairs{{"/notes", "type_mismatch"}}));
  EXPECT_EQ(codes(d.stripped), (Pairs{{"/notes", "unsupported_field"}}));
}

TEST_F(EvaluatorTest, MissingRequiredField) {
  Decision d = eval(R"({"email":"a@b.co"})");
  EXPECT_EQ(codes(d.errors), (Pairs{{"/name", "missing_required_field"}}));
  EXPECT_EQ(d.errors[0].message, "name is required");
  EXPECT_EQ(d.errors[0].rule, "test.rules:5:7");
}

TEST_F(EvaluatorTest, MissingRequiredFieldInANestedRecordAndListElement) {
  Decision d = eval(base(R"("address":{"city":"X"},"items":[{"description":"a"},{"amount_in_cents":1,"address":{}}])"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/address/street", "missing_required_field"},
                                    {"/items/1/address/city", "missing_required_field"},
                                    {"/items/1/description", "missing_required_field"}}));
}

TEST_F(EvaluatorTest, NullNotAllowed) {
  Decision d = eval(base(R"("count":null,"nickname":null)"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/count", "null_not_allowed"}}));
}

TEST_F(EvaluatorTest, TypeMismatchForEveryType) {
  Decision d = eval(R"({"name":1,"email":2,"phone":true,"kind":[],"count":"3","ratio":"1","active":1,)"
                    R"("born":20000101,"seen_at":{},"id":7,"tags":"a","address":[],"items":{}})");
  EXPECT_EQ(codes(d.errors),
            (Pairs{{"/name", "type_mismatch"}, {"/email", "type_mismatch"}, {"/phone", "type_mismatch"},
                   {"/kind", "type_mismatch"}, {"/count", "type_mismatch"}, {"/ratio", "type_mismatch"},
                   {"/active", "type_mismatch"}, {"/born", "type_mismatch"}, {"/seen_at", "type_mismatch"},
                   {"/id", "type_mismatch"}, {"/tags", "type_mismatch"}, {"/address", "type_mismatch"},
                   {"/items", "type_mismatch"}}))
      << to_json(d);
  EXPECT_EQ(d.errors[0].message, "expected a string, got a number");
  EXPECT_EQ(d.errors[4].message, "expected an integer, got a string");
}

TEST_F(EvaluatorTest, IntegerRejectsFractionsAndHugeNumbers) {
  Decision d = eval(base(R"("count":1.5)"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/count", "type_mismatch"}}));
  EXPECT_EQ(d.errors[0].message, "count must be an integer; got 1.5");
  d = eval(base(R"("count":99999999999999999999)"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/count", "out_of_range"}}));
}

TEST_F(EvaluatorTest, LengthCountsCharactersNotBytes) {
  EXPECT_EQ(eval(base()).verdict, Verdict::accept);
  Decision d = eval(R"({"name":"A","email":"a@b.co"})");
  EXPECT_EQ(codes(d.errors), (Pairs{{"/name", "too_short"}}));
  EXPECT_EQ(d.errors[0].message, "name must be at least 2 characters long; got 1");
  d = eval(R"({"name":"ÉÉÉÉÉÉÉÉÉÉ","email":"a@b.co"})");  // 10 characters, 20 bytes
  EXPECT_EQ(d.verdict, Verdict::accept) << to_json(d);
  d = eval(R"({"name":"ÉÉÉÉÉÉÉÉÉÉÉ","email":"a@b.co"})");
  EXPECT_EQ(codes(d.errors), (Pairs{{"/name", "too_long"}}));
}

TEST_F(EvaluatorTest, RangeOnIntegersAndDecimals) {
  EXPECT_EQ(eval(base(R"("count":1,"ratio":2.5)")).verdict, Verdict::accept);
  Decision d = eval(base(R"("count":32,"ratio":-1.6)"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/count", "out_of_range"}, {"/ratio", "out_of_range"}}));
  EXPECT_EQ(d.errors[0].message, "count must be between 1 and 31; got 32");
  d = eval(base(R"("count":0,"ratio":2.6e0)"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/count", "out_of_range"}, {"/ratio", "out_of_range"}}));
}

TEST_F(EvaluatorTest, NotInEnumAndOneOf) {
  Decision d = eval(base(R"("kind":"C")"));  // C is in the generic enum but narrowed away
  EXPECT_EQ(codes(d.errors), (Pairs{{"/kind", "not_in_enum"}}));
  EXPECT_EQ(d.errors[0].message, "kind must be one of A, B; got \"C\"");
  d = eval(base(R"("address":{"street":"s","country":"MX"})"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/address/country", "not_in_enum"}}));
}

TEST_F(EvaluatorTest, InvalidFormatForEveryFormat) {
  Decision d = eval(R"({"name":"Ann","email":"ann@","phone":"12","born":"2001-02-29",)"
                    R"("seen_at":"2026-01-31 09:30:00Z","id":"123","code":"abc-1"})");
  EXPECT_EQ(codes(d.errors),
            (Pairs{{"/email", "invalid_format"}, {"/phone", "invalid_format"}, {"/born", "invalid_format"},
                   {"/seen_at", "invalid_format"}, {"/id", "invalid_format"}, {"/code", "invalid_format"}}))
      << to_json(d);
  EXPECT_EQ(d.errors[5].message, "code must match /^[A-Z]{3}-[0-9]+$/");
}

TEST_F(EvaluatorTest, ItemsAndElementConstraints) {
  Decision d = eval(base(R"("tags":[])"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/tags", "too_few_items"}}));
  d = eval(base(R"("tags":["a","b","c","d"])"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/tags", "too_many_items"}}));
  d = eval(base(R"("tags":["a","toolong",3])"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/tags/1", "too_long"}, {"/tags/2", "type_mismatch"}}));
  d = eval(base(R"("items":[{"description":"a"},{"description":"b"},{"description":"c"}])"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/items", "too_many_items"}}));
}

TEST_F(EvaluatorTest, ConditionalRequirement) {
  Decision d = eval(R"({"name":"Ann","phone":"555-123-4567","active":true})");
  EXPECT_EQ(codes(d.errors), (Pairs{{"/email", "missing_required_field"}}));
  EXPECT_EQ(d.errors[0].message, "email is required when active == true");
  EXPECT_EQ(eval(R"({"name":"Ann","phone":"555-123-4567","active":false})").verdict, Verdict::accept);
}

TEST_F(EvaluatorTest, AtLeastOneOf) {
  Decision d = eval(R"({"name":"Ann"})");
  EXPECT_EQ(codes(d.errors), (Pairs{{"/email", "rule_violation"}}));
  EXPECT_EQ(d.errors[0].message, "give an email or a phone");
  EXPECT_EQ(d.errors[0].rule, "test.rules:23:7");
}

TEST_F(EvaluatorTest, ChecksCompareDatesAndCombineConditions) {
  EXPECT_EQ(eval(base(R"("starts":"2026-01-01","ends":"2026-01-01")")).verdict, Verdict::accept);
  Decision d = eval(base(R"("starts":"2026-01-02","ends":"2026-01-01")"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/ends", "rule_violation"}}));
  EXPECT_EQ(d.errors[0].message, "ends must not be before starts");
  d = eval(base(R"("kind":"B","count":11)"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/kind", "rule_violation"}}));
  EXPECT_EQ(eval(base(R"("kind":"B","count":10)")).verdict, Verdict::accept);
}

TEST_F(EvaluatorTest, ChecksOnAbsentOrInvalidFieldsDoNotFire) {
  EXPECT_EQ(eval(base(R"("ends":"2026-01-01")")).verdict, Verdict::accept);
  Decision d = eval(base(R"("starts":"2026-13-01","ends":"2026-01-01")"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/starts", "invalid_format"}}));
}

TEST_F(EvaluatorTest, AllErrorsAreReportedWithRulePositions) {
  Decision d = eval(R"({"name":"A","count":0,"kind":"C","email":"x","zzz":1,"notes":"n"})");
  EXPECT_EQ(d.errors.size(), 6u) << to_json(d);
  for (const auto& e : d.errors) EXPECT_FALSE(e.rule.empty()) << e.path;
}

TEST_F(EvaluatorTest, PointerTokensAreEscaped) {
  Decision d = eval(base(R"("a/b~c":1)"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/a~1b~0c", "unknown_field"}}));
}

TEST_F(EvaluatorTest, DecisionJsonFollowsTheContract) {
  Decision d = eval(R"({"email":"a@b.co","notes":"n"})", true);
  EXPECT_EQ(to_json(d),
            "{\"verdict\":\"reject\",\"status\":400,\"pms\":\"TEST\",\"model\":\"things\","
            "\"operation\":\"update\",\"rules_version\":\"" + program_->rules_version() +
            "\",\"errors\":[{\"path\":\"/name\",\"code\":\"missing_required_field\","
            "\"message\":\"name is required\",\"rule\":\"test.rules:5:7\"}],"
            "\"stripped\":[{\"path\":\"/notes\",\"code\":\"unsupported_field\","
            "\"message\":\"Test PMS does not accept 'notes' on things update\",\"rule\":\"test.rules:4:5\"}]}");
}

TEST_F(EvaluatorTest, ContextIsReusableAcrossDecisions) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(eval(R"({"name":"A"})").errors.size(), 2u);
    EXPECT_EQ(eval(base()).verdict, Verdict::accept);
  }
}

}  // namespace
}  // namespace gatehouse::testing

namespace gatehouse::testing {
namespace {

TEST_F(EvaluatorTest, IntegersFollowJsonSchemaSpelling) {
  EXPECT_EQ(eval(base(R"("count":1E1)")).verdict, Verdict::accept);
  EXPECT_EQ(eval(base(R"("count":10.0)")).verdict, Verdict::accept);
  Decision d = eval(base(R"("count":1E2)"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/count", "out_of_range"}}));
  EXPECT_EQ(d.errors[0].message, "count must be between 1 and 31; got 1E2");
}

}  // namespace
}  // namespace gatehouse::testing

namespace gatehouse::testing {
namespace {

TEST_F(EvaluatorTest, NumbersBeyondADoubleAreValidJsonButOutOfRange) {
  Decision d = eval(base(R"("ratio":1e400,"count":-1e999)"));
  EXPECT_EQ(codes(d.errors), (Pairs{{"/ratio", "out_of_range"}, {"/count", "out_of_range"}})) << to_json(d);
  d = eval(base(R"("zz":1e400)"), true);
  EXPECT_EQ(d.verdict, Verdict::strip) << to_json(d);
}

}  // namespace
}  // namespace gatehouse::testing

namespace gatehouse::testing {
namespace {

// Integers with a fraction or an exponent were decided after rounding to a double.
TEST_F(EvaluatorTest, IntegersAreDecidedFromTheirDecimalText) {
  EvaluationContext context;
  auto count = [&](const std::string& number) {
    std::string payload = base(R"("count":)" + number);
    Decision d = evaluate(*program_, Request{"TEST", "things", ast::Operation::update, false, payload}, context);
    std::string out;
    for (const auto& e : d.errors) out += std::string(error_code_name(e.code)) + ": " + e.message + "\n";
    return out;
  };
  // count has `range 1..31`: the largest 64-bit integer is an integer (out of that range), one more is not.
  EXPECT_EQ(count("9223372036854775807.0"), "out_of_range: count must be between 1 and 31; got 9223372036854775807.0\n");
  EXPECT_EQ(count("9223372036854775808.0"),
            "out_of_range: count must fit in a 64-bit signed integer; got 9223372036854775808.0\n");
  EXPECT_EQ(count("1.0000000000000001"), "type_mismatch: count must be an integer; got 1.0000000000000001\n");
  EXPECT_EQ(count("1e400"), "out_of_range: count is too large; got 1e400\n");
  EXPECT_EQ(count("100e-2"), "");
  EXPECT_EQ(count("3.10e1"), "");
}

}  // namespace
}  // namespace gatehouse::testing
