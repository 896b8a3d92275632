#include "json_text.hpp"

#include <cstdint>
#include <cstring>

namespace gatehouse {

namespace {

// True if any of the 8 bytes is a control character, '"', '\\' or not ASCII (SWAR: no per-byte
// branch). Bytes above 0x7f are looked at one sequence at a time, to check they are UTF-8.
inline bool needs_a_look(std::uint64_t v) {
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  auto has_zero = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
  std::uint64_t below_space = (v - ones * 0x20) & ~v & highs;
  return (below_space | (v & highs) | has_zero(v ^ (ones * '"')) | has_zero(v ^ (ones * '\\'))) != 0;
}

const char* const hex = "0123456789abcdef";

}  // namespace

std::size_t utf8_sequence_length(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.empty()) return 0;
  unsigned char c = s[0];
  if (c < 0x80) return 1;
  std::size_t len;
  unsigned min_second = 0x80, max_second = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) min_second = 0xA0;  // overlong
    if (c == 0xED) max_second = 0x9F;  // UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) min_second = 0x90;  // overlong
    if (c == 0xF4) max_second = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // a continuation byte, an overlong lead (C0, C1) or F5..FF
  }
  if (len > bytes.size() || s[1] < min_second || s[1] > max_second) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if ((s[k] & 0xC0) != 0x80) return 0;
  return len;
}

void append_utf8_text(std::string& out, std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    if (std::size_t n = utf8_sequence_length(bytes.substr(i))) {
      out.append(bytes, i, n);
      i += n;
      continue;
    }
    auto c = static_cast<unsigned char>(bytes[i++]);
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 15];
  }
}

std::string utf8_text(std::string_view bytes) {
  std::string out;
  append_utf8_text(out, bytes);
  return out;
}

std::string quote_bytes(std::string_view bytes) {
  std::string out = "'";
  append_utf8_text(out, bytes);
  out += '\'';
  return out;
}

char* write_json_string(char* p, std::string_view text) {
  *p++ = '"';
  const char* s = text.data();
  const char* const e = s + text.size();
  while (s < e) {
    // Eight bytes at a time while none needs a look; most text is plain ASCII.
    if (e - s >= 8) {
      std::uint64_t v;
      std::memcpy(&v, s, 8);
      if (!needs_a_look(v)) {
        std::memcpy(p, &v, 8);
        p += 8;
        s += 8;
        continue;
      }
    }
    auto c = static_cast<unsigned char>(*s);
    if (c >= 0x80) {
      // A whole UTF-8 sequence is copied; a byte that starts none is written \xhh, which is
      // "\\xhh" in JSON: 5 bytes, within the bound's 6 per byte.
      std::size_t n = utf8_sequence_length({s, static_cast<std::size_t>(e - s)});
      if (n) {
        std::memcpy(p, s, n);
        p += n;
        s += n;
      } else {
        std::memcpy(p, "\\\\x", 3);
        p[3] = hex[c >> 4];
        p[4] = hex[c & 15];
        p += 5;
        ++s;
      }
      continue;
    }
    ++s;
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
