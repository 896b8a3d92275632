// Idempotency keys in the write service: what a key may be, the request's fingerprint, the
// answers (the first one again, 422, 400), what a refused write leaves (nothing), the lifetime
// on a moved clock, the store failing, and the purge.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <regex>
#include <thread>

#include "forwarding_store.hpp"
#include "gatehouse/rules_loader.hpp"
#include "gatehouse/service/idempotency_key.hpp"
#include "gatehouse/service/idempotency_key_purge.hpp"
#include "gatehouse/service/write_service.hpp"
#include "gatehouse/store/clock.hpp"
#include "gatehouse/store/sqlite_store.hpp"
#include "service_test_fixture.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;

TEST(IdempotencyKey, IsOneTo255PrintableAsciiCharacters) {
  EXPECT_FALSE(idempotency_key_problem("a"));
  EXPECT_FALSE(idempotency_key_problem("9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"));
  EXPECT_FALSE(idempotency_key_problem("order 7: ~!@#$%^&*()"));
  EXPECT_FALSE(idempotency_key_problem(std::string(255, 'k')));
  EXPECT_EQ(*idempotency_key_problem(""), "the Idempotency-Key is empty; send 1 to 255 printable ASCII characters");
  EXPECT_EQ(*idempotency_key_problem(std::string(256, 'k')), "the Idempotency-Key has 256 characters; the most is 255");
  EXPECT_EQ(*idempotency_key_problem("a\tb"),
            "the Idempotency-Key has a character that is not printable ASCII at offset 1");
  EXPECT_TRUE(idempotency_key_problem("caf\xc3\xa9"));
  EXPECT_TRUE(idempotency_key_problem(std::string("a\0b", 3)));
  EXPECT_TRUE(idempotency_key_problem("a\x7f"));
}

TEST(IdempotencyKey, TheFingerprintIsTheRequestsMethodPathFlagAndBody) {
  const std::string base = write_fingerprint("PUT", "/v1/residents/rec_1", false, R"({"a":1})");
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base, write_fingerprint("PUT", "/v1/residents/rec_1", false, R"({"a":1})"));
  EXPECT_EQ(base, write_fingerprint("PUT", "/v1/residents/rec_1/", false, R"({"a":1})")) << "the same route";
  EXPECT_NE(base, write_fingerprint("POST", "/v1/residents/rec_1", false, R"({"a":1})"));
  EXPECT_NE(base, write_fingerprint("PUT", "/v1/residents/rec_2", false, R"({"a":1})"));
  EXPECT_NE(base, write_fingerprint("PUT", "/v1/residents/rec_1", true, R"({"a":1})"));
  EXPECT_NE(base, write_fingerprint("PUT", "/v1/residents/rec_1", false, R"({"a": 1})")) << "the bytes as sent";
  // Each part length-prefixed: moving a byte from one part to the next changes the fingerprint.
  EXPECT_NE(write_fingerprint("PUT", "/v1/a\n", false, "b"), write_fingerprint("PUT", "/v1/a", false, "\nb"));
}

TEST(IdempotencyKey, KeysCountFromADayBeforeNow) {
  EXPECT_EQ(idempotency_keys_live_since("2026-11-28T10:00:00.250Z"), "2026-11-27T10:00:00.250Z");
  EXPECT_EQ(idempotency_keys_live_since("2026-03-01T00:00:00Z"), "2026-02-28T00:00:00.000Z");
  EXPECT_THROW(idempotency_keys_live_since("yesterday"), std::invalid_argument);
}

TEST(Clock, ParsesWhatItWrites) {
  auto at = std::chrono::sys_days(std::chrono::year(2026) / 11 / 28) + std::chrono::hours(10) +
            std::chrono::milliseconds(250);
  ASSERT_TRUE(parse_utc_time(utc_time(at)));
  EXPECT_EQ(*parse_utc_time(utc_time(at)), at);
  EXPECT_EQ(*parse_utc_time("2026-11-28T10:00:00Z"), at - std::chrono::milliseconds(250));
  for (const char* bad : {"", "2026-11-28", "2026-11-28T10:00:00", "2026-11-28T10:00:00.25Z", "2026-13-28T10:00:00Z",
                          "2026-02-30T10:00:00Z", "2026-11-28T24:00:00Z", "2026-11-28 10:00:00Z", "2026-11-28T10:00:00+01"})
    EXPECT_FALSE(parse_utc_time(bad)) << bad;
}

