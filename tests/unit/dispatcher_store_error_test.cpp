// The dispatcher when the store fails to record an outcome (disk full, database restarting):
// it records again, backing off, so the job does not stay `running` until the next start; and
// stopping does not wait on a store that never recovers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "dispatcher.hpp"
#include "gatehouse/rules_loader.hpp"
#include "gatehouse/store/sqlite_store.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// A store whose outcome writes (a job's or a delivery's) fail while `failures_left` > 0 (-1:
/// always); everything else passes to `inner`.
class FlakyOutcomeStore final : public store::Store {
 public:
  explicit FlakyOutcomeStore(store::Store& inner) : inner_(inner) {}
  std::atomic<int> failures_left{0};
  std::atomic<int> failures{0};
  std::atomic<bool> integrations_fail{false};  // the sync loop's first read (PostgreSQL stopped)

  store::OutcomeRecorded fail_attempt(const std::string& id, std::string_view claim, const store::AttemptResult& r,
                                      std::string_view now, const std::optional<std::string>& retry_at) override {
    flake();
    return inner_.fail_attempt(id, claim, r, now, retry_at);
  }
  store::OutcomeRecorded succeed(const std::string& id, std::string_view claim, const store::AttemptResult& r,
                                 const std::vector<store::CreatedRecord>& created, std::string_view now,
                                 const std::vector<store::NewJob>& children) override {
    flake();
    return inner_.succeed(id, claim, r, created, now, children);
  }
  store::OutcomeRecorded finish_webhook(const std::string& id, std::string_view claim, bool delivered,
                                        std::string_view error, std::string_view now,
                                        const std::optional<std::string>& retry_at) override {
    flake();
    return inner_.finish_webhook(id, claim, delivered, error, now, retry_at);
  }

  std::string enqueue(const store::NewJob& job, std::string_view now) override { return inner_.enqueue(job, now); }
  std::optional<store::ClaimedJob> claim(std::string_view worker, std::string_view now) override {
    return inner_.claim(worker, now);
  }
  std::size_t resume_interrupted(std::string_view now) override { return inner_.resume_interrupted(now); }
  std::optional<store::WriteStatus> write_status(std::string_view customer, std::string_view root) override {
    return inner_.write_status(customer, root);
  }
  void put_customer(std::string_view customer, std::string_view key) override { inner_.put_customer(customer, key); }
  std::optional<std::string> customer_for_key(std::string_view key) override { return inner_.customer_for_key(key); }
  void set_webhook(std::string_view customer, std::string_view url, std::string_view secret) override {
    inner_.set_webhook(customer, url, secret);
  }
  std::optional<store::WebhookDelivery> claim_webhook(std::string_view now) override { return inner_.claim_webhook(now); }
  void put_integration(const store::Integration& i) override { inner_.put_integration(i); }
  std::vector<store::Integration> integrations() override {
    if (integrations_fail) throw std::runtime_error("server closed the connection unexpectedly");
    return inner_.integrations();
  }
  std::optional<store::Integration> integration(std::string_view customer, std::string_view id) override {
    return inner_.integration(customer, id);
  }
  std::string put_record(const store::CachedRecord& r) override { return inner_.put_record(r); }
  std::optional<store::CachedRecord> record(std::string_view customer, std::string_view model,
                                            std::string_view id) override {
    return inner_.record(customer, model, id);
  }
  std::optional<store::RecordKey> record_key(std::string_view customer, std::string_view model,
                                             std::string_view id) override {
    return inner_.record_key(customer, model, id);
  }
  std::vector<store::CachedRecord> records_by_native_id(std::string_view customer, std::string_view model,
                                                        std::string_view native_id) override {
    return inner_.records_by_native_id(customer, model, native_id);
  }

 private:
  void flake() {
    int left = failures_left.load();
    while (left != 0) {
      if (left < 0 || failures_left.compare_exchange_weak(left, left - 1)) {
        ++failures;
        throw std::runtime_error("database or disk is full");
      }
    }
  }
  store::Store& inner_;
};

class DispatcherStoreError : public ::testing::Test {
 protected:
  void SetUp() override {
    Compilation c = compile_directory(fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules");
    ASSERT_TRUE(c.ok()) << c.render_diagnostics();
    engine = std::make_unique<Engine>(c.program);
    sqlite.put_customer("acme", "key-acme");
    // Nothing listens on port 1: every call is refused at once, and with one attempt allowed
    // the job fails for good; that failure is the outcome to record.
    sqlite.put_integration({"int-rm", "acme", "RENTMANAGER", "http://127.0.0.1:1"});
    options.workers = 1;
    options.max_attempts = 1;
    options.sync_interval = 0s;
    connectors = load_connectors(fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules");
  }
  std::string enqueue() {
    store::NewJob job{"acme", "int-rm", "RENTMANAGER", "residents", "update", "res-1",
                      R"({"last_name":"Lee"})", "accept", "v1", ""};
    return flaky.enqueue(job, "2026-11-28T10:00:00.000Z");
  }
  std::optional<store::WriteStatus> wait_finished(const std::string& id, std::chrono::milliseconds limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto status = sqlite.write_status("acme", id);
      if ((status && status->finished_at) || std::chrono::steady_clock::now() > until) return status;
      std::this_thread::sleep_for(10ms);
    }
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
  EXPECT_EQ(sqlite.resume_interrupted("2026-11-28T10:01:00.000Z"), 1u);
}

}  // namespace
}  // namespace gatehouse::service
