// FieldIndex: finds every name and nothing else, whatever the length, reading no byte past the
// name it is given (under `make sanitize` each name sits in an allocation of exactly its size).
#include <gatehouse/field_index.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace gatehouse {
namespace {

/// Names of 1 to 24 bytes, several pairs of which differ only in their first or last byte, or
/// in a byte the word-wise comparison reads twice (the overlap of its two ends).
std::vector<std::string> sample_names() {
  std::vector<std::string> names;
  for (std::size_t n = 1; n <= 24; ++n) {
    names.push_back(std::string(n, 'a'));
    names.push_back(std::string(n - 1, 'a') + 'b');
    if (n > 1) names.push_back('b' + std::string(n - 1, 'a'));
    if (n > 4) names.push_back(std::string(n / 2, 'a') + 'c' + std::string(n - n / 2 - 1, 'a'));
  }
  names.push_back("first_name");
  names.push_back("first_namf");
  names.push_back("email_address_2");
  return names;
}

/// `name` copied into a heap block of exactly its size, so that an over-read is an ASan error.
struct Exact {
  explicit Exact(const std::string& name) : bytes(new char[name.size() ? name.size() : 1]), size(name.size()) {
    std::copy(name.begin(), name.end(), bytes.get());
  }
  std::string_view view() const { return {bytes.get(), size}; }
  std::unique_ptr<char[]> bytes;
  std::size_t size;
};

FieldIndex index_of(const std::vector<std::string>& names) {
  std::vector<std::string_view> views(names.begin(), names.end());
  FieldIndex index;
  index.build(views);
  return index;
}

TEST(FieldIndex, FindsEveryNameAtItsPosition) {
  auto names = sample_names();
  FieldIndex index = index_of(names);
  for (std::uint32_t i = 0; i < names.size(); ++i) EXPECT_EQ(index.find(Exact(names[i]).view()), i) << names[i];
}

TEST(FieldIndex, MissesNamesItDoesNotHold) {
  FieldIndex index = index_of(sample_names());
  for (const std::string& missing :
       {std::string(25, 'a'), std::string("c"), std::string(9, 'a') + 'c', std::string(8, 'a') + 'c' + 'a',
        std::string("first_namg"), std::string("First_name"), std::string("email_address_3"), std::string()})
    EXPECT_EQ(index.find(Exact(missing).view()), FieldIndex::npos) << missing;
}

TEST(FieldIndex, EmptyIndexFindsNothing) {
  FieldIndex index;
  EXPECT_EQ(index.find("a"), FieldIndex::npos);
}

}  // namespace
}  // namespace gatehouse
