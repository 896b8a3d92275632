// The request path when the store fails (SQLite's disk full, PostgreSQL stopped): 503
// `store_unavailable` in the service's error shape, with Retry-After, counted in /metrics, the
// database's words kept out of the answer; and the next request, once the store is back, works.
// The store's failures are the errors it returns (store/result.hpp), as a real store's are.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "forwarding_store.hpp"
#include "gatehouse/rules_loader.hpp"
#include "gatehouse/service/admin_routes.hpp"
#include "gatehouse/store/sqlite_store.hpp"
#include "gatehouse/service/write_service.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;

/// Returns an error from the key check while `down` is set, from the job's insert while
/// `enqueue_down` is, and from every read past the key check while `reads_down` is.
class DownStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> down{false};
  std::atomic<bool> enqueue_down{false};
  std::atomic<bool> reads_down{false};
  std::optional<store::StoreError> enqueue_error;  // what enqueue_down returns (a full disk by default)

  store::Result<std::optional<std::string>> customer_for_key(std::string_view key) override {
    if (down) return down_error();
    return inner_.customer_for_key(key);
  }
  store::Result<std::string> enqueue(const store::NewJob& job, std::string_view now) override {
    if (enqueue_down) return enqueue_error.value_or(down_error("store: insert job: database or disk is full"));
    return inner_.enqueue(job, now);
  }
  store::Result<std::optional<store::Integration>> integration(std::string_view customer, std::string_view id) override {
    if (reads_down) return down_error();
    return inner_.integration(customer, id);
  }
  store::Result<std::optional<store::RecordKey>> record_key(std::string_view customer, std::string_view model,
                                                            std::string_view id) override {
    if (reads_down) return down_error();
    return inner_.record_key(customer, model, id);
  }
  store::Result<std::optional<store::CachedRecord>> record(std::string_view customer, std::string_view model,
                                                           std::string_view id) override {
    if (reads_down) return down_error();
    return inner_.record(customer, model, id);
  }
  store::Result<std::vector<store::CachedRecord>> records_by_native_id(std::string_view customer,
                                                                       std::string_view model,
                                                                       std::string_view native_id) override {
    if (reads_down) return down_error();
    return inner_.records_by_native_id(customer, model, native_id);
  }
  store::Result<std::optional<store::WriteStatus>> write_status(std::string_view customer,
                                                                std::string_view root) override {
    if (reads_down) return down_error();
    return inner_.write_status(customer, root);
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
  std::string resident;  // gatehouse's id of a cached record

  void SetUp() override {
    Compilation c = compile_directory(fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules");
    ASSERT_TRUE(c.ok()) << c.render_diagnostics();
    engine = std::make_unique<Engine>(c.program);
    sqlite = std::make_unique<store::SqliteStore>(file.string());
    sqlite->put_customer("acme", "key-acme").value();
    sqlite->put_integration({"int-bd", "acme", "BUILDIUM", "http://127.0.0.1:1"}).value();
    resident = sqlite->put_record({"residents", "1001", "int-bd", R"({"last_name":"Lee"})", "2026-11-28T09:00:00Z"}).value();
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
  HttpResponse call(const std::string& method, const std::string& path, const std::string& body = "",
                    std::map<std::string, std::string> query = {}, const std::string& key = "key-acme") {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.query = std::move(query);
    r.headers["authorization"] = "Bearer " + key;
    if (!body.empty()) r.headers["content-type"] = "application/json";
    r.body = body;
    return service->handle(r);
  }
  static void expect_store_unavailable(const HttpResponse& r, const std::string& what) {
    EXPECT_EQ(r.status, 503) << what << ": " << r.body;
    EXPECT_NE(r.body.find(R"({"error":{"status":503,"code":"store_unavailable",)"), std::string::npos)
        << what << ": " << r.body;
    EXPECT_EQ(r.body.find("postgres"), std::string::npos) << what << ": the database's words stay in the log";
    bool retry_after = false;
    for (const auto& [name, value] : r.headers) retry_after |= name == "Retry-After" && value == "1";
    EXPECT_TRUE(retry_after) << what;
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

// Every route that reads the store past the key check answers the store's error as 503, and
// each is counted; once the store is back they answer as before.
TEST_F(StoreErrorTest, EveryReadOfTheStoreThatFailsAnswers503) {
  const std::string create =
      R"({"integration_id":"int-bd","lease_id":"l1","first_name":"Ada","last_name":"Lee","address_1":"1 Main St"})";
  HttpResponse accepted = call("POST", "/v1/residents/", create);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::string job = accepted.body.substr(accepted.body.find(R"("job_id":")") + 10, 32);
  const std::string update = R"({"first_name":"Ann","last_name":"Li","address_1":"1 Main St"})";

  store->reads_down = true;
  struct Case {
    std::string what;
    HttpResponse answer;
  };
  std::vector<Case> cases;
  cases.push_back({"a create's integration", call("POST", "/v1/residents/", create)});
  cases.push_back({"an update's record id", call("PUT", "/v1/residents/" + resident, update)});
  cases.push_back({"a cached record", call("GET", "/v1/residents/" + resident)});
  cases.push_back({"records by x_id", call("GET", "/v1/residents", "", {{"x_id", "1001"}})});
  cases.push_back({"a write's status", call("GET", "/v1/admin/write-status/" + job)});
  cases.push_back({"a schema's integration", call("GET", "/v1/meta/residents/update", "", {{"integration_id", "int-bd"}})});
  for (const auto& c : cases) expect_store_unavailable(c.answer, c.what);
  std::string m = metrics();
  EXPECT_NE(m.find("gatehouse_store_unavailable_total " + std::to_string(cases.size())), std::string::npos) << m;

  store->reads_down = false;
  EXPECT_EQ(call("GET", "/v1/residents/" + resident).status, 200);
  EXPECT_EQ(call("GET", "/v1/admin/write-status/" + job).status, 200);
  EXPECT_EQ(call("PUT", "/v1/residents/" + resident, update).status, 202);
}

// An error the store returns that is not its database failing (it refused what it was asked: a
// bug of the service) is a 500, not a 503 that tells the client to try again.
TEST_F(StoreErrorTest, AnArgumentTheStoreRefusedIsAnInternalError) {
  store->enqueue_error = store::StoreError::invalid_argument("store: no parent job x");
  store->enqueue_down = true;
  HttpResponse r = create_resident();
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_NE(r.body.find(R"("code":"internal_error")"), std::string::npos) << r.body;
  EXPECT_NE(metrics().find("gatehouse_store_unavailable_total 0"), std::string::npos);
}

// POST /v1/admin/sync when the store cannot list the integrations: 503, as for any route.
TEST_F(StoreErrorTest, AnAdminSyncWhoseStoreFailsAnswers503) {
  const std::string admin_key = "admin-secret-9a4c7e2f1b5d8036";
  bool store_back = false;
  AdminRoutes admin(admin_key, *engine, fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules",
                    [&]() -> store::Result<SyncSummary> {
                      if (!store_back) return testing::ForwardingStore::down_error();
                      return SyncSummary{3, {}};
                    });
  WriteServiceHooks hooks;
  hooks.admin = &admin;
  service->set_hooks(hooks);
  expect_store_unavailable(call("POST", "/v1/admin/sync", "", {}, admin_key), "an admin sync");
  store_back = true;
  HttpResponse synced = call("POST", "/v1/admin/sync", "", {}, admin_key);
  EXPECT_EQ(synced.status, 200);
  EXPECT_EQ(synced.body, R"({"records":3,"errors":[]})");
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
