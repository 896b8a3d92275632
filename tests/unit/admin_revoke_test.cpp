// POST /v1/admin/customers/{id}/revoke and /v1/admin/integrations/{id}/revoke: the admin key's,
// answered through the service like every admin route; what they revoke stops at once through
// the caches of this instance (another's: caching_store_test.cpp and the PostgreSQL e2e test).
#include <gtest/gtest.h>

#include <filesystem>

#include "forwarding_store.hpp"
#include "gatehouse/rules_loader.hpp"
#include "gatehouse/service/admin_routes.hpp"
#include "gatehouse/service/write_service.hpp"
#include "gatehouse/store/caching_store.hpp"
#include "gatehouse/store/sqlite_store.hpp"
#include "service_test_fixture.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// The store, failing revocations when `down` is set (PostgreSQL stopped).
class FlakyStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  bool down = false;
  store::Result<std::optional<store::TenancyChange>> revoke_customer(std::string_view customer,
                                                                    std::string_view now) override {
    if (down) return store::StoreError::unavailable("store: postgres: server closed the connection");
    return inner_.revoke_customer(customer, now);
  }
};

class AdminRevokeTest : public ::testing::Test {
 protected:
  fs::path file = service_testing::test_store_file("gatehouse_admin_revoke_");
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<FlakyStore> flaky;
  std::unique_ptr<store::CachingStore> cached;  // as serve runs it: a cache with an hour's ttl
  std::unique_ptr<Engine> engine;
  std::unique_ptr<AdminRoutes> admin;
  std::unique_ptr<WriteService> service;
  std::vector<std::string> log;
  std::string res_rm;

  void SetUp() override {
    engine = std::make_unique<Engine>(service_testing::test_rules());
    store = std::make_unique<store::SqliteStore>(file.string());
    service_testing::put_test_customers(*store);
    service_testing::put_test_integrations(*store);
    res_rm = store->put_record({"residents", "res-rm", "int-rm", R"({"last_name":"Lee"})", "2026-11-28T09:00:00Z"}).value();
    flaky = std::make_unique<FlakyStore>(*store);
    cached = std::make_unique<store::CachingStore>(*flaky, 1h);
    admin = std::make_unique<AdminRoutes>("admin-key", *engine, fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules",
                                          nullptr);
    admin->set_tenancy(*cached, [this](const std::string& line) { log.push_back(line); });
    service = std::make_unique<WriteService>(*engine, *cached);
    WriteServiceHooks hooks;
    hooks.admin = admin.get();
    hooks.log = [this](const std::string& line) { log.push_back(line); };
    service->set_hooks(hooks);
  }
  void TearDown() override {
    service.reset();
    cached.reset();
    flaky.reset();
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
  }
  HttpResponse call(const std::string& method, const std::string& path, const std::string& key) {
    HttpRequest r;
    r.method = method;
    r.path = path.substr(0, path.find('?'));
    if (auto q = path.find("?x_id="); q != std::string::npos) r.query["x_id"] = path.substr(q + 6);
    r.headers["authorization"] = "Bearer " + key;
    r.headers["content-type"] = "application/json";
    r.body = R"({"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})";
    return service->handle(r);
  }
};

TEST_F(AdminRevokeTest, ARevokedCustomersKeyFailsAtOnceAndTheAnswerSaysWhatWasRevoked) {
  // In the caches first: the key, the integration and the record.
  ASSERT_EQ(call("PUT", "/v1/residents/" + res_rm, "key-acme").status, 202);
  HttpResponse revoked = call("POST", "/v1/admin/customers/acme/revoke", "admin-key");
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.body, R"({"revoked":{"customers":["acme"],"integrations":["int-bd","int-rm"]}})");
  EXPECT_EQ(call("PUT", "/v1/residents/" + res_rm, "key-acme").status, 401) << "at once, whatever the cache's ttl";
  EXPECT_EQ(call("GET", "/v1/residents?x_id=res-rm", "key-globex").status, 200) << "another customer goes on";
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find(R"(customers ["acme"], integrations ["int-bd","int-rm"])"), std::string::npos) << log[0];

  HttpResponse again = call("POST", "/v1/admin/customers/acme/revoke/", "admin-key");
  EXPECT_EQ(again.status, 200) << "with a trailing slash too";
  EXPECT_EQ(again.body, R"({"revoked":{"customers":[],"integrations":[]}})") << "revoked already";
  HttpResponse unknown = call("POST", "/v1/admin/customers/nobody/revoke", "admin-key");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("no customer 'nobody'"), std::string::npos) << unknown.body;
}

TEST_F(AdminRevokeTest, AnIntegrationCanBeRevokedAlone) {
  ASSERT_EQ(call("PUT", "/v1/residents/" + res_rm, "key-acme").status, 202);
  HttpResponse revoked = call("POST", "/v1/admin/integrations/int-rm/revoke", "admin-key");
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.body, R"({"revoked":{"customers":[],"integrations":["int-rm"]}})");
  EXPECT_EQ(call("PUT", "/v1/residents/" + res_rm, "key-acme").status, 404) << "its records are gone for the customer";
  EXPECT_EQ(call("GET", "/v1/residents?x_id=res-rm", "key-acme").status, 200) << "whose key still works";
  EXPECT_EQ(call("POST", "/v1/admin/integrations/int-9/revoke", "admin-key").status, 404);
}

TEST_F(AdminRevokeTest, TheRoutesAreTheOperatorsAndAStoreThatFailsIs503) {
  EXPECT_EQ(call("POST", "/v1/admin/customers/acme/revoke", "key-acme").status, 404) << "a customer's key: no such route";
  EXPECT_EQ(call("GET", "/v1/admin/customers/acme/revoke", "admin-key").status, 405);
  EXPECT_EQ(call("POST", "/v1/admin/customers/acme", "admin-key").status, 404);
  EXPECT_EQ(call("POST", "/v1/admin/customers/acme/revoke/more", "admin-key").status, 404);
  EXPECT_EQ(call("GET", "/v1/residents?x_id=res-rm", "key-acme").status, 200) << "nothing was revoked";
  flaky->down = true;
  HttpResponse down = call("POST", "/v1/admin/customers/acme/revoke", "admin-key");
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_NE(down.body.find(R"("code":"store_unavailable")"), std::string::npos) << down.body;
  EXPECT_EQ(call("GET", "/v1/residents?x_id=res-rm", "key-acme").status, 200);
}

}  // namespace
}  // namespace gatehouse::service
