#include "session.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>

#include <exception>
#include <string_view>

namespace gatehouse::service::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

/// Bytes asked of the socket per read. The buffer never holds more than a head past its limit
/// (the parser refuses it) plus one read, or a chunk's size line (bounded below).
constexpr std::size_t read_size = 16 * 1024;
/// How long a closing connection drains what the client still sends, so that its kernel does not
/// answer the client with a reset that can destroy our answer before it is read.
constexpr std::chrono::milliseconds linger_time{1000};

HttpResponse internal_error() {
  return error_response(500, "internal_error", "the request could not be handled; try again later");
}

/// A handler's answer; an exception (a store that fails) is a 500, never the end of the process.
HttpResponse handle_safely(const HttpHandlers& handlers, const HttpRequest& request) {
  try {
    return handlers.handle(request);
  } catch (const std::exception&) {
    return internal_error();
  }
}

std::optional<HttpResponse> authorize_safely(const HttpHandlers& handlers, const HttpRequest& head) {
  if (!handlers.authorize) return std::nullopt;
  try {
    return handlers.authorize(head);
  } catch (const std::exception&) {
    return internal_error();
  }
}

HttpResponse request_timeout(std::chrono::milliseconds limit) {
  return error_response(408, "request_timeout",
                        "the request did not arrive within " + std::to_string(limit.count()) + " ms");
}

bool from_memory(const HttpHandlers& handlers, const HttpRequest& request) {
  return handlers.answers_from_memory && handlers.answers_from_memory(request);
}

/// The peer's IP address as text ("" when the socket no longer knows it): what the service's
/// wrong-key throttle counts by. Read once, when the connection is accepted.
std::string client_address_of(const tcp::socket& socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string() : endpoint.address().to_string();
}

}  // namespace

Session::Session(tcp::socket socket, ServerContext& context)
    : socket_(std::move(socket)),
      executor_(socket_.get_executor()),
      timer_(executor_),
      context_(context),
      client_address_(client_address_of(socket_)) {}

Session::~Session() {
  std::lock_guard lock(context_.sessions_mutex);
  context_.sessions.erase(this);
}

void Session::start() {
  net::dispatch(executor_, [self = shared_from_this()] {
    {
      std::lock_guard lock(self->context_.sessions_mutex);
      self->context_.sessions.emplace(self.get(), self);
    }
    // stop() sets the flag before it looks at the sessions: one of the two sees the other.
    if (self->context_.stopping.load()) return self->close();
    self->begin_request();
  });
}

void Session::stop() {
  net::post(executor_, [self = shared_from_this()] {
    self->stopping_ = true;
    if (self->phase_ == Phase::waiting) self->close();
  });
}

void Session::begin_request() {
  phase_ = Phase::waiting;
  timed_out_ = false;
  head_only_ = false;
  parser_.emplace(context_.options.limits);
  // The first request's deadline runs from the accept: a connection that sends nothing, or
  // trickles, is gone within request_timeout. Later ones wait idle at most keep_alive_timeout.
  arm(served_ == 0 ? context_.options.request_timeout : context_.options.keep_alive_timeout);
  if (buffer_.size() > 0) {  // the next request came with the last one (pipelined)
    start_reading();
    return feed();
  }
  read_some();
}

void Session::start_reading() {
  if (phase_ != Phase::waiting) return;
  phase_ = Phase::reading;
  if (served_ > 0) arm(context_.options.request_timeout);  // from the request's first byte
}

