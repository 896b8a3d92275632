// Hostile HTTP against the real `gatehouse serve`: slow clients, oversized headers, lying
// Content-Length, chunked bodies past the limit, many connections at once. Each gets a clear
// answer (in the one error shape) or a closed connection, and the service keeps serving others.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
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

class HttpHostileTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("gatehouse_hostile_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::unique_ptr<gatehouse::testing::ChildProcess> service;

  void SetUp() override {
    fs::create_directories(dir);
    std::ofstream(dir / "config.yaml")
        << "rules: " << (fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules").string()
        << "\nstore: jobs.db\nlisten: 127.0.0.1:0\nmax_payload_bytes: 4096\n"
           "http: {threads: 32, read_timeout_ms: 1000, write_timeout_ms: 1000, keep_alive_timeout_seconds: 1,"
           " keep_alive_max_requests: 3}\n"
           "dispatcher: {workers: 0}\n"
           "customers:\n  - {id: acme, api_key: key-acme}\n"
           "integrations:\n  - {id: int-rm, customer: acme, pms: RENTMANAGER, base_url: 'http://127.0.0.1:1'}\n"
           "records:\n  - {model: residents, id: res-rm, integration: int-rm, data: '{\"last_name\":\"Lee\"}'}\n";
    service = std::make_unique<gatehouse::testing::ChildProcess>(
        std::vector<std::string>{GATEHOUSE_BINARY, "serve", "--config", (dir / "config.yaml").string()});
    // The seeded record's path, by gatehouse's id (the seed gave the PMS's).
    auto r = service->client().Get("/v1/residents?x_id=res-rm", {{"Authorization", "Bearer key-acme"}});
    ASSERT_TRUE(r);
    auto at = r->body.find("\"id\":\"rec_");
    ASSERT_NE(at, std::string::npos) << r->body;
    record_path = "/v1/residents/" + r->body.substr(at + 6, 36);
  }
  void TearDown() override {
    service.reset();
    fs::remove_all(dir);
  }

  /// The service still answers /healthz (within `wait`).
  bool healthy(std::chrono::milliseconds wait = 3000ms) {
    Connection c(service->port());
    c.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return status_of(c.receive(wait)) == 200;
  }

  std::string record_path;

  std::string put(const std::string& headers, const std::string& body) const {
    return "PUT " + record_path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-acme\r\n"
           "Content-Type: application/json\r\n" + headers + "\r\n" + body;
  }
};

TEST_F(HttpHostileTest, ASlowClientIsCutOffAndOthersAreServed) {
  Connection slow(service->port());
  ASSERT_TRUE(slow.send_all("PUT " + record_path + " HTTP/1.1\r\nHost: x\r\n"));  // and then nothing
  EXPECT_TRUE(healthy(500ms)) << "another client is served meanwhile";
  EXPECT_TRUE(slow.closed_within(4000ms)) << "the read timeout (1 s) closes the connection";
}

TEST_F(HttpHostileTest, OversizedHeadersAreRefused) {
  Connection c(service->port());
  c.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100000, 'a') + "\r\n\r\n");
  std::string response = c.receive();
  EXPECT_TRUE(response.empty() || status_of(response) >= 400) << response.substr(0, 200);
  EXPECT_TRUE(healthy());
}

TEST_F(HttpHostileTest, AContentLengthLongerThanTheBodyTimesOut) {
  Connection c(service->port());
  c.send_all(put("Content-Length: 100\r\n", R"({"last_name":)"));
  std::string response = c.receive(4000ms);
  EXPECT_TRUE(response.empty() || status_of(response) == 400) << response;
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

TEST_F(HttpHostileTest, ManyIdleConnectionsHoldAThreadOnlyUntilTheTimeout) {
  // 128 connections that send nothing, on 32 threads: each idle one is dropped after the 1 s
  // keep-alive timeout, so a real request waits at most a few seconds, then is served.
  std::vector<std::unique_ptr<Connection>> idle;
  for (int i = 0; i < 128; ++i) idle.push_back(std::make_unique<Connection>(service->port()));
  EXPECT_TRUE(healthy(15000ms));
  idle.clear();
  EXPECT_TRUE(healthy(3000ms));
}

TEST_F(HttpHostileTest, AKeptAliveConnectionIsClosedAfterItsMaximumOfRequests) {
  // keep_alive_max_requests: 3, so a client holding a thread gives it up after its third answer.
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

}  // namespace
