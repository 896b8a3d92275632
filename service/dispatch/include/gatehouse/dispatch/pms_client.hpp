#pragma once
// One HTTP call to a PMS (or to a customer's webhook): the base URL of an integration split into
// host and path prefix, bounded by a timeout and by how much of the answer it reads, with what
// came back or why nothing did.
//
// What a peer sends back must not cost more than we chose to spend on it: the call asks for an
// uncompressed answer (Accept-Encoding: identity) and refuses a compressed one unread rather
// than inflating it (a 255 KB gzip answer inflated to hundreds of MiB), and it stops reading an
// answer past `max_response_bytes`, dropping the connection. Either is a failed call with the
// reason in `error`, like a call that got no answer.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gatehouse::service {

struct CallResult {
  int status = 0;          ///< the HTTP status; 0 when no answer came, or it was refused
  std::string body;
  std::string error;       ///< why no answer came: "timeout", "connection refused: ...", "response larger than ..."
  std::optional<std::chrono::milliseconds> retry_after;  ///< the server's Retry-After, if any
  bool answer_refused = false;  ///< an answer came but was not read: compressed, or past the size limit
};

struct CallLimits {
  std::chrono::milliseconds timeout{10000};      ///< connect, read and write, each
  std::size_t max_response_bytes = 1024 * 1024;  ///< the most of an answer's body read
};

/// `method` `base_url` + `path`, with `body` as JSON and the extra `headers`.
CallResult http_call(const std::string& base_url, const std::string& method, const std::string& path,
                     const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers,
                     const CallLimits& limits);

/// The error of an answer past `max_response_bytes`: "response larger than N bytes".
std::string response_too_large(std::size_t max_response_bytes);

}  // namespace gatehouse::service
