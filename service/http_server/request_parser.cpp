#include "request_parser.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include <iterator>
#include <limits>

#include "request_target.hpp"

namespace gatehouse::service::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

std::string lower_case(std::string_view s) {
  std::string out(s);
  for (auto& c : out)  // header names are ASCII; std::tolower would consult the locale per character
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

HttpResponse bad_request(std::string_view message) { return error_response(400, "bad_request", message); }

}  // namespace

RequestParser::RequestParser(const RequestLimits& limits) : limits_(limits) {
  parser_.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  // Beast would compare a Content-Length with the body limit as the head ends, before the head
  // can be authorized: the limit is set in accept_head(), after the 401 (an unauthenticated
  // client learns nothing of the limit and costs no more than its head).
  parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser_.eager(false);  // stop after the head, before any of the body
}

std::size_t RequestParser::feed(std::string_view bytes) {
  if (state_ != State::need_more) return 0;
  std::size_t consumed = 0;
  while (consumed < bytes.size()) {
    beast::error_code ec;
    std::size_t n = parser_.put(boost::asio::const_buffer(bytes.data() + consumed, bytes.size() - consumed), ec);
    consumed += n;
    if (!head_accepted_) head_bytes_consumed_ += n;
    if (ec == bhttp::error::need_more) break;
    if (ec) {
      refuse_for(ec, bytes);
      break;
    }
    if (!head_accepted_ && parser_.is_header_done()) {
      if (auto refused = check_head()) {
        refuse(std::move(*refused));
      } else {
        take_head();
        state_ = State::head_ready;
      }
      break;
    }
    if (parser_.is_done()) {
      request_.body = std::move(parser_.get().body());
      state_ = State::complete;
      break;
    }
    if (n == 0) break;  // nothing taken and nothing asked for: wait for more bytes
  }
  return consumed;
}

void RequestParser::accept_head() {
  if (state_ != State::head_ready) return;
  head_accepted_ = true;
  const auto& head = parser_.get();
  for (const auto& field : head) {
    if (field.name() != bhttp::field::content_encoding) continue;
    std::string_view coding = trim(view(field.value()));
    if (!beast::iequals(beast::string_view(coding.data(), coding.size()), "identity"))
      return refuse(error_response(415, "unsupported_content_encoding",
                                   "send the body without a Content-Encoding (it is never inflated)"));
  }
  if (auto length = parser_.content_length(); length && *length > limits_.max_body_bytes)
    return refuse(error_response(413, "payload_too_large", "the body is " + std::to_string(*length) +
                                                               " bytes; the limit is " +
                                                               std::to_string(limits_.max_body_bytes)));
  parser_.body_limit(limits_.max_body_bytes);
  parser_.eager(true);
  if (parser_.is_done()) {
    state_ = State::complete;
  } else {
    state_ = State::need_more;
  }
}

bool RequestParser::expects_continue() const {
  auto expect = parser_.get().find(bhttp::field::expect);
  return expect != parser_.get().end() && beast::iequals(expect->value(), "100-continue");
}

std::optional<HttpResponse> RequestParser::check_head() const {
  const auto& head = parser_.get();
  // Beast refuses a Content-Length list with different values and one beside Transfer-Encoding;
  // two that agree, or a list, it takes: a proxy in front may have taken another one.
  std::size_t lengths = head.count(bhttp::field::content_length);
  if (lengths > 1) return bad_request("send one Content-Length");
  if (lengths == 1 && view(head[bhttp::field::content_length]).find(',') != std::string_view::npos)
    return bad_request("send one Content-Length");
  if (std::size_t codings = head.count(bhttp::field::transfer_encoding)) {
    if (lengths > 0) return bad_request("send Content-Length or Transfer-Encoding, not both");
    std::string_view coding = trim(view(head[bhttp::field::transfer_encoding]));
    if (codings > 1 || !beast::iequals(beast::string_view(coding.data(), coding.size()), "chunked"))
      return bad_request("the only Transfer-Encoding taken is chunked");
  }
  // The service reads one value per header name: of two Idempotency-Keys on one write, which one
  // a retry would be matched with would be left to chance (the write service checks the one).
  if (head.count("Idempotency-Key") > 1)
    return error_response(400, "invalid_idempotency_key", "send one Idempotency-Key, not several");
  if (static_cast<std::size_t>(std::distance(head.begin(), head.end())) > limits_.max_header_count)
    return error_response(431, "headers_too_large",
                          "the request has more than " + std::to_string(limits_.max_header_count) + " header fields");
  if (head.target().size() > limits_.max_target_bytes)
    return error_response(414, "uri_too_long", "the request URI is longer than " +
                                                   std::to_string(limits_.max_target_bytes) + " bytes");
  return std::nullopt;
}

void RequestParser::take_head() {
  const auto& head = parser_.get();
  request_.method = std::string(view(head.method_string()));
  set_path_and_query(view(head.target()), request_);
  for (const auto& field : head) request_.headers[lower_case(view(field.name_string()))] = std::string(view(field.value()));
}

void RequestParser::refuse(HttpResponse response) {
  refusal_ = std::move(response);
  state_ = State::refused;
}

void RequestParser::refuse_for(beast::error_code ec, std::string_view bytes) {
  if (ec == bhttp::error::header_limit) {
    // The head is past the limit: a request line that alone is longer than any target we take
    // (plus the method and version around it) is a URI too long, else the headers are too large.
    // Beast consumes the request line once it is whole (then the fields as they come), so
    // `bytes` starts with it only while nothing has been consumed.
    bool line_too_long = false;
    if (head_bytes_consumed_ == 0) {
      std::size_t line_end = bytes.find('\n');
      line_too_long = line_end == std::string_view::npos || line_end > limits_.max_target_bytes + 64;
    } else {
      line_too_long = parser_.get().target().size() > limits_.max_target_bytes;
    }
    if (line_too_long)
      return refuse(error_response(414, "uri_too_long", "the request URI is longer than " +
                                                            std::to_string(limits_.max_target_bytes) + " bytes"));
    return refuse(error_response(431, "headers_too_large", "the request headers are larger than " +
                                                               std::to_string(limits_.max_header_bytes) + " bytes"));
  }
  if (ec == bhttp::error::body_limit)
    return refuse(error_response(413, "payload_too_large", "the body is larger than the limit of " +
                                                               std::to_string(limits_.max_body_bytes) + " bytes"));
  if (ec == bhttp::error::bad_content_length || ec == bhttp::error::bad_transfer_encoding)
    return refuse(bad_request("the Content-Length or Transfer-Encoding is invalid, repeated or conflicting"));
  refuse(bad_request("the request is not valid HTTP"));
}

}  // namespace gatehouse::service::http
