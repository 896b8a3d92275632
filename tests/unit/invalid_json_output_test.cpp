// JSONTestSuite-style: payloads that are not JSON (the suite's n_* kind), each sent on its own
// and as the value of a member, through the engine over the bundled rules. Whatever bytes a
// payload holds, the decision must be a reject with one invalid_json error, and its JSON must be
// valid UTF-8 that parses: the Python binding and every JSON reader refuse anything else.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gatehouse/engine.hpp"
#include "gatehouse/rule_cases.hpp"
#include "gatehouse/rules_loader.hpp"

namespace gatehouse {
namespace {

using namespace std::string_literals;

struct NotJson {
  const char* name;
  std::string bytes;
};

// Hex escapes are closed with "" where a hex digit follows, so that C++ does not read it on.
const std::vector<NotJson> not_json = {
    // An invalid escape followed by a character that is not ASCII.
    {"escape_e_acute", "\"\\\xc3\xa9\""},
    {"escape_euro", "\"\\\xe2\x82\xac\""},
    {"escape_emoji", "\"\\\xf0\x9f\x98\x80\""},
    {"escape_nbsp", "\"\\\xc2\xa0\""},
    {"escape_e_acute_mid_text", "\"abc\\\xc3\xa9 def\""},
    {"escape_e_acute_unterminated", "\"\\\xc3\xa9"},
    {"escape_e_acute_in_key", "{\"\\\xc3\xa9\":1}"},
    {"escape_e_acute_in_list", "[\"ok\",\"\\\xc3\xa9\"]"},
    // Other invalid escapes.
    {"escape_x", "\"\\x41\""},
    {"escape_a", "\"\\a\""},
    {"escape_apostrophe", "\"\\'\""},
    {"escape_zero", "\"\\0\""},
    {"escape_capital_u", "\"\\U0041\""},
    {"escape_space", "\"\\ \""},
    {"escape_tab", "\"\\\t\""},
    {"escape_nul", "\"\\\0\""s},
    // Bytes that are not UTF-8, in strings and keys.
    {"utf8_lead_at_end", "\"\xc3\""},
    {"utf8_lead_before_ascii", "\"\xc3(\""},
    {"utf8_lone_continuation", "\"\xa9\""},
    {"utf8_ff", "\"\xff\""},
    {"utf8_fe", "\"\xfe\""},
    {"utf8_overlong_2", "\"\xc0\xaf\""},
    {"utf8_overlong_3", "\"\xe0\x80\xaf\""},
    {"utf8_overlong_4", "\"\xf0\x80\x80\xaf\""},
    {"utf8_surrogate_d800", "\"\xed\xa0\x80\""},
    {"utf8_surrogate_dfff", "\"\xed\xbf\xbf\""},
    {"utf8_above_10ffff", "\"\xf4\x90\x80\x80\""},
    {"utf8_f5", "\"\xf5\x80\x80\x80\""},
    {"utf8_cut_3", "\"\xe2\x82\""},
    {"utf8_cut_4", "\"\xf0\x9f\x98\""},
    {"utf8_in_key", "{\"\xc3(\":1}"},
    {"utf8_ff_in_key", "{\"a\xff\":1}"},
    {"utf8_outside_strings", "\xc3\xa9"},
    {"utf8_ff_in_list", "[\xff]"},
    {"utf8_bom", "\xef\xbb\xbf{}"},
    {"utf8_cut_key_at_end", "{\"\xc3"},
    // Lone UTF-16 surrogates and broken \u escapes.
    {"surrogate_high", "\"\\uD800\""},
    {"surrogate_low", "\"\\uDC00\""},
    {"surrogate_high_then_ascii", "\"\\uD800\\u0041\""},
    {"surrogate_two_high", "\"\\uD800\\uD800\""},
    {"surrogate_reversed", "\"\\uDFFF\\uD800\""},
    {"surrogate_high_then_text", "\"\\uD83Dabc\""},
    {"surrogate_in_key", "{\"\\uDBFF\":1}"},
    {"unicode_short", "\"\\u12\""},
    {"unicode_not_hex", "\"\\u12G4\""},
    {"unicode_e_acute_inside", "\"\\u00\xc3\xa9\""},
    // Control characters in strings.
    {"control_01", "\"a\x01" "b\""},
    {"control_1f", "\"\x1f\""},
    {"control_tab", "\"tab\there\""},
    {"control_newline", "\"new\nline\""},
    {"control_nul", "\"a\0b\""s},
    {"control_in_key", "{\"a\x02\":1}"},
    // Numbers outside JSON's grammar.
    {"number_leading_zero", "012"},
    {"number_minus_alone", "-"},
    {"number_dot_end", "1."},
    {"number_dot_start", ".5"},
    {"number_exponent_empty", "1e"},
    {"number_exponent_sign_only", "1e+"},
    {"number_plus", "+1"},
    {"number_hex", "0x10"},
    {"number_nan", "NaN"},
    {"number_infinity", "-Infinity"},
    {"number_double_minus", "--1"},
    {"number_two_dots", "1..2"},
    {"number_exponent_fraction", "1e1.5"},
    {"number_arabic_digit", "\xd9\xa1"},
    {"number_then_e_acute", "1\xc3\xa9"},
    {"number_minus_space", "- 1"},
    // Cut short.
    {"truncated_string", "\"abc"},
    {"truncated_escape", "\"\\"},
    {"truncated_unicode", "\"\\u00"},
    {"truncated_object", "{"},
    {"truncated_after_key", "{\"a\""},
    {"truncated_after_colon", "{\"a\":"},
    {"truncated_after_value", "{\"a\":1"},
    {"truncated_after_comma", "{\"a\":1,"},
    {"truncated_list", "[1,"},
    {"truncated_true", "tru"},
    {"truncated_null", "nul"},
    {"empty", ""},
    {"whitespace", " "},
    // Structure.
    {"trailing_comma_list", "[1,]"},
    {"trailing_comma_object", "{\"a\":1,}"},
    {"comma_alone", "{,}"},
    {"missing_colon", "{\"a\" 1}"},
    {"double_colon", "{\"a\"::1}"},
    {"number_key", "{1:1}"},
    {"single_quotes", "{'a':1}"},
    {"missing_comma", "[1 2]"},
    {"close_alone", "}"},
    {"extra_close", "[1]]"},
    {"mismatched_close", "{\"a\":[}"},
    {"capital_true", "True"},
    {"two_strings", "\"a\" \"b\""},
    {"comment", "/* c */ 1"},
    {"backslash_alone", "\\"},
};

class InvalidJsonOutput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Compilation c = compile_directory(std::filesystem::path(GATEHOUSE_SOURCE_DIR) / "rules");
    ASSERT_TRUE(c.ok()) << c.render_diagnostics();
    engine_ = std::make_unique<Engine>(c.program);
  }
  static void TearDownTestSuite() { engine_.reset(); }

