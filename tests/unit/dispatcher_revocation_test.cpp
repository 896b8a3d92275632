// The dispatcher and revocation: a job whose customer or integration is revoked fails at once
// (attempt code `revoked`) without a call to the PMS, and a revoked customer gets no webhook;
// whether a job is revoked is asked of the store itself, and a store that fails to say is retried
// like any read a job needs.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "dispatcher_test_support.hpp"
#include "forwarding_store.hpp"
#include "gatehouse/store/sqlite_store.hpp"

namespace gatehouse::service {
namespace {

using namespace std::chrono_literals;

/// The store, whose is_revoked fails while `failures_left` > 0 (PostgreSQL restarting).
class RevocationFlakyStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<int> failures_left{0};
  store::Result<bool> is_revoked(std::string_view customer, std::string_view integration) override {
    if (failures_left > 0) {
      --failures_left;
      return store::StoreError::unavailable("store: postgres: server closed the connection unexpectedly");
    }
    return ForwardingStore::is_revoked(customer, integration);
  }
};

class DispatcherRevocation : public ::testing::Test {
 protected:
  void SetUp() override {
    engine = std::make_unique<Engine>(service_testing::test_rules());
    // One PMS (and webhook receiver) for every integration: it counts what reaches it.
    pms.Post(".*", [&](const httplib::Request& req, httplib::Response& res) { answer(req, res); });
    pms.Put(".*", [&](const httplib::Request& req, httplib::Response& res) { answer(req, res); });
    port = pms.bind_to_any_port("127.0.0.1");
    serving = std::thread([&] { pms.listen_after_bind(); });
    const std::string url = "http://127.0.0.1:" + std::to_string(port);
    service_testing::put_test_customers(sqlite);
    sqlite.set_webhook("acme", url + "/hooks", "s3cret-hook").value();
    sqlite.put_integration({"int-acme", "acme", "RENTMANAGER", url}).value();
    sqlite.put_integration({"int-globex", "globex", "RENTMANAGER", url}).value();
    options.workers = 1;
    options.max_attempts = 2;
    options.backoff = 10ms;
    options.sync_interval = 0s;
    connectors = service_testing::test_connectors();
  }
  void TearDown() override {
    pms.stop();
    serving.join();
  }
  void answer(const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/hooks") {
      ++webhooks;
      res.status = 204;
      return;
    }
    ++pms_calls;
    res.status = 200;
    res.set_content(R"([{"TenantID":5001}])", "application/json");
  }
  std::string enqueue(const std::string& customer, const std::string& integration) {
    store::NewJob job{customer, integration, "RENTMANAGER", "residents", ast::Operation::update, "5001",
                      R"({"last_name":"Lee"})", Verdict::accept, "v1", ""};
    return flaky.enqueue(job, "2026-11-28T10:00:00.000Z").value();
  }
  std::optional<store::WriteStatus> wait_finished(const std::string& customer, const std::string& id) {
    return service_testing::wait_finished(sqlite, customer, id, 10s);
  }

  httplib::Server pms;
  int port = 0;
  std::thread serving;
  std::atomic<int> pms_calls{0}, webhooks{0};
  std::unique_ptr<Engine> engine;
  store::SqliteStore sqlite{":memory:"};
  RevocationFlakyStore flaky{sqlite};
  DispatcherOptions options;
  Dispatcher::Connectors connectors;
};

TEST_F(DispatcherRevocation, ARevokedCustomersJobNeverReachesItsPmsNorItsWebhook) {
  std::string queued = enqueue("acme", "int-acme");  // accepted before the revocation
  ASSERT_TRUE(sqlite.revoke_customer("acme", "2026-11-28T10:00:01.000Z").value());
  std::string control = enqueue("globex", "int-globex");
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  dispatcher.start();
  auto status = wait_finished("acme", queued);
  auto other = wait_finished("globex", control);
  std::string metrics;
  for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;) {
    metrics = service_testing::metrics_of(dispatcher);
    if (metrics.find("gatehouse_webhooks_total{outcome=\"failed\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(10ms);
  }
  dispatcher.stop();
  ASSERT_TRUE(status && status->finished_at);
  EXPECT_EQ(status->state, store::WriteState::failure);
  ASSERT_EQ(status->attempts.size(), 1u);
  EXPECT_EQ(status->attempts[0].code, "revoked");
  EXPECT_EQ(status->attempts[0].pms_status, 0);
  EXPECT_NE(status->attempts[0].message.find("was revoked: the write was not sent to the PMS"), std::string::npos)
      << status->attempts[0].message;
  ASSERT_TRUE(other && other->finished_at);
  EXPECT_EQ(other->state, store::WriteState::success) << "another customer's write goes on";
  EXPECT_EQ(pms_calls, 1) << "the one call is globex's";
  EXPECT_EQ(webhooks, 0) << "the revoked customer's webhook is not delivered";
  EXPECT_NE(metrics.find("gatehouse_webhooks_total{outcome=\"failed\"} 1"), std::string::npos) << metrics;
}

TEST_F(DispatcherRevocation, ARevokedIntegrationsJobFailsAsRevoked) {
  ASSERT_TRUE(sqlite.revoke_integration("int-acme", "2026-11-28T10:00:01.000Z").value());
  std::string id = enqueue("acme", "int-acme");
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  dispatcher.start();
  auto status = wait_finished("acme", id);
  dispatcher.stop();
  ASSERT_TRUE(status && status->finished_at);
  ASSERT_EQ(status->attempts.size(), 1u);
  EXPECT_EQ(status->attempts[0].code, "revoked");
  EXPECT_EQ(pms_calls, 0);
}

TEST_F(DispatcherRevocation, AStoreThatCannotSayWhetherAJobIsRevokedMakesNoCallAndIsTriedAgain) {
  flaky.failures_left = 1;
  std::string id = enqueue("globex", "int-globex");
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  dispatcher.start();
  auto status = wait_finished("globex", id);
  dispatcher.stop();
  ASSERT_TRUE(status && status->finished_at);
  ASSERT_EQ(status->attempts.size(), 2u);
  EXPECT_EQ(status->attempts[0].code, "store_unavailable");
  EXPECT_EQ(status->attempts[1].code, "ok");
  EXPECT_EQ(pms_calls, 1) << "one call, after the store could say";
}

}  // namespace
}  // namespace gatehouse::service