/// Fails the key calls while told to: a store that is down.
class KeyStoreDown final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> find_down{false}, enqueue_down{false};

  store::Result<std::optional<store::KeyedWrite>> find_idempotent(const store::IdempotencyKey& key,
                                                                  std::string_view live_since) override {
    if (find_down) return store::StoreError::unavailable("store: postgres: server closed the connection unexpectedly");
    return inner_.find_idempotent(key, live_since);
  }
  store::Result<store::KeyedWrite> enqueue_idempotent(const store::NewJob& job, const store::IdempotencyKey& key,
                                                      const store::AnswerToKeep& answer, std::string_view now,
                                                      std::string_view live_since) override {
    if (enqueue_down) return store::StoreError::unavailable("store: insert job: database or disk is full");
    return inner_.enqueue_idempotent(job, key, answer, now, live_since);
  }
};

class IdempotentWriteTest : public ::testing::Test {
 protected:
  fs::path file = service_testing::test_store_file("gatehouse_idempotent_");
  std::unique_ptr<store::SqliteStore> sqlite;
  std::unique_ptr<KeyStoreDown> store;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<WriteService> service;
  std::string res_rm;  // gatehouse's id of the Rent Manager record res-rm
  std::string now = "2026-11-28T10:00:00.000Z";

  void SetUp() override {
    engine = std::make_unique<Engine>(service_testing::test_rules());
    sqlite = std::make_unique<store::SqliteStore>(file.string());
    service_testing::put_test_customers(*sqlite);
    service_testing::put_test_integrations(*sqlite);
    sqlite->put_integration({"int-gx", "globex", "BUILDIUM", "http://127.0.0.1:1"}).value();
    res_rm = sqlite->put_record({"residents", "res-rm", "int-rm", R"({"last_name":"Lee"})", "2026-11-28T09:00:00Z"}).value();
    store = std::make_unique<KeyStoreDown>(*sqlite);
    service = std::make_unique<WriteService>(*engine, *store, Limits{}, [this] { return now; });
  }
  void TearDown() override {
    service.reset();
    store.reset();
    sqlite.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
  }

  HttpResponse call(const std::string& method, const std::string& path, const std::string& body,
                    std::optional<std::string> key, const std::string& api_key = "key-acme",
                    std::map<std::string, std::string> query = {}) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.query = std::move(query);
    r.headers["authorization"] = "Bearer " + api_key;
    r.headers["content-type"] = "application/json";
    if (key) r.headers["idempotency-key"] = *key;
    r.body = body;
    return service->handle(r);
  }
  HttpResponse create(const std::string& body, std::optional<std::string> key, const std::string& api_key = "key-acme") {
    return call("POST", "/v1/residents/", body, std::move(key), api_key);
  }
  static std::string job_id(const HttpResponse& r) {
    std::smatch m;
    return std::regex_search(r.body, m, std::regex("^\\{\"job_id\":\"([0-9a-f]{32})\"")) ? m[1].str() : "";
  }
  static std::optional<std::string> header(const HttpResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
      if (n == name) return v;
    return std::nullopt;
  }
  int jobs_stored() {
    int n = 0;
    while (sqlite->claim("counter", "2026-12-31T00:00:00.000Z").value()) ++n;
    return n;
  }
};

const std::string ada = R"({"integration_id":"int-bd","lease_id":"l1","first_name":"Ada","last_name":"Lee","address_1":"1 Main St"})";
const std::string bea = R"({"integration_id":"int-bd","lease_id":"l1","first_name":"Bea","last_name":"Lee","address_1":"1 Main St"})";

