#include "gatehouse/dispatch/pms_client.hpp"

#include <httplib.h>

#include <cctype>
#include <map>
#include <memory>
#include <stdexcept>

namespace gatehouse::service {

namespace {

/// This thread's client for `origin`, its connection kept open between calls (a new TCP
/// connection per call cost the PMS and us more than the call); nullptr for an unusable origin.
/// A connection the PMS closed meanwhile is noticed before the next call and opened again; a
/// failed call closes it. Bounded: past 32 origins the thread starts over.
httplib::Client* kept_alive_client(const std::string& origin) {
  thread_local std::map<std::string, std::unique_ptr<httplib::Client>, std::less<>> clients;
  auto it = clients.find(origin);
  if (it != clients.end()) return it->second.get();
  auto client = std::make_unique<httplib::Client>(origin);
  if (!client->is_valid()) return nullptr;
  client->set_keep_alive(true);
  // Nothing is inflated: a compressed answer is refused unread (see http_call).
  client->set_decompress(false);
  // On a kept-alive connection the request's head and body are two writes: with Nagle's
  // algorithm the body waits for the PMS's delayed ACK (40 ms a call).
  client->set_tcp_nodelay(true);
  if (clients.size() >= 32) clients.clear();
  return clients.emplace(origin, std::move(client)).first->second.get();
}

bool is_identity(const std::string& content_encoding) {
  std::string lower;
  for (char ch : content_encoding)
    if (!std::isspace(static_cast<unsigned char>(ch))) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower.empty() || lower == "identity";
}

/// `url` as a message may show it: without any `user:password@` (a PMS's or a webhook's
/// credentials must not reach a write-status, which the customer reads, or the operator's log).
std::string shown_url(std::string_view url) {
  auto scheme = url.find("://");
  std::size_t host = scheme == std::string_view::npos ? 0 : scheme + 3;
  auto end = url.find_first_of("/?#", host);
  auto at = url.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < host) return std::string(url);
  return std::string(url.substr(0, host)) + "***@" + std::string(url.substr(at + 1));
}

}  // namespace

std::string response_too_large(std::size_t max_response_bytes) {
  return "response larger than " + std::to_string(max_response_bytes) + " bytes";
}

CallResult http_call(const std::string& base_url, const std::string& method, const std::string& path,
                     const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers,
                     const CallLimits& limits) {
  const std::chrono::milliseconds timeout = limits.timeout;
  // "http://host:port/prefix" -> client "http://host:port", path "/prefix" + path.
  auto scheme = base_url.find("://");
  if (scheme == std::string::npos) return {0, "", "bad base URL '" + shown_url(base_url) + "'", std::nullopt};
  auto slash = base_url.find('/', scheme + 3);
  std::string origin = base_url.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : base_url.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();

  httplib::Client* found = kept_alive_client(origin);
  if (!found) return {0, "", "bad base URL '" + shown_url(base_url) + "'", std::nullopt};
  httplib::Client& client = *found;
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
  client.set_connection_timeout(seconds.count(), micros.count());
  client.set_read_timeout(seconds.count(), micros.count());
  client.set_write_timeout(seconds.count(), micros.count());
  httplib::Headers h;
  for (const auto& [name, value] : headers) h.emplace(name, value);

  httplib::Request request;
  request.method = method;
  request.path = prefix + path;
  request.headers = h;
  if (method != "GET") {
    request.body = body;
    request.set_header("Content-Type", "application/json");
  }
  // Without it the client offers gzip, deflate and br, and a receiver may answer with a few
  // hundred KB that inflate to hundreds of MiB.
  request.set_header("Accept-Encoding", "identity");

  // The answer is read through these two, so that it can be refused before its body (a
  // compressed one, or one whose declared length is past the limit) or cut off as it comes (one
  // that grows past the limit without saying so). Returning false ends the call with
  // Error::Canceled, and the client closes the connection rather than read the rest.
  std::string received, refused;
  request.response_handler = [&](const httplib::Response& head) {
    if (std::string encoding = head.get_header_value("Content-Encoding"); !is_identity(encoding)) {
      refused = "response is compressed (Content-Encoding: " + encoding + "); only identity is accepted";
      return false;
    }
    if (head.has_header("Content-Length")) {
      try {
        if (std::stoull(head.get_header_value("Content-Length")) > limits.max_response_bytes) {
          refused = response_too_large(limits.max_response_bytes);
          return false;
        }
      } catch (const std::exception&) {
        // Not a number: the client's own reading of the body decides.
      }
    }
    return true;
  };
  request.content_receiver = [&](const char* data, std::size_t length, std::uint64_t, std::uint64_t) {
    if (length > limits.max_response_bytes - received.size()) {
      refused = response_too_large(limits.max_response_bytes);
      return false;
    }
    received.append(data, length);
    return true;
  };
  httplib::Result result = client.send(request);
  if (!refused.empty()) {
    CallResult out{0, "", refused, std::nullopt};
    out.answer_refused = true;
    return out;
  }
  if (!result) {
    auto error = result.error();
    std::string why = error == httplib::Error::Connection ? "could not connect to " + shown_url(origin)
                      : error == httplib::Error::Read || error == httplib::Error::ConnectionTimeout ||
                              error == httplib::Error::Write
                          ? "timeout"
                          : "no answer: " + httplib::to_string(error);
    return {0, "", why, std::nullopt};
  }
  CallResult out{result->status, std::move(received), "", std::nullopt};
  if (result->has_header("Retry-After")) {
    try {
      out.retry_after = std::chrono::seconds(std::stol(result->get_header_value("Retry-After")));
    } catch (const std::exception&) {
      // An HTTP date or garbage: our own backoff applies.
    }
  }
  return out;
}

}  // namespace gatehouse::service
