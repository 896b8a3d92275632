// The dispatcher when the store fails to record an outcome (disk full, database restarting):
// it records again, backing off, so the job does not stay `running` until the next start; and
// stopping does not wait on a store that never recovers. When the store fails to claim, or to
// read what a job or a webhook delivery needs, the worker backs off and tries again, counted;
// the job or delivery it held is tried again later, not left claimed. The store's failures are
// the errors it returns (store/result.hpp), as a real store's are: nothing is thrown.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <thread>

#include "dispatcher_test_support.hpp"
#include "forwarding_store.hpp"
#include "gatehouse/store/sqlite_store.hpp"

namespace gatehouse::service {
namespace {

using namespace std::chrono_literals;

/// A store whose outcome writes (a job's or a delivery's) return an error while `failures_left`
/// > 0 (-1: always); everything else passes to `inner`.
class FlakyOutcomeStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<int> failures_left{0};
  std::atomic<int> failures{0};
  std::atomic<bool> integrations_fail{false};  // the sync loop's first read (PostgreSQL stopped)
  std::atomic<bool> claims_fail{false};        // a worker's claims, of jobs and of deliveries
  std::atomic<int> claim_tries{0};
  std::atomic<int> integration_failures_left{0};   // what a job reads before its call
  std::atomic<int> write_status_failures_left{0};  // what a delivery reads before it is sent
  std::atomic<bool> put_record_fails{false};        // what a sync keeps

  store::Result<store::OutcomeRecorded> fail_attempt(const std::string& id, std::string_view claim,
                                                     const store::AttemptResult& r, std::string_view now,
                                                     const std::optional<std::string>& retry_at) override {
    if (flake()) return down_error("database or disk is full");
    return ForwardingStore::fail_attempt(id, claim, r, now, retry_at);
  }
  store::Result<store::OutcomeRecorded> succeed(const std::string& id, std::string_view claim,
                                                const store::AttemptResult& r,
                                                const std::vector<store::CreatedRecord>& created, std::string_view now,
                                                const std::vector<store::NewJob>& children) override {
    if (flake()) return down_error("database or disk is full");
    return ForwardingStore::succeed(id, claim, r, created, now, children);
  }
  store::Result<store::OutcomeRecorded> finish_webhook(const std::string& id, std::string_view claim, bool delivered,
                                                       std::string_view error, std::string_view now,
                                                       const std::optional<std::string>& retry_at) override {
    if (flake()) return down_error("database or disk is full");
    return ForwardingStore::finish_webhook(id, claim, delivered, error, now, retry_at);
  }
  store::Result<std::optional<store::ClaimedJob>> claim(std::string_view worker, std::string_view now) override {
    ++claim_tries;
    if (claims_fail) return down_error("server closed the connection unexpectedly");
    return ForwardingStore::claim(worker, now);
  }
  store::Result<std::optional<store::WriteStatus>> write_status(std::string_view customer,
                                                                std::string_view root) override {
    if (take(write_status_failures_left)) return down_error("database or disk is full");
    return ForwardingStore::write_status(customer, root);
  }
  store::Result<std::optional<store::WebhookDelivery>> claim_webhook(std::string_view now) override {
    if (claims_fail) return down_error("server closed the connection unexpectedly");
    return ForwardingStore::claim_webhook(now);
  }
  std::atomic<int> retention_failures_left{0};  // retention's deletes (a full disk)
  std::atomic<int> retention_tries{0};
  store::Result<std::size_t> delete_finished_writes(std::string_view cutoff, std::size_t max_writes) override {
    ++retention_tries;
    if (take(retention_failures_left)) return store::StoreError::unavailable("database or disk is full");
    return ForwardingStore::delete_finished_writes(cutoff, max_writes);
  }
  store::Result<std::vector<store::Integration>> integrations() override {
    if (integrations_fail) return down_error("server closed the connection unexpectedly");
    return ForwardingStore::integrations();
  }
  store::Result<std::optional<store::Integration>> integration(std::string_view customer, std::string_view id) override {
    if (take(integration_failures_left)) return down_error("server closed the connection unexpectedly");
    return ForwardingStore::integration(customer, id);
  }
  store::Result<std::string> put_record(const store::CachedRecord& r) override {
    if (put_record_fails) return down_error("database or disk is full");
    return ForwardingStore::put_record(r);
  }

