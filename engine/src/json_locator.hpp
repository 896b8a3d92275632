#pragma once
// Finds the first problem in a JSON text and where it is.
//
// simdjson tells the evaluator *that* a payload is not valid JSON; this strict, single-pass,
// non-recursive checker (RFC 8259, UTF-8 per RFC 3629) tells *what and where*, so an
// `invalid_json` error can name the byte offset. It runs only on the error path.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse {

struct JsonProblem {
  std::size_t offset = 0;
  std::string message;  ///< e.g. "expected ':' after the key at byte 12"
};

/// nullopt when `text` is exactly one JSON object, optionally surrounded by whitespace.
std::optional<JsonProblem> locate_json_error(std::string_view text);

/// True if `token` is exactly one number in JSON's grammar (RFC 8259 section 6), whatever its
/// magnitude: simdjson refuses numbers beyond double's range that JSON itself allows.
bool is_json_number(std::string_view token);

/// Offset of the first byte that is not part of valid UTF-8, or nullopt.
std::optional<std::size_t> invalid_utf8_offset(std::string_view text);

}  // namespace gatehouse
