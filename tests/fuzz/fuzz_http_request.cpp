// Fuzz target: arbitrary bytes into the HTTP server's request parsing and limits
// (service/http_server/request_parser.hpp), driven as a connection of the server drives it, no
// sockets. The first byte says how the rest is cut into reads (0: all at once; n: n bytes per
// read), the rest is the stream: requests one after another. Each head is authorized (a fixed
// key) before its body is read. Checks: every refusal is 400/401/413/414/415/431 in the one
// error shape, valid UTF-8; a request let through holds the limits; every answer serializes.
#include <boost/beast/http/write.hpp>
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "request_parser.hpp"
#include "response_message.hpp"

namespace {

using gatehouse::service::HttpResponse;
using gatehouse::service::http::RequestLimits;
using gatehouse::service::http::RequestParser;

const RequestLimits limits{2048, 16, 256, 1024};  // small, so that the fuzzer reaches each

void check_refusal(HttpResponse response, int status) {
  static const int refusals[] = {400, 401, 413, 414, 415, 431};
  bool known = false;
  for (int s : refusals) known = known || s == status;
  if (!known || response.status != status) std::abort();
  if (response.body.rfind("{\"error\":{\"status\":" + std::to_string(status) + ",\"code\":\"", 0) != 0) std::abort();
  if (!simdjson::validate_utf8(response.body.data(), response.body.size())) std::abort();
  std::ostringstream wire;
  wire << gatehouse::service::http::response_message(std::move(response), 11, false, false);
  if (wire.str().rfind("HTTP/1.1 " + std::to_string(status), 0) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = data[0];
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  std::size_t at = 0;
  std::string pending;  // what a session's buffer holds: read, not yet consumed
  auto parser = std::make_unique<RequestParser>(limits);
  for (;;) {
    switch (parser->state()) {
      case RequestParser::State::need_more: {
        std::size_t used = parser->feed(pending);
        if (used > pending.size()) std::abort();
        pending.erase(0, used);
        if (parser->state() != RequestParser::State::need_more) continue;
        if (at >= stream.size()) return 0;  // the client stopped mid-request
        std::size_t take = step == 0 ? stream.size() - at : std::min(step, stream.size() - at);
        pending.append(stream.substr(at, take));
        at += take;
        continue;
      }
      case RequestParser::State::head_ready: {
        const auto& head = parser->head();
        if (head.headers.size() > limits.max_header_count || !head.body.empty()) std::abort();
        auto auth = head.headers.find("authorization");
        if (auth == head.headers.end() || auth->second != "Bearer key") {
          check_refusal(gatehouse::service::error_response(401, "unauthorized", "unknown API key"), 401);
          return 0;
        }
        parser->accept_head();
        continue;
      }
      case RequestParser::State::complete: {
        auto request = parser->take_request();
        if (request.body.size() > limits.max_body_bytes || request.method.empty()) std::abort();
        if (auto encoding = request.headers.find("content-encoding");
            encoding != request.headers.end() && encoding->second.find("identity") == std::string::npos)
          std::abort();  // a body with a coding is never let through
        HttpResponse answer(200, R"({"status":"ok"})");
        std::ostringstream wire;
        wire << gatehouse::service::http::response_message(answer, parser->version(), parser->keep_alive(),
                                                           request.method == "HEAD");
        if (wire.str().rfind("HTTP/1.", 0) != 0) std::abort();
        if (pending.empty() && at >= stream.size()) return 0;
        parser = std::make_unique<RequestParser>(limits);  // the next request on the connection
        continue;
      }
      case RequestParser::State::refused: {
        HttpResponse refusal = parser->take_refusal();
        int status = refusal.status;
        check_refusal(std::move(refusal), status);
        return 0;
      }
    }
  }
}
