#pragma once
// Small helpers for writing JSON and JSON Pointers, and for finding where a member ends in
// JSON text that is already known to be valid.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/json_string.hpp"

namespace gatehouse {

// json_quote, append_json_string and member_end are public: gatehouse/json_string.hpp.

/// Appends "/" + `key` escaped per RFC 6901 (~ as ~0, / as ~1).
void append_pointer_token(std::string& path, std::string_view key);

/// The pieces joined, with one allocation (messages on the error path are built this way).
std::string concat(std::initializer_list<std::string_view> pieces);

/// "A, B, C"
std::string join(const std::vector<std::string>& items);

}  // namespace gatehouse
