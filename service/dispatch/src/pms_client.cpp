#include "gatehouse/dispatch/pms_client.hpp"

#include <httplib.h>

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
  // On a kept-alive connection the request's head and body are two writes: with Nagle's
  // algorithm the body waits for the PMS's delayed ACK (40 ms a call).
  client->set_tcp_nodelay(true);
  if (clients.size() >= 32) clients.clear();
  return clients.emplace(origin, std::move(client)).first->second.get();
}

}  // namespace

CallResult http_call(const std::string& base_url, const std::string& method, const std::string& path,
                     const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers,
                     std::chrono::milliseconds timeout) {
  // "http://host:port/prefix" -> client "http://host:port", path "/prefix" + path.
  auto scheme = base_url.find("://");
  if (scheme == std::string::npos) return {0, "", "bad base URL '" + base_url + "'", std::nullopt};
  auto slash = base_url.find('/', scheme + 3);
  std::string origin = base_url.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : base_url.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();

  httplib::Client* found = kept_alive_client(origin);
  if (!found) return {0, "", "bad base URL '" + base_url + "'", std::nullopt};
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
  httplib::Result result = client.send(request);
  if (!result) {
    auto error = result.error();
    std::string why = error == httplib::Error::Connection ? "could not connect to " + origin
                      : error == httplib::Error::Read || error == httplib::Error::ConnectionTimeout ||
                              error == httplib::Error::Write
                          ? "timeout"
                          : "no answer: " + httplib::to_string(error);
    return {0, "", why, std::nullopt};
  }
  CallResult out{result->status, result->body, "", std::nullopt};
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