  /// The decision on `payload` and its JSON; checks that the JSON is valid UTF-8 and parses.
  static EngineDecision decide(const std::string& payload, std::string_view pms = "RENTMANAGER",
                               std::string_view model = "residents") {
    thread_local EvaluationContext context;
    EngineDecision d = engine_->evaluate({pms, model, ast::Operation::update, true, payload}, context);
    std::string json = to_json(d.decision);
    EXPECT_TRUE(simdjson::validate_utf8(json.data(), json.size())) << json;
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    simdjson::dom::element root;
    EXPECT_EQ(parser.parse(padded).get(root), simdjson::SUCCESS) << json;
    for (const Issue& i : d.decision.errors)
      EXPECT_TRUE(simdjson::validate_utf8(i.message.data(), i.message.size())) << i.message;
    return d;
  }

  static inline std::unique_ptr<Engine> engine_;
};

TEST_F(InvalidJsonOutput, EveryPayloadAloneAndAsAMemberIsAnInvalidJsonReject) {
  ASSERT_GE(not_json.size(), 60u);
  for (const NotJson& n : not_json) {
    for (const std::string& payload : {n.bytes, "{\"notes\": " + n.bytes + "}"}) {
      SCOPED_TRACE(std::string(n.name) + ": " + payload);
      EngineDecision d = decide(payload);
      EXPECT_EQ(d.decision.verdict, Verdict::reject);
      ASSERT_EQ(d.decision.errors.size(), 1u);
      EXPECT_EQ(d.decision.errors[0].code, ErrorCode::invalid_json);
    }
  }
}

TEST_F(InvalidJsonOutput, TheInvalidEscapeQuotesTheWholeCharacter) {
  EngineDecision d = decide("{\"notes\":\"\\\xc3\xa9\"}");
  ASSERT_EQ(d.decision.errors.size(), 1u);
  EXPECT_EQ(d.decision.errors[0].message, "invalid JSON: invalid escape '\\\xc3\xa9' in a string at byte 10");
}

// The PMS and the model are echoed in the decision and quoted in its message: a caller of the C
// ABI or the command line can send any bytes there.
TEST_F(InvalidJsonOutput, APmsOrModelThatIsNotUtf8IsRenderedValid) {
  EngineDecision unknown_pms = decide("{}", "RENT\xc3(");
  ASSERT_EQ(unknown_pms.decision.errors.size(), 1u);
  EXPECT_EQ(unknown_pms.decision.errors[0].code, ErrorCode::unknown_pms);
  EXPECT_EQ(unknown_pms.decision.errors[0].message.rfind("unknown PMS 'RENT\\xc3('", 0), 0u)
      << unknown_pms.decision.errors[0].message;
  EXPECT_NE(to_json(unknown_pms.decision).find("\"pms\":\"RENT\\\\xc3(\""), std::string::npos);

  EngineDecision unknown_model = decide("{}", "RENTMANAGER", "resident\xff");
  ASSERT_EQ(unknown_model.decision.errors.size(), 1u);
  EXPECT_EQ(unknown_model.decision.errors[0].code, ErrorCode::unknown_model);
  EXPECT_EQ(unknown_model.decision.errors[0].message.rfind("unknown model 'resident\\xff'", 0), 0u)
      << unknown_model.decision.errors[0].message;
}

// `gatehouse test` and the YAML case tests print this report; it quotes the case file's payload
// and expectations, which can be any bytes.
TEST_F(InvalidJsonOutput, AFailingCaseReportIsValidUtf8) {
  RuleCase c;
  c.pms = "RENTMANAGER";
  c.model = "residents";
  c.payload = "{\"notes\":\"\\\xc3\xa9\"}";
  c.expect_verdict = "accept";
  c.expect_errors = {{"/notes\xff", "invalid_json", std::nullopt}};
  c.expect_payload = "{\"notes\":\"\xc3(\"}";
  EngineDecision d = decide(c.payload);
  std::string report = compare_with_expectation(c, d.decision);
  EXPECT_TRUE(simdjson::validate_utf8(report.data(), report.size())) << report;
  EXPECT_NE(report.find("/notes\\xff invalid_json"), std::string::npos) << report;
  EXPECT_NE(report.find("payload: expected {\"notes\":\"\\xc3(\"}, got none"), std::string::npos) << report;
}

}  // namespace
}  // namespace gatehouse
