// Which Content-Types the write service takes as JSON: one table, one place deciding.
#include <gtest/gtest.h>

#include "gatehouse/service/media_type.hpp"

namespace gatehouse::service {
namespace {

TEST(MediaTypeTest, JsonWhateverItsCaseAndParameters) {
  const std::pair<const char*, bool> cases[] = {
      {"application/json", true},
      {"Application/JSON", true},
      {"application/json; charset=utf-8", true},
      {"Application/JSON; charset=UTF-8", true},
      {"application/json ; charset=\"utf-8\"", true},
      {"application/json;", true},
      {"application/json; foo=bar", true},
      {"application/json; charset=latin1", false},
      {"application/jsonp", false},
      {"application/json-seq", false},
      {"application/jsonx; charset=utf-8", false},
      {"text/plain", false},
      {"text/json", false},
      {"application/json; charset", false},
      {"", false},
  };
  for (const auto& [type, json] : cases) EXPECT_EQ(is_json_media_type(type), json) << type;
}

}  // namespace
}  // namespace gatehouse::service
