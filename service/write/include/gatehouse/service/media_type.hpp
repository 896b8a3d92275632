#pragma once
// Whether a request's Content-Type names JSON: the one place that decides it (the write service
// asks before it reads a payload).
//
// Content-Type is `type/subtype *(; name=value)` (RFC 9110 8.3.1): type and subtype are
// case-insensitive tokens, whitespace may surround the semicolons, and a parameter's value may be
// quoted. `application/json` is JSON whatever its case, with or without a charset; a charset
// other than UTF-8 is not (RFC 8259: JSON between systems is UTF-8). A prefix is not a type:
// `application/jsonp` and `application/json-seq` are something else.
#include <string_view>

namespace gatehouse::service {

bool is_json_media_type(std::string_view content_type);

}  // namespace gatehouse::service