 private:
  static bool take(std::atomic<int>& left) {
    int n = left.load();
    while (n > 0)
      if (left.compare_exchange_weak(n, n - 1)) return true;
    return false;
  }
  /// Whether this outcome write fails (counted).
  bool flake() {
    int left = failures_left.load();
    while (left != 0) {
      if (left < 0 || failures_left.compare_exchange_weak(left, left - 1)) {
        ++failures;
        return true;
      }
    }
    return false;
  }
};

class DispatcherStoreError : public ::testing::Test {
 protected:
  void SetUp() override {
    engine = std::make_unique<Engine>(service_testing::test_rules());
    sqlite.put_customer("acme", "key-acme").value();
    // Nothing listens on port 1: every call is refused at once, and with one attempt allowed
    // the job fails for good; that failure is the outcome to record.
    sqlite.put_integration({"int-rm", "acme", "RENTMANAGER", "http://127.0.0.1:1"}).value();
    options.workers = 1;
    options.max_attempts = 1;
    options.sync_interval = 0s;
    connectors = service_testing::test_connectors();
  }
  std::string enqueue() {
    store::NewJob job{"acme", "int-rm", "RENTMANAGER", "residents", ast::Operation::update, "res-1",
                      R"({"last_name":"Lee"})", Verdict::accept, "v1", ""};
    return flaky.enqueue(job, "2026-11-28T10:00:00.000Z").value();
  }
  std::optional<store::WriteStatus> wait_finished(const std::string& id, std::chrono::milliseconds limit) {
    return service_testing::wait_finished(sqlite, "acme", id, limit);
  }

  std::unique_ptr<Engine> engine;
  store::SqliteStore sqlite{":memory:"};
  FlakyOutcomeStore flaky{sqlite};
  DispatcherOptions options;
  Dispatcher::Connectors connectors;
};

TEST_F(DispatcherStoreError, AnOutcomeTheStoreFailedIsRecordedOnceItRecovers) {
  flaky.failures_left = 3;
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  dispatcher.start();
  std::string id = enqueue();
  dispatcher.wake();
  auto status = wait_finished(id, 10s);
  dispatcher.stop();
  ASSERT_TRUE(status && status->finished_at) << "the job stayed running after the store recovered";
  EXPECT_EQ(status->state, store::WriteState::failure);
  EXPECT_EQ(status->attempts.size(), 1u) << "recorded once";
  EXPECT_EQ(flaky.failures, 3);
  std::string metrics;
  dispatcher.append_metrics(metrics);
  EXPECT_NE(metrics.find("gatehouse_outcome_store_errors_total 3"), std::string::npos) << metrics;
}

// The sync loop let the store's exception escape its thread, and the process aborted within a
// second of PostgreSQL stopping. A failed round is counted and the next one tries again.
TEST_F(DispatcherStoreError, TheSyncLoopOutlivesAStoreThatFails) {
  flaky.integrations_fail = true;
  options.sync_interval = 1s;
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  dispatcher.start();
  std::string metrics;
  auto until = std::chrono::steady_clock::now() + 10s;
  while (metrics.find("gatehouse_sync_errors_total 2") == std::string::npos && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);
    metrics.clear();
    dispatcher.append_metrics(metrics);
  }
  EXPECT_NE(metrics.find("gatehouse_sync_errors_total 2"), std::string::npos) << "two failed rounds, both counted";
  flaky.integrations_fail = false;
  dispatcher.stop();
}

