#include "json_locator.hpp"

#include <algorithm>
#include <vector>

#include "json_text.hpp"

namespace gatehouse {

std::optional<std::size_t> invalid_utf8_offset(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = utf8_sequence_length(text.substr(i));
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

namespace {

class Checker {
 public:
  explicit Checker(std::string_view t) : t_(t) {}

  std::optional<JsonProblem> run() {
    if (auto bad = invalid_utf8_offset(t_)) return problem(*bad, "invalid UTF-8");
    skip_ws();
    if (at_end()) return problem(i_, "the payload is empty; expected a JSON object");
    if (t_[i_] != '{')
      return problem(i_, std::string("the payload must be a JSON object, found ") + describe());
    if (auto p = value()) return p;
    skip_ws();
    if (!at_end()) return problem(i_, "unexpected " + describe() + " after the JSON object");
    return std::nullopt;
  }

  /// True if the whole text is one number in JSON's grammar.
  bool whole_number() { return !at_end() && !number() && at_end(); }

 private:
  std::string_view t_;
  std::size_t i_ = 0;

  bool at_end() const { return i_ >= t_.size(); }

  static std::optional<JsonProblem> problem(std::size_t at, std::string what) {
    return JsonProblem{at, what + " at byte " + std::to_string(at)};
  }

  std::string describe() const {
    if (at_end()) return "end of input";
    char c = t_[i_];
    if (c == '[') return "an array";
    if (c == '"') return "a string";
    if (c == '-' || (c >= '0' && c <= '9')) return "a number";
    if (c == 't' || c == 'f') return "a boolean";
    if (c == 'n') return "null";
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return "byte 0x" + hex(static_cast<unsigned char>(c));
    return std::string("'") + c + "'";
  }

  static std::string hex(unsigned char c) {
    const char* digits = "0123456789abcdef";
    return {digits[c >> 4], digits[c & 15]};
  }

  void skip_ws() {
    while (!at_end() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
  }

  // Iterative: a stack of open containers, so deep nesting cannot overflow the C++ stack.
  std::optional<JsonProblem> value() {
    std::vector<char> stack;
    bool expect_value = true;
    for (;;) {
      skip_ws();
      if (expect_value) {
        if (at_end()) return problem(i_, "unexpected end of input, expected a value");
        char c = t_[i_];
        if (c == '{' || c == '[') {
          stack.push_back(c);
          ++i_;
          skip_ws();
          if (!at_end() && t_[i_] == (c == '{' ? '}' : ']')) {
            ++i_;
            stack.pop_back();
            expect_value = false;
          } else if (c == '{') {
            if (auto p = key()) return p;
          }
          if (stack.empty()) return std::nullopt;
          continue;
        }
        if (auto p = scalar()) return p;
        expect_value = false;
        if (stack.empty()) return std::nullopt;
        continue;
      }
      // After a value inside a container: ',' or the closing bracket.
      if (at_end()) return problem(i_, "unexpected end of input, expected ',' or a closing bracket");
      char open = stack.back();
      char c = t_[i_];
      if (c == ',') {
        ++i_;
        if (open == '{') {
          skip_ws();
          if (auto p = key()) return p;
        }
        expect_value = true;
      } else if (c == (open == '{' ? '}' : ']')) {
        ++i_;
        stack.pop_back();
        if (stack.empty()) return std::nullopt;
      } else {
        return problem(i_, std::string("expected ',' or '") + (open == '{' ? '}' : ']') +
                               "', found " + describe());
      }
    }
  }

  // At a key: "name" then ':'; leaves i_ after the colon.
  std::optional<JsonProblem> key() {
    if (at_end() || t_[i_] != '"') return problem(i_, "expected a \"key\", found " + describe());
    if (auto p = string()) return p;
    skip_ws();
    if (at_end() || t_[i_] != ':') return problem(i_, "expected ':' after the key, found " + describe());
    ++i_;
    return std::nullopt;
  }

  std::optional<JsonProblem> scalar() {
    char c = t_[i_];
    if (c == '"') return string();
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    for (std::string_view word : {"true", "false", "null"}) {
      if (t_.substr(i_, word.size()) == word) {
        i_ += word.size();
        return std::nullopt;
      }
    }
    return problem(i_, "expected a value, found " + describe());
  }

  std::optional<JsonProblem> string() {
    std::size_t start = i_++;
    while (!at_end()) {
      auto c = static_cast<unsigned char>(t_[i_]);
      if (c == '"') {
        ++i_;
        return std::nullopt;
      }
      if (c < 0x20) return problem(i_, "unescaped control character 0x" + hex(c) + " in a string");
      if (c == '\\') {
        ++i_;
        if (at_end()) break;
        char e = t_[i_];
        if (e == 'u') {
          // A UTF-16 surrogate must come in a high-low pair: alone it names no character and
          // has no UTF-8 form (I-JSON, RFC 7493 section 2.1).
          auto unit = code_unit(i_ + 1);
          if (!unit) return problem(i_ - 1, "invalid \\u escape in a string");
          std::size_t escape = i_ - 1;
          i_ += 5;
          if (*unit >= 0xDC00 && *unit <= 0xDFFF)
            return problem(escape, "lone surrogate \\u" + std::string(t_.substr(escape + 2, 4)) + " in a string");
          if (*unit >= 0xD800 && *unit <= 0xDBFF) {
            auto low = i_ + 1 < t_.size() && t_[i_] == '\\' && t_[i_ + 1] == 'u' ? code_unit(i_ + 2) : std::nullopt;
            if (!low || *low < 0xDC00 || *low > 0xDFFF)
              return problem(escape, "lone surrogate \\u" + std::string(t_.substr(escape + 2, 4)) + " in a string");
            i_ += 6;
          }
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          // The backslash and the whole character after it: that character's first byte alone
          // (0xc3 of a two-byte e-acute) would make the message, and so the decision, invalid
          // UTF-8.
          std::size_t n = std::max<std::size_t>(1, utf8_sequence_length(t_.substr(i_)));
          return problem(i_ - 1, "invalid escape " + quote_bytes(t_.substr(i_ - 1, 1 + n)) + " in a string");
        }
      }
      ++i_;
    }
    return problem(start, "unterminated string");
  }

  /// The four hex digits at `at` as a UTF-16 code unit, or nullopt.
  std::optional<unsigned> code_unit(std::size_t at) const {
    unsigned v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      char h = at + k < t_.size() ? t_[at + k] : '\0';
      int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<unsigned>(d);
    }
    return v;
  }

  std::optional<JsonProblem> number() {
    std::size_t start = i_;
    auto digit = [&] { return !at_end() && t_[i_] >= '0' && t_[i_] <= '9'; };
    if (t_[i_] == '-') ++i_;
    if (!digit()) return problem(start, "invalid number");
    if (t_[i_] == '0') {
      ++i_;
      if (digit()) return problem(start, "invalid number (leading zero)");
    } else {
      while (digit()) ++i_;
    }
    if (!at_end() && t_[i_] == '.') {
      ++i_;
      if (!digit()) return problem(start, "invalid number (no digit after '.')");
      while (digit()) ++i_;
    }
    if (!at_end() && (t_[i_] == 'e' || t_[i_] == 'E')) {
      ++i_;
      if (!at_end() && (t_[i_] == '+' || t_[i_] == '-')) ++i_;
      if (!digit()) return problem(start, "invalid number (no digit in the exponent)");
      while (digit()) ++i_;
    }
    return std::nullopt;
  }
};

}  // namespace

std::optional<JsonProblem> locate_json_error(std::string_view text) { return Checker(text).run(); }

bool is_json_number(std::string_view token) { return Checker(token).whole_number(); }

}  // namespace gatehouse
