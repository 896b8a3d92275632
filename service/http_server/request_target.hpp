#pragma once
// A request-target (`/v1/residents/rec_..%2F?x_id=a+b&integration_id=i`) into the service's
// path and query, percent-decoded as cpp-httplib did before (the write service and its tests
// see the same request): the path's `%XX` decoded (a `+` stays a `+`), each query key and value
// decoded with `+` as a space. A malformed escape (`%G1`, a lone `%`) stays as it was. Decoded
// bytes need not be UTF-8; the service quotes them with quote_bytes.
#include <string>
#include <string_view>

#include "gatehouse/service/write_service.hpp"

namespace gatehouse::service::http {

std::string percent_decode(std::string_view text, bool plus_is_space);

/// Sets `request.path` and `request.query` from `target`.
void set_path_and_query(std::string_view target, HttpRequest& request);

}  // namespace gatehouse::service::http
