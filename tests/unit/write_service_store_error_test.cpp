// The request path when the store fails (SQLite's disk full, PostgreSQL stopped): 503
// `store_unavailable` in the service's error shape, with Retry-After, counted in /metrics, the
// database's words kept out of the answer; and the next request, once the store is back, works.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "forwarding_store.hpp"
#include "gatehouse/rules_loader.hpp"
#include "gatehouse/store/sqlite_store.hpp"
#include "gatehouse/service/write_service.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;

/// Fails every call a request makes while `down` is set.
class DownStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> down{false};
  std::atomic<bool> enqueue_down{false};

  std::optional<std::string> customer_for_key(std::string_view key) override {
    if (down) throw store::StoreUnavailable("store: postgres: server closed the connection unexpectedly");
    return inner_.customer_for_key(key);
  }
  std::string enqueue(const store::NewJob& job, std::string_view now) override {
    if (enqueue_down) throw store::StoreUnavailable("store: insert job: database or disk is full");
    return inner_.enqueue(job, now);
  }
  std::atomic<bool> count_down{false};
  store::Result<std::size_t> unfinished_jobs(std::string_view customer) override {
    if (count_down) return store::StoreError::unavailable("store: postgres: server closed the connection unexpectedly");
    return inner_.unfinished_jobs(customer);
  }
};

class StoreErrorTest : public ::testing::Test {
 protected:
  fs::path file = fs::temp_directory_path() / ("gatehouse_store_error_" + std::to_string(::getpid()) + ".db");
  std::unique_ptr<store::SqliteStore> sqlite;
  std::unique_ptr<DownStore> store;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<WriteService> service;

  void SetUp() override {
    Compilation c = compile_directory(fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules");
    ASSERT_TRUE(c.ok()) << c.render_diagnostics();
    engine = std::make_unique<Engine>(c.program);
    sqlite = std::make_unique<store::SqliteStore>(file.string());
    sqlite->put_customer("acme", "key-acme");
    sqlite->put_integration({"int-bd", "acme", "BUILDIUM", "http://127.0.0.1:1"});
    store = std::make_unique<DownStore>(*sqlite);
    service = std::make_unique<WriteService>(*engine, *store);
  }
  void TearDown() override {
    service.reset();
    store.reset();
    sqlite.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
  }

  HttpResponse create_resident() {
    HttpRequest r;
    r.method = "POST";
    r.path = "/v1/residents/";
    r.headers["authorization"] = "Bearer key-acme";
    r.headers["content-type"] = "application/json";
    r.body = R"({"integration_id":"int-bd","lease_id":"l1","first_name":"Ada","last_name":"Lee","address_1":"1 Main St"})";
    return service->handle(r);
  }
  std::string metrics() {
    HttpRequest r;
    r.method = "GET";
    r.path = "/metrics";
    return service->handle(r).body;
  }
};

TEST_F(StoreErrorTest, AStoreThatIsDownAnswers503AndTheServiceRecovers) {
  HttpResponse before = create_resident();
  ASSERT_EQ(before.status, 202) << before.body;

  store->down = true;
  HttpResponse down = create_resident();
  EXPECT_EQ(down.status, 503);
  EXPECT_NE(down.body.find(R"("code":"store_unavailable")"), std::string::npos) << down.body;
  EXPECT_EQ(down.body.find("postgres"), std::string::npos) << "the database's words stay in the log: " << down.body;
  bool retry_after = false;
  for (const auto& [name, value] : down.headers) retry_after |= name == "Retry-After" && value == "1";
  EXPECT_TRUE(retry_after);

  store->down = false;
  store->enqueue_down = true;  // the disk fills between the decision and the job
  EXPECT_EQ(create_resident().status, 503);

  store->enqueue_down = false;
  EXPECT_EQ(create_resident().status, 202);
  std::string m = metrics();
  EXPECT_NE(m.find("gatehouse_responses_total{status=\"503\"} 2"), std::string::npos) << m;
  EXPECT_NE(m.find("gatehouse_store_unavailable_total 2"), std::string::npos) << m;
}

TEST_F(StoreErrorTest, AKeyCheckedFromTheHeadAloneAnswers503WhenTheStoreIsDown) {
  store->down = true;
  HttpRequest head;
  head.method = "PUT";
  head.path = "/crm/v1/prospects/p1";
  head.headers["authorization"] = "Bearer key-acme";
  auto refused = service->authorize(head);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503);
  EXPECT_NE(refused->body.find(R"("code":"store_unavailable")"), std::string::npos) << refused->body;
}

TEST_F(StoreErrorTest, TheHealthCheckDoesNotNeedTheStore) {
  store->down = true;
  HttpRequest r;
  r.method = "GET";
  r.path = "/healthz";
  EXPECT_EQ(service->handle(r).status, 200);
}

TEST_F(StoreErrorTest, AQueueCapTheStoreCannotCountIs503NotAnAcceptedWrite) {
  WriteServiceHooks hooks;
  hooks.max_queued_jobs = [](std::string_view) { return std::size_t{100}; };
  service->set_hooks(std::move(hooks));
  ASSERT_EQ(create_resident().status, 202);
  store->count_down = true;
  HttpResponse down = create_resident();
  EXPECT_EQ(down.status, 503);
  EXPECT_NE(down.body.find(R"("code":"store_unavailable")"), std::string::npos) << down.body;
  EXPECT_EQ(down.body.find("postgres"), std::string::npos) << "the database's words stay in the log: " << down.body;
  EXPECT_EQ(sqlite->unfinished_jobs("acme").value(), 1u) << "nothing stored";
  store->count_down = false;
  EXPECT_EQ(create_resident().status, 202);
  EXPECT_NE(metrics().find("gatehouse_store_unavailable_total 1"), std::string::npos) << metrics();
}

}  // namespace
}  // namespace gatehouse::service
