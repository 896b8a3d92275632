#pragma once
// One HTTP/1.1 request from bytes, with its limits held while reading: no sockets, so the
// server's sessions and the fuzzer (tests/fuzz/fuzz_http_request.cpp) drive the same code.
//
// Bytes go in as they arrive (feed); the parser says what it has:
//
//   need_more   feed more bytes (those not consumed stay in the caller's buffer: a head is
//               parsed only once it is whole, and it can be no longer than max_header_bytes)
//   head_ready  the request line and headers are read and well-formed; head() holds them with
//               no body. Nothing of the body has been read: the caller authorizes the head,
//               then either answers (a 401) or calls accept_head() to read the body.
//   complete    the whole request: take_request()
//   refused     an answer to send, then close the connection (the rest of the stream cannot be
//               trusted to start a request): take_refusal()
//
// Refusals, each in the service's error shape:
//   400 bad_request               not HTTP/1.x; Content-Length repeated, a list, or with
//                                 Transfer-Encoding; a Transfer-Encoding other than `chunked`
//   414 uri_too_long              a request-target past max_target_bytes
//   431 headers_too_large         the head past max_header_bytes, or more than max_header_count fields
//   415 unsupported_content_encoding  a Content-Encoding other than identity: bodies are never
//                                 inflated (a small gzip body can be gigabytes)  [accept_head]
//   413 payload_too_large         a Content-Length past max_body_bytes, refused before any of
//                                 the body is read; chunks, as soon as their total passes it  [accept_head, body]
//
// Not thread-safe: one parser per request of one connection.
#include <cstddef>
#include <optional>
#include <string_view>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "request_limits.hpp"
#include "gatehouse/service/write_service.hpp"

namespace gatehouse::service::http {

class RequestParser {
 public:
  enum class State { need_more, head_ready, complete, refused };

  explicit RequestParser(const RequestLimits& limits);

  /// Parses from the start of `bytes` (what the caller holds and has not had consumed) and
  /// returns how many bytes it consumed. Call in need_more, or after accept_head().
  std::size_t feed(std::string_view bytes);
  State state() const { return state_; }

  /// From head_ready on: method, path, query and headers (names in lower case); no body.
  const HttpRequest& head() const { return request_; }
  /// After the head is authorized: checks what the head says of the body (encoding, length),
  /// then reads it from the next feed(). The state becomes need_more, complete (no body) or refused.
  void accept_head();

  /// Whether the client waits for `100 Continue` before it sends the body (`Expect: 100-continue`).
  bool expects_continue() const;

  /// The request (complete), with its body; the parser is spent.
  HttpRequest take_request() { return std::move(request_); }
  /// The answer to a refused request; the connection closes after it.
  HttpResponse take_refusal() { return std::move(*refusal_); }
  /// Whether the client keeps the connection (HTTP/1.1 without `Connection: close`, or 1.0 with keep-alive).
  bool keep_alive() const { return parser_.get().keep_alive(); }
  /// HTTP version of the request line, 10 or 11 (11 until it is read).
  unsigned version() const { return parser_.get().version(); }

 private:
  void refuse(HttpResponse response);
  void refuse_for(boost::beast::error_code ec, std::string_view bytes);
  std::optional<HttpResponse> check_head() const;
  void take_head();

  RequestLimits limits_;
  boost::beast::http::request_parser<boost::beast::http::string_body> parser_;
  State state_ = State::need_more;
  bool head_accepted_ = false;
  std::size_t head_bytes_consumed_ = 0;  // of the head, by beast (the request line goes first, whole)
  HttpRequest request_;
  std::optional<HttpResponse> refusal_;
};

}  // namespace gatehouse::service::http
