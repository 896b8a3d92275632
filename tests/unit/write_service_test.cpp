// The write service's handling of requests, over the bundled rules and a SQLite store.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <tuple>

#include "gatehouse/rules_loader.hpp"
#include "gatehouse/store/sqlite_store.hpp"
#include "gatehouse/service/write_service.hpp"
#include "service_test_fixture.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;

class WriteServiceTest : public ::testing::Test {
 protected:
  fs::path file = service_testing::test_store_file("gatehouse_service_");
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<WriteService> service;
  std::string res_rm, res_bd;  // gatehouse's ids of the records the PMSs know as res-rm and res-bd

  void SetUp() override {
    engine = std::make_unique<Engine>(service_testing::test_rules());
    store = std::make_unique<store::SqliteStore>(file.string());
    service_testing::put_test_customers(*store);
    service_testing::put_test_integrations(*store);
    res_rm = store->put_record({"residents", "res-rm", "int-rm", R"({"last_name":"Lee"})", "2026-11-28T09:00:00Z"}).value();
    res_bd = store->put_record({"residents", "res-bd", "int-bd", R"({"last_name":"Lee"})", "2026-11-28T09:00:00Z"}).value();
    service = std::make_unique<WriteService>(*engine, *store, Limits{}, [] { return std::string("2026-11-28T10:00:00Z"); });
  }
  void TearDown() override {
    service.reset();
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
  }

  HttpResponse call(std::string method, std::string path, std::string body = "", std::string key = "key-acme",
                    std::map<std::string, std::string> query = {}) {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.query = std::move(query);
    if (!key.empty()) r.headers["authorization"] = "Bearer " + key;
    r.headers["content-type"] = "application/json";
    r.body = std::move(body);
    return service->handle(r);
  }

  static std::string job_id(const HttpResponse& r) {
    auto at = r.body.find("\"job_id\":\"") + 10;
    return r.body.substr(at, 32);
  }
};

const std::string rm_update = R"({"last_name":"Lee","notes":"x","rent_period":"MONTHLY","rent_due_day":1})";

TEST_F(WriteServiceTest, NotesOnRentManagerRejectWithoutTheFlagAndStripWithIt) {
  HttpResponse rejected = call("PUT", "/v1/residents/" + res_rm, rm_update);
  EXPECT_EQ(rejected.status, 400) << rejected.body;
  EXPECT_NE(rejected.body.find(R"("code":"rejected")"), std::string::npos) << rejected.body;
  EXPECT_NE(rejected.body.find(R"({"path":"/notes","code":"unsupported_field")"), std::string::npos) << rejected.body;

  HttpResponse stripped = call("PUT", "/v1/residents/" + res_rm, rm_update, "key-acme", {{"ignore_unknown_fields", "true"}});
  EXPECT_EQ(stripped.status, 202) << stripped.body;
  EXPECT_NE(stripped.body.find(R"("verdict":"strip")"), std::string::npos) << stripped.body;
  EXPECT_NE(stripped.body.find(R"("stripped":[{"path":"/notes")"), std::string::npos) << stripped.body;
  auto status = call("GET", "/v1/admin/write-status/" + job_id(stripped));
  EXPECT_EQ(status.status, 200);
  EXPECT_NE(status.body.find(R"("write_status":"PENDING")"), std::string::npos) << status.body;
}

TEST_F(WriteServiceTest, BuildiumTakesNotes) {
  HttpResponse r = call("PUT", "/v1/residents/" + res_bd,
                        R"({"first_name":"Ann","last_name":"Lee","address_1":"1 Main St","notes":"x"})");
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_NE(r.body.find(R"("verdict":"accept")"), std::string::npos);
}

TEST_F(WriteServiceTest, TheCacheDoesNotChangeOnAWrite) {
  call("PUT", "/v1/residents/" + res_rm, R"({"last_name":"Li","rent_period":"MONTHLY","rent_due_day":1})");
  HttpResponse r = call("GET", "/v1/residents/" + res_rm);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("data":{"id":")" + res_rm + R"(","x_id":"res-rm","last_name":"Lee"})"), std::string::npos)
      << r.body;
}

