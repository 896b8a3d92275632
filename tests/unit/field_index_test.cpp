// FieldIndex: both lookups find every name and nothing else, whatever the length.
#include <gatehouse/field_index.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gatehouse {
namespace {

/// Names of 1 to 24 bytes, several pairs of which differ only in their last byte or in a byte
/// past the first eight (where the padded comparison switches from word to tail).
std::vector<std::string> sample_names() {
  std::vector<std::string> names;
  for (std::size_t n = 1; n <= 24; ++n) {
    names.push_back(std::string(n, 'a'));
    names.push_back(std::string(n - 1, 'a') + 'b');
  }
  names.push_back("first_name");
  names.push_back("first_namf");
  names.push_back("email_address_2");
  return names;
}

/// A key as the evaluator sees it: inside a buffer with bytes after it (the padded document).
std::string_view padded_key(std::string& buffer, const std::string& key, char after) {
  buffer = key + std::string(16, after);
  return std::string_view(buffer.data(), key.size());
}

TEST(FieldIndex, FindsEveryNameAtItsPosition) {
  auto names = sample_names();
  std::vector<std::string_view> views(names.begin(), names.end());
  FieldIndex index;
  index.build(views);
  std::string buffer;
  for (std::uint32_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(index.find(names[i]), i) << names[i];
    // Whatever follows the key in the document must not matter.
    EXPECT_EQ(index.find_padded(padded_key(buffer, names[i], '"')), i) << names[i];
    EXPECT_EQ(index.find_padded(padded_key(buffer, names[i], 'a')), i) << names[i];
  }
}

TEST(FieldIndex, MissesNamesItDoesNotHold) {
  auto names = sample_names();
  std::vector<std::string_view> views(names.begin(), names.end());
  FieldIndex index;
  index.build(views);
  std::string buffer;
  for (const std::string& missing :
       {std::string(25, 'a'), std::string("c"), std::string(9, 'a') + 'c', std::string(8, 'a') + 'c' + 'a',
        std::string("first_namg"), std::string("First_name"), std::string("email_address_3"), std::string()}) {
    EXPECT_EQ(index.find(missing), FieldIndex::npos) << missing;
    EXPECT_EQ(index.find_padded(padded_key(buffer, missing, 'a')), FieldIndex::npos) << missing;
  }
}

TEST(FieldIndex, EmptyIndexFindsNothing) {
  FieldIndex index;
  std::string buffer;
  EXPECT_EQ(index.find("a"), FieldIndex::npos);
  EXPECT_EQ(index.find_padded(padded_key(buffer, "a", 'a')), FieldIndex::npos);
}

}  // namespace
}  // namespace gatehouse
