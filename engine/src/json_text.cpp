#include "json_text.hpp"

#include <cstdint>
#include <cstring>

namespace gatehouse {

namespace {

// True if any of the 8 bytes is a control character, '"' or '\\' (SWAR: no per-byte branch).
inline bool needs_escape(std::uint64_t v) {
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  auto has_zero = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
  std::uint64_t below_space = (v - ones * 0x20) & ~v & highs;
  return (below_space | has_zero(v ^ (ones * '"')) | has_zero(v ^ (ones * '\\'))) != 0;
}

}  // namespace

char* write_json_string(char* p, std::string_view text) {
  static const char* hex = "0123456789abcdef";
  *p++ = '"';
  const char* s = text.data();
  const char* const e = s + text.size();
  while (s < e) {
    // Eight bytes at a time while none needs an escape; most text has none.
    if (e - s >= 8) {
      std::uint64_t v;
      std::memcpy(&v, s, 8);
      if (!needs_escape(v)) {
        std::memcpy(p, &v, 8);
        p += 8;
        s += 8;
        continue;
      }
    }
    auto c = static_cast<unsigned char>(*s++);
    if (c >= 0x20 && c != '"' && c != '\\') {
      *p++ = static_cast<char>(c);
      continue;
    }
    *p++ = '\\';
    switch (c) {
      case '"': *p++ = '"'; break;
      case '\\': *p++ = '\\'; break;
      case '\n': *p++ = 'n'; break;
      case '\r': *p++ = 'r'; break;
      case '\t': *p++ = 't'; break;
      case '\b': *p++ = 'b'; break;
      case '\f': *p++ = 'f'; break;
      default:
        std::memcpy(p, "u00", 3);
        p[3] = hex[c >> 4];
        p[4] = hex[c & 15];
        p += 5;
    }
  }
  *p++ = '"';
  return p;
}

void append_json_string(std::string& out, std::string_view text) {
  const std::size_t at = out.size();
  out.resize(at + json_string_bound(text.size()));
  char* end = write_json_string(out.data() + at, text);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

std::string json_quote(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

void append_pointer_token(std::string& path, std::string_view key) {
  path += '/';
  for (char c : key) {
    if (c == '~') {
      path += "~0";
    } else if (c == '/') {
      path += "~1";
    } else {
      path += c;
    }
  }
}

std::string concat(std::initializer_list<std::string_view> pieces) {
  std::size_t size = 0;
  for (auto p : pieces) size += p.size();
  std::string out;
  out.reserve(size);
  for (auto p : pieces) out.append(p);
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

namespace {

std::size_t skip_string(std::string_view t, std::size_t i) {
  // From the opening quote to just past the closing one: jump quote to quote, and step over a
  // quote only when an odd number of backslashes escapes it.
  for (std::size_t from = i + 1;;) {
    const void* q = from < t.size() ? std::memchr(t.data() + from, '"', t.size() - from) : nullptr;
    if (q == nullptr) return t.size();
    std::size_t at = static_cast<std::size_t>(static_cast<const char*>(q) - t.data());
    std::size_t backslashes = 0;
    while (at - backslashes > i + 1 && t[at - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return at + 1;
    from = at + 1;
  }
}

std::size_t skip_ws(std::string_view t, std::size_t i) {
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
  return i;
}

}  // namespace

std::size_t member_end(std::string_view t, std::size_t i) {
  i = skip_string(t, i);
  i = skip_ws(t, i);
  if (i < t.size() && t[i] == ':') ++i;
  i = skip_ws(t, i);
  if (i >= t.size()) return t.size();
  if (t[i] == '"') return skip_string(t, i);
  if (t[i] == '{' || t[i] == '[') {
    int depth = 0;
    for (; i < t.size(); ++i) {
      char c = t[i];
      if (c == '"') {
        i = skip_string(t, i) - 1;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return t.size();
  }
  // number, true, false, null
  while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' &&
         t[i] != '\n' && t[i] != '\r' && t[i] != '\t')
    ++i;
  return i;
}

}  // namespace gatehouse