TEST_F(IdempotentWriteTest, AWriteSentAgainWithItsKeyGetsTheFirstAnswer) {
  HttpResponse first = create(ada, "order-7");
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_FALSE(header(first, "Idempotent-Replayed")) << "the first answer is no replay";
  ASSERT_EQ(job_id(first).size(), 32u) << first.body;

  now = "2026-11-28T10:00:30.000Z";  // the client tries again half a minute later
  HttpResponse again = create(ada, "order-7");
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(again.body, first.body) << "the same answer, byte for byte: the same job_id";
  EXPECT_EQ(header(again, "Idempotent-Replayed"), "true");
  HttpResponse with_slash_less_route = call("POST", "/v1/residents", ada, "order-7");
  EXPECT_EQ(with_slash_less_route.body, first.body) << "the same route without its trailing slash";
  EXPECT_EQ(jobs_stored(), 1);
  auto metrics = call("GET", "/metrics", "", std::nullopt);
  EXPECT_NE(metrics.body.find("gatehouse_idempotent_replays_total 2\n"), std::string::npos) << metrics.body;

  // Without a key every write is a write of its own, as before.
  EXPECT_NE(job_id(create(ada, std::nullopt)), job_id(create(ada, std::nullopt)));
}

TEST_F(IdempotentWriteTest, AnUpdateAndItsStripFlagAreInTheFingerprint) {
  const std::string path = "/v1/residents/" + res_rm;
  const std::string body = R"({"last_name":"Lee","notes":"x","rent_period":"MONTHLY","rent_due_day":1})";
  HttpResponse stripped = call("PUT", path, body, "k-update", "key-acme", {{"ignore_unknown_fields", "true"}});
  ASSERT_EQ(stripped.status, 202) << stripped.body;
  EXPECT_NE(stripped.body.find(R"("stripped":[{"path":"/notes")"), std::string::npos) << stripped.body;
  HttpResponse again = call("PUT", path, body, "k-update", "key-acme", {{"ignore_unknown_fields", "true"}});
  EXPECT_EQ(again.body, stripped.body) << "the stripped answer again, stripped list and all";
  HttpResponse without_flag = call("PUT", path, body, "k-update");
  EXPECT_EQ(without_flag.status, 422) << "without the flag the request is another one: " << without_flag.body;
  EXPECT_EQ(jobs_stored(), 1);
}

TEST_F(IdempotentWriteTest, TheKeyWithAnotherRequestIs422AndStoresNothing) {
  HttpResponse first = create(ada, "order-7");
  ASSERT_EQ(first.status, 202) << first.body;
  HttpResponse other = create(bea, "order-7");
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(other.body,
            R"({"error":{"status":422,"code":"idempotency_key_reused","message":"the Idempotency-Key 'order-7' was sent )"
            R"(with another request (another method, path, ignore_unknown_fields or body) in the last 24 hours; send a )"
            R"(new key with a new request","details":[]}})");
  EXPECT_EQ(call("PUT", "/v1/residents/" + res_rm, R"({"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})",
                 "order-7").status,
            422)
      << "another route";
  EXPECT_EQ(jobs_stored(), 1);
}

TEST_F(IdempotentWriteTest, AKeyThatIsNotOneIs400) {
  for (const std::string& bad : {std::string(), std::string(256, 'k'), std::string("a\nb"), std::string("caf\xc3\xa9")}) {
    HttpResponse r = create(ada, bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find(R"("code":"invalid_idempotency_key")"), std::string::npos) << r.body;
  }
  EXPECT_EQ(jobs_stored(), 0);
}

TEST_F(IdempotentWriteTest, ARefusedWriteLeavesTheKeyFreeToMendAndSendAgain) {
  // Rejected by the rules (no last_name), then an unknown integration: each refused, neither
  // keeps the key.
  HttpResponse rejected = create(R"({"integration_id":"int-bd","lease_id":"l1","first_name":"Ada"})", "order-8");
  ASSERT_EQ(rejected.status, 400) << rejected.body;
  HttpResponse unknown = create(R"({"integration_id":"int-nope","first_name":"Ada","last_name":"Lee"})", "order-8");
  ASSERT_EQ(unknown.status, 404) << unknown.body;
  HttpResponse mended = create(ada, "order-8");
  EXPECT_EQ(mended.status, 202) << mended.body;
  EXPECT_FALSE(header(mended, "Idempotent-Replayed"));
  EXPECT_EQ(create(ada, "order-8").body, mended.body);
  EXPECT_EQ(jobs_stored(), 1);
}