TEST_F(WriteServiceTest, RecordsAreNamedByGatehousesIdAndFoundByThePmsId) {
  // The PMS's id served as x_id, in place of whatever the cached JSON held as id.
  std::string rm2 = store->put_record({"residents", "5001", "int-rm", R"({"id":"5001","x_id":"?","last_name":"Park"})",
                                        "2026-11-28T09:00:00Z"}).value();
  HttpResponse r = call("GET", "/v1/residents/" + rm2);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"data":{"id":")" + rm2 +
                        R"(","x_id":"5001","last_name":"Park"},"integration_id":"int-rm","synced_at":"2026-11-28T09:00:00Z"})");
  HttpResponse found = call("GET", "/v1/residents", "", "key-acme", {{"x_id", "5001"}});
  EXPECT_EQ(found.status, 200);
  EXPECT_EQ(found.body, "{\"records\":[" + r.body + "]}");
  EXPECT_EQ(call("GET", "/v1/residents", "", "key-acme", {{"x_id", "5001"}, {"integration_id", "int-bd"}}).body,
            R"({"records":[]})");
  EXPECT_EQ(call("GET", "/v1/residents", "", "key-globex", {{"x_id", "5001"}}).body, R"({"records":[]})");
  EXPECT_EQ(call("GET", "/v1/residents").status, 400);
  // The PMS's id names no record: it is not unique across integrations.
  EXPECT_EQ(call("GET", "/v1/residents/5001").status, 404);
  EXPECT_EQ(call("PUT", "/v1/residents/res-rm", rm_update).status, 404);
  EXPECT_EQ(call("GET", "/v1/leads/" + rm2).status, 404) << "an id of another model";
}

TEST_F(WriteServiceTest, AWriteCarriesThePmsIdOfTheRecordItsIdNames) {
  // A second Rent Manager integration whose PMS also has a tenant res-rm.
  store->put_integration({"int-rm2", "acme", "RENTMANAGER", "http://127.0.0.1:2"}).value();
  std::string other = store->put_record({"residents", "res-rm", "int-rm2", "{}", "2026-11-28T09:00:00Z"}).value();
  ASSERT_NE(other, res_rm);
  const std::string body = R"({"last_name":"Li","rent_period":"MONTHLY","rent_due_day":1})";
  ASSERT_EQ(call("PUT", "/v1/residents/" + other, body).status, 202);
  ASSERT_EQ(call("PUT", "/v1/residents/" + res_rm, body).status, 202);
  std::map<std::string, std::string> native_id_by_integration;
  while (auto job = store->claim("w", "2026-11-28T10:00:00Z").value()) native_id_by_integration[job->integration_id] = job->record_id;
  EXPECT_EQ(native_id_by_integration, (std::map<std::string, std::string>{{"int-rm", "res-rm"}, {"int-rm2", "res-rm"}}))
      << "each write to its own integration, with the PMS's id";
}

TEST_F(WriteServiceTest, CreatesNameTheirIntegrationInTheBody) {
  HttpResponse r = call("POST", "/v1/residents",
                        R"({"integration_id": "int-rm", "property_id":"p1","first_name":"Ann","last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})");
  EXPECT_EQ(r.status, 202) << r.body;
  HttpResponse units = call("POST", "/v1/units", R"({"unit_number":"101", "integration_id":"int-rm"})");
  EXPECT_EQ(units.status, 405) << units.body;
  EXPECT_NE(units.body.find(R"("code":"operation_not_supported")"), std::string::npos);
  EXPECT_EQ(call("POST", "/v1/residents", R"({"last_name":"Lee"})").status, 400);
  EXPECT_EQ(call("POST", "/v1/residents", R"({"integration_id":"int-nope","last_name":"Lee"})").status, 404);
}

TEST_F(WriteServiceTest, AnotherCustomerSeesNothing) {
  HttpResponse accepted = call("PUT", "/v1/residents/" + res_rm, R"({"last_name":"Li","rent_period":"MONTHLY","rent_due_day":1})");
  ASSERT_EQ(accepted.status, 202);
  EXPECT_EQ(call("GET", "/v1/admin/write-status/" + job_id(accepted), "", "key-globex").status, 404);
  EXPECT_EQ(call("GET", "/v1/residents/" + res_rm, "", "key-globex").status, 404);
  EXPECT_EQ(call("PUT", "/v1/residents/" + res_rm, "{}", "key-globex").status, 404);
  EXPECT_EQ(call("GET", "/v1/meta/residents/update", "", "key-globex", {{"integration_id", "int-rm"}}).status, 404);
}