// Retention runs at start and every retention_interval; a round the store fails is counted and
// tried again after a backoff (250 ms, doubling), never ending the loop, and once the store is
// back the expired writes go.
TEST_F(DispatcherStoreError, RetentionBacksOffWhileTheStoreFailsAndDeletesAfter) {
  // A write that finished years ago, and one still queued (never deleted, whatever its age).
  store::NewJob job{"acme", "int-rm", "RENTMANAGER", "residents", ast::Operation::update, "res-1",
                    R"({"last_name":"Lee"})", Verdict::accept, "v1", ""};
  std::string old = sqlite.enqueue(job, "2020-01-01T00:00:00.000Z").value();
  auto claimed = sqlite.claim("w", "2020-01-01T00:00:00.000Z").value();
  ASSERT_TRUE(claimed);
  sqlite.fail_attempt(old, claimed->claim, {409, "pms_rejected", "no"}, "2020-01-01T00:00:01.000Z", std::nullopt).value();
  std::string queued = sqlite.enqueue(job, "2020-01-01T00:00:00.000Z").value();
  flaky.retention_failures_left = 2;
  options.workers = 0;
  options.retention = 24h;
  options.retention_interval = 1h;
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  auto started = std::chrono::steady_clock::now();
  dispatcher.start();
  // Until the deletion is counted (the store's rows go a moment before the count moves).
  std::string metrics;
  for (auto until = started + 10s; std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(10ms)) {
    metrics.clear();
    dispatcher.append_metrics(metrics);
    if (metrics.find("gatehouse_expired_writes_deleted_total 1\n") != std::string::npos) break;
  }
  auto took = std::chrono::steady_clock::now() - started;
  dispatcher.stop();
  EXPECT_FALSE(sqlite.write_status("acme", old).value()) << "the expired write is still there";
  EXPECT_TRUE(sqlite.write_status("acme", queued).value()) << "an unfinished write is never deleted";
  EXPECT_EQ(flaky.retention_tries.load(), 3) << "two failed rounds, then the one that went through";
  EXPECT_GE(took, 700ms) << "the rounds backed off (250 ms, then 500 ms)";
  EXPECT_NE(metrics.find("gatehouse_retention_errors_total 2\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("gatehouse_expired_writes_deleted_total 1\n"), std::string::npos) << metrics;
}

TEST_F(DispatcherStoreError, RetentionZeroKeepsFinishedWritesForGood) {
  store::NewJob job{"acme", "int-rm", "RENTMANAGER", "residents", ast::Operation::update, "res-1",
                    R"({"last_name":"Lee"})", Verdict::accept, "v1", ""};
  std::string old = sqlite.enqueue(job, "2020-01-01T00:00:00.000Z").value();
  auto claimed = sqlite.claim("w", "2020-01-01T00:00:00.000Z").value();
  ASSERT_TRUE(claimed);
  sqlite.succeed(old, claimed->claim, {200, "ok", "updated"}, {}, "2020-01-01T00:00:01.000Z").value();
  options.retention = 0s;
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  EXPECT_EQ(dispatcher.delete_expired_writes().value(), 0u);
  EXPECT_EQ(flaky.retention_tries.load(), 0) << "the store is not asked";
  EXPECT_TRUE(sqlite.write_status("acme", old).value());
}

TEST_F(DispatcherStoreError, StoppingDoesNotWaitForAStoreThatNeverRecovers) {
  flaky.failures_left = -1;
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  dispatcher.start();
  std::string id = enqueue();
  dispatcher.wake();
  auto until = std::chrono::steady_clock::now() + 10s;
  while (flaky.failures < 2 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
  ASSERT_GE(flaky.failures, 2) << "the outcome was not tried again";
  auto started = std::chrono::steady_clock::now();
  dispatcher.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  // Left claimed: the next start queues it again.
  EXPECT_EQ(sqlite.resume_interrupted("2026-11-28T10:01:00.000Z").value(), 1u);
}

// A claim the store fails (PostgreSQL stopped) is counted, and the worker backs off rather than
// hammer the store at every wake-up; once the store is back, the work goes on.
TEST_F(DispatcherStoreError, AWorkerBacksOffWhileTheStoreFailsToClaimAndGoesOnAfter) {
  flaky.claims_fail = true;
  options.idle_poll = 5ms;
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  dispatcher.start();
  auto until = std::chrono::steady_clock::now() + 1s;
  while (std::chrono::steady_clock::now() < until) {
    dispatcher.wake();  // writes keep coming while the store is down
    std::this_thread::sleep_for(5ms);
  }
  int tries = flaky.claim_tries;
  std::string metrics = service_testing::metrics_of(dispatcher);
  EXPECT_GE(tries, 2) << "the worker gave up on the store";
  EXPECT_LE(tries, 12) << "no backoff: " << tries << " claims in a second";
  std::smatch counted;
  ASSERT_TRUE(std::regex_search(metrics, counted, std::regex("gatehouse_worker_store_errors_total (\\d+)"))) << metrics;
  EXPECT_NEAR(std::stoi(counted[1]), tries, 1) << "each failed claim is counted (one may be under way)";

  flaky.claims_fail = false;
  std::string id = enqueue();
  auto status = wait_finished(id, 10s);
  dispatcher.stop();
  ASSERT_TRUE(status && status->finished_at) << "the worker did not go on once the store was back";
  EXPECT_EQ(status->state, store::WriteState::failure);  // port 1 refuses: the job's own outcome
}

// The store fails to read the job's integration: no call is made, and the job is due again
// (an attempt, with the store's error) rather than left claimed until the next start.
TEST_F(DispatcherStoreError, AJobWhoseReadsTheStoreFailedIsTriedAgain) {
  flaky.integration_failures_left = 1;
  options.max_attempts = 2;
  options.backoff = 10ms;
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  dispatcher.start();
  std::string id = enqueue();
  dispatcher.wake();
  auto status = wait_finished(id, 10s);
  std::string metrics = service_testing::metrics_of(dispatcher);
  dispatcher.stop();
  ASSERT_TRUE(status && status->finished_at) << "the job stayed claimed after the store failed to read it";
  ASSERT_EQ(status->attempts.size(), 2u);
  EXPECT_EQ(status->attempts[0].code, "store_unavailable");
  EXPECT_NE(status->attempts[0].message.find("server closed the connection unexpectedly"), std::string::npos);
  EXPECT_EQ(status->attempts[1].code, "unreachable") << "the second attempt made its call";
  EXPECT_NE(metrics.find("gatehouse_worker_store_errors_total 1"), std::string::npos) << metrics;
}

// The store fails to read the write a delivery reports: nothing is sent, the delivery is due
// again, and the receiver gets it once the store is back (it stayed `sending` before, and with
// SQLite was never sent until the next start).
TEST_F(DispatcherStoreError, ADeliveryWhoseWriteTheStoreFailedToReadIsSentLater) {
  httplib::Server receiver;
  std::atomic<int> received{0};
  receiver.Post("/hooks", [&](const httplib::Request&, httplib::Response& res) {
    ++received;
    res.status = 204;
  });
  int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  sqlite.set_webhook("acme", "http://127.0.0.1:" + std::to_string(port) + "/hooks", "s3cret").value();
  flaky.write_status_failures_left = 1;
  options.backoff = 10ms;
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  dispatcher.start();
  enqueue();  // fails for good at once (port 1), which queues the delivery
  dispatcher.wake();
  // Until the dispatcher has recorded the delivery (the receiver counts it before it answers).
  std::string metrics;
  for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;) {
    metrics = service_testing::metrics_of(dispatcher);
    if (metrics.find("gatehouse_webhooks_total{outcome=\"delivered\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(10ms);
  }
  dispatcher.stop();
  receiver.stop();
  serving.join();
  EXPECT_EQ(received, 1) << "the delivery was lost to the store's failure";
  EXPECT_NE(metrics.find("gatehouse_webhooks_total{outcome=\"retried\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("gatehouse_webhooks_total{outcome=\"delivered\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("gatehouse_worker_store_errors_total 1"), std::string::npos) << metrics;
}

// One round, inline: the store's error when it failed to claim, as a value (nothing thrown); a
// round with nothing due is false, not an error.
TEST_F(DispatcherStoreError, ARoundGivesTheStoresErrorWhenItCannotClaim) {
  Dispatcher dispatcher(*engine, flaky, connectors, options);
  auto idle = dispatcher.run_once();
  ASSERT_TRUE(idle) << idle.error().message;
  EXPECT_FALSE(*idle) << "nothing was due";

  flaky.claims_fail = true;
  store::Result<bool> failed = false;
  EXPECT_NO_THROW(failed = dispatcher.run_once());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, store::StoreError::Kind::unavailable);
  EXPECT_EQ(failed.error().message, "server closed the connection unexpectedly");

  flaky.claims_fail = false;
  std::string id = enqueue();
  auto worked = dispatcher.run_once();
  ASSERT_TRUE(worked);
  EXPECT_TRUE(*worked);
  auto status = sqlite.write_status("acme", id).value();
  ASSERT_TRUE(status && status->finished_at);
}

// A sync asked for now (POST /v1/admin/sync) whose store cannot list the integrations gives the
// store's error, which the write service answers 503; a record the store fails to keep is one of
// the sync's errors, and the next sync keeps it.
TEST_F(DispatcherStoreError, ASyncGivesTheStoresErrorsAsValues) {
  httplib::Server pms;
  pms.Get("/Tenants", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"([{"TenantID":5001,"LastName":"Park"}])", "application/json");
  });
  pms.set_keep_alive_max_count(1);  // each call its own connection: stopping waits for no idle one
  int port = pms.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { pms.listen_after_bind(); });
  sqlite.put_integration({"int-rm", "acme", "RENTMANAGER", "http://127.0.0.1:" + std::to_string(port)}).value();
  Dispatcher dispatcher(*engine, flaky, connectors, options);

  flaky.integrations_fail = true;
  store::Result<SyncReport> unlisted = SyncReport{};
  EXPECT_NO_THROW(unlisted = dispatcher.sync_now());
  ASSERT_FALSE(unlisted);
  EXPECT_EQ(unlisted.error().kind, store::StoreError::Kind::unavailable);

  flaky.integrations_fail = false;
  flaky.put_record_fails = true;
  auto unkept = dispatcher.sync_now();
  ASSERT_TRUE(unkept) << unkept.error().message;
  EXPECT_EQ(unkept->records, 0u);
  ASSERT_EQ(unkept->errors.size(), 1u);
  EXPECT_EQ(unkept->errors[0], "int-rm residents: the store failed: database or disk is full");

  flaky.put_record_fails = false;
  auto kept = dispatcher.sync_now();
  pms.stop();
  serving.join();
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->records, 1u);
  EXPECT_TRUE(kept->errors.empty());
  EXPECT_EQ(sqlite.records_by_native_id("acme", "residents", "5001").value().size(), 1u);
}

}  // namespace
}  // namespace gatehouse::service
