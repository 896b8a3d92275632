// The decision JSON and its string escaping: what is written into room reserved up front must
// be exactly what a JSON reader gets back, whatever the bytes and wherever they fall.
#include <gatehouse/decision.hpp>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "json_text.hpp"

namespace gatehouse {
namespace {

/// `text` read back from the JSON string `quoted`.
std::string read_back(const std::string& quoted) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(quoted);
  std::string_view out;
  EXPECT_EQ(parser.parse(padded).get(out), simdjson::SUCCESS) << quoted;
  return std::string(out);
}

TEST(JsonString, EveryAsciiByteAtEveryOffsetOfAWord) {
  for (int c = 1; c < 0x80; ++c) {
    for (std::size_t before = 0; before < 17; ++before) {
      std::string text = std::string(before, 'x') + static_cast<char>(c) + "tail";
      std::string quoted = json_quote(text);
      EXPECT_EQ(read_back(quoted), text) << "byte " << c << " after " << before;
      if (c < 0x20 || c == '"' || c == '\\') {
        EXPECT_NE(quoted.find('\\'), std::string::npos) << "byte " << c << " must be escaped";
      }
    }
  }
}

TEST(JsonString, TheBoundHoldsForTheWorstText) {
  std::string worst(37, '\x01');
  std::string quoted = json_quote(worst);
  EXPECT_EQ(quoted.size(), json_string_bound(worst.size()));
  EXPECT_EQ(read_back(quoted), worst);
}

TEST(JsonString, AppendsAfterWhatIsThere) {
  std::string out = "prefix:";
  append_json_string(out, "a\"b");
  EXPECT_EQ(out, "prefix:\"a\\\"b\"");
}

/// A decision on a Buildium residents update, without errors yet.
Decision decision(Verdict verdict, int status, std::string_view rules_version) {
  Decision d;
  d.verdict = verdict;
  d.status = status;
  d.pms = "buildium";
  d.model = "residents";
  d.rules_version = rules_version;
  return d;
}

TEST(DecisionJson, ARejectWithEscapedMessagesReadsBack) {
  Decision d = decision(Verdict::reject, 400, "v\"1");
  d.errors.push_back({"/a~1b", ErrorCode::invalid_format, "line one\nline \"two\" \x02", "r.rules:1:2"});
  d.errors.push_back({"", ErrorCode::invalid_json, "no rule", ""});
  d.stripped.push_back({"/x", ErrorCode::unknown_field, "stripped", "r.rules:3:4"});
  std::string out = "[";
  append_json(d, out);
  out += "]";
  simdjson::dom::parser parser;
  simdjson::padded_string padded(out);
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(padded).get(root), simdjson::SUCCESS) << out;
  auto decision = root.at(0);
  EXPECT_EQ(std::string_view(decision["verdict"]), "reject");
  EXPECT_EQ(std::int64_t(decision["status"]), 400);
  EXPECT_EQ(std::string_view(decision["rules_version"]), "v\"1");
  EXPECT_EQ(std::string_view(decision["errors"].at(0)["message"]), "line one\nline \"two\" \x02");
  EXPECT_EQ(std::string_view(decision["errors"].at(0)["path"]), "/a~1b");
  EXPECT_TRUE(decision["errors"].at(1)["rule"].is_null());
  EXPECT_EQ(std::string_view(decision["stripped"].at(0)["rule"]), "r.rules:3:4");
  EXPECT_TRUE(decision["payload"].error() == simdjson::NO_SUCH_FIELD);
}

TEST(DecisionJson, AnAcceptCarriesThePayloadAsSent) {
  Decision d = decision(Verdict::accept, 200, "sha256:00");
  d.payload = std::string_view(R"({"first_name": "Ana",  "n": 1.50})");
  EXPECT_EQ(to_json(d),
            R"({"verdict":"accept","status":200,"pms":"buildium","model":"residents","operation":"update",)"
            R"("rules_version":"sha256:00","errors":[],"stripped":[],"payload":{"first_name": "Ana",  "n": 1.50}})");
}

}  // namespace
}  // namespace gatehouse
