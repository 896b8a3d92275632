// Outbound calls (to a PMS or a webhook) against a local server whose answers are hostile: a
// gzip bomb, and bodies far larger than the call's limit, with and without a declared length.
// The call fails with a clear error, reads no more than its limit, and drops the connection.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/resource.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "gatehouse/dispatch/dispatcher.hpp"
#include "gatehouse/rules_loader.hpp"
#include "gatehouse/store/sqlite_store.hpp"
#include "gatehouse/dispatch/pms_client.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::size_t total_bytes = 64u << 20;  // what the large answers would send in all
constexpr std::size_t piece = 64u << 10;        // sent this much at a time

/// `size` zero bytes, gzipped (about a thousandth of `size`).
std::string gzip_of_zeros(std::size_t size) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string zeros(piece, '\0'), out;
  char buffer[16384];
  for (std::size_t fed = 0; fed < size; fed += piece) {
    z.next_in = reinterpret_cast<Bytef*>(zeros.data());
    z.avail_in = static_cast<uInt>(piece);
    int flush = fed + piece >= size ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof buffer;
      deflate(&z, flush);
      out.append(buffer, sizeof buffer - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

long max_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

/// The hostile receiver, on a port of its own, for one test.
class HostileServer {
 public:
  HostileServer() {
    server_.Get("/small", [this](const httplib::Request& req, httplib::Response& res) {
      remember_accept_encoding(req);
      res.set_content(R"({"ok":true})", "application/json");
    });
    server_.Get("/rejected", [](const httplib::Request&, httplib::Response& res) {
      res.status = 422;
      res.set_content(R"({"error":"bad phone"})", "application/json");
    });
    // 64 MiB of zeros in some 64 KB of gzip, sent as gzip whatever the client asked for; also
    // as a PMS's answer to a write (Rent Manager's tenants).
    auto bomb = [this](const httplib::Request& req, httplib::Response& res) {
      remember_accept_encoding(req);
      res.set_header("Content-Encoding", "gzip");
      res.set_content(bomb_, "application/octet-stream");  // a type the test server does not compress itself
    };
    server_.Post("/bomb", bomb);
    server_.Post("/Tenants", bomb);
    // 64 MiB with its length declared up front.
    server_.Get("/declared", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(total_bytes, "application/octet-stream",
                               [this](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                 return send_piece(offset, sink);
                               });
    });
    // 64 MiB chunked: no length said, so the client learns the size only by reading.
    // Also as a webhook receiver's answer to a delivery.
    auto streamed = [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/octet-stream", [this](std::size_t offset, httplib::DataSink& sink) {
        if (offset >= total_bytes) {
          sink.done();
          return true;
        }
        return send_piece(offset, sink);
      });
    };
    server_.Get("/streamed", streamed);
    server_.Post("/hooks", streamed);
    server_.set_keep_alive_timeout(1);  // stop() waits for a kept-alive connection to go idle this long
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~HostileServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string accept_encoding() {
    std::lock_guard lock(mutex_);
    return accept_encoding_;
  }
  /// How much of a large answer went out, once the server stopped sending it (it stops when
  /// the client drops the connection, or when all is sent).
  std::size_t sent_when_done(std::chrono::seconds limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (!sending_done_ && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
    return sent_;
  }

 private:
  bool send_piece(std::size_t offset, httplib::DataSink& sink) {
    static const std::string zeros(piece, '0');
    std::size_t n = std::min(piece, total_bytes - offset);
    if (!sink.write(zeros.data(), n)) {
      sending_done_ = true;  // the client is gone
      return false;
    }
    sent_ += n;
    if (sent_ >= total_bytes) sending_done_ = true;
    return true;
  }
  void remember_accept_encoding(const httplib::Request& req) {
    std::lock_guard lock(mutex_);
    accept_encoding_ = req.get_header_value("Accept-Encoding");
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  const std::string bomb_ = gzip_of_zeros(total_bytes);
  std::mutex mutex_;
  std::string accept_encoding_;
  std::atomic<std::size_t> sent_{0};
  std::atomic<bool> sending_done_{false};
};

const CallLimits limits{5000ms, 256u << 10};

TEST(PmsClient, AsksForAnUncompressedAnswerAndReadsAnOrdinaryOne) {
  HostileServer server;
  CallResult call = http_call(server.url(), "GET", "/small", "", {}, limits);
  EXPECT_EQ(call.status, 200) << call.error;
  EXPECT_EQ(call.body, R"({"ok":true})");
  EXPECT_FALSE(call.answer_refused);
  EXPECT_EQ(server.accept_encoding(), "identity") << "the client did not ask for an uncompressed answer";

  CallResult rejected = http_call(server.url(), "GET", "/rejected", "", {}, limits);
  EXPECT_EQ(rejected.status, 422) << "an error answer is read too (its message goes to write-status)";
  EXPECT_EQ(rejected.body, R"({"error":"bad phone"})");
}

TEST(PmsClient, CredentialsInAUrlAreNotInItsErrors) {
  // What an error says reaches the write-status (the customer's) and the log (the operator's).
  const CallLimits quick{500ms, 256u << 10};
  CallResult unreachable = http_call("http://pms-user:s3cret-pw@127.0.0.1:1/api", "GET", "/x", "", {}, quick);
  EXPECT_EQ(unreachable.status, 0);
  EXPECT_EQ(unreachable.error.find("s3cret-pw"), std::string::npos) << unreachable.error;
  EXPECT_NE(unreachable.error.find("http://***@127.0.0.1:1"), std::string::npos) << unreachable.error;
  CallResult malformed = http_call("pms-user:s3cret-pw@127.0.0.1:1", "GET", "/x", "", {}, quick);
  EXPECT_EQ(malformed.error.find("s3cret-pw"), std::string::npos) << malformed.error;
}

TEST(PmsClient, ACompressedAnswerIsRefusedNotInflated) {
  HostileServer server;
  long before = max_rss_kib();
  CallResult call = http_call(server.url(), "POST", "/bomb", "{}", {}, limits);
  long grown_mib = (max_rss_kib() - before) / 1024;
  EXPECT_EQ(call.status, 0) << "a gzip answer was taken (" << call.body.size() << " bytes)";
  EXPECT_TRUE(call.answer_refused);
  EXPECT_EQ(call.error, "response is compressed (Content-Encoding: gzip); only identity is accepted");
  EXPECT_TRUE(call.body.empty());
  EXPECT_LT(grown_mib, 16) << "the call's memory grew by " << grown_mib << " MiB";
  EXPECT_EQ(server.accept_encoding(), "identity");

  // The dropped connection is not reused: the next call on this thread opens another.
  EXPECT_EQ(http_call(server.url(), "GET", "/small", "", {}, limits).status, 200);
}

TEST(PmsClient, AnAnswerDeclaredLargerThanTheLimitIsRefusedBeforeItsBody) {
  HostileServer server;
  CallResult call = http_call(server.url(), "GET", "/declared", "", {}, limits);
  EXPECT_EQ(call.status, 0);
  EXPECT_TRUE(call.answer_refused);
  EXPECT_EQ(call.error, "response larger than 262144 bytes");
  EXPECT_TRUE(call.body.empty());
  std::size_t sent = server.sent_when_done(10s);
  EXPECT_LT(sent, total_bytes / 2) << "the client read on after refusing the answer";
  EXPECT_EQ(http_call(server.url(), "GET", "/small", "", {}, limits).status, 200);
}

TEST(PmsClient, AnAnswerThatGrowsPastTheLimitIsCutOff) {
  HostileServer server;
  long before = max_rss_kib();
  CallResult call = http_call(server.url(), "GET", "/streamed", "", {}, limits);
  long grown_mib = (max_rss_kib() - before) / 1024;
  EXPECT_EQ(call.status, 0) << "the whole answer was read (" << call.body.size() << " bytes)";
  EXPECT_TRUE(call.answer_refused);
  EXPECT_EQ(call.error, "response larger than 262144 bytes");
  EXPECT_TRUE(call.body.empty());
  EXPECT_LT(grown_mib, 16) << "the call's memory grew by " << grown_mib << " MiB";
  std::size_t sent = server.sent_when_done(10s);
  EXPECT_LT(sent, total_bytes / 2) << "the client read on past its limit";
  EXPECT_EQ(http_call(server.url(), "GET", "/small", "", {}, limits).status, 200);
}

// Through the dispatcher: a PMS that answers a write with a gzip bomb fails the job's attempt
// with the reason, and a webhook receiver that answers with an endless body fails the delivery's.
TEST(PmsClient, TheDispatcherRecordsARefusedAnswerAsAFailedCallWithItsReason) {
  HostileServer server;
  const fs::path rules = fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules";
  Compilation c = compile_directory(rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  Engine engine(c.program);
  store::SqliteStore store(":memory:");
  store.put_customer("acme", "key-acme").value();
  store.set_webhook("acme", server.url() + "/hooks", "s3cret").value();
  store.put_integration({"int-rm", "acme", "RENTMANAGER", server.url()}).value();
  DispatcherOptions options;
  options.workers = 1;
  options.max_attempts = 1;
  options.webhook_max_attempts = 1;
  options.sync_interval = 0s;
  options.max_response_bytes = 256u << 10;
  Dispatcher::Connectors connectors = load_connectors(rules);
  Dispatcher dispatcher(engine, store, connectors, options);
  dispatcher.start();
  std::string id = store.enqueue({"acme", "int-rm", "RENTMANAGER", "residents", ast::Operation::update, "res-1",
                                  R"({"last_name":"Lee"})", Verdict::accept, "v1", ""},
                                 "2026-11-28T10:00:00.000Z").value();
  dispatcher.wake();
  std::string metrics;
  for (auto until = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < until;) {
    metrics.clear();
    dispatcher.append_metrics(metrics);
    if (metrics.find("gatehouse_webhooks_total{outcome=\"failed\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  dispatcher.stop();
  auto status = store.write_status("acme", id).value();
  ASSERT_TRUE(status && status->finished_at);
  EXPECT_EQ(status->state, store::WriteState::failure);
  ASSERT_EQ(status->attempts.size(), 1u);
  EXPECT_EQ(status->attempts[0].code, "response_refused");
  EXPECT_EQ(status->attempts[0].message, "response is compressed (Content-Encoding: gzip); only identity is accepted");
  EXPECT_NE(metrics.find("gatehouse_webhooks_total{outcome=\"failed\"} 1"), std::string::npos)
      << "the delivery whose answer had no end did not fail\n" << metrics;
  EXPECT_LT(server.sent_when_done(10s), total_bytes / 2) << "the webhook sender read on past its limit";
}

}  // namespace
}  // namespace gatehouse::service
