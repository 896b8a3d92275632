// Revocation and the wrong-key throttle end to end, through the real `gatehouse serve`: the
// configuration is the source of truth at start (a customer it no longer names answers 401, its
// integration is not synced, its queued write never reaches its PMS; named again, it works
// again), and a client address sending wrong keys is answered 429 by the server.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "e2e/child_process.hpp"

namespace {

namespace fs = std::filesystem;
using gatehouse::testing::ChildProcess;
using namespace std::chrono_literals;

const httplib::Headers acme = {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}};
const httplib::Headers globex = {{"Authorization", "Bearer key-globex-8e2d4a7c1b9f0e63"}};
const httplib::Headers admin = {{"Authorization", "Bearer admin-key-0123456789abcdef"}};

class RevocationTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("gatehouse_revocation_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::path config = dir / "config.yaml";
  // One PMS simulator per customer, so that what reaches acme's is told apart from globex's.
  std::unique_ptr<ChildProcess> acme_pms, globex_pms;

  void SetUp() override {
    fs::create_directories(dir);
    acme_pms = std::make_unique<ChildProcess>(std::vector<std::string>{GATEHOUSE_SIMULATOR});
    globex_pms = std::make_unique<ChildProcess>(std::vector<std::string>{GATEHOUSE_SIMULATOR});
    for (int id : {1001, 1002, 1003}) put_tenant(*acme_pms, id);
    put_tenant(*globex_pms, 2001);
  }
  void TearDown() override { fs::remove_all(dir); }

  static void put_tenant(ChildProcess& pms, int id) {
    auto r = pms.client().Put("/_sim/buildium/tenants/" + std::to_string(id),
                              R"({"FirstName":"A","LastName":"B","PrimaryAddress":{"AddressLine1":"1 Main St"}})",
                              "application/json");
    ASSERT_TRUE(r && r->status == 200);
  }
  /// The configuration: globex, and acme when `with_acme`, each with a Buildium integration on
  /// its own simulator and one seeded record.
  void write_config(bool with_acme, int workers, const std::string& more = "") {
    std::ofstream out(config);
    out << "rules: " << (fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules").string()
        << "\nstore: jobs.db\nlisten: 127.0.0.1:0\nrate_limit_per_minute: 0\n"
        << "admin_api_key: admin-key-0123456789abcdef\n" << more
        << "dispatcher: {workers: " << workers << ", backoff_ms: 20, idle_poll_ms: 10, sync_interval_seconds: 0}\n"
        << "customers:\n";
    if (with_acme) out << "  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\n";
    out << "  - {id: globex, api_key: key-globex-8e2d4a7c1b9f0e63}\nintegrations:\n";
    if (with_acme) out << "  - {id: int-acme, customer: acme, pms: BUILDIUM, base_url: '" << acme_pms->url() << "/buildium'}\n";
    out << "  - {id: int-globex, customer: globex, pms: BUILDIUM, base_url: '" << globex_pms->url() << "/buildium'}\n"
        << "records:\n";
    if (with_acme) out << "  - {model: residents, id: '1001', integration: int-acme, data: '{}'}\n";
    out << "  - {model: residents, id: '2001', integration: int-globex, data: '{}'}\n";
  }
  std::unique_ptr<ChildProcess> serve() {
    return std::make_unique<ChildProcess>(std::vector<std::string>{GATEHOUSE_BINARY, "serve", "--config", config.string()});
  }
  static std::string sync(ChildProcess& service) {
    auto r = service.client().Post("/v1/admin/sync", admin, "", "application/json");
    return r ? std::to_string(r->status) + " " + r->body : "no answer";
  }
  static long jobs_total(ChildProcess& service, const std::string& outcome) {
    auto r = service.client().Get("/metrics", admin);
    std::smatch m;
    if (!r || !std::regex_search(r->body, m, std::regex("gatehouse_jobs_total\\{outcome=\"" + outcome + "\"\\} (\\d+)")))
      return -1;
    return std::stol(m[1]);
  }
};

TEST_F(RevocationTest, ACustomerTheConfigurationNoLongerNamesIsDisabledAtTheNextStart) {
  std::string job;
  {
    // acme's write is accepted and queued; no worker carries it yet (a PMS that was down, say).
    write_config(true, 0);
    auto service = serve();
    EXPECT_EQ(sync(*service), R"(200 {"records":4,"errors":[]})") << "both integrations synced";
    auto found = service->client().Get("/v1/residents?x_id=1001", acme);
    std::smatch id;
    ASSERT_TRUE(found && std::regex_search(found->body, id, std::regex("\"id\":\"(rec_[0-9a-f]{32})\"")));
    auto put = service->client().Put("/v1/residents/" + id[1].str(), acme,
                                     R"({"first_name":"A","last_name":"Removed","address_1":"1 Main St"})",
                                     "application/json");
    ASSERT_TRUE(put);
    ASSERT_EQ(put->status, 202) << put->body;
    job = put->body.substr(put->body.find("\"job_id\":\"") + 10, 32);
  }
  const std::string acme_stats = acme_pms->client().Get("/_sim/stats")->body;
  EXPECT_NE(acme_stats.find("\"writes_applied\":0,"), std::string::npos) << acme_stats;

  // acme is removed from the configuration, and the service restarts with workers.
  write_config(false, 2);
  {
    auto service = serve();
    auto refused = service->client().Get("/v1/residents?x_id=1001", acme);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 401) << "its key no longer works: " << refused->body;
    EXPECT_EQ(service->client().Get("/v1/residents?x_id=2001", globex)->status, 200);
    EXPECT_EQ(sync(*service), R"(200 {"records":1,"errors":[]})") << "its integration is not synced";
    // Its queued write is failed as revoked, never carried to its PMS.
    for (auto until = std::chrono::steady_clock::now() + 10s;
         jobs_total(*service, "failed") < 1 && std::chrono::steady_clock::now() < until;)
      std::this_thread::sleep_for(20ms);
    EXPECT_EQ(jobs_total(*service, "failed"), 1);
    EXPECT_EQ(jobs_total(*service, "succeeded"), 0);
    EXPECT_EQ(acme_pms->client().Get("/_sim/stats")->body, acme_stats) << "nothing reached acme's PMS";
  }

  // Named again, acme is enabled again: its key works, its write stays failed, as history.
  write_config(true, 0);
  auto service = serve();
  auto found = service->client().Get("/v1/residents?x_id=1001", acme);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, 200) << found->body;
  auto status = service->client().Get("/v1/admin/write-status/" + job, acme);
  ASSERT_TRUE(status);
  EXPECT_NE(status->body.find("\"write_status\":\"FAILURE\""), std::string::npos) << status->body;
  EXPECT_NE(status->body.find("\"code\":\"revoked\""), std::string::npos) << status->body;
  EXPECT_NE(status->body.find("was revoked: the write was not sent to the PMS"), std::string::npos) << status->body;
}

