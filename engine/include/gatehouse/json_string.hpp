#pragma once
// Small JSON text helpers for front ends that build or cut JSON around decisions.
//
// Whatever bytes they are given, these write valid UTF-8: a message or an echoed value can hold
// bytes from anywhere (a payload cut mid-character, a record id percent-decoded from a URL, a
// --pms argument), and the readers of decisions and error bodies (JSON parsers, Python's str)
// refuse the whole text over one bad byte. Valid UTF-8 is kept as it is; each byte that is not
// part of it is written \xhh, as Python's "backslashreplace" does (a backslash already in the
// text is left alone: the rendering is for people, not to be decoded back).
#include <cstddef>
#include <string>
#include <string_view>

namespace gatehouse {

/// Appends `text` to `out` as a JSON string (quotes and escapes included); bytes that are not
/// UTF-8 are written \xhh (the JSON text holds "\\xhh").
void append_json_string(std::string& out, std::string_view text);
/// `text` as a JSON string.
std::string json_quote(std::string_view text);

/// The length of the UTF-8 sequence `bytes` starts with (1 to 4), or 0 if it starts with none:
/// RFC 3629, so no overlong forms, no UTF-16 surrogates, nothing above U+10FFFF.
std::size_t utf8_sequence_length(std::string_view bytes);

/// Appends `bytes` to `out` as valid UTF-8: valid sequences copied, every other byte as \xhh.
void append_utf8_text(std::string& out, std::string_view bytes);
/// `bytes` as valid UTF-8 (see append_utf8_text).
std::string utf8_text(std::string_view bytes);
/// `bytes` as valid UTF-8 between single quotes: how a message quotes a key, a value, an id or
/// anything else that came from outside, e.g. "no residents record '\xc3('".
std::string quote_bytes(std::string_view bytes);

/// Given valid JSON text and the offset of an object member's key (its opening quote), the
/// offset just past the member's value.
std::size_t member_end(std::string_view text, std::size_t key_start);

}  // namespace gatehouse
