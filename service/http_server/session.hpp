#pragma once
// One client connection of the HTTP server (http_server.hpp): reads requests through a
// RequestParser, has the handler pool authorize and answer them, writes the answers, and keeps
// its deadlines with one timer. Every member is touched only on the connection's strand (the
// executor of its socket, kept as executor_); stop() and the handler pool post there.
//
// Phases of a connection, and what its deadline does in each:
//   waiting      before a request's first byte: closed at the deadline (idle)
//   reading      a request is arriving: 408 at the deadline, then closed
//   authorizing  the head is with the handler pool: 408 after it, if the deadline passed meanwhile
//   handling     the whole request is with the handler: no deadline (the service's own work)
//   writing      an answer (or `100 Continue`) is going out: closed at the deadline
//   lingering    after the last answer, the write side shut: unread bytes are drained until the
//                client closes or the deadline passes, so a client still sending sees the
//                answer rather than a reset
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "request_parser.hpp"
#include "response_message.hpp"
#include "server_context.hpp"

namespace gatehouse::service::http {

class Session : public std::enable_shared_from_this<Session> {
 public:
  /// `socket` is bound to a strand of `context.io`.
  Session(boost::asio::ip::tcp::socket socket, ServerContext& context);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();
  /// From any thread: an idle connection closes now; a request in flight is answered with
  /// `Connection: close`.
  void stop();

 private:
  enum class Phase { waiting, reading, authorizing, handling, writing, lingering, closed };

  void begin_request();
  void start_reading();
  void read_some();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void feed();
  void authorize();
  void on_authorized(std::optional<HttpResponse> refusal);
  void send_continue();
  void dispatch();
  void respond(HttpResponse response, bool keep_alive);
  void on_written(boost::beast::error_code ec);
  void linger();
  void drain();
  void close();
  void arm(std::chrono::steady_clock::duration timeout);
  void on_deadline(boost::beast::error_code ec);

  boost::asio::ip::tcp::socket socket_;
  // The connection's strand; a copy, so that the handler pool posts to it without touching the socket.
  const boost::asio::ip::tcp::socket::executor_type executor_;
  boost::asio::steady_timer timer_;
  ServerContext& context_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  ResponseMessage response_;  // kept here while it is written
  Phase phase_ = Phase::waiting;
  int served_ = 0;             // requests answered (or being answered) on this connection
  bool timed_out_ = false;     // the request deadline passed while reading or authorizing
  bool stopping_ = false;      // the server is stopping: answer what is in flight, then close
  bool head_only_ = false;     // the request is HEAD: answer without the body
  bool keep_alive_ = false;    // the connection stays open after the answer being written
  const std::string client_address_;  // the peer's IP address, given to every request (HttpRequest)
};

}  // namespace gatehouse::service::http
