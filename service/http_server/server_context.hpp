#pragma once
// What the server's connections share (http_server.hpp): the options, the handlers, the io
// context and the handler pool, and the live sessions (for stop()). Owned by the HttpServer,
// which outlives every session: run() returns only after the last one has ended.
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <algorithm>  // std::max
#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "http_server.hpp"

namespace gatehouse::service::http {

class Session;

struct ServerContext {
  ServerContext(HttpServerOptions server_options, HttpHandlers server_handlers)
      : options(std::move(server_options)),
        handlers(std::move(server_handlers)),
        handler_pool(static_cast<std::size_t>(std::max(1, options.handler_threads))) {}

  const HttpServerOptions options;
  const HttpHandlers handlers;

  std::mutex sessions_mutex;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;  // guarded by sessions_mutex
  std::atomic<bool> stopping{false};

  // Declared last, so destroyed first: the pool (its tasks hold sessions and post to io) before
  // io (whose pending handlers hold sessions, which leave `sessions` as they go).
  boost::asio::io_context io;
  boost::asio::thread_pool handler_pool;
};

}  // namespace gatehouse::service::http
