#pragma once
// Small helpers for writing JSON and JSON Pointers, and for finding where a member ends in
// JSON text that is already known to be valid.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/json_string.hpp"

namespace gatehouse {

// json_quote, append_json_string, member_end and the UTF-8 helpers (utf8_sequence_length,
// append_utf8_text, utf8_text, quote_bytes) are public: gatehouse/json_string.hpp.

/// The most bytes `text` of `n` bytes takes as a JSON string: quotes, and \u00XX per byte (a
/// byte that is not UTF-8 takes 5, "\\xhh").
constexpr std::size_t json_string_bound(std::size_t n) { return 6 * n + 2; }

/// Writes `text` as a JSON string at `p`, which has room for json_string_bound(text.size())
/// bytes, and returns the end: for writers that reserve once and then write without checks.
/// The JSON is valid UTF-8 whatever `text` holds (see gatehouse/json_string.hpp).
char* write_json_string(char* p, std::string_view text);

/// Appends "/" + `key` escaped per RFC 6901 (~ as ~0, / as ~1).
void append_pointer_token(std::string& path, std::string_view key);

/// The pieces joined, with one allocation (messages on the error path are built this way).
std::string concat(std::initializer_list<std::string_view> pieces);

/// "A, B, C"
std::string join(const std::vector<std::string>& items);

}  // namespace gatehouse