TEST_F(WriteServiceTest, AuthenticationMediaTypeAndLimits) {
  EXPECT_EQ(call("GET", "/v1/residents/" + res_rm, "", "").status, 401);
  EXPECT_EQ(call("GET", "/v1/residents/" + res_rm, "", "wrong").status, 401);
  HttpRequest text;
  text.method = "PUT";
  text.path = "/v1/residents/" + res_rm;
  text.headers = {{"authorization", "Bearer key-acme"}, {"content-type", "text/plain"}};
  text.body = "{}";
  EXPECT_EQ(service->handle(text).status, 415);
  WriteService small(*engine, *store, Limits{16, 32});
  text.headers["content-type"] = "application/json";
  text.body = rm_update;
  HttpResponse too_large = small.handle(text);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(too_large.body.rfind("{\"error\":{\"status\":413,\"code\":\"payload_too_large\"", 0), 0u) << too_large.body;
  EXPECT_EQ(call("DELETE", "/v1/residents/" + res_rm).status, 405);
  EXPECT_EQ(call("GET", "/v2/anything").status, 404);
  EXPECT_EQ(call("GET", "/healthz", "", "").status, 200);
}

// What a server asks before it reads a body: the key check of handle(), from the head alone.
TEST_F(WriteServiceTest, AuthorizeChecksTheKeyFromTheHead) {
  HttpRequest head;
  head.method = "PUT";
  head.path = "/v1/residents/" + res_rm;
  auto missing = service->authorize(head);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  head.headers["authorization"] = "Bearer wrong";
  auto unknown = service->authorize(head);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->body.rfind(R"({"error":{"status":401,"code":"unauthorized","message":"unknown API key")", 0), 0u)
      << unknown->body;
  head.headers["authorization"] = "Bearer key-acme";
  EXPECT_FALSE(service->authorize(head));
  head.headers.clear();
  for (const char* open : {"/healthz", "/metrics", "/elsewhere"}) {
    head.path = open;
    EXPECT_FALSE(service->authorize(head)) << open << " needs no key";
  }
  head.path = "/v1/admin/reload";
  auto admin = service->authorize(head);
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 404) << "no admin routes without their hook";
  EXPECT_TRUE(WriteService::answers_from_memory(HttpRequest{"GET", "/healthz", {}, {}, ""}));
  EXPECT_FALSE(WriteService::answers_from_memory(HttpRequest{"PUT", "/v1/residents/" + res_rm, {}, {}, ""}));
}

TEST_F(WriteServiceTest, MetricsCountDecisionsAndResponses) {
  call("PUT", "/v1/residents/" + res_rm, rm_update);
  call("PUT", "/v1/residents/" + res_rm, rm_update, "key-acme", {{"ignore_unknown_fields", "true"}});
  call("GET", "/v1/residents/nope");
  HttpRequest r;
  r.method = "GET";
  r.path = "/metrics";
  HttpResponse m = service->handle(r);
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.rfind("text/plain", 0), 0u);
  EXPECT_NE(m.body.find("gatehouse_decisions_total{verdict=\"strip\"} 1\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("gatehouse_decisions_total{verdict=\"reject\"} 1\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("gatehouse_responses_total{status=\"202\"} 1\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("gatehouse_responses_total{status=\"404\"} 1\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("gatehouse_decision_seconds_total "), std::string::npos);
}

TEST_F(WriteServiceTest, AWriteNoConnectorCanCarryIsRefusedBeforeItIsStored) {
  int enqueued = 0;
  service->set_hooks({[](std::string_view pms, std::string_view, std::string_view) { return pms == "BUILDIUM"; },
                      [&] { ++enqueued; }, nullptr, nullptr, nullptr, nullptr});
  auto refused = call("PUT", "/v1/residents/" + res_rm, rm_update, "key-acme", {{"ignore_unknown_fields", "true"}});
  EXPECT_EQ(refused.status, 501) << refused.body;
  EXPECT_NE(refused.body.find("\"code\":\"no_connector\""), std::string::npos) << refused.body;
  EXPECT_EQ(enqueued, 0);
  auto taken = call("PUT", "/v1/residents/" + res_bd, R"({"first_name":"A","last_name":"Lee","address_1":"1 Main St"})");
  EXPECT_EQ(taken.status, 202) << taken.body;
  EXPECT_EQ(enqueued, 1) << "the dispatcher is woken for each stored job";
}

// The accepted answer: job_id and data (what goes to the PMS) at the top, meta beside them.
TEST_F(WriteServiceTest, AnAcceptedWriteAnswersJobIdDataAndMeta) {
  HttpResponse r = call("POST", "/v1/residents/",
                        R"({"integration_id":"int-rm","property_id":"p1","first_name":"Ann","last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})");
  ASSERT_EQ(r.status, 202) << r.body;
  std::string id = job_id(r);
  EXPECT_EQ(r.body, R"({"job_id":")" + id + R"(","data":{"property_id":"p1","first_name":"Ann","last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1},)" +
                        R"("meta":{"job_id":")" + id + R"(","verdict":"accept","stripped":[],"rules_version":")" +
                        engine->program()->rules_version() + R"("}})");
}

