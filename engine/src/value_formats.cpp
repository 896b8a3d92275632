#include "value_formats.hpp"

#include <algorithm>
#include <string>

namespace gatehouse::formats {

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian), after Howard Hinnant's days_from_civil.
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::int64_t> parse_date_prefix(std::string_view s) {
  int y, m, d;
  if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  return days_from_civil(y, m, d);
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::optional<std::int64_t> parse_date(std::string_view s) {
  if (s.size() != 10) return std::nullopt;
  return parse_date_prefix(s);
}

std::optional<Instant> parse_datetime(std::string_view s) {
  auto days = parse_date_prefix(s);
  if (!days || s.size() < 20 || (s[10] != 'T' && s[10] != 't')) return std::nullopt;
  int hh, mm, ss;
  if (!digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm) || s[16] != ':' ||
      !digits(s, 17, 2, ss))
    return std::nullopt;
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  std::size_t pos = 19;
  std::uint32_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    std::uint32_t scale = 100000000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      nanos += static_cast<std::uint32_t>(s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  // A leap second is only ever the last second of a UTC day (23:59:60Z, whatever the offset it
  // is written in): second 60 at any other minute names no instant.
  if (ss == 60 && ((hh * 60 + mm - offset_minutes) % 1440 + 1440) % 1440 != 23 * 60 + 59) return std::nullopt;
  Instant t;
  t.seconds = *days * 86400 + hh * 3600 + mm * 60 + ss - offset_minutes * 60;
  t.nanos = nanos;
  return t;
}

namespace {

// What each byte can be in an email address or a phone number: one table lookup per byte, and
// the checks below test bits rather than compare the byte with each special character.
enum ByteClass : std::uint8_t {
  email_local = 1,  // printable ASCII but space and "(),:;<>@[\]
  email_label = 2,  // letters, digits, '-'
  dot = 4,
  phone_digit = 8,
  phone_separator = 16,  // ' ', '-', '.'
  phone_open = 32,
  phone_close = 64,
};

struct ByteClasses {
  std::uint8_t of[256] = {};
  constexpr ByteClasses() {
    for (int c = 0x21; c < 0x7f; ++c) of[c] |= email_local;
    for (char c : {'@', '"', '(', ')', ',', ':', ';', '<', '>', '[', ']', '\\'})
      of[static_cast<unsigned char>(c)] &= static_cast<std::uint8_t>(~email_local);
    for (int c = 'a'; c <= 'z'; ++c) of[c] |= email_label, of[c - 'a' + 'A'] |= email_label;
    for (int c = '0'; c <= '9'; ++c) of[c] |= email_label | phone_digit;
    of[static_cast<unsigned char>('-')] |= email_label | phone_separator;
    of[static_cast<unsigned char>('.')] |= dot | phone_separator;
    of[static_cast<unsigned char>(' ')] |= phone_separator;
    of[static_cast<unsigned char>('(')] |= phone_open;
    of[static_cast<unsigned char>(')')] |= phone_close;
  }
  unsigned operator[](char c) const { return of[static_cast<unsigned char>(c)]; }
};
constexpr ByteClasses byte_classes;

}  // namespace

bool is_email(std::string_view s) {
  // One pass, no searching ahead: the local part up to the first '@', then the domain's labels.
  const std::size_t n = s.size();
  std::size_t i = 0;
  unsigned previous = dot;  // a leading dot is as wrong as two in a row
  for (; i < n; ++i) {
    const unsigned c = byte_classes[s[i]];
    if (!(c & email_local)) break;  // the '@', or a byte no local part has
    if (c & previous & dot) return false;
    previous = c;
  }
  if (i == n || s[i] != '@' || i == 0 || i > 64 || (previous & dot)) return false;
  ++i;  // past the '@'
  if (i == n || n - i > 253) return false;
  bool dotted = false;
  for (std::size_t label = i;; ++i) {
    if (i < n) {
      const unsigned c = byte_classes[s[i]];
      if (c & email_label) continue;
      if (!(c & dot)) return false;
    }
    // A label ends here, at a dot or at the end.
    if (i == label || i - label > 63 || s[label] == '-' || s[i - 1] == '-') return false;
    if (i == n) return dotted;  // a domain has at least two labels
    dotted = true;
    label = i + 1;
  }
}

bool is_phone(std::string_view s) {
  const std::size_t n = s.size();
  std::size_t count = 0;
  std::size_t i = n > 0 && s[0] == '+' ? 1 : 0;
  bool open = false;
  unsigned previous = 0;
  for (; i < n; ++i) {
    const unsigned c = byte_classes[s[i]];
    if (c & phone_digit) {
      ++count;
    } else if (c & phone_separator) {
      if (previous & phone_separator) return false;  // two in a row
    } else if (c & phone_open) {
      if (open) return false;
      open = true;
    } else if (c & phone_close) {
      if (!open || (previous & phone_open)) return false;  // unopened, or "()"
      open = false;
    } else {
      return false;
    }
    previous = c;
  }
  if (open || (previous & phone_separator)) return false;
  return count >= 7 && count <= 15;
}

ExactInteger exact_integer(std::string_view token) {
  ExactInteger out;
  std::size_t i = 0;
  bool negative = i < token.size() && token[i] == '-';
  if (negative) ++i;
  // The significant digits (integer part, then fraction), and the power of ten they are scaled by.
  std::string digits_seen;
  std::int64_t scale = 0;
  for (; i < token.size() && token[i] >= '0' && token[i] <= '9'; ++i) digits_seen += token[i];
  if (i < token.size() && token[i] == '.') {
    for (++i; i < token.size() && token[i] >= '0' && token[i] <= '9'; ++i) {
      digits_seen += token[i];
      --scale;
    }
  }
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    bool minus = i < token.size() && token[i] == '-';
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
    std::int64_t exponent = 0;
    for (; i < token.size() && token[i] >= '0' && token[i] <= '9'; ++i)
      exponent = std::min<std::int64_t>(exponent * 10 + (token[i] - '0'), 1'000'000'000);  // saturates
    scale += minus ? -exponent : exponent;
  }
  // Trailing zeros of the digits move into the scale; leading zeros say nothing.
  while (!digits_seen.empty() && digits_seen.back() == '0') {
    digits_seen.pop_back();
    ++scale;
  }
  std::size_t first = digits_seen.find_first_not_of('0');
  digits_seen = first == std::string::npos ? std::string() : digits_seen.substr(first);
  if (digits_seen.empty()) {  // zero, however written
    out.kind = ExactInteger::integer;
    return out;
  }
  if (scale < 0) {
    out.kind = ExactInteger::fraction;
    return out;
  }
  if (static_cast<std::int64_t>(digits_seen.size()) + scale > 19) {
    out.kind = ExactInteger::too_large;
    return out;
  }
  // At most 19 digits: below 10^19, so within an unsigned 64-bit number.
  std::uint64_t value = 0;
  for (char c : digits_seen) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  for (std::int64_t k = 0; k < scale; ++k) value *= 10;
  const std::uint64_t limit = negative ? 9223372036854775808ull : 9223372036854775807ull;
  if (value > limit) {
    out.kind = ExactInteger::too_large;
    return out;
  }
  out.kind = ExactInteger::integer;
  out.value = negative ? static_cast<std::int64_t>(0 - value) : static_cast<std::int64_t>(value);
  return out;
}

bool is_uri(std::string_view s) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(s[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  for (std::size_t i = colon + 1; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"' || c == '\\') return false;
  }
  return true;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

}  // namespace gatehouse::formats
