#include <gtest/gtest.h>

#include "json_locator.hpp"
#include "json_text.hpp"

namespace gatehouse {
namespace {

TEST(JsonLocator, ValidObjectsHaveNoProblem) {
  for (const char* ok : {"{}", " {\"a\": [1, -2.5e+3, true, false, null, \"\\u00e9\\n\"]} \n",
                         "{\"a\":{\"b\":{\"c\":[]}}}"})
    EXPECT_FALSE(locate_json_error(ok)) << ok;
}

TEST(JsonLocator, FindsTheFirstProblem) {
  struct Case {
    const char* text;
    std::size_t offset;
  };
  for (const Case& c : {Case{"{\"a\":1,}", 7}, Case{"{\"a\" 1}", 5}, Case{"{\"a\":[1 2]}", 8},
                        Case{"{\"a\":-}", 5}, Case{"{\"a\":1.}", 5}, Case{"{\"a\":\"x", 5},
                        Case{"{\"a\":\"\\u12g4\"}", 6}, Case{"{", 1}, Case{"{}x", 2},
                        Case{"\xef\xbb\xbf{}", 0}, Case{"{\"a\":\"\xed\xa0\x80\"}", 6},
                        Case{"{\"a\":\"\xc0\xaf\"}", 6}}) {
    auto p = locate_json_error(c.text);
    ASSERT_TRUE(p) << c.text;
    EXPECT_EQ(p->offset, c.offset) << c.text << ": " << p->message;
  }
}

TEST(JsonText, MemberEndSkipsAnyValue) {
  std::string t = R"({"a" : {"x":"}]"} , "b":[1,[2]],"c":"q\"","d":12.5e3 })";
  EXPECT_EQ(t.substr(1, member_end(t, 1) - 1), R"("a" : {"x":"}]"})");
  std::size_t b = t.find("\"b\"");
  EXPECT_EQ(t.substr(b, member_end(t, b) - b), R"("b":[1,[2]])");
  std::size_t c = t.find("\"c\"");
  EXPECT_EQ(t.substr(c, member_end(t, c) - c), R"("c":"q\"")");
  std::size_t d = t.find("\"d\"");
  EXPECT_EQ(t.substr(d, member_end(t, d) - d), R"("d":12.5e3)");
}

TEST(JsonText, QuoteAndPointer) {
  EXPECT_EQ(json_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  std::string path;
  append_pointer_token(path, "a/b~c");
  EXPECT_EQ(path, "/a~1b~0c");
}

}  // namespace
}  // namespace gatehouse

namespace gatehouse {
namespace {

TEST(JsonLocator, IsJsonNumber) {
  for (const char* ok : {"0", "-0", "12", "1.5", "1e400", "-2.5E-3", "10E+2"}) EXPECT_TRUE(is_json_number(ok)) << ok;
  for (const char* bad : {"", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1 ", "0x10", "NaN"})
    EXPECT_FALSE(is_json_number(bad)) << bad;
}

}  // namespace
}  // namespace gatehouse