TEST_F(WriteServiceTest, PerPmsRoutesDecideWithTheirPmsAndRefuseAnotherPmsIntegration) {
  EXPECT_EQ(call("PUT", "/v1/residents/rentmanager/" + res_rm, rm_update, "key-acme", {{"ignore_unknown_fields", "true"}}).status, 202);
  HttpResponse record = call("PUT", "/v1/residents/buildium/" + res_rm, rm_update);
  EXPECT_EQ(record.status, 409) << record.body;
  EXPECT_NE(record.body.find(R"("code":"wrong_pms")"), std::string::npos) << record.body;
  HttpResponse create = call("POST", "/v1/residents/buildium/", R"({"integration_id":"int-rm","last_name":"Lee"})");
  EXPECT_EQ(create.status, 409) << create.body;
  // An integration_id beside a record id must be the record's own.
  HttpResponse mismatch = call("PUT", "/v1/residents/" + res_rm, R"({"integration_id":"int-bd","last_name":"Lee"})");
  EXPECT_EQ(mismatch.status, 409) << mismatch.body;
  EXPECT_NE(mismatch.body.find(R"("code":"integration_mismatch")"), std::string::npos) << mismatch.body;
}

TEST_F(WriteServiceTest, UnknownPathsAre404AndOtherMethods405WithAllow) {
  HttpResponse unknown = call("POST", "/v1/nothing/at/all", "{}");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  HttpResponse wrong = call("POST", "/v1/residents/res-rm", "{}");
  EXPECT_EQ(wrong.status, 405) << wrong.body;
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, PUT"}));
  HttpResponse status = call("PUT", "/v1/admin/write-status/x", "{}");
  EXPECT_EQ(status.status, 405);
  ASSERT_EQ(status.headers.size(), 1u);
  EXPECT_EQ(status.headers[0].second, "GET");
}

