#pragma once
// Small helpers the compiler's stages share: number constants of the rules, and "a"/"an".
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>

#include "gatehouse/program.hpp"

namespace gatehouse {

/// A number as written in the rules ("-3", "1.5"); nullopt if it does not fit.
inline std::optional<Numeric> parse_numeric(const std::string& text) {
  Numeric n;
  n.text = text;
  n.integer = text.find('.') == std::string::npos;
  errno = 0;
  char* end = nullptr;
  if (n.integer) {
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno == ERANGE || *end != '\0') return std::nullopt;
    n.i = v;
    n.d = static_cast<double>(v);
  } else {
    n.d = std::strtod(text.c_str(), &end);
    if (errno == ERANGE || *end != '\0') return std::nullopt;
  }
  return n;
}

/// "a string", "an integer".
inline std::string article(const std::string& type_name) {
  // "a uri", "a uuid": a leading u spoken as "you" takes "a".
  bool you = type_name.rfind("uri", 0) == 0 || type_name.rfind("uuid", 0) == 0;
  bool vowel = !you && !type_name.empty() && std::string("aeiou").find(type_name[0]) != std::string::npos;
  return std::string(vowel ? "an " : "a ") + type_name;
}

}  // namespace gatehouse
