// Hostile HTTP against the real `gatehouse serve`: slow clients, oversized headers, lying
// Content-Length, chunked bodies past the limit, many connections at once. Each gets a clear
// answer (in the one error shape) or a closed connection, and the service keeps serving others:
// /healthz answers within 100 ms while slow clients hold connections.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "e2e/child_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// A raw TCP connection to the service.
class Connection {
 public:
  explicit Connection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect");
  }
  ~Connection() { close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool send_all(const std::string& bytes) {
    for (std::size_t at = 0; at < bytes.size();) {
      ssize_t n = ::send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return false;
      at += static_cast<std::size_t>(n);
    }
    return true;
  }
  /// Everything the server sends until it closes or `wait` passes with nothing more.
  std::string receive(std::chrono::milliseconds wait = 3000ms) {
    std::string out;
    char buf[4096];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) return out;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
      if (complete(out)) return out;
    }
  }
  /// What the server sent within `wait`, complete or not (a poll while sending).
  std::string receive_some(std::chrono::milliseconds wait) {
    std::string out;
    char buf[4096];
    pollfd p{fd_, POLLIN, 0};
    while (poll(&p, 1, static_cast<int>(wait.count())) > 0) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
      wait = 0ms;
    }
    return out;
  }
  /// Everything until the server closes (or `wait` passes).
  std::string receive_until_closed(std::chrono::milliseconds wait = 3000ms) {
    std::string out;
    char buf[4096];
    auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return out;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  /// Whether the server closed the connection within `wait` (after whatever it sent).
  bool closed_within(std::chrono::milliseconds wait) {
    char buf[4096];
    auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      if (::recv(fd_, buf, sizeof buf, 0) <= 0) return true;
    }
  }

 private:
  static bool complete(const std::string& r) {
    auto head = r.find("\r\n\r\n");
    if (head == std::string::npos) return false;
    auto cl = r.find("Content-Length: ");
    if (cl == std::string::npos || cl > head) return true;
    return r.size() >= head + 4 + std::stoul(r.substr(cl + 16));
  }
  int fd_ = -1;
};

int status_of(const std::string& response) {
  return response.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(response.substr(9, 3)) : 0;
}

bool has_code(const std::string& response, int status, const std::string& code) {
  return response.find("{\"error\":{\"status\":" + std::to_string(status) + ",\"code\":\"" + code + "\"") !=
         std::string::npos;
}

class HttpHostileTest : public ::testing::Test {
 protected:
  /// The config's http block: short deadlines, so that the tests of them are quick.
  std::string http = "{request_timeout_ms: 1000, write_timeout_ms: 1000, keep_alive_timeout_seconds: 1,"
                     " keep_alive_max_requests: 3}";

  fs::path dir = fs::temp_directory_path() / ("gatehouse_hostile_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::unique_ptr<gatehouse::testing::ChildProcess> service;

  void SetUp() override {
    fs::create_directories(dir);
    std::ofstream(dir / "config.yaml")
        << "rules: " << (fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules").string()
        << "\nstore: jobs.db\nlisten: 127.0.0.1:0\nrate_limit_per_minute: 0\nmax_queued_jobs_per_customer: 0\nmax_payload_bytes: 4096\n"
           "http: " << http << "\n"
           "dispatcher: {workers: 0}\n"
           "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\n"
           "integrations:\n  - {id: int-rm, customer: acme, pms: RENTMANAGER, base_url: 'http://127.0.0.1:1'}\n"
           "records:\n  - {model: residents, id: res-rm, integration: int-rm, data: '{\"last_name\":\"Lee\"}'}\n";
    service = std::make_unique<gatehouse::testing::ChildProcess>(
        std::vector<std::string>{GATEHOUSE_BINARY, "serve", "--config", (dir / "config.yaml").string()});
    // The seeded record's path, by gatehouse's id (the seed gave the PMS's).
    auto r = service->client().Get("/v1/residents?x_id=res-rm", {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}});
    ASSERT_TRUE(r);
    auto at = r->body.find("\"id\":\"rec_");
    ASSERT_NE(at, std::string::npos) << r->body;
    record_path = "/v1/residents/" + r->body.substr(at + 6, 36);
  }
  void TearDown() override {
    service.reset();
    fs::remove_all(dir);
  }

  /// How long /healthz takes on a new connection, from connect to the whole answer (a
  /// minute if it does not answer 200).
  std::chrono::milliseconds healthz_time() {
    auto started = std::chrono::steady_clock::now();
    Connection c(service->port());
    c.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    if (status_of(c.receive(5000ms)) != 200) return std::chrono::minutes(1);
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  }

  /// The service still answers /healthz (within `wait`).
  bool healthy(std::chrono::milliseconds wait = 3000ms) {
    Connection c(service->port());
    c.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return status_of(c.receive(wait)) == 200;
  }

  std::string record_path;

  std::string put(const std::string& headers, const std::string& body) const {
    return "PUT " + record_path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-acme-5b1f0c9e2d7a4f38\r\n"
           "Content-Type: application/json\r\n" + headers + "\r\n" + body;
  }
};

/// The default deadlines (a request within 5 s): slow clients stay long enough to be counted.
class HttpDefaultDeadlinesTest : public HttpHostileTest {
 protected:
  HttpDefaultDeadlinesTest() { http = "{keep_alive_max_requests: 100}"; }
};

const std::string rm_update = R"({"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})";

