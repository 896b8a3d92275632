#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "value_formats.hpp"

namespace gatehouse::formats {
namespace {

TEST(Formats, Date) {
  EXPECT_EQ(parse_date("1970-01-01"), 0);
  EXPECT_EQ(parse_date("1970-01-02"), 1);
  EXPECT_EQ(parse_date("1969-12-31"), -1);
  EXPECT_TRUE(parse_date("2000-02-29"));
  EXPECT_TRUE(parse_date("2024-02-29"));
  for (const char* bad : {"1900-02-29", "2023-02-29", "2023-04-31", "2023-13-01", "2023-00-10",
                          "2023-1-01", "2023-01-01T", "20230101", "", "2023-01-0a"})
    EXPECT_FALSE(parse_date(bad)) << bad;
}

TEST(Formats, Datetime) {
  auto utc = parse_datetime("2026-01-31T09:30:00Z");
  auto plus = parse_datetime("2026-01-31T10:30:00+01:00");
  ASSERT_TRUE(utc && plus);
  EXPECT_EQ(*utc, *plus);
  auto frac = parse_datetime("2026-01-31t09:30:00.25z");
  ASSERT_TRUE(frac);
  EXPECT_EQ(frac->nanos, 250000000u);
  EXPECT_TRUE(parse_datetime("2016-12-31T23:59:60Z"));
  for (const char* bad : {"2026-01-31 09:30:00Z", "2026-01-31T09:30:00", "2026-01-31T24:00:00Z",
                          "2026-01-31T09:30Z", "2026-01-31T09:30:00+0100", "2026-01-31T09:30:00.Z",
                          "2026-02-30T09:30:00Z", "2026-01-31T09:30:00Zx"})
    EXPECT_FALSE(parse_datetime(bad)) << bad;
}

TEST(Formats, Email) {
  for (const char* good : {"a@b.co", "first.last+tag@mail.example.com", "x_y@a-b.io"})
    EXPECT_TRUE(is_email(good)) << good;
  for (const char* bad : {"", "a", "a@", "@b.co", "a@b", "a b@c.co", "a@@b.co", ".a@b.co",
                          "a..b@c.co", "a@-b.co", "a@b-.co", "a@b..co", "a@b_c.co", "a.@b.co",
                          "a@.b.co", "a@b.co.", "a@b.co-", "a\"b@c.co"})
    EXPECT_FALSE(is_email(bad)) << bad;
  // The limits: 64 bytes of local part, 63 per label, 253 of domain.
  const std::string label63(63, 'd');
  EXPECT_TRUE(is_email(std::string(64, 'l') + "@b.co"));
  EXPECT_FALSE(is_email(std::string(65, 'l') + "@b.co"));
  EXPECT_TRUE(is_email("a@" + label63 + ".co"));
  EXPECT_FALSE(is_email("a@" + label63 + "d.co"));
  const std::string domain253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'd');
  EXPECT_TRUE(is_email("a@" + domain253));
  EXPECT_FALSE(is_email("a@" + domain253 + "d"));
}

TEST(Formats, Phone) {
  for (const char* good : {"555-123-4567", "+1 (555) 123-4567", "5551234567", "+44 20 7946 0958",
                           "555.123.4567"})
    EXPECT_TRUE(is_phone(good)) << good;
  for (const char* bad : {"", "12345", "555-123-4567 x12", "+1 (555 123-4567", "555--123-4567",
                          "1234567890123456", "phone", "555-123-4567-", "(555) 123-4567)",
                          "((555) 123-4567", "() 555 123 4567", "555 .123 4567", "555\t123\t4567",
                          "+1 (555) 123-4567 ext"})
    EXPECT_FALSE(is_phone(bad)) << bad;
  EXPECT_TRUE(is_phone("(555)(123)4567")) << "a second group after the first closed";
}

TEST(Formats, Uuid) {
  EXPECT_TRUE(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_TRUE(is_uuid("123E4567-E89B-12D3-A456-426614174000"));
  EXPECT_FALSE(is_uuid("123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a456-42661417400g"));
}

TEST(Formats, CodePoints) {
  EXPECT_EQ(code_points(""), 0u);
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points("Éé€😀"), 4u);
}

}  // namespace
}  // namespace gatehouse::formats

namespace gatehouse::formats {
namespace {

// Second 60 was taken at any minute; it is only ever the last second of a UTC day.
TEST(Formats, ALeapSecondIsOnlyTheLastSecondOfAUtcDay) {
  EXPECT_TRUE(parse_datetime("2016-12-31T23:59:60Z"));
  EXPECT_TRUE(parse_datetime("2017-01-01T01:59:60+02:00"));
  EXPECT_TRUE(parse_datetime("2016-12-31T18:59:60-05:00"));
  for (const char* bad : {"2016-12-31T12:00:60Z", "2016-12-31T23:58:60Z", "2016-12-31T23:59:60+01:00",
                          "2017-01-01T00:00:60Z"})
    EXPECT_FALSE(parse_datetime(bad)) << bad;
}

// Integers are read from the decimal text: a double rounds some of them.
TEST(Formats, ExactIntegers) {
  struct Row {
    const char* text;
    ExactInteger::Kind kind;
    std::int64_t value;
  };
  const Row rows[] = {
      {"10", ExactInteger::integer, 10},
      {"1E1", ExactInteger::integer, 10},
      {"10.0", ExactInteger::integer, 10},
      {"100e-1", ExactInteger::integer, 10},
      {"-0.0", ExactInteger::integer, 0},
      {"0e999999999999", ExactInteger::integer, 0},
      {"1.0000000000000001", ExactInteger::fraction, 0},
      {"0.5", ExactInteger::fraction, 0},
      {"1e-400", ExactInteger::fraction, 0},
      {"9223372036854775807.0", ExactInteger::integer, INT64_MAX},
      {"9.223372036854775807e18", ExactInteger::integer, INT64_MAX},
      {"-9223372036854775808.0", ExactInteger::integer, INT64_MIN},
      {"9223372036854775808.0", ExactInteger::too_large, 0},
      {"-9223372036854775809e0", ExactInteger::too_large, 0},
      {"1e19", ExactInteger::too_large, 0},
      {"1e400", ExactInteger::too_large, 0},
      {"12345678901234567890e-1", ExactInteger::integer, 1234567890123456789},
      {"12345678901234567890e-2", ExactInteger::fraction, 0},
      {"1234567890123456789.0e0", ExactInteger::integer, 1234567890123456789},
  };
  for (const auto& row : rows) {
    ExactInteger got = exact_integer(row.text);
    EXPECT_EQ(got.kind, row.kind) << row.text;
    if (row.kind == ExactInteger::integer) {
      EXPECT_EQ(got.value, row.value) << row.text;
    }
  }
}

}  // namespace
}  // namespace gatehouse::formats
