#pragma once
// Writing JSON strings: for front ends that build JSON around decisions.
#include <string>
#include <string_view>

namespace gatehouse {

/// Appends `text` to `out` as a JSON string (quotes and escapes included).
void append_json_string(std::string& out, std::string_view text);
/// `text` as a JSON string.
std::string json_quote(std::string_view text);

}  // namespace gatehouse