TEST_F(WriteServiceTest, MetaGivesTheIntegrationsSchema) {
  HttpResponse r = call("GET", "/v1/meta/residents/update", "", "key-acme", {{"integration_id", "int-rm"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"$schema\":\"https://json-schema.org/draft/2020-12/schema\""), std::string::npos);
  EXPECT_EQ(call("GET", "/v1/meta/units/create", "", "key-acme", {{"integration_id", "int-rm"}}).status, 405);
}

// Ids, models and query values reach the service percent-decoded, so they can be any bytes:
// every error body that quotes one is still valid UTF-8 JSON, the bytes rendered \xhh.
TEST_F(WriteServiceTest, ErrorBodiesThatQuoteRequestBytesAreValidUtf8) {
  const std::pair<HttpResponse, std::string> cases[] = {
      {call("PUT", "/v1/residents/\xc3(", rm_update), "no residents record '\\xc3('"},
      {call("GET", "/v1/residents/\xc3("), "no residents record '\\xc3('"},
      {call("PUT", "/v1/resident\xff/res-rm", rm_update), "no route PUT '/v1/resident\\xff/res-rm'"},
      {call("POST", "/v1/resident\xff", R"({"integration_id":"int-rm","last_name":"Lee"})"),
       "no route POST '/v1/resident\\xff'"},
      {call("POST", "/v1/residents", "{\"integration_id\":\"int\\u00e9\",\"last_name\":\"Lee\"}"),
       "no integration 'int\xc3\xa9'"},
      {call("GET", "/v1/admin/write-status/\xed\xa0\x80"), "no write '\\xed\\xa0\\x80'"},
      {call("GET", "/v1/meta/residents/update", "", "key-acme", {{"integration_id", "int\xc3"}}),
       "no integration 'int\\xc3'"},
      {call("GET", "/v1/meta/resident\xff/update", "", "key-acme", {{"integration_id", "int-rm"}}),
       "no such model 'resident\\xff'"},
  };
  for (const auto& [r, message] : cases) {
    EXPECT_EQ(r.status, 404) << r.body;
    ASSERT_TRUE(simdjson::validate_utf8(r.body.data(), r.body.size())) << r.body;
    simdjson::dom::parser parser;
    simdjson::padded_string padded(r.body);
    simdjson::dom::element body;
    ASSERT_EQ(parser.parse(padded).get(body), simdjson::SUCCESS) << r.body;
    EXPECT_EQ(std::string_view(body["error"]["message"]), message);
  }
}

// A record is found by the PMS's id at its model's collection, whatever writes the model has and
// however its resource nests in another's: deposit-summaries has updates only (no POST at its
// collection), and amenities/units is under amenities, whose record 'units' it must not read as.
// Both answered 404, so their records' ids could not be found and their routes not used.
TEST(WriteServiceRecordsByXId, AtEveryModelsCollection) {
  fs::path file = fs::temp_directory_path() / ("gatehouse_service_x_id_" + std::to_string(::getpid()) + ".db");
  Compilation c = compile_directory(fs::path(GATEHOUSE_SOURCE_DIR) / "rules");
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  Engine engine(c.program);
  {
    store::SqliteStore store(file.string());
    store.put_customer("acme", "key-acme").value();
    store.put_integration({"int-yardi", "acme", "YARDI", "http://127.0.0.1:1"}).value();
    store.put_integration({"int-bd", "acme", "BUILDIUM", "http://127.0.0.1:1"}).value();
    std::string deposit = store.put_record({"deposit_summaries", "d1", "int-yardi", "{}", "2026-11-28T09:00:00Z"}).value();
    std::string unit = store.put_record({"amenities_units", "a1", "int-bd", "{}", "2026-11-28T09:00:00Z"}).value();
    std::string property = store.put_record({"amenities_properties", "a1", "int-bd", "{}", "2026-11-28T09:00:00Z"}).value();
    WriteService service(engine, store, Limits{});
    auto get = [&](const std::string& path, const std::string& x_id) {
      HttpRequest r;
      r.method = "GET";
      r.path = path;
      r.query = {{"x_id", x_id}};
      r.headers["authorization"] = "Bearer key-acme";
      return service.handle(r);
    };
    for (const auto& [path, x_id, id] : {std::tuple{"/v1/deposit-summaries", "d1", deposit},
                                        std::tuple{"/v1/deposit-summaries/", "d1", deposit},
                                        std::tuple{"/v1/amenities/units", "a1", unit},
                                        std::tuple{"/v1/amenities/properties/", "a1", property}}) {
      HttpResponse r = get(path, x_id);
      EXPECT_EQ(r.status, 200) << path << ": " << r.body;
      EXPECT_NE(r.body.find("{\"records\":[{\"data\":{\"id\":\"" + id + "\",\"x_id\":\"" + x_id + "\"}"),
                std::string::npos)
          << path << ": " << r.body;
    }
    EXPECT_EQ(get("/v1/amenities", "a1").body, R"({"records":[]})") << "amenities has no record a1";
  }
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
}

}  // namespace
}  // namespace gatehouse::service

