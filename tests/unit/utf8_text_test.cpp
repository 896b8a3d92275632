// Bytes rendered as valid UTF-8 (gatehouse/json_string.hpp): what a message quotes from a request
// and what the JSON writers write must be valid UTF-8 whatever the bytes, and valid UTF-8 must
// come out unchanged. simdjson's validator is the referee.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>
#include <string>

#include "gatehouse/json_string.hpp"

namespace gatehouse {
namespace {

using namespace std::string_literals;

bool valid(const std::string& s) { return simdjson::validate_utf8(s.data(), s.size()); }

TEST(Utf8Text, Table) {
  struct Case {
    std::string bytes, text;
  };
  const Case cases[] = {
      {"", ""},
      {"plain ascii", "plain ascii"},
      {"a\0b"s, "a\0b"s},                                    // NUL is UTF-8; JSON escapes it later
      {"\\x", "\\x"},                                          // a backslash is left alone
      {"\xc3\xa9", "\xc3\xa9"},                                // é
      {"\\\xc3\xa9", "\\\xc3\xa9"},                            // backslash, é: the invalid escape's quote
      {"\xe2\x82\xac", "\xe2\x82\xac"},                        // €
      {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},                // U+1F600
      {"\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"},                // U+10FFFF, the last code point
      {"\xc3", "\\xc3"},                                       // a lead byte at the end
      {"\xc3(", "\\xc3("},                                     // a lead byte before ASCII (%C3%28)
      {"\xa9", "\\xa9"},                                       // a lone continuation byte
      {"\xc3\xa9\xa9", "\xc3\xa9\\xa9"},                       // one continuation too many
      {"\xc0\xaf", "\\xc0\\xaf"},                              // overlong '/'
      {"\xc1\xbf", "\\xc1\\xbf"},                              // overlong, C1 lead
      {"\xe0\x80\xaf", "\\xe0\\x80\\xaf"},                     // overlong, three bytes
      {"\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf"},            // overlong, four bytes
      {"\xed\xa0\x80", "\\xed\\xa0\\x80"},                     // U+D800, a UTF-16 surrogate
      {"\xed\x9f\xbf", "\xed\x9f\xbf"},                        // U+D7FF, just below them
      {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},            // U+110000, beyond Unicode
      {"\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80"},            // F5 never starts a sequence
      {"\xfe\xff", "\\xfe\\xff"},
      {"\xe2\x82", "\\xe2\\x82"},                              // € cut after two bytes
      {"\xf0\x9f\x98", "\\xf0\\x9f\\x98"},                     // U+1F600 cut after three
      {"\xe2\x82" "a\xe2\x82\xac", "\\xe2\\x82" "a\xe2\x82\xac"},  // a cut one, then a whole one
  };
  for (const Case& c : cases) {
    EXPECT_EQ(utf8_text(c.bytes), c.text) << c.bytes;
    EXPECT_TRUE(valid(utf8_text(c.bytes))) << c.bytes;
    EXPECT_EQ(quote_bytes(c.bytes), "'" + c.text + "'");
    std::string out = "x";
    append_utf8_text(out, c.bytes);
    EXPECT_EQ(out, "x" + c.text);
  }
}

TEST(Utf8Text, SequenceLengths) {
  struct Case {
    std::string bytes;
    std::size_t length;
  };
  const Case cases[] = {{"", 0},
                        {"a", 1},
                        {"\x7f", 1},
                        {"\xc2\x80", 2},
                        {"\xc3\xa9zzz", 2},
                        {"\xdf\xbf", 2},
                        {"\xe0\xa0\x80", 3},
                        {"\xef\xbf\xbf", 3},
                        {"\xf0\x90\x80\x80", 4},
                        {"\x80", 0},
                        {"\xc2", 0},
                        {"\xc2" "a", 0},
                        {"\xe0\x9f\xbf", 0},
                        {"\xed\xa0\x80", 0},
                        {"\xf0\x8f\xbf\xbf", 0},
                        {"\xf4\x90\x80\x80", 0},
                        {"\xe2\x82" "a", 0}};
  for (const Case& c : cases) EXPECT_EQ(utf8_sequence_length(c.bytes), c.length) << c.bytes;
}

/// Every string of one or two bytes, and many random ones of three to eight bytes: the rendering
/// is valid UTF-8, and it is the input itself exactly when the input is valid UTF-8.
TEST(Utf8Text, AgreesWithSimdjsonOnEveryShortString) {
  auto check = [](const std::string& bytes) {
    std::string text = utf8_text(bytes);
    ASSERT_TRUE(valid(text)) << "from " << text;
    ASSERT_EQ(text == bytes, valid(bytes)) << text;
    std::string quoted = json_quote(bytes);
    ASSERT_TRUE(valid(quoted)) << quoted;
  };
  for (int a = 0; a < 256; ++a) {
    check(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) check({static_cast<char>(a), static_cast<char>(b)});
  }
  // Bytes drawn mostly from the interesting ranges: leads, continuations, ASCII.
  const unsigned char pool[] = {'a', '"', '\\', 0x01, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1,
                                0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff};
  std::mt19937 random(20261128);
  for (int round = 0; round < 200000; ++round) {
    std::string bytes(3 + random() % 6, '\0');
    for (char& c : bytes) c = static_cast<char>(pool[random() % sizeof pool]);
    check(bytes);
  }
}

/// The JSON writer renders a byte that is not UTF-8 as the text \xhh, and a JSON reader gets
/// exactly that text back; valid UTF-8 is written and read back as it is.
TEST(Utf8Text, JsonStringsAreValidUtf8) {
  const std::string cases[] = {"\xc3(", "\\\xc3\xa9", "abcdefgh\xff" "abcdefgh", "\xe2\x82\xac\xe2\x82",
                               std::string(40, '\xa9'), "plain text that is long enough for words"};
  for (const std::string& bytes : cases) {
    std::string quoted = json_quote(bytes);
    ASSERT_TRUE(valid(quoted)) << quoted;
    simdjson::dom::parser parser;
    simdjson::padded_string padded(quoted);
    std::string_view back;
    ASSERT_EQ(parser.parse(padded).get(back), simdjson::SUCCESS) << quoted;
    EXPECT_EQ(back, utf8_text(bytes));
  }
  EXPECT_EQ(json_quote("\xc3("), "\"\\\\xc3(\"");
  EXPECT_EQ(json_quote(std::string(37, '\xff')).size(), 2 + 37 * 5u);  // within json_string_bound
}

}  // namespace
}  // namespace gatehouse
