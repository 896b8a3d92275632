#pragma once
// An asynchronous HTTP/1.1 server (Boost.Beast over Boost.Asio) in front of a transport-agnostic
// handler such as the write service: it only moves bytes, and holds its limits while it does.
//
// Threads. A few io threads (`io_threads`) run every connection's reads, writes and timers; a
// connection that is slow or idle costs a socket, a timer and a buffer, never a thread, so
// thousands of slow clients cannot take the service offline. The handler's work (authorize()
// and handle(), which wait on the store: a SQLite write, a PostgreSQL round trip) runs on a
// separate, fixed pool (`handler_threads`), never on the io threads: a burst of writes then
// queues there while the io threads keep reading, writing and answering what needs no store.
// Requests answered from memory (/healthz, /metrics: `answers_from_memory`) are answered on the
// io thread at once, so a health check never waits behind writes. The handler pool's queue is
// bounded by the connections: each has at most one request in the pool at a time.
//
// Deadlines, per connection (one timer):
//   - a request, from its first byte (or from the accept) to its last, within `request_timeout`
//     (headers and body together: a client trickling a byte a second is cut), else 408 and close;
//   - between kept-alive requests, idle for at most `keep_alive_timeout`, then closed;
//   - an answer written within `write_timeout`, else closed.
// A connection serves at most `keep_alive_max_requests` requests, then closes (Connection: close).
// Limits while reading: request_parser.hpp (431, 414, 413, 415, 400). The head is authorized
// before any of the body is read. Every answer the server makes itself is in the service's error
// shape; after a refusal the connection is closed (after a short drain, so the client reads the
// answer rather than a reset).
//
// stop() (from any thread, e.g. on SIGTERM): no new connections; idle ones close; requests in
// flight are read, handled and answered (with Connection: close); run() returns when every
// connection has ended.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "request_limits.hpp"
#include "gatehouse/service/write_service.hpp"

namespace gatehouse::service::http {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  ///< 0: any free port (listen() says which)
  int io_threads = 2;
  // Each handler may wait on the store: SQLite's committer writes every waiting job in one
  // fsync, so more handlers in flight make larger commits (bench/README.md: 8 handlers took
  // half the durable writes per second of 32 at 32 connections; 64 and more, no gain beyond).
  int handler_threads = 64;
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  std::chrono::milliseconds keep_alive_timeout{5000};
  int keep_alive_max_requests = 100;
  RequestLimits limits;
};

/// What the server serves. Each function may be called from several threads at once; none may
/// throw past the server (an exception becomes a 500, and the connection closes).
struct HttpHandlers {
  /// From the head alone, before the body is read: nullopt to go on, else the answer.
  std::function<std::optional<HttpResponse>(const HttpRequest& head)> authorize;
  /// The whole request (HEAD comes as GET; the server drops the body of the answer).
  std::function<HttpResponse(const HttpRequest& request)> handle;
  /// Whether a request is answered from memory alone (run on the io thread at once).
  std::function<bool(const HttpRequest& head)> answers_from_memory;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandlers handlers);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds host:port (SO_REUSEADDR, the system's largest backlog) and starts accepting: the
  /// port bound, or why not.
  std::variant<int, std::string> listen();
  /// Serves on the io threads (this one among them) and the handler pool; returns after stop(),
  /// once every connection has ended and every handler has returned.
  void run();
  /// Safe from any thread, more than once.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace gatehouse::service::http
