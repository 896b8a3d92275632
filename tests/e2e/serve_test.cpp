// End to end: the real `gatehouse serve` on a free loopback port, driven over HTTP.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "e2e/child_process.hpp"

namespace {

namespace fs = std::filesystem;

/// A running `gatehouse serve`.
class Service : public gatehouse::testing::ChildProcess {
 public:
  explicit Service(const fs::path& config) : ChildProcess({GATEHOUSE_BINARY, "serve", "--config", config.string()}) {}
};

class ServeTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("gatehouse_serve_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::path config = dir / "config.yaml";

  void SetUp() override {
    fs::create_directories(dir);
    fs::copy(fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules", dir / "rules", fs::copy_options::recursive);
    std::ofstream(config) << "rules: rules\nstore: jobs.db\nlisten: 127.0.0.1:0\nrate_limit_per_minute: 0\nadmin_api_key: admin-secret-9a4c7e2f1b5d8036\n"
                             "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\n  - {id: globex, api_key: key-globex-8e2d4a7c1b9f0e63}\n"
                             "integrations:\n"
                             "  - {id: int-rm, customer: acme, pms: RENTMANAGER, base_url: 'http://127.0.0.1:1'}\n"
                             "  - {id: int-bd, customer: acme, pms: BUILDIUM, base_url: 'http://127.0.0.1:1'}\n"
                             "records:\n"
                             "  - {model: residents, id: res-rm, integration: int-rm, data: '{\"last_name\":\"Lee\"}'}\n"
                             "  - {model: residents, id: res-bd, integration: int-bd, data: '{\"last_name\":\"Lee\"}'}\n";
  }
  void TearDown() override { fs::remove_all(dir); }

  static httplib::Headers auth(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }
  /// The path of the record the PMS knows as `x_id` (seeded above), by gatehouse's id.
  static std::string record_path(Service& service, const std::string& x_id, const std::string& query = "") {
    auto r = service.client().Get("/v1/residents?x_id=" + x_id, auth("key-acme-5b1f0c9e2d7a4f38"));
    std::smatch id;
    if (!r || !std::regex_search(r->body, id, std::regex("\"id\":\"(rec_[0-9a-f]{32})\""))) return "/v1/residents/none";
    return "/v1/residents/" + id[1].str() + query;
  }
  /// gatehouse's id of the record the PMS knows as `x_id`.
  static std::string gid(Service& service, const std::string& x_id) {
    std::string path = record_path(service, x_id);
    return path.substr(path.rfind('/') + 1);
  }
  static std::string job_id(const std::string& body) {
    auto at = body.find("\"job_id\":\"");
    return at == std::string::npos ? "" : body.substr(at + 10, 32);
  }
};

const std::string rm = R"({"last_name":"Lee","notes":"x","rent_period":"MONTHLY","rent_due_day":1})";
const std::string rm_with_middle_name = R"({"last_name":"Lee","middle_name":"Q","rent_period":"MONTHLY","rent_due_day":1})";

TEST_F(ServeTest, NotesExampleOverHttpAndTenancy) {
  Service service(config);
  auto c = service.client();
  const std::string rm_path = record_path(service, "res-rm", "?ignore_unknown_fields=true");
  auto rejected = c.Put(record_path(service, "res-rm"), auth("key-acme-5b1f0c9e2d7a4f38"), rm, "application/json");
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 400) << rejected->body;
  EXPECT_NE(rejected->body.find("unsupported_field"), std::string::npos);
  auto stripped = c.Put(rm_path, auth("key-acme-5b1f0c9e2d7a4f38"), rm, "application/json");
  ASSERT_TRUE(stripped);
  EXPECT_EQ(stripped->status, 202) << stripped->body;
  auto buildium = c.Put(record_path(service, "res-bd"), auth("key-acme-5b1f0c9e2d7a4f38"),
                        R"({"first_name":"Ann","last_name":"Lee","address_1":"1 Main St","notes":"x"})", "application/json");
  ASSERT_TRUE(buildium);
  EXPECT_EQ(buildium->status, 202) << buildium->body;

  std::string id = job_id(stripped->body);
  auto status = c.Get(("/v1/admin/write-status/" + id).c_str(), auth("key-acme-5b1f0c9e2d7a4f38"));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_NE(status->body.find("\"write_status\":\"PENDING\""), std::string::npos) << status->body;
  EXPECT_EQ(c.Get(("/v1/admin/write-status/" + id).c_str(), auth("key-globex-8e2d4a7c1b9f0e63"))->status, 404);
  const std::string res_rm = record_path(service, "res-rm");
  EXPECT_EQ(c.Get(res_rm, auth("key-globex-8e2d4a7c1b9f0e63"))->status, 404);
  EXPECT_NE(c.Get(res_rm, auth("key-acme-5b1f0c9e2d7a4f38"))->body.find(",\"x_id\":\"res-rm\",\"last_name\":\"Lee\"}"), std::string::npos);
  EXPECT_EQ(c.Get("/v1/residents/res-rm", auth("key-acme-5b1f0c9e2d7a4f38"))->status, 404) << "a seed's id is the PMS's, not gatehouse's";
}

TEST_F(ServeTest, ARestartLosesNoAcceptedJob) {
  std::string id;
  {
    Service service(config);
    auto r = service.client().Put(record_path(service, "res-rm", "?ignore_unknown_fields=true"), auth("key-acme-5b1f0c9e2d7a4f38"), rm, "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202);
    id = job_id(r->body);
  }
  Service restarted(config);
  auto status = restarted.client().Get(("/v1/admin/write-status/" + id).c_str(), auth("key-acme-5b1f0c9e2d7a4f38"));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200) << status->body;
}

TEST_F(ServeTest, ReloadUnderLoadNeverMixesRules) {
  Service service(config);
  const std::string rm_path = record_path(service, "res-rm", "?ignore_unknown_fields=true");
  fs::path rm_rules = dir / "rules" / "pms" / "rentmanager.rules";
  std::string original;
  {
    std::ifstream in(rm_rules);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Version B no longer takes middle_name: the same request is then stripped, not accepted.
  // (A field removed keeps the Rent Manager connector valid; one added it does not map would
  // make the reload fail: see TheConnectorsMustCoverReloadedRules.)
  std::string without_middle_name = std::regex_replace(original, std::regex("  middle_name length \\.\\.50  # assumption\n"), "");
  ASSERT_NE(without_middle_name, original);
  std::atomic<bool> stop{false};
  std::atomic<int> requests{0}, bad{0};
  std::mutex m;
  std::map<std::string, std::set<std::string>> verdicts_by_version;
  std::vector<std::thread> clients;
  for (int t = 0; t < 2; ++t) {
    clients.emplace_back([&] {
      auto c = service.client();
      while (!stop) {
        auto r = c.Put(rm_path, auth("key-acme-5b1f0c9e2d7a4f38"), rm_with_middle_name,
                       "application/json");
        ++requests;
        if (!r || r->status != 202) {
          ++bad;
          continue;
        }
        std::smatch version, verdict;
        std::regex_search(r->body, version, std::regex("\"rules_version\":\"([0-9a-f]+)\""));
        std::regex_search(r->body, verdict, std::regex("\"verdict\":\"(\\w+)\""));
        std::lock_guard lock(m);
        verdicts_by_version[version[1]].insert(verdict[1]);
      }
    });
  }
  auto admin = service.client();
  for (int i = 0; i < 6; ++i) {
    std::ofstream(rm_rules) << (i % 2 == 0 ? without_middle_name : original);
    if (i % 2 == 0) {
      service.signal(SIGHUP);
    } else {
      auto r = admin.Post("/v1/admin/reload", auth("admin-secret-9a4c7e2f1b5d8036"), "", "application/json");
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 200) << r->body;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(requests.load(), 20);
  EXPECT_GE(verdicts_by_version.size(), 2u);
  for (const auto& [version, verdicts] : verdicts_by_version)
    EXPECT_EQ(verdicts.size(), 1u) << "rules " << version << " gave more than one verdict for the same request";
}

TEST_F(ServeTest, TheConnectorsMustCoverReloadedRules) {
  Service service(config);
  fs::path rm_rules = dir / "rules" / "pms" / "rentmanager.rules";
  std::string original;
  {
    std::ifstream in(rm_rules);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Notes on Rent Manager residents: the rules compile, but the connector maps no notes.
  std::ofstream(rm_rules) << std::regex_replace(original, std::regex("rules rentmanager_tenant \\{\n"),
                                                "rules rentmanager_tenant {\n  notes\n");
  auto r = service.client().Post("/v1/admin/reload", auth("admin-secret-9a4c7e2f1b5d8036"), "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422) << r->body;
  EXPECT_NE(r->body.find("residents update offers 'notes', which the connector does not map"), std::string::npos)
      << r->body;
  auto still = service.client().Put(record_path(service, "res-rm"), auth("key-acme-5b1f0c9e2d7a4f38"), rm, "application/json");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 400) << "the old rules stay: " << still->body;
}

// The server percent-decodes the URL, so a record id can be any bytes; the 404 that quotes it
// must still be valid UTF-8 JSON.
TEST_F(ServeTest, ARecordIdThatIsNotUtf8IsQuotedAsValidUtf8) {
  Service service(config);
  auto r = service.client().Put("/v1/residents/%C3%28", auth("key-acme-5b1f0c9e2d7a4f38"), rm, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_TRUE(simdjson::validate_utf8(r->body.data(), r->body.size())) << r->body;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(r->body);
  simdjson::dom::element body;
  ASSERT_EQ(parser.parse(padded).get(body), simdjson::SUCCESS) << r->body;
  EXPECT_EQ(std::string_view(body["error"]["message"]), "no residents record '\\xc3('");
}

// The generic write routes: derived from the rules, each at the document's path and method.

/// A body parsed, or a failed assertion.
simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& body) {
  simdjson::dom::element out;
  EXPECT_EQ(parser.parse(body).get(out), simdjson::SUCCESS) << body;
  return out;
}

const std::string rm_create =
    R"({"integration_id":"int-rm","property_id":"p1","first_name":"Ann","last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})";

TEST_F(ServeTest, AGenericCreateWithAndWithoutTheTrailingSlash) {
  Service service(config);
  auto c = service.client();
  for (const char* path : {"/v1/residents", "/v1/residents/"}) {
    auto r = c.Post(path, auth("key-acme-5b1f0c9e2d7a4f38"), rm_create, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 202) << path << ": " << r->body;
  }
  auto update = c.Put(record_path(service, "res-rm") + "/", auth("key-acme-5b1f0c9e2d7a4f38"), R"({"last_name":"Li","rent_period":"MONTHLY","rent_due_day":1})",
                      "application/json");
  ASSERT_TRUE(update);
  EXPECT_EQ(update->status, 202) << update->body;
}

// The unified API's document declares job_id and data; gatehouse's meta stays beside them.
TEST_F(ServeTest, AnAcceptedWriteAnswersJobIdAndTheDataThatGoesToThePms) {
  Service service(config);
  auto c = service.client();
  auto r = c.Put(record_path(service, "res-rm", "?ignore_unknown_fields=true"), auth("key-acme-5b1f0c9e2d7a4f38"), rm, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  simdjson::dom::parser parser;
  auto body = parse(parser, r->body);
  std::string_view job, meta_job, verdict;
  ASSERT_EQ(body["job_id"].get(job), simdjson::SUCCESS) << r->body;
  ASSERT_EQ(body["meta"]["job_id"].get(meta_job), simdjson::SUCCESS) << r->body;
  EXPECT_EQ(job, meta_job);
  EXPECT_EQ(body["meta"]["verdict"].get(verdict), simdjson::SUCCESS);
  EXPECT_EQ(verdict, "strip");
  EXPECT_EQ(simdjson::to_string(body["data"]), R"({"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})")
      << "data is the payload after the strip: " << r->body;
  // A create's data is what goes to the PMS: integration_id only names the integration.
  auto created = c.Post("/v1/residents/", auth("key-acme-5b1f0c9e2d7a4f38"), rm_create, "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 202) << created->body;
  auto created_body = parse(parser, created->body);
  std::string_view last_name;
  EXPECT_EQ(created_body["data"]["last_name"].get(last_name), simdjson::SUCCESS) << created->body;
  EXPECT_EQ(created_body["data"]["integration_id"].error(), simdjson::NO_SUCH_FIELD) << created->body;
  auto status = c.Get(("/v1/admin/write-status/" + std::string(job)).c_str(), auth("key-acme-5b1f0c9e2d7a4f38"));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200) << status->body;
}

TEST_F(ServeTest, APerPmsUpdateDecidesWithThatPmsRules) {
  Service service(config);
  auto c = service.client();
  auto rejected = c.Put("/v1/residents/rentmanager/" + gid(service, "res-rm"), auth("key-acme-5b1f0c9e2d7a4f38"), rm, "application/json");
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 400) << rejected->body;
  EXPECT_NE(rejected->body.find("unsupported_field"), std::string::npos) << rejected->body;
  auto r = c.Put("/v1/residents/rentmanager/" + gid(service, "res-rm") + "/?ignore_unknown_fields=true", auth("key-acme-5b1f0c9e2d7a4f38"), rm, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  auto bd = c.Put("/v1/residents/buildium/" + gid(service, "res-bd"), auth("key-acme-5b1f0c9e2d7a4f38"),
                  R"({"first_name":"Ann","last_name":"Lee","address_1":"1 Main St","notes":"x"})", "application/json");
  ASSERT_TRUE(bd);
  EXPECT_EQ(bd->status, 202) << bd->body;
}

TEST_F(ServeTest, APerPmsRouteRefusesAnotherPmsIntegration) {
  Service service(config);
  auto c = service.client();
  auto record = c.Put("/v1/residents/buildium/" + gid(service, "res-rm"), auth("key-acme-5b1f0c9e2d7a4f38"), rm, "application/json");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, 409) << record->body;
  EXPECT_NE(record->body.find(R"("code":"wrong_pms")"), std::string::npos) << record->body;
  EXPECT_NE(record->body.find("residents record '" + gid(service, "res-rm") +
                              "' (integration 'int-rm') is on RENTMANAGER, but this is BUILDIUM's route"),
            std::string::npos)
      << record->body;
  auto create = c.Post("/v1/residents/buildium/", auth("key-acme-5b1f0c9e2d7a4f38"), rm_create, "application/json");
  ASSERT_TRUE(create);
  EXPECT_EQ(create->status, 409) << create->body;
  EXPECT_NE(create->body.find("integration 'int-rm' is on RENTMANAGER, but this is BUILDIUM's route (use POST /v1/residents/, or the route with 'rentmanager')"), std::string::npos) << create->body;
}

// A named operation is served at its route and decided with its body; no connector carries one
// to a PMS yet, so an allowed one is refused (501) before it is stored, not queued and lost.
TEST_F(ServeTest, ANamedOperationRoute) {
  std::ofstream(dir / "rules" / "appointments.rules")
      << "model events_appointments_leads \"events/appointments/leads\" {\n"
         "  integration_id: string\n  event_id: string\n  notes: string\n"
         "  create { integration_id required  event_id  notes }\n"
         "  cancel { integration_id required  event_id required }\n}\n";
  fs::path rm_rules = dir / "rules" / "pms" / "rentmanager.rules";
  std::string original;
  {
    std::ifstream in(rm_rules);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string with_cancel = std::regex_replace(original, std::regex("pms RENTMANAGER \"Rent Manager\" \\{\n"),
                                               "pms RENTMANAGER \"Rent Manager\" {\n"
                                               "  events_appointments_leads {\n    cancel { event_id }\n  }\n");
  ASSERT_NE(with_cancel, original);
  std::ofstream(rm_rules) << with_cancel;
  Service service(config);
  auto c = service.client();
  for (const char* path : {"/v1/events/appointments/leads/cancel", "/v1/events/appointments/leads/cancel/rentmanager/"}) {
    auto r = c.Post(path, auth("key-acme-5b1f0c9e2d7a4f38"), R"({"integration_id":"int-rm","event_id":"e1"})", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 501) << path << ": " << r->body;
    EXPECT_NE(r->body.find("no connector carries events_appointments_leads cancel to RENTMANAGER yet"), std::string::npos)
        << r->body;
  }
  auto missing = c.Post("/v1/events/appointments/leads/cancel", auth("key-acme-5b1f0c9e2d7a4f38"), R"({"integration_id":"int-rm"})",
                        "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400) << missing->body;
  EXPECT_NE(missing->body.find(R"({"path":"/event_id","code":"missing_required_field")"), std::string::npos)
      << missing->body;
  auto not_offered = c.Post("/v1/events/appointments/leads/", auth("key-acme-5b1f0c9e2d7a4f38"), R"({"integration_id":"int-rm"})",
                            "application/json");
  ASSERT_TRUE(not_offered);
  EXPECT_EQ(not_offered->status, 405) << "Rent Manager's rules do not cover the create: " << not_offered->body;
  EXPECT_NE(not_offered->body.find(R"("code":"operation_not_supported")"), std::string::npos) << not_offered->body;
}

TEST_F(ServeTest, AnUnknownPathIs404InTheErrorShape) {
  Service service(config);
  auto c = service.client();
  for (const char* path : {"/v1/nothing", "/v1/residents/res-rm/file-upload", "/v1/residents/yardi/rentmanager/x1"}) {
    auto r = c.Post(path, auth("key-acme-5b1f0c9e2d7a4f38"), R"({"integration_id":"int-rm"})", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path << ": " << r->body;
    EXPECT_EQ(r->body.rfind(R"({"error":{"status":404,"code":"not_found","message":"no route POST ')", 0), 0u) << r->body;
  }
}

TEST_F(ServeTest, AKnownPathWithAnotherMethodIs405WithAllow) {
  Service service(config);
  auto c = service.client();
  auto r = c.Delete(record_path(service, "res-rm"), auth("key-acme-5b1f0c9e2d7a4f38"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405) << r->body;
  EXPECT_EQ(r->get_header_value("Allow"), "GET, PUT");
  EXPECT_NE(r->body.find(R"("code":"method_not_allowed")"), std::string::npos) << r->body;
  auto create = c.Patch("/v1/residents/", auth("key-acme-5b1f0c9e2d7a4f38"), "{}", "application/json");
  ASSERT_TRUE(create);
  EXPECT_EQ(create->status, 405) << create->body;
  EXPECT_EQ(create->get_header_value("Allow"), "GET, POST") << "GET: the records by the PMS's id";
  auto per_pms = c.Get("/v1/residents/buildium/" + gid(service, "res-bd"), auth("key-acme-5b1f0c9e2d7a4f38"));
  ASSERT_TRUE(per_pms);
  EXPECT_EQ(per_pms->status, 405) << per_pms->body;
  EXPECT_EQ(per_pms->get_header_value("Allow"), "PUT");
}

TEST_F(ServeTest, TheAdminEndpointNeedsTheAdminKey) {
  Service service(config);
  auto r = service.client().Post("/v1/admin/reload", auth("key-acme-5b1f0c9e2d7a4f38"), "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body.rfind(R"({"error":{"status":404,"code":"not_found")", 0), 0u) << r->body;
  auto get = service.client().Get("/v1/admin/reload", auth("admin-secret-9a4c7e2f1b5d8036"));
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  // The admin routes are served like every other: counted in /metrics.
  auto metrics = service.client().Get("/metrics", auth("admin-secret-9a4c7e2f1b5d8036"));
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("gatehouse_responses_total{status=\"404\"} 1\n"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("gatehouse_responses_total{status=\"405\"} 1\n"), std::string::npos) << metrics->body;
}

TEST_F(ServeTest, MetricsAreTheOperatorsAlone) {
  Service service(config);
  for (const auto& headers : {httplib::Headers{}, auth("key-acme-5b1f0c9e2d7a4f38")}) {
    auto r = service.client().Get("/metrics", headers);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << "a customer's key, or none, sees no metrics: " << r->body;
  }
  auto r = service.client().Get("/metrics", auth("admin-secret-9a4c7e2f1b5d8036"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("gatehouse_decisions_total"), std::string::npos);
}

// The crash the key is for: the service took a write and was killed before the client read its
// 202. The client sends the write again, with its key, to the service restarted on the same
// SQLite file, and gets the first answer (the same job_id), not a second job.
TEST_F(ServeTest, AnIdempotencyKeySurvivesACrash) {
  std::string first_body, path;
  auto keyed = [](const std::string& key) {
    httplib::Headers h = auth("key-acme-5b1f0c9e2d7a4f38");
    h.emplace("Idempotency-Key", key);
    return h;
  };
  {
    Service service(config);
    path = record_path(service, "res-rm", "?ignore_unknown_fields=true");
    auto r = service.client().Put(path, keyed("retry-me-1"), rm, "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    EXPECT_FALSE(r->has_header("Idempotent-Replayed"));
    first_body = r->body;
    service.stop(SIGKILL);
  }
  Service restarted(config);
  auto c = restarted.client();
  auto again = c.Put(path, keyed("retry-me-1"), rm, "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 202);
  EXPECT_EQ(again->body, first_body) << "the same job_id, the same answer";
  EXPECT_EQ(again->get_header_value("Idempotent-Replayed"), "true");
  auto other = c.Put(path, keyed("retry-me-1"), rm_with_middle_name, "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 422);
  EXPECT_NE(other->body.find(R"("code":"idempotency_key_reused")"), std::string::npos) << other->body;
  auto status = c.Get("/v1/admin/write-status/" + job_id(first_body), auth("key-acme-5b1f0c9e2d7a4f38"));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200) << status->body;
  auto metrics = c.Get("/metrics", auth("admin-secret-9a4c7e2f1b5d8036"));
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("gatehouse_idempotent_replays_total 1\n"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("gatehouse_decisions_total{verdict=\"strip\"} 0\n"), std::string::npos)
      << "the replay was not decided again: " << metrics->body;
}

TEST_F(ServeTest, AnIdempotencyKeyIsOneHeaderOfPrintableAscii) {
  Service service(config);
  const std::string path = record_path(service, "res-rm", "?ignore_unknown_fields=true");
  httplib::Headers twice = auth("key-acme-5b1f0c9e2d7a4f38");
  twice.emplace("Idempotency-Key", "a");
  twice.emplace("Idempotency-Key", "b");
  auto r = service.client().Put(path, twice, rm, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find(R"("code":"invalid_idempotency_key")"), std::string::npos) << r->body;
  httplib::Headers too_long = auth("key-acme-5b1f0c9e2d7a4f38");
  too_long.emplace("Idempotency-Key", std::string(256, 'k'));
  auto long_key = service.client().Put(path, too_long, rm, "application/json");
  ASSERT_TRUE(long_key);
  EXPECT_EQ(long_key->status, 400);
  EXPECT_NE(long_key->body.find("the most is 255"), std::string::npos) << long_key->body;
}

}  // namespace
