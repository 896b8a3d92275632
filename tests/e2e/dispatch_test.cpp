// End to end: the real `gatehouse serve` and the PMS simulator on free loopback ports. Writes go
// through the dispatcher to the simulated Buildium and Rent Manager; the tests read what became
// of them in write-status, in the PMS (the simulator's records and stats) and in the cache.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <cstdlib>
#include <regex>
#include <set>
#include <thread>

#include "e2e/child_process.hpp"

namespace {

namespace fs = std::filesystem;
using gatehouse::testing::ChildProcess;
using namespace std::chrono_literals;

const httplib::Headers acme = {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}};
const httplib::Headers globex = {{"Authorization", "Bearer key-globex-8e2d4a7c1b9f0e63"}};
const httplib::Headers admin = {{"Authorization", "Bearer admin-secret-9a4c7e2f1b5d8036"}};

/// A receiver for webhooks: answers the first `failures` deliveries 500, then 200.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(int failures) : failures_(failures) {
    server_.Post("/hooks", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      ++calls_;
      if (failures_ > 0) {
        --failures_;
        res.status = 500;
        return;
      }
      bodies_.push_back(req.body);
      signatures_.push_back(req.get_header_value("X-Gatehouse-Signature"));
      deliveries_.push_back(req.get_header_value("X-Gatehouse-Delivery"));
      events_.push_back(req.get_header_value("X-Gatehouse-Event"));
      res.status = 204;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~WebhookReceiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hooks"; }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  std::vector<std::string> signatures() {
    std::lock_guard lock(mutex_);
    return signatures_;
  }
  std::vector<std::string> deliveries() {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  int failures_, calls_ = 0;
  std::vector<std::string> bodies_, signatures_, deliveries_, events_;
};

std::string hmac_hex(const std::string& key, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), digest, &n);
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out += hex;
  }
  return out;
}

class DispatchTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("gatehouse_dispatch_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::path config = dir / "config.yaml";
  std::unique_ptr<ChildProcess> pms;
  std::unique_ptr<ChildProcess> service;
  std::string webhook_url;
  std::string webhook_triggers;  // the webhook's `triggers` list, e.g. "WRITE_OPERATION_FAILURE" ("": the key left out)

  void SetUp() override {
    fs::create_directories(dir);
    pms = std::make_unique<ChildProcess>(std::vector<std::string>{GATEHOUSE_SIMULATOR});
    auto sim = pms->client();
    // What the PMSs hold before gatehouse first syncs: an active and a moved-out Buildium tenant,
    // and a Rent Manager tenant.
    put_pms("/_sim/buildium/tenants/1001",
            R"({"FirstName":"Ann","LastName":"Lee","PrimaryAddress":{"AddressLine1":"1 Main St"},"Status":"Active"})");
    put_pms("/_sim/buildium/tenants/1002",
            R"({"FirstName":"Bo","LastName":"Diaz","PrimaryAddress":{"AddressLine1":"2 Main St"},"Status":"Past"})");
    put_pms("/_sim/rentmanager/tenants/5001",
            R"({"FirstName":"Cy","LastName":"Park","RentPeriod":"MONTHLY","RentDueDay":1,"PropertyID":"7"})");
  }
  void TearDown() override {
    service.reset();
    pms.reset();
    fs::remove_all(dir);
  }

  void put_pms(const std::string& path, const std::string& body) {
    auto r = pms->client().Put(path, body, "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  int buildium_sync_seconds = 0;  // the Buildium integration's own sync window (0: none)
  std::string more_integrations;  // config lines after the two of acme's (a test's own PMSs)
  int records_at_start = 3;       // what the first sync reads from the PMSs

  void write_config(int max_attempts = 4) {
    std::ofstream(config) << "rules: " << (fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules").string()
                          << "\nstore: jobs.db\nlisten: 127.0.0.1:0\nrate_limit_per_minute: 0\nadmin_api_key: admin-secret-9a4c7e2f1b5d8036\n"
                          << "dispatcher: {workers: 2, max_attempts: " << max_attempts
                          << ", backoff_ms: 50, max_backoff_ms: 300, pms_timeout_ms: 1000, idle_poll_ms: 20,"
                             " sync_interval_seconds: 0}\n"
                          << "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38"
                          << (webhook_url.empty() ? ""
                                                  : ", webhook: {url: '" + webhook_url + "', secret: hook-secret" +
                                                        (webhook_triggers.empty() ? "" : ", triggers: [" + webhook_triggers + "]") +
                                                        "}")
                          << "}\n  - {id: globex, api_key: key-globex-8e2d4a7c1b9f0e63}\n"
                          << "integrations:\n"
                          << "  - {id: int-bd, customer: acme, pms: BUILDIUM, base_url: '" << pms->url() << "/buildium'"
                          << ", sync_interval_seconds: " << buildium_sync_seconds << "}\n"
                          << "  - {id: int-rm, customer: acme, pms: RENTMANAGER, base_url: '" << pms->url()
                          << "/rentmanager'}\n"
                          << more_integrations;
  }

  void start_service() {
    service = std::make_unique<ChildProcess>(
        std::vector<std::string>{GATEHOUSE_BINARY, "serve", "--config", config.string()});
  }

  /// Config, service, and a first sync that fills the cache from the PMSs.
  void start(int max_attempts = 4) {
    write_config(max_attempts);
    start_service();
    auto r = service->client().Post("/v1/admin/sync", admin, "", "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    ASSERT_NE(r->body.find("\"records\":" + std::to_string(records_at_start) + ","), std::string::npos) << r->body;
  }

  /// Gatehouse's ids of the cached `model` records the PMSs know as `x_id`, as the customer of
  /// `key` finds them (`integration`: in that one only).
  std::vector<std::string> ids_of(const std::string& x_id, const std::string& integration = "",
                                  const httplib::Headers& key = acme, const std::string& model = "residents") {
    std::string path = "/v1/" + model + "?x_id=" + x_id + (integration.empty() ? "" : "&integration_id=" + integration);
    auto r = service->client().Get(path, key);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    std::vector<std::string> ids;
    if (!r) return ids;
    const std::regex id("\"data\":\\{\"id\":\"(rec_[0-9a-f]{32})\"");
    for (std::sregex_iterator it(r->body.begin(), r->body.end(), id), end; it != end; ++it) ids.push_back((*it)[1]);
    return ids;
  }
  /// The one record a PMS id names for the customer (the test's PMSs give each id once).
  std::string id_of(const std::string& x_id, const std::string& integration = "", const httplib::Headers& key = acme) {
    auto ids = ids_of(x_id, integration, key);
    EXPECT_EQ(ids.size(), 1u) << "records with x_id " << x_id;
    return ids.empty() ? "no-record-" + x_id : ids.front();
  }
  std::string record_path(const std::string& x_id, const std::string& query = "") {
    return "/v1/residents/" + id_of(x_id) + query;
  }

  static std::string job_id(const std::string& body) {
    std::smatch m;
    return std::regex_search(body, m, std::regex("\"job_id\":\"([0-9a-f]+)\"")) ? m[1].str() : "";
  }

  std::string submit(const std::string& method, const std::string& path, const std::string& body, int expected = 202) {
    auto c = service->client();
    auto r = method == "PUT" ? c.Put(path, acme, body, "application/json") : c.Post(path, acme, body, "application/json");
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, expected) << r->body;
    return job_id(r->body);
  }

  /// The write-status once it is no longer PENDING (or the last one read after 15 s).
  std::string finished_status(const std::string& id) {
    std::string body;
    for (auto until = std::chrono::steady_clock::now() + 15s; std::chrono::steady_clock::now() < until;) {
      auto r = service->client().Get("/v1/admin/write-status/" + id, acme);
      if (r && r->status == 200) {
        body = r->body;
        if (body.find("\"write_status\":\"PENDING\"") == std::string::npos) return body;
      }
      std::this_thread::sleep_for(20ms);
    }
    return body;
  }

  std::string cached(const std::string& path, const httplib::Headers& key = acme) {
    auto r = service->client().Get(path, key);
    return r ? std::to_string(r->status) + " " + r->body : "no answer";
  }

  std::string pms_get(const std::string& path) {
    auto r = pms->client().Get(path);
    return r ? r->body : "";
  }

  static int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
};

const std::string rm_update = R"({"last_name":"Park","notes":"call first","rent_period":"MONTHLY","rent_due_day":1})";
const std::string bd_update = R"({"first_name":"Ann","last_name":"Lee","address_1":"1 Main St"})";
const std::string bd_update_with_notes = R"({"first_name":"Ann","last_name":"Lee","address_1":"1 Main St","notes":"call first"})";

TEST_F(DispatchTest, NotesExampleReachesEachPmsInItsOwnFields) {
  start();
  // Rent Manager has no notes on residents: rejected, or stripped with the flag.
  submit("PUT", record_path("5001"), rm_update, 400);
  std::string rm_job = submit("PUT", record_path("5001", "?ignore_unknown_fields=true"), rm_update);
  // Buildium takes notes, as notes of their own under the tenant: the write fans out into a child job.
  std::string bd_job = submit("PUT", record_path("1001"), bd_update_with_notes);
  EXPECT_NE(finished_status(rm_job).find("\"write_status\":\"SUCCESS\""), std::string::npos);
  std::string bd_status = finished_status(bd_job);
  EXPECT_NE(bd_status.find("\"write_status\":\"SUCCESS\""), std::string::npos) << bd_status;
  EXPECT_EQ(count(bd_status, "\"code\":\"ok\""), 2) << "the tenant, then its note: " << bd_status;
  EXPECT_NE(pms_get("/buildium/v1/leases/tenants/1001/notes").find("\"Note\":\"call first\""), std::string::npos)
      << pms_get("/buildium/v1/leases/tenants/1001/notes");
  EXPECT_EQ(pms_get("/buildium/v1/leases/tenants/1001").find("call first"), std::string::npos);
  std::string rm_tenant = pms_get("/rentmanager/Tenants/5001");
  EXPECT_EQ(rm_tenant.find("call first"), std::string::npos) << "stripped fields never reach the PMS: " << rm_tenant;
  EXPECT_NE(rm_tenant.find("\"RentDueDay\":1"), std::string::npos) << rm_tenant;
}

TEST_F(DispatchTest, AFailureOnlyThePmsSeesIsInWriteStatus) {
  start();
  std::string id = submit("PUT", record_path("1002"), R"({"first_name":"Bo","last_name":"Diaz","address_1":"2 Main St"})");
  std::string status = finished_status(id);
  EXPECT_NE(status.find("\"write_status\":\"FAILURE\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"errors\":[\"resident already moved to another lease\"]"), std::string::npos) << status;
  EXPECT_NE(status.find("\"pms_status\":409,\"code\":\"pms_rejected\""), std::string::npos) << status;
  EXPECT_EQ(count(status, "\"pms_status\""), 1) << "a PMS's own refusal is final, not retried: " << status;
}

TEST_F(DispatchTest, AFanOutWhosePartsDisagreeIsAPartialSuccess) {
  start();
  // The tenant is updated; the PMS refuses its note.
  ASSERT_EQ(pms->client().Post("/_sim/faults", R"({"status":422,"path":"/notes"})", "application/json")->status, 200);
  std::string id = submit("PUT", record_path("1001"), bd_update_with_notes);
  std::string status = finished_status(id);
  EXPECT_NE(status.find("\"write_status\":\"PARTIAL_SUCCESS\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"errors\":[\"simulated fault\"]"), std::string::npos) << status;
  EXPECT_NE(status.find("\"pms_status\":422"), std::string::npos) << status;
}

TEST_F(DispatchTest, RetriesAfter503AreAppliedExactlyOnce) {
  start();
  // The first call is applied but its answer is lost (503); the second is refused (503); the
  // third is answered from the PMS's idempotency record, not applied again.
  ASSERT_EQ(pms->client().Post("/_sim/faults", R"({"status":503,"apply":true})", "application/json")->status, 200);
  ASSERT_EQ(pms->client().Post("/_sim/faults", R"({"status":503})", "application/json")->status, 200);
  std::string id = submit("PUT", record_path("1001"), bd_update);
  std::string status = finished_status(id);
  EXPECT_NE(status.find("\"write_status\":\"SUCCESS\""), std::string::npos) << status;
  EXPECT_EQ(count(status, "\"pms_status\":503"), 2) << status;
  EXPECT_EQ(count(status, "\"pms_status\":200"), 1) << status;
  std::string stats = pms_get("/_sim/stats");
  EXPECT_NE(stats.find("\"" + id + "\":1"), std::string::npos) << "applied once under the job's key: " << stats;
  EXPECT_NE(stats.find("\"writes_applied\":1,"), std::string::npos) << stats;
}

TEST_F(DispatchTest, ATimedOutCallIsRetriedAndAppliedOnce) {
  start();
  // The PMS answers after 1.5 s; the dispatcher waits 1 s, gives up and retries with the same key.
  ASSERT_EQ(pms->client().Post("/_sim/faults", R"({"delay_ms":1500})", "application/json")->status, 200);
  std::string id = submit("PUT", record_path("1001"), bd_update);
  std::string status = finished_status(id);
  EXPECT_NE(status.find("\"write_status\":\"SUCCESS\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"code\":\"timeout\""), std::string::npos) << status;
  EXPECT_NE(pms_get("/_sim/stats").find("\"" + id + "\":1"), std::string::npos) << pms_get("/_sim/stats");
}

TEST_F(DispatchTest, ACreateListsTheCreatedIdAndTheRecordComesWithTheSync) {
  start();
  std::string id = submit("POST", "/v1/residents",
                          R"({"integration_id":"int-bd","first_name":"Di","last_name":"Ng","address_1":"3 Main St","lease_id":"77"})");
  std::string status = finished_status(id);
  EXPECT_NE(status.find("\"write_status\":\"SUCCESS\""), std::string::npos) << status;
  // Gatehouse's id for the record, from the moment the PMS answered with its own (1003).
  std::smatch created;
  ASSERT_TRUE(std::regex_search(status, created, std::regex("\"created_record_id\":\"(rec_[0-9a-f]{32})\"")))
      << status;
  const std::string record = created[1];
  EXPECT_NE(status.find("\"created\":[{\"model\":\"residents\",\"id\":\"" + record + "\",\"x_id\":\"1003\"}]"),
            std::string::npos)
      << status;
  // Buildium residents have no `refresh after write`: the record is cached at the next sync,
  // under the id the write-status gave.
  EXPECT_EQ(cached("/v1/residents/" + record).substr(0, 3), "404");
  EXPECT_EQ(cached("/v1/residents/1003").substr(0, 3), "404") << "the PMS's id names no record";
  ASSERT_EQ(service->client().Post("/v1/admin/sync", admin, "", "application/json")->status, 200);
  std::string after = cached("/v1/residents/" + record);
  EXPECT_NE(after.find("\"first_name\":\"Di\""), std::string::npos) << after;
  EXPECT_NE(after.find("\"x_id\":\"1003\""), std::string::npos) << after;
  EXPECT_EQ(id_of("1003"), record);
}

TEST_F(DispatchTest, RecordIdsAreStableAcrossSyncs) {
  start();
  const std::string rm = id_of("5001"), bd = id_of("1001");
  EXPECT_NE(rm, bd);
  put_pms("/_sim/rentmanager/tenants/5001", R"({"FirstName":"Cy","LastName":"Parks","RentPeriod":"MONTHLY","RentDueDay":1})");
  for (int sync = 0; sync < 2; ++sync) {
    auto r = service->client().Post("/v1/admin/sync", admin, "", "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(id_of("5001"), rm);
    EXPECT_EQ(id_of("1001"), bd);
  }
  EXPECT_NE(cached("/v1/residents/" + rm).find("\"last_name\":\"Parks\""), std::string::npos) << cached("/v1/residents/" + rm);
  // And across a restart on the same store.
  service.reset();
  start_service();
  EXPECT_EQ(id_of("5001"), rm);
}

/// A second Rent Manager, its own process: its tenant 5001 is not the first one's.
class TwoPmsDispatchTest : public DispatchTest {
 protected:
  std::unique_ptr<ChildProcess> pms2;

  void SetUp() override {
    DispatchTest::SetUp();
    pms2 = std::make_unique<ChildProcess>(std::vector<std::string>{GATEHOUSE_SIMULATOR});
    auto r = pms2->client().Put("/_sim/rentmanager/tenants/5001",
                                R"({"FirstName":"Ed","LastName":"Stone","RentPeriod":"MONTHLY","RentDueDay":3,"PropertyID":"9"})",
                                "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    records_at_start = 4;
  }
  void TearDown() override {
    DispatchTest::TearDown();
    pms2.reset();
  }
  std::string pms2_tenant() {
    auto r = pms2->client().Get("/rentmanager/Tenants/5001");
    return r ? r->body : "";
  }

  /// A write to record `id` as the customer of `key`; the write-status once finished.
  std::string write(const std::string& id, const std::string& last_name, const httplib::Headers& key) {
    auto r = service->client().Put("/v1/residents/" + id, key,
                                   R"({"last_name":")" + last_name + R"(","rent_period":"MONTHLY","rent_due_day":1})",
                                   "application/json");
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 202) << r->body;
    std::string job = job_id(r->body);
    std::string body;
    for (auto until = std::chrono::steady_clock::now() + 15s; std::chrono::steady_clock::now() < until;) {
      auto s = service->client().Get("/v1/admin/write-status/" + job, key);
      if (s && s->status == 200 && s->body.find("\"write_status\":\"PENDING\"") == std::string::npos) return s->body;
      std::this_thread::sleep_for(20ms);
    }
    return body;
  }
  /// The cached record `id` once it shows `text` (Rent Manager residents refresh after a write).
  std::string cached_once(const std::string& id, const std::string& text, const httplib::Headers& key) {
    std::string record;
    for (auto until = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < until;) {
      record = cached("/v1/residents/" + id, key);
      if (record.find(text) != std::string::npos) break;
      std::this_thread::sleep_for(20ms);
    }
    return record;
  }
};

TEST_F(TwoPmsDispatchTest, TwoIntegrationsOfOneCustomerWithTheSamePmsIdsEachReachTheirOwnRecord) {
  more_integrations = "  - {id: int-rm2, customer: acme, pms: RENTMANAGER, base_url: '" + pms2->url() + "/rentmanager'}\n";
  start();
  // One PMS id, two records: the sync kept both, each with its own id and data.
  auto both = ids_of("5001");
  ASSERT_EQ(both.size(), 2u);
  const std::string first = id_of("5001", "int-rm"), second = id_of("5001", "int-rm2");
  EXPECT_NE(first, second);
  EXPECT_NE(cached("/v1/residents/" + first).find("\"last_name\":\"Park\""), std::string::npos) << cached("/v1/residents/" + first);
  EXPECT_NE(cached("/v1/residents/" + second).find("\"last_name\":\"Stone\""), std::string::npos) << cached("/v1/residents/" + second);

  EXPECT_NE(write(second, "Stoner", acme).find("\"write_status\":\"SUCCESS\""), std::string::npos);
  EXPECT_NE(pms2_tenant().find("\"LastName\":\"Stoner\""), std::string::npos) << pms2_tenant();
  EXPECT_NE(pms_get("/rentmanager/Tenants/5001").find("\"LastName\":\"Park\""), std::string::npos)
      << "the other PMS's tenant 5001 is untouched: " << pms_get("/rentmanager/Tenants/5001");
  EXPECT_NE(write(first, "Parker", acme).find("\"write_status\":\"SUCCESS\""), std::string::npos);
  EXPECT_NE(pms_get("/rentmanager/Tenants/5001").find("\"LastName\":\"Parker\""), std::string::npos)
      << pms_get("/rentmanager/Tenants/5001");
  EXPECT_NE(pms2_tenant().find("\"LastName\":\"Stoner\""), std::string::npos) << pms2_tenant();

  // The refresh after each write put each record back in its own place.
  EXPECT_NE(cached_once(first, "Parker", acme).find("\"last_name\":\"Parker\""), std::string::npos);
  EXPECT_NE(cached_once(second, "Stoner", acme).find("\"last_name\":\"Stoner\""), std::string::npos);
  EXPECT_EQ(cached("/v1/residents/" + first).find("Stone"), std::string::npos) << cached("/v1/residents/" + first);
}

TEST_F(TwoPmsDispatchTest, TwoCustomersWithTheSamePmsIdsEachReachTheirOwnRecordAndNotTheOther) {
  more_integrations = "  - {id: int-globex, customer: globex, pms: RENTMANAGER, base_url: '" + pms2->url() + "/rentmanager'}\n";
  start();
  const std::string acmes = id_of("5001", "", acme), globexs = id_of("5001", "", globex);
  EXPECT_NE(acmes, globexs);

  EXPECT_NE(write(globexs, "Stoner", globex).find("\"write_status\":\"SUCCESS\""), std::string::npos);
  EXPECT_NE(pms2_tenant().find("\"LastName\":\"Stoner\""), std::string::npos) << pms2_tenant();
  EXPECT_NE(pms_get("/rentmanager/Tenants/5001").find("\"LastName\":\"Park\""), std::string::npos)
      << pms_get("/rentmanager/Tenants/5001");
  EXPECT_NE(write(acmes, "Parker", acme).find("\"write_status\":\"SUCCESS\""), std::string::npos);
  EXPECT_NE(pms_get("/rentmanager/Tenants/5001").find("\"LastName\":\"Parker\""), std::string::npos)
      << pms_get("/rentmanager/Tenants/5001");
  EXPECT_NE(pms2_tenant().find("\"LastName\":\"Stoner\""), std::string::npos) << pms2_tenant();

  // Another customer's id does not exist: 404 to read it or write it, as for an unknown id.
  EXPECT_EQ(cached("/v1/residents/" + acmes, globex).substr(0, 3), "404");
  EXPECT_EQ(cached("/v1/residents/" + globexs, acme).substr(0, 3), "404");
  auto r = service->client().Put("/v1/residents/" + globexs, acme, R"({"last_name":"X","rent_period":"MONTHLY","rent_due_day":1})",
                                 "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  auto unknown = service->client().Put("/v1/residents/rec_00000000000000000000000000000000", acme,
                                       R"({"last_name":"X","rent_period":"MONTHLY","rent_due_day":1})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  std::string unknown_body = unknown->body;
  unknown_body.replace(unknown_body.find("rec_00000000000000000000000000000000"), globexs.size(), globexs);
  EXPECT_EQ(r->body, unknown_body) << "the same answer as for an id nobody has";
  EXPECT_EQ(ids_of("5001", "int-globex", acme).size(), 0u) << "nor is found by its PMS id";
  EXPECT_NE(pms2_tenant().find("\"LastName\":\"Stoner\""), std::string::npos) << "the refused write never left: " << pms2_tenant();
}

TEST_F(DispatchTest, TheCacheChangesOnlyWhenThePmsSendsTheRecordBack) {
  start();
  std::string id = submit("PUT", record_path("1001"),
                          R"({"first_name":"Annie","last_name":"Lee","address_1":"1 Main St"})");
  EXPECT_NE(finished_status(id).find("SUCCESS"), std::string::npos);
  EXPECT_NE(cached(record_path("1001")).find("\"first_name\":\"Ann\""), std::string::npos)
      << "a write does not change the cache: " << cached(record_path("1001"));
  // Changed in the PMS since the last sync, by someone else.
  put_pms("/_sim/buildium/tenants/1001",
          R"({"FirstName":"Annie","LastName":"Lee-Ross","PrimaryAddress":{"AddressLine1":"1 Main St"},"Status":"Active"})");
  EXPECT_NE(cached(record_path("1001")).find("\"last_name\":\"Lee\""), std::string::npos);
  ASSERT_EQ(service->client().Post("/v1/admin/sync", admin, "", "application/json")->status, 200);
  std::string after = cached(record_path("1001"));
  EXPECT_NE(after.find("\"first_name\":\"Annie\""), std::string::npos) << after;
  EXPECT_NE(after.find("\"last_name\":\"Lee-Ross\""), std::string::npos) << after;
}

TEST_F(DispatchTest, TheSyncLoopRereadsAnIntegrationOnItsOwnWindow) {
  buildium_sync_seconds = 1;
  start();
  put_pms("/_sim/buildium/tenants/1001",
          R"({"FirstName":"Ann","LastName":"Lee-Ross","PrimaryAddress":{"AddressLine1":"1 Main St"},"Status":"Active"})");
  std::string record;
  for (auto until = std::chrono::steady_clock::now() + 8s; std::chrono::steady_clock::now() < until;) {
    record = cached(record_path("1001"));
    if (record.find("Lee-Ross") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(record.find("\"last_name\":\"Lee-Ross\""), std::string::npos) << "no admin sync was asked for: " << record;
}

TEST_F(DispatchTest, RefreshAfterWriteFetchesTheRecordRightAway) {
  start();
  // Rent Manager residents say `refresh after write`: no sync needed.
  std::string id = submit("PUT", record_path("5001"), R"({"last_name":"Parker","rent_period":"MONTHLY","rent_due_day":2})");
  EXPECT_NE(finished_status(id).find("SUCCESS"), std::string::npos);
  std::string record;
  for (auto until = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < until;) {
    record = cached(record_path("5001"));
    if (record.find("Parker") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(record.find("\"last_name\":\"Parker\""), std::string::npos) << record;
  EXPECT_NE(record.find("\"rent_due_day\":2"), std::string::npos) << record;
}

TEST_F(DispatchTest, OnlyTheOperationThatSaysRefreshAfterWriteIsReadBack) {
  start();
  // The test rules say `refresh after write` in Rent Manager's resident update, not its create.
  std::string created = submit("POST", "/v1/residents",
                               R"({"integration_id":"int-rm","property_id":"1","first_name":"Al","last_name":"Moss",)"
                               R"("rent_period":"MONTHLY","rent_due_day":3})");
  std::string status = finished_status(created);
  ASSERT_NE(status.find("\"write_status\":\"SUCCESS\""), std::string::npos) << status;
  std::smatch id;
  ASSERT_TRUE(std::regex_search(status, id, std::regex("\"created_record_id\":\"(rec_[0-9a-f]{32})\""))) << status;
  std::string updated = submit("PUT", record_path("5001"), R"({"last_name":"Quinn","rent_period":"MONTHLY","rent_due_day":2})");
  EXPECT_NE(finished_status(updated).find("SUCCESS"), std::string::npos);
  std::string record;
  for (auto until = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < until;) {
    record = cached(record_path("5001"));
    if (record.find("Quinn") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(record.find("\"last_name\":\"Quinn\""), std::string::npos) << record;
  // The created tenant waits for the sync: its id names it, but no data is cached yet.
  EXPECT_EQ(cached("/v1/residents/" + std::string(id[1])).substr(0, 3), "404");
  auto metrics = service->client().Get("/metrics", admin);
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("gatehouse_refreshes_total{outcome=\"ok\"} 1\n"), std::string::npos) << metrics->body;
}

TEST_F(DispatchTest, AnotherCustomerGets404ForTheJobAndTheRecord) {
  start();
  std::string id = submit("PUT", record_path("1001"), bd_update);
  EXPECT_EQ(cached("/v1/admin/write-status/" + id, globex).substr(0, 3), "404");
  EXPECT_EQ(cached(record_path("1001"), globex).substr(0, 3), "404");
  auto r = service->client().Put(record_path("1001"), globex, bd_update, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(DispatchTest, AKilledServiceLosesNoAcceptedJobAndAppliesItOnce) {
  // Enough attempts to outlast the call in flight: the PMS answers "in progress, retry after 1 s".
  start(/*max_attempts=*/8);
  // The PMS is slow; the service is killed (SIGKILL) while its call is in flight.
  ASSERT_EQ(pms->client().Post("/_sim/faults", R"({"delay_ms":2500})", "application/json")->status, 200);
  std::string id = submit("PUT", record_path("1001"), bd_update);
  std::this_thread::sleep_for(300ms);
  service->stop(SIGKILL);
  start_service();
  std::string status = finished_status(id);
  EXPECT_NE(status.find("\"write_status\":\"SUCCESS\""), std::string::npos) << status;
  std::string stats = pms_get("/_sim/stats");
  EXPECT_NE(stats.find("\"" + id + "\":1"), std::string::npos) << stats;
  EXPECT_NE(stats.find("\"writes_applied\":1,"), std::string::npos) << stats;
}

TEST_F(DispatchTest, FinishedWritesArePostedToTheSignedWebhookWithRetries) {
  WebhookReceiver receiver(/*failures=*/1);
  webhook_url = receiver.url();
  start();
  std::string id = submit("PUT", record_path("1001"), bd_update);
  EXPECT_NE(finished_status(id).find("SUCCESS"), std::string::npos);
  for (auto until = std::chrono::steady_clock::now() + 10s;
       receiver.bodies().empty() && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(receiver.bodies().size(), 1u);
  EXPECT_EQ(receiver.calls(), 2) << "the first delivery failed and was retried";
  const std::string body = receiver.bodies()[0];
  EXPECT_NE(body.find("\"job_id\":\"" + id + "\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"write_status\":\"SUCCESS\""), std::string::npos) << body;
  // No triggers configured: every one, this success's included; the event leads the body.
  EXPECT_EQ(body.rfind("{\"event\":\"WRITE_OPERATION_SUCCESS\",", 0), 0u) << body;
  EXPECT_EQ(receiver.events()[0], "WRITE_OPERATION_SUCCESS");
  // t=<unix seconds>,v1=<HMAC of "<t>.<delivery id>.<body>">: recent, and over all three.
  std::smatch m;
  const std::string signature = receiver.signatures()[0];
  ASSERT_TRUE(std::regex_match(signature, m, std::regex("t=(\\d+),v1=([0-9a-f]{64})"))) << signature;
  const long long t = std::stoll(m[1]);
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(std::llabs(now - t), 60) << "the timestamp is the delivery's";
  const std::string delivery = receiver.deliveries()[0];
  ASSERT_FALSE(delivery.empty());
  EXPECT_EQ(m[2].str(), hmac_hex("hook-secret", m[1].str() + "." + delivery + "." + body));
  EXPECT_NE(m[2].str(), hmac_hex("hook-secret", body)) << "the body alone is not what is signed";
}

TEST_F(DispatchTest, AFailuresOnlyWebhookIsToldOfFailuresAndPartFailuresOnly) {
  WebhookReceiver receiver(/*failures=*/0);
  webhook_url = receiver.url();
  webhook_triggers = "WRITE_OPERATION_FAILURE";  // the peer API's one trigger
  start();
  // First a write that succeeds: had it been delivered, it would have been due before the others.
  std::string succeeded = submit("PUT", record_path("1001"), bd_update);
  EXPECT_NE(finished_status(succeeded).find("\"write_status\":\"SUCCESS\""), std::string::npos);
  // The moved-out tenant: the PMS refuses the write.
  std::string failed = submit("PUT", record_path("1002"), R"({"first_name":"Bo","last_name":"Diaz","address_1":"2 Main St"})");
  EXPECT_NE(finished_status(failed).find("\"write_status\":\"FAILURE\""), std::string::npos);
  // The tenant is updated, its note refused.
  ASSERT_EQ(pms->client().Post("/_sim/faults", R"({"status":422,"path":"/notes"})", "application/json")->status, 200);
  std::string partial = submit("PUT", record_path("1001"), bd_update_with_notes);
  EXPECT_NE(finished_status(partial).find("\"write_status\":\"PARTIAL_SUCCESS\""), std::string::npos);
  for (auto until = std::chrono::steady_clock::now() + 10s;
       receiver.bodies().size() < 2 && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(20ms);
  std::this_thread::sleep_for(500ms);  // time for a delivery that should not come (workers poll every 20 ms)
  const auto bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 2u) << "the failure and the part failure, not the success";
  std::set<std::string> delivered;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    const std::string& body = bodies[i];
    EXPECT_EQ(body.rfind("{\"event\":\"WRITE_OPERATION_FAILURE\",", 0), 0u) << body;
    EXPECT_EQ(receiver.events()[i], "WRITE_OPERATION_FAILURE");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(body, m, std::regex("\"job_id\":\"([0-9a-f]+)\""))) << body;
    delivered.insert(m[1]);
    // The event is in the signed body.
    const std::string signature = receiver.signatures()[i];
    ASSERT_TRUE(std::regex_match(signature, m, std::regex("t=(\\d+),v1=([0-9a-f]{64})"))) << signature;
    EXPECT_EQ(m[2].str(), hmac_hex("hook-secret", m[1].str() + "." + receiver.deliveries()[i] + "." + body));
  }
  EXPECT_EQ(delivered, (std::set<std::string>{failed, partial}));
  EXPECT_EQ(delivered.count(succeeded), 0u);
}

TEST_F(DispatchTest, AnUnreachablePmsFailsAfterTheBoundedAttempts) {
  start();
  pms->stop();
  std::string id = submit("PUT", record_path("1001"), bd_update);
  std::string status = finished_status(id);
  EXPECT_NE(status.find("\"write_status\":\"FAILURE\""), std::string::npos) << status;
  EXPECT_EQ(count(status, "\"code\":\"unreachable\""), 4) << "max_attempts is 4: " << status;
}

TEST_F(DispatchTest, MetricsCountJobOutcomes) {
  start();
  std::string id = submit("PUT", record_path("1001"), bd_update);
  finished_status(id);
  auto r = service->client().Get("/metrics", admin);
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("gatehouse_jobs_total{outcome=\"succeeded\"} 1"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("gatehouse_synced_records_total 3"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("gatehouse_request_seconds_count"), std::string::npos) << r->body;
}

}  // namespace
