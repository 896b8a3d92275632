#pragma once
// One HTTP call to a PMS (or to a customer's webhook): the base URL of an integration split into
// host and path prefix, bounded by a timeout, with what came back or why nothing did.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gatehouse::service {

struct CallResult {
  int status = 0;          ///< the HTTP status; 0 when no answer came
  std::string body;
  std::string error;       ///< why no answer came: "timeout", "connection refused: ...", ...
  std::optional<std::chrono::milliseconds> retry_after;  ///< the server's Retry-After, if any
};

/// `method` `base_url` + `path`, with `body` as JSON and the extra `headers`.
CallResult http_call(const std::string& base_url, const std::string& method, const std::string& path,
                     const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers,
                     std::chrono::milliseconds timeout);

}  // namespace gatehouse::service
