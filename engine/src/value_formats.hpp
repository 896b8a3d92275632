#pragma once
// Typed format checks, written by hand rather than as regular expressions: each is a single
// pass over the bytes with no allocation. The exact accepted forms are documented in
// docs/language.md ("Types").
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace gatehouse::formats {

/// YYYY-MM-DD, a real calendar day (leap years included). Returns days since 1970-01-01.
std::optional<std::int64_t> parse_date(std::string_view s);

/// A point in time for comparisons: seconds since the epoch (UTC) and nanoseconds.
struct Instant {
  std::int64_t seconds = 0;
  std::uint32_t nanos = 0;
  auto operator<=>(const Instant&) const = default;
};

/// RFC 3339 date-time: YYYY-MM-DD'T'hh:mm:ss[.fraction](Z|+hh:mm|-hh:mm); 'T' and 'Z' may be
/// lower case; seconds may be 60 (leap second).
std::optional<Instant> parse_datetime(std::string_view s);

/// local@domain: a local part of printable ASCII without spaces or '@' (at most 64 bytes), a
/// domain of dot-separated labels of letters, digits and inner hyphens with at least one dot
/// (at most 253 bytes).
bool is_email(std::string_view s);

/// A phone number: an optional leading '+', then digits with optional single spaces, '-', '.',
/// and parentheses; 7 to 15 digits in all (E.164's maximum).
bool is_phone(std::string_view s);

/// 8-4-4-4-12 hexadecimal digits (any case).
bool is_uuid(std::string_view s);

/// A JSON number's text read exactly, as an integer if it is one: `10`, `1E1`, `10.0` and
/// `100e-1` are 10; `1.0000000000000001` is a fraction (a double would round it to 1);
/// `9223372036854775807.0` is the largest 64-bit integer (a double would round it past it).
struct ExactInteger {
  enum Kind { integer, fraction, too_large } kind = integer;
  std::int64_t value = 0;
};
ExactInteger exact_integer(std::string_view json_number);

/// An absolute URI (RFC 3986): a scheme (a letter, then letters, digits, '+', '-', '.'), ':',
/// then at least one character and no spaces, control characters, '<', '>', '"' or '\\'.
bool is_uri(std::string_view s);

/// Number of Unicode code points in valid UTF-8: the bytes that are not continuation bytes
/// (10xxxxxx), counted eight at a time.
inline std::size_t code_points(std::string_view s) {
  std::size_t continuation = 0, i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    std::uint64_t high = v & 0x8080808080808080ull;
    if (high == 0) continue;  // ASCII
    continuation += static_cast<std::size_t>(__builtin_popcountll(high & ~(v << 1)));
  }
  for (; i < s.size(); ++i) continuation += (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  return s.size() - continuation;
}

}  // namespace gatehouse::formats
