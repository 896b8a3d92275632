// The HTTP server's request parser and its limits, on bytes (no sockets): each case fed whole
// and a byte at a time, since a client may send a request in any pieces.
#include <gtest/gtest.h>

#include <string>

#include "request_parser.hpp"
#include "request_target.hpp"

namespace gatehouse::service::http {
namespace {

const RequestLimits limits{1024, 10, 100, 64};

struct Outcome {
  RequestParser::State state;
  HttpRequest request;     // the head (head_ready) or the whole request (complete)
  HttpResponse refusal;    // refused
  std::size_t consumed = 0;
};

/// Feeds `bytes` in pieces of `step` (0: whole), accepting the head when it is ready.
Outcome parse(const std::string& bytes, std::size_t step, bool accept_head = true) {
  RequestParser parser(limits);
  std::string pending;
  std::size_t at = 0, consumed = 0;
  for (;;) {
    if (parser.state() == RequestParser::State::head_ready) {
      if (!accept_head) return {parser.state(), parser.head(), {}, consumed};
      parser.accept_head();
      continue;
    }
    if (parser.state() == RequestParser::State::complete) return {parser.state(), parser.take_request(), {}, consumed};
    if (parser.state() == RequestParser::State::refused) return {parser.state(), {}, parser.take_refusal(), consumed};
    std::size_t used = parser.feed(pending);
    consumed += used;
    pending.erase(0, used);
    if (parser.state() != RequestParser::State::need_more) continue;
    if (at == bytes.size()) return {parser.state(), {}, {}, consumed};
    std::size_t take = step == 0 ? bytes.size() - at : std::min(step, bytes.size() - at);
    pending += bytes.substr(at, take);
    at += take;
  }
}

TEST(RequestParserTest, AWholeRequestInAnyPieces) {
  const std::string bytes =
      "PUT /v1/residents/rec_1%2Fx?ignore_unknown_fields=true&q=a+b%21 HTTP/1.1\r\nHost: x\r\n"
      "Authorization: Bearer k\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  for (std::size_t step : {0u, 1u, 7u}) {
    Outcome out = parse(bytes, step);
    ASSERT_EQ(out.state, RequestParser::State::complete) << step;
    EXPECT_EQ(out.request.method, "PUT");
    EXPECT_EQ(out.request.path, "/v1/residents/rec_1/x");
    EXPECT_EQ(out.request.query.at("ignore_unknown_fields"), "true");
    EXPECT_EQ(out.request.query.at("q"), "a b!");
    EXPECT_EQ(out.request.headers.at("authorization"), "Bearer k") << "names in lower case";
    EXPECT_EQ(out.request.body, "{}");
    EXPECT_EQ(out.consumed, bytes.size());
  }
}

TEST(RequestParserTest, TheHeadIsReadyBeforeAnyOfTheBody) {
  Outcome out = parse("PUT /v1/x HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n{\"a\":", 0, false);
  ASSERT_EQ(out.state, RequestParser::State::head_ready);
  EXPECT_TRUE(out.request.body.empty());
  EXPECT_EQ(out.request.path, "/v1/x");
}

TEST(RequestParserTest, AChunkedBody) {
  for (std::size_t step : {0u, 1u}) {
    Outcome out = parse("POST /v1/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", step);
    ASSERT_EQ(out.state, RequestParser::State::complete) << step;
    EXPECT_EQ(out.request.body, "{}");
  }
}

TEST(RequestParserTest, RefusalsInTheErrorShape) {
  const std::string big_header = "X: " + std::string(2000, 'a') + "\r\n";
  std::string many;
  for (int i = 0; i < 11; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  const struct {
    std::string bytes;
    int status;
    std::string code;
  } cases[] = {
      {"GET / HTTP/1.1\r\n" + big_header + "\r\n", 431, "headers_too_large"},
      {"GET / HTTP/1.1\r\n" + many + "\r\n", 431, "headers_too_large"},
      {"GET /" + std::string(200, 'a') + " HTTP/1.1\r\n\r\n", 414, "uri_too_long"},
      {"GET /" + std::string(2000, 'a') + " HTTP/1.1\r\n\r\n", 414, "uri_too_long"},
      {"PUT / HTTP/1.1\r\nContent-Length: 65\r\n\r\n", 413, "payload_too_large"},
      {"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n" + std::string(65, 'a') + "\r\n0\r\n\r\n", 413,
       "payload_too_large"},
      {"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + std::string(32, 'a') + "\r\n21\r\n", 413,
       "payload_too_large"},
      {"PUT / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}", 415, "unsupported_content_encoding"},
      {"PUT / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400, "bad_request"},
      {"PUT / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, "bad_request"},
      {"PUT / HTTP/1.1\r\nContent-Length: 2,2\r\n\r\n{}", 400, "bad_request"},
      {"PUT / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}", 400, "bad_request"},
      {"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n{}", 400, "bad_request"},
      {"PUT / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400, "bad_request"},
      {"THIS IS NOT HTTP\r\n\r\n", 400, "bad_request"},
  };
  for (const auto& c : cases) {
    for (std::size_t step : {0u, 1u}) {
      Outcome out = parse(c.bytes, step);
      ASSERT_EQ(out.state, RequestParser::State::refused) << c.bytes.substr(0, 80) << " step " << step;
      EXPECT_EQ(out.refusal.status, c.status) << c.bytes.substr(0, 80) << out.refusal.body;
      EXPECT_EQ(out.refusal.body.rfind("{\"error\":{\"status\":" + std::to_string(c.status) + ",\"code\":\"" + c.code + "\"", 0),
                0u)
          << out.refusal.body;
    }
  }
}

TEST(RequestParserTest, IdentityEncodingAndABodyAtTheLimitAreTaken) {
  Outcome out = parse("PUT / HTTP/1.1\r\nContent-Encoding: identity\r\nContent-Length: 64\r\n\r\n" + std::string(64, 'a'), 0);
  ASSERT_EQ(out.state, RequestParser::State::complete);
  EXPECT_EQ(out.request.body.size(), 64u);
}

TEST(RequestParserTest, PipelinedRequestsAreTakenOneAtATime) {
  const std::string first = "GET /healthz HTTP/1.1\r\n\r\n", second = "GET /metrics HTTP/1.1\r\n\r\n";
  Outcome out = parse(first + second, 0);
  ASSERT_EQ(out.state, RequestParser::State::complete);
  EXPECT_EQ(out.request.path, "/healthz");
  EXPECT_EQ(out.consumed, first.size()) << "the next request stays for the next parser";
}

TEST(RequestTargetTest, PercentDecoding) {
  EXPECT_EQ(percent_decode("%C3%28", false), "\xc3(");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("%G1%2", false), "%G1%2") << "a malformed escape stays";
  HttpRequest r;
  set_path_and_query("/v1/x?a=1&&b&a=2", r);
  EXPECT_EQ(r.path, "/v1/x");
  EXPECT_EQ(r.query.at("a"), "2");
  EXPECT_EQ(r.query.at("b"), "");
}

}  // namespace
}  // namespace gatehouse::service::http