TEST_F(HttpHostileTest, ASlowClientIsCutOffAndOthersAreServed) {
  Connection slow(service->port());
  ASSERT_TRUE(slow.send_all("PUT " + record_path + " HTTP/1.1\r\nHost: x\r\n"));  // and then nothing
  EXPECT_TRUE(healthy(500ms)) << "another client is served meanwhile";
  EXPECT_TRUE(slow.closed_within(4000ms)) << "the read timeout (1 s) closes the connection";
}

TEST_F(HttpHostileTest, HundredKibOfHeadersAre431) {
  Connection c(service->port());
  c.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100000, 'a') + "\r\n\r\n");
  std::string response = c.receive();
  EXPECT_EQ(status_of(response), 431) << response.substr(0, 200);
  EXPECT_TRUE(has_code(response, 431, "headers_too_large")) << response;
  EXPECT_TRUE(c.closed_within(3000ms));
  EXPECT_TRUE(healthy());
}

TEST_F(HttpHostileTest, TwoHundredHeadersAre431) {
  std::string headers;
  for (int i = 0; i < 200; ++i) headers += "X-H" + std::to_string(i) + ": v\r\n";
  Connection c(service->port());
  c.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n");
  std::string response = c.receive();
  EXPECT_EQ(status_of(response), 431) << response;
  EXPECT_TRUE(has_code(response, 431, "headers_too_large")) << response;
  EXPECT_TRUE(healthy());
}

TEST_F(HttpHostileTest, ATooLongUriIs414) {
  for (std::size_t length : {10000u, 20000u}) {  // within the head's 16 KiB, and past it
    Connection c(service->port());
    c.send_all("GET /v1/residents?x_id=" + std::string(length, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string response = c.receive();
    EXPECT_EQ(status_of(response), 414) << length << ": " << response;
    EXPECT_TRUE(has_code(response, 414, "uri_too_long")) << response;
  }
  EXPECT_TRUE(healthy());
}

// The body never arrives whole: the request's deadline (1 s here) answers 408, then closes.
TEST_F(HttpHostileTest, AContentLengthLongerThanTheBodyTimesOut) {
  Connection c(service->port());
  c.send_all(put("Content-Length: 100\r\n", R"({"last_name":)"));
  std::string response = c.receive(4000ms);
  EXPECT_EQ(status_of(response), 408) << response;
  EXPECT_TRUE(has_code(response, 408, "request_timeout")) << response;
  EXPECT_TRUE(c.closed_within(3000ms));
  EXPECT_TRUE(healthy());
}

TEST_F(HttpHostileTest, AContentLengthPastTheLimitIs413InTheErrorShape) {
  Connection c(service->port());
  c.send_all(put("Content-Length: 1000000000\r\n", "{"));
  std::string response = c.receive();
  EXPECT_EQ(status_of(response), 413) << response;
  EXPECT_NE(response.find(R"({"error":{"status":413,"code":"payload_too_large")"), std::string::npos) << response;
  EXPECT_TRUE(healthy());
}

TEST_F(HttpHostileTest, AShorterContentLengthLeavesTheRestAsAnInvalidNextRequest) {
  Connection c(service->port());
  std::string body = R"({"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})";
  c.send_all(put("Content-Length: 10\r\n", body));
  std::string response = c.receive();
  EXPECT_EQ(status_of(response), 400) << "the first 10 bytes are not a JSON object: " << response;
  EXPECT_TRUE(healthy());
}