TEST_F(IdempotentWriteTest, KeysAreEachCustomersOwn) {
  HttpResponse acme = create(ada, "shared-key");
  const std::string globex_body = std::regex_replace(ada, std::regex("int-bd"), "int-gx");
  HttpResponse globex = create(globex_body, "shared-key", "key-globex");
  EXPECT_EQ(globex.status, 202) << globex.body;
  EXPECT_FALSE(header(globex, "Idempotent-Replayed"));
  EXPECT_NE(job_id(globex), job_id(acme));
  EXPECT_EQ(create(ada, "shared-key").body, acme.body);
  EXPECT_EQ(jobs_stored(), 2);
}

TEST_F(IdempotentWriteTest, AKeyIsKeptADayOnTheServicesClock) {
  HttpResponse first = create(ada, "order-9");
  now = "2026-11-29T10:00:00.000Z";  // 24 hours on: still kept
  EXPECT_EQ(create(ada, "order-9").body, first.body);
  EXPECT_EQ(create(bea, "order-9").status, 422);
  now = "2026-11-29T10:00:00.001Z";  // past it: forgotten, a write of its own
  HttpResponse next = create(bea, "order-9");
  EXPECT_EQ(next.status, 202) << next.body;
  EXPECT_NE(job_id(next), job_id(first));
  EXPECT_FALSE(header(next, "Idempotent-Replayed"));
  EXPECT_EQ(jobs_stored(), 2);
}

TEST_F(IdempotentWriteTest, OnlyWritesTakeAKey) {
  HttpResponse r = call("GET", "/v1/residents/" + res_rm, "", std::string("\x01 not a key"));
  EXPECT_EQ(r.status, 200) << "ignored on a read: " << r.body;
  EXPECT_FALSE(header(r, "Idempotent-Replayed"));
}

TEST_F(IdempotentWriteTest, AStoreThatFailsIs503AndKeepsNothing) {
  store->find_down = true;
  HttpResponse looked_up = create(ada, "order-10");
  EXPECT_EQ(looked_up.status, 503);
  EXPECT_NE(looked_up.body.find(R"("code":"store_unavailable")"), std::string::npos) << looked_up.body;
  EXPECT_EQ(looked_up.body.find("postgres"), std::string::npos) << "the database's words stay in the log";
  EXPECT_EQ(header(looked_up, "Retry-After"), "1");
  store->find_down = false;
  store->enqueue_down = true;
  EXPECT_EQ(create(ada, "order-10").status, 503);
  store->enqueue_down = false;
  HttpResponse after = create(ada, "order-10");
  EXPECT_EQ(after.status, 202) << after.body;
  EXPECT_FALSE(header(after, "Idempotent-Replayed")) << "nothing was kept while the store failed";
  EXPECT_EQ(jobs_stored(), 1);
}

TEST_F(IdempotentWriteTest, ThePurgeDeletesTheKeysPastTheirLifetime) {
  create(ada, "old");
  now = "2026-11-28T20:00:00.000Z";
  create(ada, "newer");
  IdempotencyKeyPurge purge(*store, std::chrono::hours(1), nullptr, [this] { return now; });
  EXPECT_EQ(purge.purge_once().value(), 0u);
  now = "2026-11-29T10:00:00.001Z";
  EXPECT_EQ(purge.purge_once().value(), 1u);
  EXPECT_TRUE(sqlite->find_idempotent({"acme", "newer", write_fingerprint("POST", "/v1/residents/", false, ada)},
                                      "2026-01-01T00:00:00.000Z")
                  .value());
  EXPECT_FALSE(sqlite->find_idempotent({"acme", "old", write_fingerprint("POST", "/v1/residents/", false, ada)},
                                       "2026-01-01T00:00:00.000Z")
                   .value());
  // Its thread purges at start, and stops when told.
  now = "2026-11-30T10:00:00.000Z";
  purge.start();
  for (int i = 0; i < 200 && sqlite->find_idempotent({"acme", "newer", write_fingerprint("POST", "/v1/residents/", false, ada)},
                                                     "2026-01-01T00:00:00.000Z").value();
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  purge.stop();
  EXPECT_FALSE(sqlite->find_idempotent({"acme", "newer", write_fingerprint("POST", "/v1/residents/", false, ada)},
                                       "2026-01-01T00:00:00.000Z")
                   .value());
}

}  // namespace
}  // namespace gatehouse::service
