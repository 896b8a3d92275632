#include "http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <iostream>
#include <thread>
#include <vector>

#include "server_context.hpp"
#include "session.hpp"

namespace gatehouse::service::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpServer::State {
  State(HttpServerOptions options, HttpHandlers handlers)
      : context(std::move(options), std::move(handlers)) {}

  void accept() {
    acceptor.async_accept(net::make_strand(context.io), [this](boost::system::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open()) return;  // stopped
      if (ec) {
        // Out of descriptors (EMFILE), or a connection reset before it was accepted: try again
        // shortly rather than spin, and keep serving the connections there are.
        retry.expires_after(std::chrono::milliseconds(50));
        retry.async_wait([this](boost::system::error_code wait_ec) {
          if (!wait_ec && acceptor.is_open()) accept();
        });
        return;
      }
      // Without it an answer written as headers then body waits for the client's delayed ACK
      // (Nagle): 40 ms per request on a kept-alive connection.
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), context)->start();
      accept();
    });
  }

  ServerContext context;
  tcp::acceptor acceptor{net::make_strand(context.io)};
  net::steady_timer retry{acceptor.get_executor()};
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandlers handlers)
    : state_(std::make_shared<State>(std::move(options), std::move(handlers))) {}

HttpServer::~HttpServer() { stop(); }

std::variant<int, std::string> HttpServer::listen() {
  const auto& options = state_->context.options;
  auto& acceptor = state_->acceptor;
  std::string where = options.host + ":" + std::to_string(options.port);
  boost::system::error_code ec;
  tcp::resolver resolver(state_->context.io);
  auto endpoints = resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) return "cannot resolve " + where + ": " + ec.message();
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  if (acceptor.open(endpoint.protocol(), ec)) return "cannot listen on " + where + ": " + ec.message();
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (acceptor.bind(endpoint, ec)) return "cannot listen on " + where + ": " + ec.message();
  // The system's largest backlog: a burst of clients is queued by the kernel, not refused and
  // retried by TCP a second later.
  if (acceptor.listen(net::socket_base::max_listen_connections, ec)) return "cannot listen on " + where + ": " + ec.message();
  int port = acceptor.local_endpoint(ec).port();
  if (ec) return "cannot listen on " + where + ": " + ec.message();
  state_->accept();
  return port;
}

void HttpServer::run() {
  auto& context = state_->context;
  auto run_io = [&context] {
    for (;;) {
      try {
        context.io.run();
        return;
      } catch (const std::exception& e) {
        // No handler of ours throws; should a library's, the connection it served is lost, not the process.
        std::cerr << "gatehouse serve: " << e.what() << '\n';
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < context.options.io_threads; ++i) threads.emplace_back(run_io);
  run_io();
  for (auto& t : threads) t.join();
  context.handler_pool.join();
}

void HttpServer::stop() {
  auto& context = state_->context;
  if (context.stopping.exchange(true)) return;
  net::post(state_->acceptor.get_executor(), [state = state_.get()] {  // io lives in State: never outlives it
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
    state->retry.cancel();
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(context.sessions_mutex);
    for (auto& [session, weak] : context.sessions)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& session : live) session->stop();
}

}  // namespace gatehouse::service::http