TEST_F(HttpHostileTest, AChunkedBodyPastTheLimitIs413) {
  Connection c(service->port());
  std::string chunk(2000, ' ');
  std::string chunks;
  for (int i = 0; i < 5; ++i) chunks += "7d0\r\n" + chunk + "\r\n";  // 10,000 bytes > 4096
  c.send_all(put("Transfer-Encoding: chunked\r\n", chunks + "0\r\n\r\n"));
  std::string response = c.receive();
  EXPECT_EQ(status_of(response), 413) << response;
  EXPECT_NE(response.find("\"code\":\"payload_too_large\""), std::string::npos) << response;
  EXPECT_TRUE(healthy());
}

TEST_F(HttpHostileTest, ManyClientsAtOnceAreAllAnswered) {
  const std::string body = R"({"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})";
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int i = 0; i < 100; ++i) {
    clients.emplace_back([&] {
      Connection c(service->port());
      c.send_all(put("Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n", body));
      if (status_of(c.receive(15000ms)) == 202) ++answered;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(answered.load(), 100);
}

TEST_F(HttpHostileTest, ManyIdleConnectionsDoNotDelayOthers) {
  // 128 connections that send nothing hold no thread: a real request is served at once, and
  // each idle one is dropped at its deadline.
  std::vector<std::unique_ptr<Connection>> idle;
  for (int i = 0; i < 128; ++i) idle.push_back(std::make_unique<Connection>(service->port()));
  EXPECT_TRUE(healthy(500ms));
  for (auto& c : idle) EXPECT_TRUE(c->closed_within(3000ms));
  idle.clear();
  EXPECT_TRUE(healthy(3000ms));
}

TEST_F(HttpHostileTest, AKeptAliveConnectionIsClosedAfterItsMaximumOfRequests) {
  // keep_alive_max_requests: 3, so the connection closes after its third answer.
  Connection c(service->port());
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(c.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string response = c.receive();
    ASSERT_EQ(status_of(response), 200) << "request " << i << ": " << response;
    EXPECT_EQ(response.find("Connection: close") != std::string::npos, i == 3) << "request " << i << ": " << response;
  }
  EXPECT_TRUE(c.closed_within(2000ms));
}

TEST_F(HttpHostileTest, GarbageIsABadRequestInTheErrorShape) {
  Connection c(service->port());
  c.send_all("THIS IS NOT HTTP\r\n\r\n");
  std::string response = c.receive();
  EXPECT_EQ(status_of(response), 400) << response;
  EXPECT_NE(response.find(R"({"error":{"status":400,"code":"bad_request")"), std::string::npos) << response;
  EXPECT_TRUE(healthy());
}

// A request's deadline covers its head and body together: a byte every 100 ms never lets one
// read wait long, but the request as a whole is cut at 1 s.
TEST_F(HttpHostileTest, AWholeRequestDeadlineCutsASlowBody) {
  Connection c(service->port());
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.send_all(put("Content-Length: 100\r\n", "")));
  std::string response;
  for (int i = 0; i < 100 && status_of(response) == 0; ++i) {
    if (!c.send_all(" ")) break;
    response += c.receive_some(100ms);
  }
  auto elapsed = std::chrono::steady_clock::now() - started;
  response += c.receive(2000ms);
  EXPECT_EQ(status_of(response), 408) << response;
  EXPECT_TRUE(has_code(response, 408, "request_timeout")) << response;
  EXPECT_LT(elapsed, 2500ms) << "the deadline is 1 s for the whole request";
  EXPECT_TRUE(c.closed_within(3000ms));
}

TEST_F(HttpHostileTest, AContentLengthPastTheLimitIs413BeforeTheBodyIsSent) {
  Connection c(service->port());
  c.send_all(put("Content-Length: 1000000000\r\n", ""));  // the head alone
  std::string response = c.receive(1000ms);
  EXPECT_EQ(status_of(response), 413) << response;
  EXPECT_TRUE(has_code(response, 413, "payload_too_large")) << response;
  EXPECT_TRUE(c.closed_within(3000ms));
}

// 50 MiB in chunks: the answer comes as soon as the first 4 KiB pass, while the client is still
// sending (it looks for the answer after each 64 KiB).
TEST_F(HttpHostileTest, AChunkedBodyPastTheLimitIsCutWellBeforeItsEnd) {
  Connection c(service->port());
  ASSERT_TRUE(c.send_all(put("Transfer-Encoding: chunked\r\n", "")));
  const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
  const std::size_t total = 50u << 20;
  std::size_t sent = 0;
  std::string response;
  while (sent < total && status_of(response) == 0) {
    if (!c.send_all(chunk)) break;  // closed after the answer
    sent += 0x10000;
    response += c.receive_some(1ms);
  }
  response += c.receive(2000ms);
  EXPECT_EQ(status_of(response), 413) << response;
  EXPECT_TRUE(has_code(response, 413, "payload_too_large")) << response;
  EXPECT_LT(sent, total / 5) << "the server read " << sent << " bytes before it answered";
  EXPECT_TRUE(healthy());
}

TEST_F(HttpHostileTest, AGzipBodyIs415AndNeverInflated) {
  Connection c(service->port());
  const std::string gzip_bytes("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  c.send_all(put("Content-Encoding: gzip\r\nContent-Length: 20\r\n", gzip_bytes));
  std::string response = c.receive();
  EXPECT_EQ(status_of(response), 415) << response;
  EXPECT_TRUE(has_code(response, 415, "unsupported_content_encoding")) << response;
}

TEST_F(HttpHostileTest, TwoContentLengthsAre400AndClose) {
  for (const char* lengths : {"Content-Length: 2\r\nContent-Length: 2\r\n", "Content-Length: 2\r\nContent-Length: 60\r\n",
                              "Content-Length: 2, 2\r\n"}) {
    Connection c(service->port());
    c.send_all(put(lengths, "{}"));
    std::string response = c.receive();
    EXPECT_EQ(status_of(response), 400) << lengths << response;
    EXPECT_TRUE(has_code(response, 400, "bad_request")) << response;
    EXPECT_TRUE(c.closed_within(3000ms)) << lengths;
  }
}

TEST_F(HttpHostileTest, ContentLengthWithTransferEncodingIs400AndClose) {
  for (const char* framing : {"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n",
                              "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n"}) {
    Connection c(service->port());
    c.send_all(put(framing, "2\r\n{}\r\n0\r\n\r\n"));
    std::string response = c.receive();
    EXPECT_EQ(status_of(response), 400) << framing << response;
    EXPECT_TRUE(has_code(response, 400, "bad_request")) << response;
    EXPECT_TRUE(c.closed_within(3000ms)) << framing;
  }
}

// The key is checked from the head: a client without one is answered at once, however large a
// body it announces, and none of it is read.
TEST_F(HttpHostileTest, NoApiKeyWithAHugeContentLengthIs401AtOnce) {
  for (const char* auth : {"", "Authorization: Bearer wrong-key\r\n"}) {
    Connection c(service->port());
    c.send_all("PUT " + record_path + " HTTP/1.1\r\nHost: x\r\n" + auth +
               "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n");
    std::string response = c.receive(1000ms);
    EXPECT_EQ(status_of(response), 401) << auth << response;
    EXPECT_TRUE(has_code(response, 401, "unauthorized")) << response;
  }
}

TEST_F(HttpHostileTest, MediaTypesAreParsed) {
  auto write_with = [&](const std::string& type) {
    Connection c(service->port());
    c.send_all("PUT " + record_path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-acme-5b1f0c9e2d7a4f38\r\nContent-Type: " + type +
               "\r\nContent-Length: " + std::to_string(rm_update.size()) + "\r\n\r\n" + rm_update);
    return c.receive();
  };
  EXPECT_EQ(status_of(write_with("Application/JSON; charset=utf-8")), 202);
  EXPECT_EQ(status_of(write_with("application/json ; charset=\"UTF-8\"")), 202);
  for (const char* refused : {"application/jsonp", "text/plain", "application/json; charset=latin1"}) {
    std::string response = write_with(refused);
    EXPECT_EQ(status_of(response), 415) << refused << ": " << response;
    EXPECT_TRUE(has_code(response, 415, "unsupported_media_type")) << response;
  }
}

TEST_F(HttpHostileTest, HeadIsAnsweredLikeGetWithoutTheBody) {
  Connection c(service->port());
  c.send_all("HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string response = c.receive_until_closed();
  EXPECT_EQ(status_of(response), 200) << response;
  auto head_end = response.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << response;
  EXPECT_EQ(response.size(), head_end + 4) << "no body: " << response;
  EXPECT_NE(response.find("Content-Length: "), std::string::npos) << "the GET's length: " << response;
}

// 64 slowloris connections, each trickling its head a byte a second: /healthz answers within
// 100 ms throughout, and each slow one is answered 408 at its 5 s deadline and closed.
TEST_F(HttpDefaultDeadlinesTest, SlowlorisConnectionsDoNotStopHealthz) {
  std::vector<std::unique_ptr<Connection>> slow;
  for (int i = 0; i < 64; ++i) {
    slow.push_back(std::make_unique<Connection>(service->port()));
    ASSERT_TRUE(slow.back()->send_all("PUT " + record_path + " HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  }
  std::vector<std::chrono::milliseconds> times;
  for (int second = 0; second < 3; ++second) {
    for (auto& c : slow) c->send_all("a");
    for (int probe = 0; probe < 10; ++probe) {
      times.push_back(healthz_time());
      std::this_thread::sleep_for(100ms);
    }
  }
  std::sort(times.begin(), times.end());
  EXPECT_LT(times[times.size() - 2], 100ms) << "all but the slowest probe; the slowest took " << times.back().count()
                                            << " ms";
  for (auto& c : slow) {
    std::string response = c->receive(4000ms);
    EXPECT_EQ(status_of(response), 408) << response;
    EXPECT_TRUE(c->closed_within(3000ms));
  }
}

// A thousand slow connections and a write load at once: /healthz still answers within 100 ms
// (99th percentile of 100 probes).
TEST_F(HttpDefaultDeadlinesTest, HealthzStaysFastUnderAThousandSlowConnectionsAndWrites) {
  // Each connection is a descriptor here and one in the service (which inherits this limit).
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < 4096 && files.rlim_max >= 4096) {
    files.rlim_cur = 4096;
    setrlimit(RLIMIT_NOFILE, &files);
    getrlimit(RLIMIT_NOFILE, &files);
  }
  if (files.rlim_cur < 4096)
    GTEST_SKIP() << "needs 4096 open files (ulimit -n is " << files.rlim_cur << " and cannot be raised)";
  // The service was started before the limit was raised: start it again with it.
  service.reset();
  service = std::make_unique<gatehouse::testing::ChildProcess>(
      std::vector<std::string>{GATEHOUSE_BINARY, "serve", "--config", (dir / "config.yaml").string()});

  std::vector<std::unique_ptr<Connection>> slow;
  for (int i = 0; i < 1000; ++i) {
    slow.push_back(std::make_unique<Connection>(service->port()));
    ASSERT_TRUE(slow.back()->send_all("PUT " + record_path + " HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  }
  std::atomic<bool> stop{false};
  std::atomic<int> accepted{0}, refused{0};
  std::thread trickle([&] {
    while (!stop) {
      for (auto& c : slow) c->send_all("a");
      for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(100ms);
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&] {
      auto client = service->client();
      while (!stop) {
        auto r = client.Put(record_path, {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}}, rm_update, "application/json");
        ++(r && r->status == 202 ? accepted : refused);
      }
    });
  }
  std::vector<std::chrono::milliseconds> times;
  for (int probe = 0; probe < 100; ++probe) {
    times.push_back(healthz_time());
    std::this_thread::sleep_for(20ms);
  }
  stop = true;
  trickle.join();
  for (auto& t : writers) t.join();
  std::sort(times.begin(), times.end());
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  const auto bound = 500ms;  // a sanitized build runs several times slower; the test is of blocking, not speed
#else
  const auto bound = 100ms;
#endif
  EXPECT_LT(times[98], bound) << "p99 of 100 probes; median " << times[50].count() << " ms, max "
                              << times.back().count() << " ms";
  // The figure bench/README.md records.
  std::cout << "healthz under 1000 slow connections and writes: p50 " << times[50].count() << " ms, p99 "
            << times[98].count() << " ms, max " << times.back().count() << " ms; " << accepted.load()
            << " writes accepted meanwhile\n";
  EXPECT_GT(accepted.load(), 10) << "the write load ran";
  EXPECT_EQ(refused.load(), 0);
}

// SIGTERM: an idle connection is closed at once; a request half sent is read to its end,
// answered (with Connection: close), and then the service exits.
TEST_F(HttpHostileTest, AStopAnswersTheRequestInFlightThenExits) {
  Connection idle(service->port()), busy(service->port());
  ASSERT_TRUE(busy.send_all(put("Content-Length: " + std::to_string(rm_update.size()) + "\r\n", rm_update.substr(0, 10))));
  std::this_thread::sleep_for(100ms);
  service->signal(SIGTERM);
  EXPECT_TRUE(idle.closed_within(500ms));
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(busy.send_all(rm_update.substr(10)));
  std::string response = busy.receive();
  EXPECT_EQ(status_of(response), 202) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
  EXPECT_TRUE(busy.closed_within(2000ms));
}

}  // namespace