void Session::read_some() {
  // The parser consumes a body as it arrives and refuses a head past its limit, so only a
  // chunk's size line (with extensions) can keep bytes unconsumed without end: bounded here.
  if (buffer_.size() > context_.options.limits.max_header_bytes + read_size)
    return respond(error_response(400, "bad_request", "a chunk size line is too long"), false);
  socket_.async_read_some(buffer_.prepare(read_size), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void Session::on_read(beast::error_code ec, std::size_t bytes) {
  if (phase_ == Phase::closed) return;
  if (ec) {
    if (timed_out_ && phase_ == Phase::reading) return respond(request_timeout(context_.options.request_timeout), false);
    return close();  // the client closed, or reset, or the idle deadline passed
  }
  // The deadline may pass after this read completed but before it was handed over.
  if (timed_out_) return respond(request_timeout(context_.options.request_timeout), false);
  buffer_.commit(bytes);
  start_reading();
  feed();
}

void Session::feed() {
  auto bytes = buffer_.data();
  std::size_t used = parser_->feed(std::string_view(static_cast<const char*>(bytes.data()), bytes.size()));
  buffer_.consume(used);
  switch (parser_->state()) {
    case RequestParser::State::need_more:
      return read_some();
    case RequestParser::State::head_ready:
      return authorize();
    case RequestParser::State::complete:
      return dispatch();
    case RequestParser::State::refused:
      return respond(parser_->take_refusal(), false);
  }
}

void Session::authorize() {
  phase_ = Phase::authorizing;
  HttpRequest head = parser_->head();
  head.client_address = client_address_;
  if (from_memory(context_.handlers, head)) return on_authorized(authorize_safely(context_.handlers, head));
  // The key check may wait on the store: on the handler pool, like handle(). The work guard
  // keeps the io threads running until the answer is posted back.
  net::post(context_.handler_pool, [self = shared_from_this(), head = std::move(head),
                                    work = net::make_work_guard(context_.io)]() mutable {
    auto refusal = authorize_safely(self->context_.handlers, head);
    net::post(self->executor_, [self, refusal = std::move(refusal)]() mutable {
      self->on_authorized(std::move(refusal));
    });
  });
}

void Session::on_authorized(std::optional<HttpResponse> refusal) {
  if (phase_ == Phase::closed) return;
  if (timed_out_) return respond(request_timeout(context_.options.request_timeout), false);
  if (refusal) {
    // Nothing of the body was read: the connection can go on only if none was announced.
    bool bodiless = parser_->head().headers.count("content-length") == 0 &&
                    parser_->head().headers.count("transfer-encoding") == 0;
    return respond(std::move(*refusal), bodiless && parser_->keep_alive());
  }
  parser_->accept_head();
  phase_ = Phase::reading;
  if (parser_->state() == RequestParser::State::need_more && parser_->expects_continue()) return send_continue();
  feed();
}

void Session::send_continue() {
  static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
  phase_ = Phase::writing;
  net::async_write(socket_, net::buffer(go_on.data(), go_on.size()),
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec || self->phase_ == Phase::closed) return self->close();
                     self->phase_ = Phase::reading;
                     self->feed();
                   });
}

void Session::dispatch() {
  phase_ = Phase::handling;
  timer_.cancel();  // the handler's time is the service's, not the client's
  HttpRequest request = parser_->take_request();
  request.client_address = client_address_;
  if (request.method == "HEAD") {  // answered as the GET it stands for, without the body
    head_only_ = true;
    request.method = "GET";
  }
  ++served_;
  bool keep_alive = parser_->keep_alive() && served_ < context_.options.keep_alive_max_requests;
  if (from_memory(context_.handlers, request)) return respond(handle_safely(context_.handlers, request), keep_alive);
  net::post(context_.handler_pool, [self = shared_from_this(), request = std::move(request), keep_alive,
                                    work = net::make_work_guard(context_.io)]() mutable {
    HttpResponse response = handle_safely(self->context_.handlers, request);
    net::post(self->executor_, [self, response = std::move(response), keep_alive]() mutable {
      self->respond(std::move(response), keep_alive);
    });
  });
}

void Session::respond(HttpResponse response, bool keep_alive) {
  if (phase_ == Phase::closed) return;
  keep_alive_ = keep_alive && !stopping_;
  phase_ = Phase::writing;
  response_ = response_message(std::move(response), parser_ ? parser_->version() : 11, keep_alive_, head_only_);
  arm(context_.options.write_timeout);
  bhttp::async_write(socket_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->on_written(ec);
  });
}

void Session::on_written(beast::error_code ec) {
  if (phase_ == Phase::closed) return;
  if (ec) return close();
  response_ = {};
  if (!keep_alive_ || stopping_) return linger();
  begin_request();
}

void Session::linger() {
  phase_ = Phase::lingering;
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  arm(linger_time);
  buffer_.clear();
  drain();
}

void Session::drain() {
  socket_.async_read_some(buffer_.prepare(read_size), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec || self->phase_ == Phase::closed) return self->close();
    self->buffer_.clear();
    self->drain();
  });
}

void Session::close() {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  timer_.cancel();
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void Session::arm(std::chrono::steady_clock::duration timeout) {
  timer_.expires_after(timeout);  // a wait already pending ends with operation_aborted
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->on_deadline(ec); });
}

void Session::on_deadline(beast::error_code ec) {
  if (ec || phase_ == Phase::closed) return;
  if (timer_.expiry() > std::chrono::steady_clock::now()) return;  // armed again since this wait ended
  beast::error_code ignored;
  switch (phase_) {
    case Phase::waiting:
    case Phase::writing:
    case Phase::lingering:
      return close();
    case Phase::reading:
      timed_out_ = true;
      socket_.cancel(ignored);  // the pending read ends, and on_read answers 408
      return;
    case Phase::authorizing:
      timed_out_ = true;  // on_authorized answers 408
      return;
    case Phase::handling:
    case Phase::closed:
      return;
  }
}

}  // namespace gatehouse::service::http
