#pragma once
// What one HTTP request may be, checked while it is read (request_parser.hpp): nothing past a
// limit is read, and each limit has its status in the one error shape.
#include <cstddef>
#include <cstdint>

namespace gatehouse::service::http {

struct RequestLimits {
  /// The request line and every header field, as sent (431 `headers_too_large`).
  std::size_t max_header_bytes = 16 * 1024;
  /// Header fields (431 `headers_too_large`): a map of a thousand tiny headers costs more than its bytes.
  std::size_t max_header_count = 100;
  /// The request-target, path and query (414 `uri_too_long`).
  std::size_t max_target_bytes = 8 * 1024;
  /// The body, by Content-Length before it is read, or as chunks arrive (413 `payload_too_large`).
  std::uint64_t max_body_bytes = 1024 * 1024;
};

}  // namespace gatehouse::service::http