namespace gatehouse::service {
namespace {

// The service decided with the default limits whatever its config said: a 1.5 MiB write was
// refused as too large with max_payload_bytes at 4 MiB.
TEST_F(WriteServiceTest, TheConfiguredLimitsAreTheOnesTheDecisionUses) {
  service = std::make_unique<WriteService>(*engine, *store, Limits{4u << 20, 32, 100},
                                           [] { return std::string("2026-11-28T10:00:00Z"); });
  std::string big = R"({"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1,"extra_text":")" +
                    std::string(1536 * 1024, 'x') + "\"}";
  HttpResponse r = call("PUT", "/v1/residents/" + res_rm, big, "key-acme", {{"ignore_unknown_fields", "true"}});
  EXPECT_EQ(r.status, 202) << r.body.substr(0, 300);
  service = std::make_unique<WriteService>(*engine, *store, Limits{4u << 20, 32, 2},
                                           [] { return std::string("2026-11-28T10:00:00Z"); });
  HttpResponse listed = call("PUT", "/v1/residents/" + res_rm, R"({"last_name":"Lee","a":1,"b":2,"c":3,"rent_period":"MONTHLY","rent_due_day":1})");
  EXPECT_EQ(listed.status, 400);
  EXPECT_NE(listed.body.find("too_many_errors"), std::string::npos) << listed.body;
}

// A customer's queue is bounded: a write past its cap of unfinished jobs is refused before it is
// stored, with the service's error shape and a Retry-After, and taken again once jobs finish.
TEST_F(WriteServiceTest, AWritePastTheCustomersQueueCapIs429QueueFull) {
  WriteServiceHooks hooks;
  hooks.max_queued_jobs = [](std::string_view customer) { return customer == "acme" ? std::size_t{2} : 0; };
  service->set_hooks(std::move(hooks));
  const std::string update = R"({"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})";
  ASSERT_EQ(call("PUT", "/v1/residents/" + res_rm, update).status, 202);
  ASSERT_EQ(call("PUT", "/v1/residents/" + res_rm, update).status, 202);
  HttpResponse full = call("PUT", "/v1/residents/" + res_rm, update);
  EXPECT_EQ(full.status, 429) << full.body;
  EXPECT_EQ(full.body,
            R"x({"error":{"status":429,"code":"queue_full","message":"this customer has 2 jobs queued or in progress (its )x"
            R"x(writes and their follow-up calls), )x"
            R"x(the most it may have is 2; send this write again once some have finished (write-status shows their )x"
            R"x(progress)","details":[]}})x");
  bool retry_after = false;
  for (const auto& [name, value] : full.headers) retry_after |= name == "Retry-After" && value == "5";
  EXPECT_TRUE(retry_after);
  EXPECT_EQ(store->unfinished_jobs("acme").value(), 2u) << "nothing stored";
  EXPECT_EQ(call("PUT", "/v1/residents/" + res_rm, rm_update).status, 400) << "a write the rules refuse says so first";

  auto claimed = store->claim("w", "2026-11-28T10:00:01.000Z").value();
  ASSERT_TRUE(claimed);
  store->succeed(claimed->id, claimed->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:02.000Z").value();
  EXPECT_EQ(call("PUT", "/v1/residents/" + res_rm, update).status, 202) << "room again once one finished";
  std::string metrics = service->handle(HttpRequest{"GET", "/metrics", {}, {}, ""}).body;
  EXPECT_NE(metrics.find("gatehouse_queue_full_total 1\n"), std::string::npos) << metrics;
}

TEST_F(WriteServiceTest, WithoutACapWritesQueueWithoutCounting) {
  WriteServiceHooks hooks;
  hooks.max_queued_jobs = [](std::string_view) { return std::size_t{0}; };  // 0: no cap
  service->set_hooks(std::move(hooks));
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(call("PUT", "/v1/residents/" + res_rm, R"({"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})").status, 202);
}

// Write-status of a write retention deleted, or of an id that never was: 404, and the message
// says an old id may have expired.
TEST_F(WriteServiceTest, WriteStatusOfAnExpiredOrUnknownWriteIs404SayingWhy) {
  HttpResponse accepted = call("PUT", "/v1/residents/" + res_rm, R"({"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})");
  ASSERT_EQ(accepted.status, 202);
  const std::string id = job_id(accepted);
  auto claimed = store->claim("w", "2026-11-28T10:00:01.000Z").value();
  ASSERT_TRUE(claimed);
  store->succeed(claimed->id, claimed->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:02.000Z").value();
  ASSERT_EQ(call("GET", "/v1/admin/write-status/" + id).status, 200);
  ASSERT_EQ(store->delete_finished_writes("2026-12-28T10:00:03.000Z", 100).value(), 1u);

  EXPECT_EQ(call("GET", "/v1/admin/write-status/" + id).body,
            R"({"error":{"status":404,"code":"not_found","message":"no write ')" + id + R"('","details":[]}})")
      << "without retention configured, no word of it";
  WriteServiceHooks hooks;
  hooks.retention = std::chrono::hours(24 * 30);
  service->set_hooks(std::move(hooks));
  HttpResponse expired = call("GET", "/v1/admin/write-status/" + id);
  EXPECT_EQ(expired.status, 404);
  EXPECT_EQ(expired.body, R"x({"error":{"status":404,"code":"not_found","message":"no write ')x" + id +
                              R"x(': it does not exist, or it finished more than 30 days ago and was deleted (the )x"
                              R"x(service keeps finished writes that long)","details":[]}})x");
  HttpResponse unknown = call("GET", "/v1/admin/write-status/0123456789abcdef0123456789abcdef");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("it does not exist, or it finished more than 30 days ago"), std::string::npos) << unknown.body;
  hooks = {};
  hooks.retention = std::chrono::hours(12);
  service->set_hooks(std::move(hooks));
  EXPECT_NE(call("GET", "/v1/admin/write-status/" + id).body.find("more than 12 hours ago"), std::string::npos);
}

}  // namespace
}  // namespace gatehouse::service
