#pragma once
// Small JSON text helpers for front ends that build or cut JSON around decisions.
#include <string>
#include <string_view>

namespace gatehouse {

/// Appends `text` to `out` as a JSON string (quotes and escapes included).
void append_json_string(std::string& out, std::string_view text);
/// `text` as a JSON string.
std::string json_quote(std::string_view text);

/// Given valid JSON text and the offset of an object member's key (its opening quote), the
/// offset just past the member's value.
std::size_t member_end(std::string_view text, std::size_t key_start);

}  // namespace gatehouse