TEST_F(RevocationTest, TheAdminRouteRevokesAtOnce) {
  write_config(true, 0);
  auto service = serve();
  ASSERT_EQ(service->client().Get("/v1/residents?x_id=1001", acme)->status, 200);  // the key in the cache
  auto revoked = service->client().Post("/v1/admin/customers/acme/revoke", admin, "", "application/json");
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 200);
  EXPECT_EQ(revoked->body, R"({"revoked":{"customers":["acme"],"integrations":["int-acme"]}})");
  EXPECT_EQ(service->client().Get("/v1/residents?x_id=1001", acme)->status, 401);
  EXPECT_EQ(sync(*service), R"(200 {"records":1,"errors":[]})");
}

TEST_F(RevocationTest, AnAddressSendingWrongKeysIsThrottledByTheServer) {
  write_config(true, 0, "failed_auth_per_minute: 3\n");
  auto service = serve();
  auto c = service->client();
  EXPECT_EQ(c.Get("/v1/residents?x_id=2001", globex)->status, 200);  // globex at work from 127.0.0.1
  const httplib::Headers guess = {{"Authorization", "Bearer key-guess-0123456789abcdef"}};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.Get("/v1/residents?x_id=1", guess)->status, 401) << i;
  auto refused = c.Get("/v1/residents?x_id=1", guess);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_NE(refused->body.find("\"code\":\"too_many_failed_attempts\""), std::string::npos) << refused->body;
  EXPECT_EQ(refused->get_header_value("Retry-After"), "20");
  // Refused from the head, before the body is read, like a 401.
  auto put = c.Put("/v1/residents/x", guess, std::string(1000, ' '), "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 429);
  EXPECT_EQ(c.Get("/v1/residents?x_id=2001", globex)->status, 200) << "a key seen to work still gets through";
  EXPECT_EQ(c.Get("/v1/residents?x_id=1001", acme)->status, 429) << "one not yet seen waits for the window";
  EXPECT_EQ(c.Get("/metrics", admin)->status, 429) << "the operator's key too, before it is seen to work";
}

}  // namespace
