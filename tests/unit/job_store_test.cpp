// The SQLite job store: durability, claiming, retries, the write-status roll-up, tenancy.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <csignal>

#include "both_stores_fixture.hpp"
#include "record_id.hpp"
#include "store_support.hpp"

namespace gatehouse::store {
namespace {

namespace fs = std::filesystem;

NewJob job(const std::string& customer = "c1", const std::string& parent = "") {
  NewJob j;
  j.customer_id = customer;
  j.integration_id = "int-1";
  j.pms = "RENTMANAGER";
  j.model = "residents";
  j.operation = ast::Operation::update;
  j.record_id = "r-1";
  j.payload = R"({"last_name":"Lee"})";
  j.verdict = Verdict::accept;
  j.rules_version = "0123456789abcdef";
  j.parent_id = parent;
  return j;
}

/// The follow-up call a root job's success queues: its note, kept apart by the PMS.
NewJob note_for(const std::string& root) {
  NewJob note = job("c1", root);
  note.payload = R"({"notes":"n"})";
  return note;
}

/// The claim token of each of `claims`, by job id.
std::map<std::string, std::string> claims_by_id(const std::vector<std::optional<ClaimedJob>>& claims) {
  std::map<std::string, std::string> out;
  for (const auto& c : claims)
    if (c) out[c->id] = c->claim;
  return out;
}

/// The same tests against every Store (both_stores_fixture.hpp). A PostgreSQL claim's lease is a
/// second here: after a crash, interrupted jobs are due again at once for SQLite (one instance:
/// every running job is interrupted), and for PostgreSQL once their lease has run out on the
/// callers' clock, so the tests restart at a `now` more than a second past the last claim.
class JobStoreTest : public testing::BothStoresTest {
 protected:
  JobStoreTest() : BothStoresTest("jobs", "t", /*pool_size=*/4, /*lease_seconds=*/1) {}

  /// Writes the schema of an older gatehouse (old_schema()) where open() will find it.
  ::testing::AssertionResult load_old_schema();
};

INSTANTIATE_TEST_SUITE_P(Stores, JobStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& test) { return test.param; });

/// Gatehouse's record ids: "rec_" and 128 random bits in hex (store/record_id.hpp).
const std::regex record_id_form("rec_[0-9a-f]{32}");

TEST_P(JobStoreTest, AJobIsPendingUntilItSucceeds) {
  auto owned = open();
  Store& store = *owned;
  store.put_customer("c1", "k1").value();
  store.put_integration({"int-1", "c1", "RENTMANAGER", "http://127.0.0.1:9090"}).value();
  std::string id = store.enqueue(job(), "2026-11-28T10:00:00Z").value();
  EXPECT_EQ(id.size(), 32u);
  auto status = store.write_status("c1", id).value();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, WriteState::pending);
  EXPECT_EQ(to_json(*status),
            "{\"write_status\":\"PENDING\",\"errors\":[],\"created_record_id\":null,\"job_id\":\"" + id +
                "\",\"created\":[],\"attempts\":[],\"submitted_at\":\"2026-11-28T10:00:00Z\",\"finished_at\":null,"
                "\"rules_version\":\"0123456789abcdef\"}");

  auto claimed = store.claim("w1", "2026-11-28T10:00:01Z").value();
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, id);
  EXPECT_EQ(claimed->payload, R"({"last_name":"Lee"})");
  EXPECT_FALSE(store.claim("w2", "2026-11-28T10:00:01Z").value()) << "a running job is not claimed twice";
  EXPECT_EQ(store.succeed(id, claimed->claim, {200, "ok", "created"}, {{"residents", "res-9"}, {"notes", std::nullopt}},
                          "2026-11-28T10:00:02Z").value(),
            OutcomeRecorded::recorded);
  status = store.write_status("c1", id).value();
  EXPECT_EQ(status->state, WriteState::success);
  ASSERT_EQ(status->created.size(), 2u);
  ASSERT_TRUE(status->created[0].id);
  const std::string created = *status->created[0].id;
  EXPECT_TRUE(std::regex_match(created, record_id_form)) << created;
  std::string json = to_json(*status);
  EXPECT_NE(json.find("\"created_record_id\":\"" + created + "\""), std::string::npos)
      << "gatehouse's id, not the PMS's: " << json;
  EXPECT_NE(json.find("{\"model\":\"residents\",\"id\":\"" + created + "\",\"x_id\":\"res-9\"}"), std::string::npos) << json;
  EXPECT_NE(json.find("{\"model\":\"notes\",\"id\":null,\"x_id\":null,\"note\":"), std::string::npos) << json;
  EXPECT_NE(json.find("\"finished_at\":\"2026-11-28T10:00:02Z\""), std::string::npos) << json;
}

TEST_P(JobStoreTest, JobsSurviveReopeningTheFile) {
  std::string id;
  {
    auto owned = open();
    Store& store = *owned;
    id = store.enqueue(job(), "2026-11-28T10:00:00Z").value();
  }
  auto reopened_owned = open();
  Store& reopened = *reopened_owned;
  auto claimed = reopened.claim("w1", "2026-11-28T10:00:00Z").value();
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, id);
}

TEST_P(JobStoreTest, AJobRunningWhenTheServiceStoppedIsResumed) {
  std::string id;
  {
    auto owned = open();
    Store& store = *owned;
    id = store.enqueue(job(), "2026-11-28T10:00:00Z").value();
    ASSERT_TRUE(store.claim("w1", "2026-11-28T10:00:00Z").value());
  }  // the service stops here, the job still running
  auto restarted_owned = open();
  Store& restarted = *restarted_owned;
  EXPECT_EQ(restarted.resume_interrupted("2026-11-28T10:01:00Z").value(), 1u);
  auto claimed = restarted.claim("w1", "2026-11-28T10:01:00Z").value();
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, id);
}

TEST_P(JobStoreTest, RetriesWaitUntilDueAndFailuresKeepThePmsError) {
  auto owned = open();
  Store& store = *owned;
  std::string id = store.enqueue(job(), "2026-11-28T10:00:00Z").value();
  auto first = store.claim("w1", "2026-11-28T10:00:00Z").value();
  ASSERT_TRUE(first);
  EXPECT_EQ(store.fail_attempt(id, first->claim, {503, "pms_unavailable", "Service Unavailable"}, "2026-11-28T10:00:01Z",
                               std::string("2026-11-28T10:00:31Z")).value(),
            OutcomeRecorded::recorded);
  EXPECT_FALSE(store.claim("w1", "2026-11-28T10:00:10Z").value()) << "not due yet";
  auto again = store.claim("w1", "2026-11-28T10:00:31Z").value();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
  EXPECT_NE(again->claim, first->claim) << "each claim has its own token";
  EXPECT_EQ(store.fail_attempt(id, again->claim, {409, "pms_error", "resident moved to another lease"},
                               "2026-11-28T10:00:32Z", std::nullopt).value(),
            OutcomeRecorded::recorded);
  auto status = store.write_status("c1", id).value();
  EXPECT_EQ(status->state, WriteState::failure);
  EXPECT_EQ(status->errors, std::vector<std::string>{"resident moved to another lease"});
  EXPECT_EQ(status->attempts.size(), 2u);
}

TEST_P(JobStoreTest, ChildJobsSumUpToPartialSuccess) {
  auto owned = open();
  Store& store = *owned;
  std::string root = store.enqueue(job(), "2026-11-28T10:00:00Z").value();
  std::string child = store.enqueue(job("c1", root), "2026-11-28T10:00:00Z").value();
  auto first = store.claim("w1", "2026-11-28T10:00:01Z").value();
  auto second = store.claim("w1", "2026-11-28T10:00:01Z").value();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->root_id, root);
  auto claims = claims_by_id({first, second});
  store.succeed(root, claims[root], {200, "ok", ""}, {{"residents", "res-1"}}, "2026-11-28T10:00:02Z").value();
  EXPECT_EQ(store.write_status("c1", root).value()->state, WriteState::pending);
  store.fail_attempt(child, claims[child], {400, "pms_error", "bad phone"}, "2026-11-28T10:00:03Z", std::nullopt).value();
  auto status = store.write_status("c1", root).value();
  EXPECT_EQ(status->state, WriteState::partial_success);
  EXPECT_EQ(status->errors, std::vector<std::string>{"bad phone"});
  EXPECT_FALSE(store.write_status("c1", child).value()) << "write status is asked of root jobs";
}

TEST_P(JobStoreTest, AnotherCustomersJobDoesNotExist) {
  auto owned = open();
  Store& store = *owned;
  std::string id = store.enqueue(job("c1"), "2026-11-28T10:00:00Z").value();
  EXPECT_FALSE(store.write_status("c2", id).value());
  EXPECT_FALSE(store.write_status("c1", "no-such-job").value());
}

TEST_P(JobStoreTest, ConcurrentWorkersClaimEachJobOnce) {
  auto owned = open();
  Store& store = *owned;
  for (int i = 0; i < 200; ++i) store.enqueue(job(), "2026-11-28T10:00:00Z").value();
  std::mutex m;
  std::set<std::string> claimed;
  std::size_t claims = 0;
  std::atomic<int> recorded{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      while (auto j = store.claim("w" + std::to_string(w), "2026-11-28T10:00:01Z").value()) {
        bool retry = false;
        {
          std::lock_guard lock(m);
          claimed.insert(j->id);
          ++claims;
          // Every other job succeeds, the rest are retried (and claimed again, once due).
          retry = j->attempts == 0 && claims % 2 == 0;
        }
        auto outcome = retry ? store.fail_attempt(j->id, j->claim, {503, "pms_unavailable", ""}, "2026-11-28T10:00:02Z",
                                                  std::string("2026-11-28T10:00:01Z")).value()
                             : store.succeed(j->id, j->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:02Z").value();
        recorded += outcome == OutcomeRecorded::recorded && !retry;
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(claimed.size(), 200u);
  EXPECT_EQ(recorded.load(), 200) << "each job's outcome recorded once, by the claim that held it";
  EXPECT_GE(claims, 200u);
  EXPECT_LE(claims, 300u) << "a job is claimed again only after its retry";
}

TEST_P(JobStoreTest, ConcurrentEnqueuesAreEachStoredAndABadOneFailsAlone) {
  auto owned = open();
  Store& store = *owned;
  std::mutex m;
  std::set<std::string> ids;
  std::atomic<int> refused{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) {
        // Now and then a job whose parent does not exist: it alone must fail (group commit).
        if (w == 3 && i % 10 == 0) {
          auto bad = store.enqueue(job("c1", "no-such-parent"), "2026-11-28T10:00:00Z");
          if (!bad && bad.error().kind == StoreError::Kind::invalid_argument) ++refused;
          continue;
        }
        std::string id = store.enqueue(job(), "2026-11-28T10:00:00Z").value();
        std::lock_guard lock(m);
        ids.insert(id);
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(refused.load(), 5);
  EXPECT_EQ(ids.size(), 395u);
  std::size_t claimed = 0;
  while (auto j = store.claim("w", "2026-11-28T10:00:01Z").value()) claimed += ids.count(j->id);
  EXPECT_EQ(claimed, 395u) << "every enqueued job is on disk and claimable";
}

TEST_P(JobStoreTest, KeysAreStoredHashedAndTenancyScopesEveryRead) {
  auto owned = open();
  Store& store = *owned;
  store.put_customer("acme", "key-acme-123").value();
  store.put_customer("globex", "key-globex-456").value();
  store.put_integration({"int-1", "acme", "RENTMANAGER", "http://127.0.0.1:9090"}).value();
  std::string id = store.put_record({"residents", "r-1", "int-1", R"({"last_name":"Lee"})", "2026-11-28T09:00:00Z"}).value();

  EXPECT_EQ(store.customer_for_key("key-acme-123").value(), "acme");
  EXPECT_EQ(store.customer_for_key("key-globex-456").value(), "globex");
  EXPECT_FALSE(store.customer_for_key("key-acme-12").value());
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  ASSERT_TRUE(store.integration("acme", "int-1").value());
  EXPECT_EQ(store.integration("acme", "int-1").value()->pms, "RENTMANAGER");
  EXPECT_FALSE(store.integration("globex", "int-1").value());
  ASSERT_TRUE(store.record("acme", "residents", id).value());
  EXPECT_EQ(store.record("acme", "residents", id).value()->json, R"({"last_name":"Lee"})");
  EXPECT_EQ(store.record("acme", "residents", id).value()->native_id, "r-1");
  EXPECT_EQ(store.record("acme", "residents", id).value()->id, id);
  EXPECT_FALSE(store.record("globex", "residents", id).value());
  EXPECT_FALSE(store.record("acme", "leads", id).value());
  EXPECT_FALSE(store.record("acme", "residents", "r-1").value()) << "the PMS's id names no record";
  ASSERT_TRUE(store.record_key("acme", "residents", id).value());
  EXPECT_EQ(store.record_key("acme", "residents", id).value()->integration_id, "int-1");
  EXPECT_EQ(store.record_key("acme", "residents", id).value()->native_id, "r-1");
  EXPECT_FALSE(store.record_key("globex", "residents", id).value());
  EXPECT_FALSE(store.record_key("acme", "leads", id).value());
  EXPECT_EQ(store.records_by_native_id("acme", "residents", "r-1").value().size(), 1u);
  EXPECT_TRUE(store.records_by_native_id("globex", "residents", "r-1").value().empty());

  store.put_record({"residents", "r-1", "int-1", R"({"last_name":"Li"})", "2026-11-28T10:00:00Z"}).value();
  EXPECT_EQ(store.record("acme", "residents", id).value()->json, R"({"last_name":"Li"})");
}

TEST_P(JobStoreTest, TheSamePmsIdInTwoIntegrationsIsTwoRecords) {
  // Two Rent Manager integrations of one customer and one of another all have tenant 5001.
  auto owned = open();
  Store& store = *owned;
  store.put_customer("acme", "k1").value();
  store.put_customer("globex", "k2").value();
  store.put_integration({"int-a", "acme", "RENTMANAGER", "http://a"}).value();
  store.put_integration({"int-b", "acme", "RENTMANAGER", "http://b"}).value();
  store.put_integration({"int-g", "globex", "RENTMANAGER", "http://g"}).value();
  std::string a = store.put_record({"residents", "5001", "int-a", R"({"last_name":"A"})", "2026-11-28T09:00:00Z"}).value();
  std::string b = store.put_record({"residents", "5001", "int-b", R"({"last_name":"B"})", "2026-11-28T09:00:00Z"}).value();
  std::string g = store.put_record({"residents", "5001", "int-g", R"({"last_name":"G"})", "2026-11-28T09:00:00Z"}).value();
  for (const auto& id : {a, b, g}) EXPECT_TRUE(std::regex_match(id, record_id_form)) << id;
  EXPECT_NE(a, b);
  EXPECT_NE(a, g);
  EXPECT_NE(b, g);
  EXPECT_EQ(store.record("acme", "residents", a).value()->json, R"({"last_name":"A"})");
  EXPECT_EQ(store.record("acme", "residents", b).value()->json, R"({"last_name":"B"})");
  EXPECT_EQ(store.record("globex", "residents", g).value()->json, R"({"last_name":"G"})");
  EXPECT_EQ(store.record_key("acme", "residents", b).value()->integration_id, "int-b");
  EXPECT_EQ(store.record_key("acme", "residents", b).value()->native_id, "5001");
  // Another customer's id does not exist for a customer, whatever it names.
  EXPECT_FALSE(store.record("acme", "residents", g).value());
  EXPECT_FALSE(store.record_key("acme", "residents", g).value());
  EXPECT_FALSE(store.record_key("globex", "residents", a).value());
  auto acmes = store.records_by_native_id("acme", "residents", "5001").value();
  ASSERT_EQ(acmes.size(), 2u);
  EXPECT_EQ(acmes[0].id, a);
  EXPECT_EQ(acmes[0].integration_id, "int-a");
  EXPECT_EQ(acmes[1].id, b);
  ASSERT_EQ(store.records_by_native_id("globex", "residents", "5001").value().size(), 1u);
}

TEST_P(JobStoreTest, ARecordKeepsItsIdAcrossSyncsAndRestarts) {
  std::string first;
  {
    auto owned = open();
    Store& store = *owned;
    store.put_customer("acme", "k1").value();
    store.put_integration({"int-a", "acme", "RENTMANAGER", "http://a"}).value();
    first = store.put_record({"residents", "5001", "int-a", R"({"last_name":"Park"})", "2026-11-28T09:00:00Z"}).value();
    EXPECT_EQ(store.put_record({"residents", "5001", "int-a", R"({"last_name":"Parker"})", "2026-11-28T09:05:00Z"}).value(), first);
  }
  auto owned = open();
  Store& store = *owned;
  EXPECT_EQ(store.put_record({"residents", "5001", "int-a", R"({"last_name":"Parks"})", "2026-11-28T09:10:00Z"}).value(), first);
  auto record = store.record("acme", "residents", first).value();
  ASSERT_TRUE(record);
  EXPECT_EQ(record->json, R"({"last_name":"Parks"})");
  EXPECT_EQ(record->synced_at, "2026-11-28T09:10:00Z");
}

TEST_P(JobStoreTest, ACreatedRecordHasItsIdBeforeTheSyncBringsIt) {
  auto owned = open();
  Store& store = *owned;
  store.put_customer("c1", "k1").value();
  store.put_integration({"int-1", "c1", "BUILDIUM", "http://b"}).value();
  NewJob create = job();
  create.operation = ast::Operation::create;
  create.record_id = "";
  std::string root = store.enqueue(create, "2026-11-28T10:00:00Z").value();
  auto claimed = store.claim("w", "2026-11-28T10:00:00Z").value();
  ASSERT_TRUE(claimed);
  store.succeed(root, claimed->claim, {201, "ok", "created"}, {{"residents", "1003"}}, "2026-11-28T10:00:01Z").value();
  auto status = store.write_status("c1", root).value();
  ASSERT_TRUE(status && status->created.size() == 1 && status->created[0].id);
  const std::string id = *status->created[0].id;
  EXPECT_EQ(status->created[0].native_id, "1003");
  EXPECT_FALSE(store.record("c1", "residents", id).value()) << "no data until the PMS sends the record";
  ASSERT_TRUE(store.record_key("c1", "residents", id).value()) << "but a write can reach it";
  EXPECT_EQ(store.record_key("c1", "residents", id).value()->native_id, "1003");
  EXPECT_EQ(store.put_record({"residents", "1003", "int-1", R"({"first_name":"Di"})", "2026-11-28T10:05:00Z"}).value(), id)
      << "the sync keeps the id the write-status gave";
  EXPECT_EQ(store.record("c1", "residents", id).value()->json, R"({"first_name":"Di"})");
}

/// The schema the stores had before records were keyed by integration (SQLite user_version 2,
/// PostgreSQL schema_version 1), as those versions wrote it, with a few rows: a synced record per
/// integration, and a create whose record the PMS made but no sync has brought yet.
std::string old_schema(const std::string& store) {
  const std::string tables =
      store == "sqlite"
          ? R"(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY, root_id TEXT NOT NULL, parent_id TEXT, customer_id TEXT NOT NULL,
  integration_id TEXT NOT NULL, pms TEXT NOT NULL, model TEXT NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('create', 'update')), record_id TEXT NOT NULL,
  payload BLOB NOT NULL, verdict TEXT NOT NULL, rules_version TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0, due_at TEXT NOT NULL, claimed_by TEXT, submitted_at TEXT NOT NULL,
  finished_at TEXT);
CREATE INDEX jobs_due ON jobs (state, due_at);
CREATE INDEX jobs_root ON jobs (root_id);
CREATE TABLE attempts (job_id TEXT NOT NULL REFERENCES jobs (id), at TEXT NOT NULL, pms_status INTEGER NOT NULL,
  code TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX attempts_job ON attempts (job_id);
CREATE TABLE customers (id TEXT PRIMARY KEY, api_key_sha256 TEXT NOT NULL UNIQUE, webhook_url TEXT, webhook_secret TEXT);
CREATE TABLE integrations (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (id),
  pms TEXT NOT NULL, base_url TEXT NOT NULL, sync_interval_seconds INTEGER NOT NULL DEFAULT 0);
CREATE TABLE records (model TEXT NOT NULL, id TEXT NOT NULL, integration_id TEXT NOT NULL REFERENCES integrations (id),
  json TEXT NOT NULL, synced_at TEXT NOT NULL, PRIMARY KEY (model, id));
CREATE TABLE created_records (job_id TEXT NOT NULL REFERENCES jobs (id), model TEXT NOT NULL, record_id TEXT);
CREATE TABLE webhooks (id TEXT PRIMARY KEY, root_id TEXT NOT NULL UNIQUE REFERENCES jobs (id),
  customer_id TEXT NOT NULL REFERENCES customers (id),
  state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0, due_at TEXT NOT NULL, last_error TEXT, finished_at TEXT);
CREATE INDEX webhooks_due ON webhooks (state, due_at);
PRAGMA user_version = 2;
)"
          : R"(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE jobs (
  id TEXT PRIMARY KEY, root_id TEXT NOT NULL, parent_id TEXT, customer_id TEXT NOT NULL,
  integration_id TEXT NOT NULL, pms TEXT NOT NULL, model TEXT NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('create', 'update')), record_id TEXT NOT NULL,
  payload TEXT NOT NULL, verdict TEXT NOT NULL, rules_version TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0, due_at TEXT COLLATE "C" NOT NULL, claimed_by TEXT,
  claimed_until TIMESTAMPTZ, submitted_at TEXT COLLATE "C" NOT NULL, finished_at TEXT COLLATE "C", seq BIGSERIAL);
CREATE INDEX jobs_due ON jobs (state, due_at);
CREATE INDEX jobs_root ON jobs (root_id);
CREATE TABLE attempts (job_id TEXT NOT NULL REFERENCES jobs (id), at TEXT COLLATE "C" NOT NULL,
  pms_status INTEGER NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, seq BIGSERIAL);
CREATE INDEX attempts_job ON attempts (job_id);
CREATE TABLE customers (id TEXT PRIMARY KEY, api_key_sha256 TEXT NOT NULL UNIQUE, webhook_url TEXT, webhook_secret TEXT);
CREATE TABLE integrations (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (id),
  pms TEXT NOT NULL, base_url TEXT NOT NULL, sync_interval_seconds INTEGER NOT NULL DEFAULT 0);
CREATE TABLE records (model TEXT NOT NULL, id TEXT NOT NULL, integration_id TEXT NOT NULL REFERENCES integrations (id),
  json TEXT NOT NULL, synced_at TEXT COLLATE "C" NOT NULL, PRIMARY KEY (model, id));
CREATE TABLE created_records (job_id TEXT NOT NULL REFERENCES jobs (id), model TEXT NOT NULL, record_id TEXT,
  seq BIGSERIAL);
CREATE TABLE webhooks (id TEXT PRIMARY KEY, root_id TEXT NOT NULL UNIQUE REFERENCES jobs (id),
  customer_id TEXT NOT NULL REFERENCES customers (id),
  state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0, due_at TEXT COLLATE "C" NOT NULL, claimed_until TIMESTAMPTZ,
  last_error TEXT, finished_at TEXT COLLATE "C");
CREATE INDEX webhooks_due ON webhooks (state, due_at);
)";
  return tables + R"(
INSERT INTO customers (id, api_key_sha256) VALUES ('acme', 'h1'), ('globex', 'h2');
INSERT INTO integrations (id, customer_id, pms, base_url) VALUES
  ('int-rm', 'acme', 'RENTMANAGER', 'http://rm'), ('int-bd', 'acme', 'BUILDIUM', 'http://bd');
INSERT INTO records (model, id, integration_id, json, synced_at) VALUES
  ('residents', '5001', 'int-rm', '{"id":"5001","last_name":"Park"}', '2026-11-28T09:00:00Z'),
  ('residents', '1001', 'int-bd', '{"id":"1001","last_name":"Lee"}', '2026-11-28T09:00:00Z');
INSERT INTO jobs (id, root_id, customer_id, integration_id, pms, model, operation, record_id, payload, verdict,
                  rules_version, state, attempts, due_at, submitted_at, finished_at)
  VALUES ('job-1', 'job-1', 'acme', 'int-bd', 'BUILDIUM', 'residents', 'create', '', '{}', 'accept', 'v1',
          'succeeded', 1, '2026-11-28T09:00:00Z', '2026-11-28T09:00:00Z', '2026-11-28T09:00:01Z');
INSERT INTO created_records (job_id, model, record_id) VALUES ('job-1', 'residents', '1003');
)";
}

::testing::AssertionResult JobStoreTest::load_old_schema() {
  if (GetParam() == "sqlite") {
    sqlite3* db = nullptr;
    if (sqlite3_open(file.string().c_str(), &db) != SQLITE_OK) return ::testing::AssertionFailure() << "cannot open";
    char* error = nullptr;
    int rc = sqlite3_exec(db, old_schema("sqlite").c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    if (rc != SQLITE_OK) return ::testing::AssertionFailure() << message;
  } else {
    PGconn* c = PQconnectdb(postgres_conninfo().c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::string message = PQerrorMessage(c);
      PQfinish(c);
      return ::testing::AssertionFailure() << message;
    }
    // Quoted as the store quotes it (the name has capitals).
    const std::string quoted = "\"" + schema + "\"";
    PGresult* r = PQexec(c, ("CREATE SCHEMA " + quoted + "; SET search_path TO " + quoted + ";" + old_schema("postgres")).c_str());
    std::string message = PQresultErrorMessage(r);
    auto status = PQresultStatus(r);
    PQclear(r);
    PQfinish(c);
    if (status != PGRES_COMMAND_OK) return ::testing::AssertionFailure() << message;
  }
  return ::testing::AssertionSuccess();
}

TEST_P(JobStoreTest, AnOldSchemaIsMigratedWithItsRecords) {
  ASSERT_TRUE(load_old_schema());

  std::string park;
  {
    auto owned = open();
    Store& store = *owned;
    auto found = store.records_by_native_id("acme", "residents", "5001").value();
    ASSERT_EQ(found.size(), 1u);
    park = found[0].id;
    EXPECT_TRUE(std::regex_match(park, record_id_form)) << park;
    auto record = store.record("acme", "residents", park).value();
    ASSERT_TRUE(record) << "a record of the old schema is reachable by its new id";
    EXPECT_EQ(record->json, R"({"id":"5001","last_name":"Park"})");
    EXPECT_EQ(record->integration_id, "int-rm");
    EXPECT_EQ(store.record_key("acme", "residents", park).value()->native_id, "5001");
    EXPECT_FALSE(store.record("acme", "residents", "5001").value()) << "the old id (the PMS's) names no record any more";
    EXPECT_FALSE(store.record("globex", "residents", park).value());
    ASSERT_EQ(store.records_by_native_id("acme", "residents", "1001").value().size(), 1u);

    // The create's record has an id too, and the sync that brings it keeps it.
    auto status = store.write_status("acme", "job-1").value();
    ASSERT_TRUE(status);
    ASSERT_EQ(status->created.size(), 1u);
    ASSERT_TRUE(status->created[0].id);
    EXPECT_TRUE(std::regex_match(*status->created[0].id, record_id_form));
    EXPECT_EQ(status->created[0].native_id, "1003");
    EXPECT_EQ(store.put_record({"residents", "1003", "int-bd", R"({"id":"1003"})", "2026-11-28T10:00:00Z"}).value(),
              *status->created[0].id);

    // Now two integrations may hold the same PMS id, which the old key refused.
    std::string other = store.put_record({"residents", "5001", "int-bd", R"({"id":"5001"})", "2026-11-28T10:00:00Z"}).value();
    EXPECT_NE(other, park);
    EXPECT_EQ(store.put_record({"residents", "5001", "int-rm", R"({"id":"5001"})", "2026-11-28T10:00:00Z"}).value(), park);
  }
  auto reopened = open();
  EXPECT_EQ(reopened->records_by_native_id("acme", "residents", "5001").value().size(), 2u);
  EXPECT_EQ(reopened->record("acme", "residents", park).value()->integration_id, "int-rm") << "migrated once, ids kept";
}

TEST_P(JobStoreTest, CallsThatFollowASuccessAreQueuedWithIt) {
  auto owned = open();
  Store& store = *owned;
  std::string root = store.enqueue(job(), "2026-11-28T10:00:00Z").value();
  auto claimed = store.claim("w", "2026-11-28T10:00:00Z").value();
  ASSERT_TRUE(claimed);
  store.succeed(root, claimed->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:01Z", {note_for(root)}).value();
  auto status = store.write_status("c1", root).value();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, WriteState::pending) << "the note is still to go";
  auto child = store.claim("w", "2026-11-28T10:00:01Z").value();
  ASSERT_TRUE(child);
  EXPECT_EQ(child->root_id, root);
  EXPECT_FALSE(child->is_root());
  EXPECT_EQ(child->payload, R"({"notes":"n"})");
  EXPECT_EQ(child->verdict, Verdict::accept);
  store.succeed(child->id, child->claim, {201, "ok", "updated"}, {}, "2026-11-28T10:00:02Z").value();
  EXPECT_EQ(store.write_status("c1", root).value()->state, WriteState::success);
}

TEST_P(JobStoreTest, AnOutcomeRecordedAgainChangesNothing) {
  // The dispatcher records an outcome again when a store error left it unknown whether the
  // first try landed; the second must not add an attempt, queue the follow-up twice, or turn a
  // success into a failure.
  auto owned = open();
  Store& store = *owned;
  std::string root = store.enqueue(job(), "2026-11-28T10:00:00Z").value();
  auto claimed = store.claim("w", "2026-11-28T10:00:00Z").value();
  ASSERT_TRUE(claimed);
  const std::string& claim = claimed->claim;
  EXPECT_EQ(store.succeed(root, claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:01Z", {note_for(root)}).value(),
            OutcomeRecorded::recorded);
  EXPECT_EQ(store.succeed(root, claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:02Z", {note_for(root)}).value(),
            OutcomeRecorded::already_recorded);
  EXPECT_EQ(store.fail_attempt(root, claim, {500, "pms_error", "late"}, "2026-11-28T10:00:03Z", std::nullopt).value(),
            OutcomeRecorded::already_recorded);
  EXPECT_EQ(store.fail_attempt(root, claim, {503, "pms_unavailable", "late"}, "2026-11-28T10:00:03Z", "2026-11-28T10:01:00Z").value(),
            OutcomeRecorded::already_recorded);
  auto child = store.claim("w", "2026-11-28T10:00:04Z").value();
  ASSERT_TRUE(child);
  store.succeed(child->id, child->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:05Z").value();
  EXPECT_FALSE(store.claim("w", "2026-11-28T10:05:00Z").value()) << "one follow-up queued, not two; the root not requeued";
  auto status = store.write_status("c1", root).value();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, WriteState::success);
  EXPECT_EQ(status->attempts.size(), 2u) << "one attempt for the root, one for the note";
}

TEST_P(JobStoreTest, AnOutcomeForAJobNobodyClaimedChangesNothing) {
  auto owned = open();
  Store& store = *owned;
  std::string id = store.enqueue(job(), "2026-11-28T10:00:00Z").value();
  EXPECT_EQ(store.fail_attempt(id, "", {400, "pms_error", "no"}, "2026-11-28T10:00:01Z", std::nullopt).value(),
            OutcomeRecorded::claim_lost);
  EXPECT_EQ(store.succeed(id, "a-made-up-claim", {200, "ok", "updated"}, {}, "2026-11-28T10:00:01Z").value(),
            OutcomeRecorded::claim_lost);
  auto status = store.write_status("c1", id).value();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, WriteState::pending);
  EXPECT_TRUE(status->attempts.empty());
  EXPECT_TRUE(store.claim("w", "2026-11-28T10:00:02Z").value()) << "still queued";
}

TEST_P(JobStoreTest, AFinishedWriteQueuesOneWebhookDeliveryForCustomersWithAWebhook) {
  auto owned = open();
  Store& store = *owned;
  store.put_customer("c1", "k1").value();
  store.put_customer("c2", "k2").value();
  store.set_webhook("c1", "http://127.0.0.1:9/hooks", "s3cret").value();
  std::string root = store.enqueue(job("c1"), "2026-11-28T10:00:00Z").value();
  std::string child = store.enqueue(job("c1", root), "2026-11-28T10:00:00Z").value();
  std::string other = store.enqueue(job("c2"), "2026-11-28T10:00:00Z").value();
  std::vector<std::optional<ClaimedJob>> claimed;
  for (int i = 0; i < 3; ++i) {
    claimed.push_back(store.claim("w", "2026-11-28T10:00:01Z").value());
    ASSERT_TRUE(claimed.back());
  }
  auto claims = claims_by_id(claimed);
  store.succeed(root, claims[root], {200, "ok", "updated"}, {}, "2026-11-28T10:00:02Z").value();
  EXPECT_FALSE(store.claim_webhook("2026-11-28T10:00:02Z").value()) << "the child is still running";
  store.fail_attempt(child, claims[child], {409, "pms_rejected", "no"}, "2026-11-28T10:00:03Z", std::nullopt).value();
  store.succeed(other, claims[other], {200, "ok", "updated"}, {}, "2026-11-28T10:00:03Z").value();  // c2 has no webhook
  auto delivery = store.claim_webhook("2026-11-28T10:00:03Z").value();
  ASSERT_TRUE(delivery);
  EXPECT_EQ(delivery->root_job_id, root);
  EXPECT_EQ(delivery->url, "http://127.0.0.1:9/hooks");
  EXPECT_EQ(delivery->secret, "s3cret");
  EXPECT_EQ(delivery->attempts, 0);
  EXPECT_FALSE(store.claim_webhook("2026-11-28T10:00:03Z").value()) << "one delivery per write, claimed once";
  EXPECT_EQ(store.finish_webhook(delivery->id, delivery->claim, false, "answered 500", "2026-11-28T10:00:04Z",
                                 std::string("2026-11-28T10:00:09Z")).value(),
            OutcomeRecorded::recorded);
  // Recorded again (a store error left the first unknown): changes nothing, as for jobs.
  EXPECT_EQ(store.finish_webhook(delivery->id, delivery->claim, false, "answered 500", "2026-11-28T10:00:04Z",
                                 std::string("2026-11-28T10:00:30Z")).value(),
            OutcomeRecorded::already_recorded);
  EXPECT_FALSE(store.claim_webhook("2026-11-28T10:00:05Z").value()) << "not due yet";
  auto again = store.claim_webhook("2026-11-28T10:00:09Z").value();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
  EXPECT_EQ(store.finish_webhook(again->id, delivery->claim, true, "", "2026-11-28T10:00:10Z", std::nullopt).value(),
            OutcomeRecorded::claim_lost)
      << "the first claim's token does not hold the second claim";
  EXPECT_EQ(store.finish_webhook(again->id, again->claim, true, "", "2026-11-28T10:00:10Z", std::nullopt).value(),
            OutcomeRecorded::recorded);
  EXPECT_FALSE(store.claim_webhook("2026-11-28T11:00:00Z").value());
}

TEST_P(JobStoreTest, ADeliveryInFlightAtACrashIsSentAgain) {
  {
    auto owned = open();
    Store& store = *owned;
    store.put_customer("c1", "k1").value();
    store.set_webhook("c1", "http://127.0.0.1:9/hooks", "s").value();
    std::string id = store.enqueue(job("c1"), "2026-11-28T10:00:00Z").value();
    auto claimed = store.claim("w", "2026-11-28T10:00:00Z").value();
    ASSERT_TRUE(claimed);
    store.succeed(id, claimed->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:01Z").value();
    ASSERT_TRUE(store.claim_webhook("2026-11-28T10:00:01Z").value());
  }
  auto restarted_owned = open();
  Store& restarted = *restarted_owned;
  restarted.resume_interrupted("2026-11-28T10:00:03Z").value();
  EXPECT_TRUE(restarted.claim_webhook("2026-11-28T10:00:03Z").value());
}

TEST_P(JobStoreTest, SeveralInstancesRespectEachOthersLeases) {
  if (GetParam() != "postgres") GTEST_SKIP() << "SQLite serves one instance: every running job at start is interrupted";
  auto a = open();
  auto b = open();  // a second instance on the same database
  std::string id = a->enqueue(job(), "2026-11-28T10:00:00Z").value();
  ASSERT_TRUE(a->claim("host-a:1:worker-0", "2026-11-28T10:00:00Z").value());
  EXPECT_EQ(b->resume_interrupted("2026-11-28T10:00:00Z").value(), 0u) << "a starting instance leaves a live lease alone";
  EXPECT_FALSE(b->claim("host-b:2:worker-0", "2026-11-28T10:00:00Z").value());
  // Instance a died: on the clock of b's later calls, its lease has run out.
  auto taken = b->claim("host-b:2:worker-0", "2026-11-28T10:00:02Z").value();
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->id, id);
}

// Leases and due times are compared on one clock, the caller's: a lease runs out when the `now`
// a caller passes is past it, not when the database's clock says so. With the two clocks mixed,
// a job was claimed again while its worker still held it (406 claims for 395 jobs under load).
TEST_P(JobStoreTest, ALeaseRunsOutOnTheCallersClock) {
  if (GetParam() != "postgres") GTEST_SKIP() << "SQLite serves one instance: its claims have no lease";
  auto owned = open();  // lease_seconds = 1
  Store& store = *owned;
  std::string id = store.enqueue(job(), "2026-11-28T10:00:00.000Z").value();
  ASSERT_TRUE(store.claim("w1", "2026-11-28T10:00:00.000Z").value());
  // The database's clock passes the lease; the caller's does not (its clock is behind, or the
  // machine is slow): the claim holds.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_FALSE(store.claim("w2", "2026-11-28T10:00:00.500Z").value()) << "claimed again within the caller's lease";
  EXPECT_EQ(store.resume_interrupted("2026-11-28T10:00:00.500Z").value(), 0u);
  // The caller's clock passes the lease: the job is claimed again, whatever the database's says.
  auto again = store.claim("w2", "2026-11-28T10:00:01.500Z").value();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, id);
}

TEST_P(JobStoreTest, ACallerWhoseClockIsAheadSeesALeaseRunOutOnItsClock) {
  if (GetParam() != "postgres") GTEST_SKIP() << "SQLite serves one instance: its claims have no lease";
  auto owned = open();  // lease_seconds = 1
  Store& store = *owned;
  std::string id = store.enqueue(job(), "2030-01-01T00:00:00.000Z").value();
  ASSERT_TRUE(store.claim("w1", "2030-01-01T00:00:00.000Z").value());
  EXPECT_FALSE(store.claim("w2", "2030-01-01T00:00:00.900Z").value());
  auto again = store.claim("w2", "2030-01-01T00:00:01.100Z").value();  // no time passed on the database's clock
  ASSERT_TRUE(again) << "the lease did not run out on the clock the due times use";
  EXPECT_EQ(again->id, id);
  EXPECT_EQ(store.resume_interrupted("2030-01-01T00:00:01.100Z").value(), 0u) << "claimed again, so not interrupted";
}

// A worker whose claim was lost (its lease ran out and another worker claimed the job; with
// SQLite, a restart queued it again) cannot record the job's outcome: the worker that holds the
// claim records it, once, and the stale one is told so.
TEST_P(JobStoreTest, AWorkerThatLostItsClaimCannotRecordTheOutcome) {
  auto owned = open();  // PostgreSQL: lease_seconds = 1
  Store& store = *owned;
  store.put_customer("c1", "k1").value();
  store.set_webhook("c1", "http://127.0.0.1:9/hooks", "s").value();
  std::string id = store.enqueue(job(), "2026-11-28T10:00:00.000Z").value();
  auto stale = store.claim("w1", "2026-11-28T10:00:00.000Z").value();
  ASSERT_TRUE(stale);
  if (GetParam() == "sqlite") {
    ASSERT_EQ(store.resume_interrupted("2026-11-28T10:00:02.000Z").value(), 1u);  // a restart
  }
  auto holder = store.claim("w2", "2026-11-28T10:00:02.000Z").value();  // past w1's lease
  ASSERT_TRUE(holder);
  ASSERT_EQ(holder->id, id);
  ASSERT_NE(holder->claim, stale->claim);

  EXPECT_EQ(store.succeed(id, stale->claim, {200, "ok", "updated"}, {{"residents", "r-1"}}, "2026-11-28T10:00:03.000Z",
                          {note_for(id)}).value(),
            OutcomeRecorded::claim_lost);
  EXPECT_EQ(store.fail_attempt(id, stale->claim, {503, "pms_unavailable", "late"}, "2026-11-28T10:00:03.000Z",
                               std::string("2026-11-28T10:00:04.000Z")).value(),
            OutcomeRecorded::claim_lost);
  EXPECT_EQ(store.fail_attempt(id, stale->claim, {400, "pms_rejected", "late"}, "2026-11-28T10:00:03.000Z", std::nullopt).value(),
            OutcomeRecorded::claim_lost);
  auto status = store.write_status("c1", id).value();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, WriteState::pending) << "the stale worker's outcome was applied";
  EXPECT_TRUE(status->attempts.empty());
  EXPECT_TRUE(status->created.empty());
  EXPECT_FALSE(store.claim("w3", "2026-11-28T10:00:02.500Z").value()) << "still w2's (and no follow-up was queued)";
  EXPECT_FALSE(store.claim_webhook("2026-11-28T10:00:05.000Z").value()) << "the write is not finished";

  EXPECT_EQ(store.fail_attempt(id, holder->claim, {409, "pms_rejected", "no"}, "2026-11-28T10:00:03.000Z", std::nullopt).value(),
            OutcomeRecorded::recorded);
  EXPECT_EQ(store.succeed(id, stale->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:04.000Z").value(),
            OutcomeRecorded::claim_lost)
      << "nor after the holder recorded its own";
  status = store.write_status("c1", id).value();
  EXPECT_EQ(status->state, WriteState::failure);
  EXPECT_EQ(status->errors, std::vector<std::string>{"no"});
  EXPECT_EQ(status->attempts.size(), 1u);
}

TEST_P(JobStoreTest, ASenderThatLostItsClaimCannotRecordTheDelivery) {
  auto owned = open();  // PostgreSQL: lease_seconds = 1
  Store& store = *owned;
  store.put_customer("c1", "k1").value();
  store.set_webhook("c1", "http://127.0.0.1:9/hooks", "s").value();
  std::string id = store.enqueue(job(), "2026-11-28T10:00:00.000Z").value();
  auto claimed = store.claim("w", "2026-11-28T10:00:00.000Z").value();
  ASSERT_TRUE(claimed);
  ASSERT_EQ(store.succeed(id, claimed->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:00.500Z").value(),
            OutcomeRecorded::recorded);
  auto stale = store.claim_webhook("2026-11-28T10:00:01.000Z").value();
  ASSERT_TRUE(stale);
  if (GetParam() == "sqlite") store.resume_interrupted("2026-11-28T10:00:03.000Z").value();  // a restart
  auto holder = store.claim_webhook("2026-11-28T10:00:03.000Z").value();  // past the first sender's lease
  ASSERT_TRUE(holder);
  ASSERT_EQ(holder->id, stale->id);
  EXPECT_EQ(store.finish_webhook(stale->id, stale->claim, true, "", "2026-11-28T10:00:04.000Z", std::nullopt).value(),
            OutcomeRecorded::claim_lost);
  EXPECT_EQ(store.finish_webhook(holder->id, holder->claim, false, "answered 500", "2026-11-28T10:00:04.000Z",
                                 std::string("2026-11-28T10:00:09.000Z")).value(),
            OutcomeRecorded::recorded);
  EXPECT_FALSE(store.claim_webhook("2026-11-28T10:00:05.000Z").value()) << "the holder's retry stands: not due yet";
  auto again = store.claim_webhook("2026-11-28T10:00:09.000Z").value();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1) << "one attempt recorded, the holder's";
}

/// The database taken away from under a store, for the scope's life. SQLite: its files deleted
/// (a connection that has not read yet cannot open them) and no write may grow a file any more
/// (RLIMIT_FSIZE 0: what a full disk does to the next write; SIGXFSZ ignored, so the write fails
/// instead of the process). PostgreSQL: its schema dropped (every statement fails).
class DatabaseGone {
 public:
  DatabaseGone(const std::string& store, const fs::path& file, const std::function<void()>& drop_schema)
      : sqlite_(store == "sqlite") {
    if (!sqlite_) {
      drop_schema();
      return;
    }
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &previous_limit_);
    rlimit none{0, previous_limit_.rlim_max};
    ::setrlimit(RLIMIT_FSIZE, &none);
  }
  ~DatabaseGone() {
    if (!sqlite_) return;
    ::setrlimit(RLIMIT_FSIZE, &previous_limit_);
    std::signal(SIGXFSZ, previous_handler_);
  }
  DatabaseGone(const DatabaseGone&) = delete;
  DatabaseGone& operator=(const DatabaseGone&) = delete;

 private:
  bool sqlite_;
  rlimit previous_limit_{};
  void (*previous_handler_)(int) = SIG_DFL;
};

/// What `call` returned, or that it threw (while the database is gone no output can be written,
/// so the test looks at it after).
template <class T>
std::pair<std::optional<Result<T>>, std::string> outcome_of(const std::function<Result<T>()>& call) {
  try {
    return {call(), ""};
  } catch (const std::exception& e) {
    return {std::nullopt, e.what()};
  } catch (...) {
    return {std::nullopt, "something not an exception"};
  }
}

// A store whose database fails (SQLite's files deleted and its disk full, PostgreSQL's tables
// gone) gives each call's error as a value, of kind `unavailable`, with the database's words:
// nothing is thrown across the interface. Before, each call threw StoreUnavailable.
TEST_P(JobStoreTest, AStoreWhoseDatabaseFailsReturnsItsErrorsAndThrowsNothing) {
  auto owned = open();
  Store& store = *owned;
  store.put_customer("c1", "k1").value();
  store.enqueue(job(), "2026-11-28T10:00:00Z").value();  // due: claiming it is a write
  std::pair<std::optional<Result<std::string>>, std::string> enqueued;
  std::pair<std::optional<Result<std::optional<ClaimedJob>>>, std::string> claimed;
  std::pair<std::optional<Result<std::optional<std::string>>>, std::string> customer;
  std::pair<std::optional<Result<void>>, std::string> put;
  {
    DatabaseGone gone(GetParam(), file, [this] { drop_schema(); });
    enqueued = outcome_of<std::string>([&] { return store.enqueue(job(), "2026-11-28T10:00:01Z"); });
    claimed = outcome_of<std::optional<ClaimedJob>>([&] { return store.claim("w", "2026-11-28T10:00:01Z"); });
    customer = outcome_of<std::optional<std::string>>([&] { return store.customer_for_key("k1"); });
    put = outcome_of<void>([&] { return store.put_customer("c2", "k2"); });
  }
  auto expect_unavailable = [](const auto& outcome, const char* call) {
    ASSERT_TRUE(outcome.first) << call << " threw: " << outcome.second;
    ASSERT_FALSE(*outcome.first) << call << " succeeded on a database that is gone";
    EXPECT_EQ(outcome.first->error().kind, StoreError::Kind::unavailable) << call;
    EXPECT_EQ(outcome.first->error().message.rfind("store: ", 0), 0u) << call << ": " << outcome.first->error().message;
  };
  expect_unavailable(enqueued, "enqueue");
  expect_unavailable(claimed, "claim");
  expect_unavailable(customer, "customer_for_key");
  expect_unavailable(put, "put_customer");
}

/// Runs one write of `customer` to its end, as the dispatcher would: "success", "failure", or
/// "partial" (its root reaches the PMS, its follow-up call does not). Nothing else may be queued.
/// Returns the write's root job id.
std::string finish_write(Store& store, const std::string& customer, const std::string& outcome, const std::string& now) {
  std::string root = store.enqueue(job(customer), now).value();
  if (outcome == "partial") {
    store.enqueue(job(customer, root), now).value();
    auto first = store.claim("w", now).value();
    auto second = store.claim("w", now).value();
    if (!first || !second) return "";
    for (const auto& claimed : {*first, *second}) {
      if (claimed.is_root()) {
        store.succeed(claimed.id, claimed.claim, {200, "ok", "updated"}, {}, now).value();
      } else {
        store.fail_attempt(claimed.id, claimed.claim, {422, "pms_rejected", "no notes"}, now, std::nullopt).value();
      }
    }
    return root;
  }
  auto claimed = store.claim("w", now).value();
  if (!claimed) return "";
  if (outcome == "success") {
    store.succeed(claimed->id, claimed->claim, {200, "ok", "updated"}, {}, now).value();
  } else {
    store.fail_attempt(claimed->id, claimed->claim, {409, "pms_rejected", "moved out"}, now, std::nullopt).value();
  }
  return root;
}

/// The roots of every webhook delivery due at `now`, each now delivered (so that a later call
/// does not see it again when the claim's lease runs out).
std::set<std::string> delivered_roots(Store& store, const std::string& now) {
  std::set<std::string> roots;
  while (auto d = store.claim_webhook(now).value()) {
    roots.insert(d->root_job_id);
    store.finish_webhook(d->id, d->claim, true, "", now, std::nullopt).value();
  }
  return roots;
}

const std::vector<WebhookTrigger> failures_only{WebhookTrigger::write_operation_failure};
const std::vector<WebhookTrigger> successes_only{WebhookTrigger::write_operation_success};

TEST_P(JobStoreTest, AWebhookIsToldOnlyOfTheTriggersItsCustomerChose) {
  auto owned = open();
  Store& store = *owned;
  for (const std::string customer : {"fails", "succeeds", "both", "unset", "none"}) {
    store.put_customer(customer, "key-" + customer).value();
    store.set_webhook(customer, "http://127.0.0.1:9/hooks", "hook-secret").value();
  }
  ASSERT_TRUE(store.set_webhook_triggers("fails", failures_only));
  ASSERT_TRUE(store.set_webhook_triggers("succeeds", successes_only));
  ASSERT_TRUE(store.set_webhook_triggers("both", {WebhookTrigger::write_operation_success,
                                                  WebhookTrigger::write_operation_failure,
                                                  WebhookTrigger::write_operation_success}));
  ASSERT_TRUE(store.set_webhook_triggers("none", {}));
  // "unset" was never told: every trigger, as before triggers existed.
  std::map<std::string, std::string> write_of;  // by root job id: "customer/outcome"
  for (const std::string customer : {"fails", "succeeds", "both", "unset", "none"})
    for (const std::string outcome : {"success", "failure", "partial"}) {
      std::string root = finish_write(store, customer, outcome, "2026-11-28T10:00:00Z");
      ASSERT_FALSE(root.empty()) << customer << "/" << outcome;
      write_of[root] = customer + "/" + outcome;
    }
  std::set<std::string> delivered;
  for (const auto& root : delivered_roots(store, "2026-11-28T10:00:01Z")) delivered.insert(write_of[root]);
  // A part failure is a failure (webhook_trigger.hpp): the failures-only customer hears of it, the
  // successes-only customer does not.
  EXPECT_EQ(delivered, (std::set<std::string>{"fails/failure", "fails/partial", "succeeds/success", "both/success",
                                              "both/failure", "both/partial", "unset/success", "unset/failure",
                                              "unset/partial"}));
}

TEST_P(JobStoreTest, ACustomersTriggersAreKeptAndApplyToWritesThatFinishLater) {
  {
    auto owned = open();
    Store& store = *owned;
    store.put_customer("c1", "k1").value();
    store.set_webhook("c1", "http://127.0.0.1:9/hooks", "hook-secret").value();
    ASSERT_TRUE(store.set_webhook_triggers("c1", failures_only));
  }
  auto reopened = open();
  Store& store = *reopened;
  finish_write(store, "c1", "success", "2026-11-28T10:00:00Z");
  EXPECT_TRUE(delivered_roots(store, "2026-11-28T10:00:01Z").empty()) << "failures only, after a restart too";
  std::string failed = finish_write(store, "c1", "failure", "2026-11-28T10:00:02Z");
  EXPECT_EQ(delivered_roots(store, "2026-11-28T10:00:03Z"), std::set<std::string>{failed});
  ASSERT_TRUE(store.set_webhook_triggers("c1", successes_only));
  std::string succeeded = finish_write(store, "c1", "success", "2026-11-28T10:00:04Z");
  finish_write(store, "c1", "failure", "2026-11-28T10:00:04Z");
  EXPECT_EQ(delivered_roots(store, "2026-11-28T10:00:05Z"), std::set<std::string>{succeeded});

  auto unknown = store.set_webhook_triggers("nobody", failures_only);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, StoreError::Kind::invalid_argument);
  EXPECT_NE(unknown.error().message.find("no customer nobody"), std::string::npos) << unknown.error().message;
}

TEST_P(JobStoreTest, AWebhookFromBeforeTriggersIsToldOfEveryWrite) {
  ASSERT_TRUE(load_old_schema());
  auto owned = open();
  Store& store = *owned;
  store.set_webhook("acme", "http://127.0.0.1:9/hooks", "hook-secret").value();  // a customer of the old schema
  std::string succeeded = finish_write(store, "acme", "success", "2026-11-28T10:00:00Z");
  std::string failed = finish_write(store, "acme", "failure", "2026-11-28T10:00:00Z");
  EXPECT_EQ(delivered_roots(store, "2026-11-28T10:00:01Z"), (std::set<std::string>{succeeded, failed}));
}

// Idempotency keys (store/idempotency.hpp). The service keeps a key a day: `live_since` is the
// caller's now less that, so a key kept before it is as if it had never been.

/// The answer the service gives an accepted write, made for `job_id`.
AnswerToKeep accepted_answer() {
  return {202, [](std::string_view job_id) { return "{\"job_id\":\"" + std::string(job_id) + "\"}"; }};
}

/// How many jobs are due at `now` (claimed to count them).
int jobs_due(Store& store, const std::string& now = "2026-11-30T00:00:00.000Z") {
  int n = 0;
  while (store.claim("counter", now).value()) ++n;
  return n;
}

TEST_P(JobStoreTest, AWriteSentAgainWithItsKeyGetsTheFirstAnswerAndNoSecondJob) {
  auto owned = open();
  Store& store = *owned;
  const IdempotencyKey key{"c1", "order-7", "fingerprint-a"};
  EXPECT_FALSE(store.find_idempotent(key, "2026-11-27T10:00:00.000Z").value()) << "a key nobody sent is free";
  KeyedWrite first = store.enqueue_idempotent(job(), key, accepted_answer(), "2026-11-28T10:00:00.000Z",
                                              "2026-11-27T10:00:00.000Z").value();
  EXPECT_EQ(first.use, KeyUse::stored);
  EXPECT_EQ(first.job_id.size(), 32u);
  EXPECT_EQ(first.status, 202);
  EXPECT_EQ(first.body, "{\"job_id\":\"" + first.job_id + "\"}");

  KeyedWrite again = store.enqueue_idempotent(job(), key, accepted_answer(), "2026-11-28T10:05:00.000Z",
                                              "2026-11-27T10:05:00.000Z").value();
  EXPECT_EQ(again.use, KeyUse::replayed) << key_use_name(again.use);
  EXPECT_EQ(again.job_id, first.job_id);
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(again.body, first.body);
  auto found = store.find_idempotent(key, "2026-11-27T10:05:00.000Z").value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->use, KeyUse::replayed);
  EXPECT_EQ(found->job_id, first.job_id);
  EXPECT_EQ(found->body, first.body);
  EXPECT_EQ(jobs_due(store), 1) << "one job for the key";
}

TEST_P(JobStoreTest, AKeySentWithAnotherRequestStoresNothing) {
  auto owned = open();
  Store& store = *owned;
  KeyedWrite first = store.enqueue_idempotent(job(), {"c1", "k", "fingerprint-a"}, accepted_answer(),
                                              "2026-11-28T10:00:00.000Z", "2026-11-27T10:00:00.000Z").value();
  ASSERT_EQ(first.use, KeyUse::stored);
  const IdempotencyKey other{"c1", "k", "fingerprint-b"};
  KeyedWrite refused = store.enqueue_idempotent(job(), other, accepted_answer(), "2026-11-28T10:01:00.000Z",
                                                "2026-11-27T10:01:00.000Z").value();
  EXPECT_EQ(refused.use, KeyUse::used_for_other);
  EXPECT_EQ(refused.job_id, "") << "the first write's job is not told to a request that is not it";
  EXPECT_EQ(refused.body, "");
  EXPECT_EQ(store.find_idempotent(other, "2026-11-27T10:01:00.000Z").value()->use, KeyUse::used_for_other);
  EXPECT_EQ(jobs_due(store), 1);
  // The key still holds the first request's answer.
  EXPECT_EQ(store.find_idempotent({"c1", "k", "fingerprint-a"}, "2026-11-27T10:01:00.000Z").value()->job_id,
            first.job_id);
}

TEST_P(JobStoreTest, KeysAreEachCustomersOwn) {
  auto owned = open();
  Store& store = *owned;
  KeyedWrite acme = store.enqueue_idempotent(job("c1"), {"c1", "shared-key", "fingerprint-a"}, accepted_answer(),
                                             "2026-11-28T10:00:00.000Z", "2026-11-27T10:00:00.000Z").value();
  EXPECT_FALSE(store.find_idempotent({"c2", "shared-key", "fingerprint-a"}, "2026-11-27T10:00:00.000Z").value())
      << "another customer's key does not exist for this one";
  KeyedWrite globex = store.enqueue_idempotent(job("c2"), {"c2", "shared-key", "fingerprint-a"}, accepted_answer(),
                                               "2026-11-28T10:00:01.000Z", "2026-11-27T10:00:01.000Z").value();
  EXPECT_EQ(globex.use, KeyUse::stored) << "the same key, another customer: a write of its own";
  EXPECT_NE(globex.job_id, acme.job_id);
  EXPECT_EQ(jobs_due(store), 2);
}

TEST_P(JobStoreTest, AKeyIsForgottenPastItsLifetimeAndPurged) {
  auto owned = open();
  Store& store = *owned;
  const IdempotencyKey key{"c1", "k", "fingerprint-a"};
  KeyedWrite first = store.enqueue_idempotent(job(), key, accepted_answer(), "2026-11-28T10:00:00.000Z",
                                              "2026-11-27T10:00:00.000Z").value();
  ASSERT_EQ(first.use, KeyUse::stored);
  store.enqueue_idempotent(job(), {"c1", "later", "fingerprint-a"}, accepted_answer(), "2026-11-28T12:00:00.000Z",
                           "2026-11-27T12:00:00.000Z").value();
  // A day later, to the millisecond: still kept.
  EXPECT_TRUE(store.find_idempotent(key, "2026-11-28T10:00:00.000Z").value());
  // A millisecond after that: forgotten, and the same key and request are a new write.
  EXPECT_FALSE(store.find_idempotent(key, "2026-11-28T10:00:00.001Z").value());
  KeyedWrite next_day = store.enqueue_idempotent(job(), key, accepted_answer(), "2026-11-29T10:00:00.001Z",
                                                 "2026-11-28T10:00:00.001Z").value();
  EXPECT_EQ(next_day.use, KeyUse::stored);
  EXPECT_NE(next_day.job_id, first.job_id);
  EXPECT_EQ(store.find_idempotent(key, "2026-11-28T10:00:00.001Z").value()->job_id, next_day.job_id);

  // The purge deletes the keys kept before live_since, none other; the jobs stay.
  EXPECT_EQ(store.purge_idempotency_keys("2026-11-28T12:00:00.001Z").value(), 1u) << "'later' only";
  EXPECT_FALSE(store.find_idempotent({"c1", "later", "fingerprint-a"}, "2026-11-01T00:00:00.000Z").value());
  EXPECT_TRUE(store.find_idempotent(key, "2026-11-01T00:00:00.000Z").value());
  EXPECT_EQ(store.purge_idempotency_keys("2026-11-28T12:00:00.001Z").value(), 0u);
  EXPECT_TRUE(store.write_status("c1", first.job_id).value()) << "a purged key's job stays";
  EXPECT_EQ(jobs_due(store), 3);
}

TEST_P(JobStoreTest, KeysSurviveARestart) {
  std::string job_id;
  {
    auto owned = open();
    job_id = owned->enqueue_idempotent(job(), {"c1", "k", "fingerprint-a"}, accepted_answer(),
                                       "2026-11-28T10:00:00.000Z", "2026-11-27T10:00:00.000Z").value().job_id;
  }
  auto reopened = open();
  KeyedWrite again = reopened->enqueue_idempotent(job(), {"c1", "k", "fingerprint-a"}, accepted_answer(),
                                                  "2026-11-28T10:10:00.000Z", "2026-11-27T10:10:00.000Z").value();
  EXPECT_EQ(again.use, KeyUse::replayed);
  EXPECT_EQ(again.job_id, job_id);
  EXPECT_EQ(jobs_due(*reopened), 1);
}

TEST_P(JobStoreTest, AKeyIsNeverKeptWithoutItsJob) {
  auto owned = open();
  Store& store = *owned;
  // A job the store refuses (its parent does not exist): the key goes with it.
  NewJob orphan = job("c1", "no-such-parent");
  auto refused = store.enqueue_idempotent(orphan, {"c1", "k", "fingerprint-a"}, accepted_answer(),
                                          "2026-11-28T10:00:00.000Z", "2026-11-27T10:00:00.000Z");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, StoreError::Kind::invalid_argument) << refused.error().message;
  EXPECT_FALSE(store.find_idempotent({"c1", "k", "fingerprint-a"}, "2026-11-27T10:00:00.000Z").value())
      << "the key is free: the client may send the write again";
  EXPECT_EQ(store.enqueue_idempotent(job(), {"c1", "k", "fingerprint-a"}, accepted_answer(), "2026-11-28T10:00:01.000Z",
                                     "2026-11-27T10:00:01.000Z").value().use,
            KeyUse::stored);
}

TEST_P(JobStoreTest, WritesRacingWithOneKeyStoreOneJob) {
  // Two stores on the same data: for PostgreSQL, two instances; for SQLite (one process), one
  // store's callers racing each other through its group commit.
  auto first = open();
  auto second = GetParam() == "postgres" ? open() : nullptr;
  constexpr int writers = 8;
  std::vector<KeyedWrite> results(writers);
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  for (int i = 0; i < writers; ++i)
    threads.emplace_back([&, i] {
      Store& store = second && i % 2 ? *second : *first;
      while (!go) std::this_thread::yield();
      results[static_cast<std::size_t>(i)] =
          store.enqueue_idempotent(job(), {"c1", "raced", "fingerprint-a"}, accepted_answer(),
                                   "2026-11-28T10:00:00.000Z", "2026-11-27T10:00:00.000Z").value();
    });
  go = true;
  for (auto& t : threads) t.join();
  int stored = 0;
  for (const auto& r : results) {
    stored += r.use == KeyUse::stored;
    EXPECT_NE(r.use, KeyUse::used_for_other);
    EXPECT_EQ(r.job_id, results[0].job_id) << "every writer is told the one job";
    EXPECT_EQ(r.body, results[0].body);
  }
  EXPECT_EQ(stored, 1);
  EXPECT_EQ(jobs_due(*first), 1);
}

/// Fair claims, the cap's count and retention: the queue that customers share.
class SharedQueueTest : public JobStoreTest {
 protected:
  /// A job of `customer` (an update of its own integration's record).
  static NewJob job_of(const std::string& customer, const std::string& parent = "") {
    NewJob j = job(customer, parent);
    j.integration_id = "int-" + customer;
    return j;
  }
  /// The customer of each of the next `n` claims (at `now`), each succeeded at once.
  static std::string claim_order(Store& store, int n, const std::string& now = "2026-11-28T10:00:10.000Z") {
    std::string order;
    for (int i = 0; i < n; ++i) {
      auto claimed = store.claim("w", now).value();
      if (!claimed) break;
      order += (order.empty() ? "" : " ") + claimed->customer_id;
      EXPECT_EQ(store.succeed(claimed->id, claimed->claim, {200, "ok", "updated"}, {}, now).value(), OutcomeRecorded::recorded);
    }
    return order;
  }
  /// Rows of `table` in the test's database, read behind the store's back.
  long rows_in(const std::string& table) {
    if (GetParam() == "sqlite") {
      sqlite3* db = nullptr;
      EXPECT_EQ(sqlite3_open_v2(file.string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
      sqlite3_stmt* s = nullptr;
      EXPECT_EQ(sqlite3_prepare_v2(db, ("SELECT COUNT(*) FROM " + table).c_str(), -1, &s, nullptr), SQLITE_OK);
      long n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
      sqlite3_finalize(s);
      sqlite3_close(db);
      return n;
    }
    PGconn* c = PQconnectdb(postgres_conninfo().c_str());
    PGresult* r = PQexec(c, ("SELECT COUNT(*) FROM \"" + schema + "\"." + table).c_str());
    long n = PQresultStatus(r) == PGRES_TUPLES_OK ? std::stol(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    PQfinish(c);
    return n;
  }
};

INSTANTIATE_TEST_SUITE_P(Stores, SharedQueueTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& test) { return test.param; });

TEST_P(SharedQueueTest, AnotherCustomersBacklogDoesNotDelayAWrite) {
  auto owned = open();
  Store& store = *owned;
  // Customer a queued 100 writes before customer b's one: b's is claimed within two claims, not
  // after a's hundred. (Neither has been served: they tie on their turn, and the tie goes to a,
  // by id: b's place is owed to the turns alone.)
  for (int i = 0; i < 100; ++i) store.enqueue(job_of("a"), "2026-11-28T10:00:00.000Z").value();
  std::string b = store.enqueue(job_of("b"), "2026-11-28T10:00:05.000Z").value();
  std::vector<std::string> first_two;
  for (int i = 0; i < 2; ++i) {
    auto claimed = store.claim("w" + std::to_string(i), "2026-11-28T10:00:10.000Z").value();
    ASSERT_TRUE(claimed);
    first_two.push_back(claimed->id);
  }
  EXPECT_NE(std::find(first_two.begin(), first_two.end(), b), first_two.end()) << "b's write waited behind a's";

  // Both have been served: a write of a third customer, queued later still, is next.
  std::string c = store.enqueue(job_of("c"), "2026-11-28T10:00:20.000Z").value();
  auto next = store.claim("w", "2026-11-28T10:00:20.000Z").value();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, c);
  EXPECT_EQ(store.claim("w", "2026-11-28T10:00:20.000Z").value()->customer_id, "a") << "then a again";
}

TEST_P(SharedQueueTest, WorkersGoRoundTheCustomersWithDueWork) {
  auto owned = open();
  Store& store = *owned;
  for (const auto* customer : {"a", "a", "a", "b", "b", "b", "c"}) store.enqueue(job_of(customer), "2026-11-28T10:00:00.000Z").value();
  EXPECT_EQ(claim_order(store, 8), "a b c a b a b") << "one job each in turn, until a customer has none left";
}

TEST_P(SharedQueueTest, ACustomerIsServedItsOldestDueJobFirst) {
  auto owned = open();
  Store& store = *owned;
  std::string first = store.enqueue(job_of("a"), "2026-11-28T10:00:00.000Z").value();
  std::string second = store.enqueue(job_of("a"), "2026-11-28T10:00:01.000Z").value();
  // b's only job is retried later: b has no due work, so a is served twice in a row meanwhile.
  store.enqueue(job_of("b"), "2026-11-28T10:00:00.000Z").value();
  std::string order;
  while (auto claimed = store.claim("w", "2026-11-28T10:00:02.000Z").value()) {
    order += (order.empty() ? "" : " ") + claimed->customer_id;
    if (claimed->customer_id == "b") {
      store.fail_attempt(claimed->id, claimed->claim, {503, "pms_unavailable", ""}, "2026-11-28T10:00:02.000Z",
                         std::string("2026-11-28T10:01:00.000Z")).value();
    } else {
      EXPECT_EQ(claimed->id, order == "a" ? first : second) << "a's oldest first";
      store.succeed(claimed->id, claimed->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:02.000Z").value();
    }
  }
  EXPECT_EQ(order, "a b a");
  auto retried = store.claim("w", "2026-11-28T10:01:00.000Z").value();
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->customer_id, "b");
}

TEST_P(SharedQueueTest, TurnsSurviveARestart) {
  {
    auto owned = open();
    Store& store = *owned;
    for (int i = 0; i < 3; ++i) store.enqueue(job_of("a"), "2026-11-28T10:00:00.000Z").value();
    EXPECT_EQ(claim_order(store, 1), "a");
    store.enqueue(job_of("b"), "2026-11-28T10:00:01.000Z").value();
  }
  auto reopened = open();
  EXPECT_EQ(claim_order(*reopened, 4), "b a a") << "a was served last before the restart";
}

TEST_P(SharedQueueTest, ConcurrentWorkersClaimEachJobOfEveryCustomerOnce) {
  auto owned = open();
  Store& store = *owned;
  std::set<std::string> queued;
  for (int i = 0; i < 60; ++i)
    for (const auto* customer : {"a", "b", "c", "d"}) queued.insert(store.enqueue(job_of(customer), "2026-11-28T10:00:00.000Z").value());
  std::mutex m;
  std::multiset<std::string> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&, w] {
      while (auto j = store.claim("w" + std::to_string(w), "2026-11-28T10:00:01.000Z").value()) {
        {
          std::lock_guard lock(m);
          claimed.insert(j->id);
        }
        // A third of the first attempts are retried (due again at once), a tenth fail for good.
        auto outcome = j->attempts == 0 && j->id.back() % 3 == 0
                           ? store.fail_attempt(j->id, j->claim, {503, "pms_unavailable", ""}, "2026-11-28T10:00:02.000Z",
                                                std::string("2026-11-28T10:00:01.000Z")).value()
                       : j->id.back() % 10 == 1
                           ? store.fail_attempt(j->id, j->claim, {409, "pms_rejected", ""}, "2026-11-28T10:00:02.000Z",
                                                std::nullopt).value()
                           : store.succeed(j->id, j->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:02.000Z").value();
        EXPECT_EQ(outcome, OutcomeRecorded::recorded);
      }
    });
  for (auto& t : workers) t.join();
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()), queued) << "every job claimed";
  std::size_t retried = 0;
  for (const auto& id : queued) retried += id.back() % 3 == 0;
  EXPECT_EQ(claimed.size(), queued.size() + retried) << "no job claimed twice, but for its retry";
  for (const auto* customer : {"a", "b", "c", "d"})
    EXPECT_EQ(store.unfinished_jobs(customer).value(), 0u) << customer << "'s count agrees with its jobs";
}

TEST_P(SharedQueueTest, UnfinishedJobsAreACustomersQueuedAndRunningOnes) {
  auto owned = open();
  Store& store = *owned;
  std::string root = store.enqueue(job_of("a"), "2026-11-28T10:00:00.000Z").value();
  store.enqueue(job_of("a", root), "2026-11-28T10:00:00.000Z").value();  // a child job counts too
  store.enqueue(job_of("a"), "2026-11-28T10:00:00.000Z").value();
  store.enqueue(job_of("b"), "2026-11-28T10:00:00.000Z").value();
  EXPECT_EQ(store.unfinished_jobs("a").value(), 3u);
  EXPECT_EQ(store.unfinished_jobs("b").value(), 1u);
  EXPECT_EQ(store.unfinished_jobs("nobody").value(), 0u);
  auto running = store.claim("w", "2026-11-28T10:00:01.000Z").value();  // a's (a sorts first)
  ASSERT_TRUE(running);
  ASSERT_EQ(running->customer_id, "a");
  EXPECT_EQ(store.unfinished_jobs("a").value(), 3u) << "a running job is unfinished";
  store.succeed(running->id, running->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:02.000Z").value();
  EXPECT_EQ(store.unfinished_jobs("a").value(), 2u);
  auto b = store.claim("w", "2026-11-28T10:00:02.000Z").value();
  ASSERT_TRUE(b);
  store.fail_attempt(b->id, b->claim, {409, "pms_rejected", "no"}, "2026-11-28T10:00:03.000Z", std::nullopt).value();
  EXPECT_EQ(store.unfinished_jobs("b").value(), 0u) << "a failed job is finished";
}

TEST_P(SharedQueueTest, RetentionDeletesOnlyFinishedWritesOlderThanTheCutoff) {
  auto owned = open();
  Store& store = *owned;
  store.put_customer("a", "ka").value();
  store.put_customer("h", "kh").value();
  store.put_integration({"int-a", "a", "RENTMANAGER", "http://127.0.0.1:9"}).value();
  store.put_integration({"int-h", "h", "RENTMANAGER", "http://127.0.0.1:9"}).value();
  store.set_webhook("h", "http://127.0.0.1:9/hooks", "hook-secret").value();
  const std::string at = "2026-11-28T10:00:00.000Z", later = "2026-11-28T12:00:00.000Z";
  // Claims the next due job, which must be `id`, and records its outcome at `when`.
  auto finish = [&](const std::string& id, const std::string& when, bool ok, std::vector<NewJob> children = {}) {
    auto claimed = store.claim("w", when).value();
    ASSERT_TRUE(claimed);
    ASSERT_EQ(claimed->id, id);
    if (ok) {
      ASSERT_EQ(store.succeed(id, claimed->claim, {201, "ok", "created"}, {{"residents", "77"}}, when, children).value(),
                OutcomeRecorded::recorded);
    } else {
      ASSERT_EQ(store.fail_attempt(id, claimed->claim, {409, "pms_rejected", "no"}, when, std::nullopt).value(),
                OutcomeRecorded::recorded);
    }
  };
  std::string old_success = store.enqueue(job_of("a"), at).value();
  finish(old_success, at, true);
  const std::string created = *store.write_status("a", old_success).value()->created.at(0).id;
  std::string old_failure = store.enqueue(job_of("a"), at).value();
  finish(old_failure, at, false);
  std::string old_fan_out = store.enqueue(job_of("a"), at).value();
  finish(old_fan_out, at, true, {job_of("a", old_fan_out)});
  auto child = store.claim("w", later).value();  // the fan-out's child finishes after the cutoff
  ASSERT_TRUE(child);
  ASSERT_EQ(child->root_id, old_fan_out);
  store.succeed(child->id, child->claim, {200, "ok", "updated"}, {}, later).value();
  std::string recent = store.enqueue(job_of("a"), at).value();
  finish(recent, later, true);
  std::string queued = store.enqueue(job_of("a"), at).value();  // never claimed
  std::string awaiting_webhook = store.enqueue(job_of("h"), at).value();
  finish(awaiting_webhook, at, true);  // h's turn comes before a's
  ASSERT_EQ(rows_in("webhooks"), 1);

  const std::string cutoff = "2026-11-28T11:00:00.000Z";
  EXPECT_EQ(store.delete_finished_writes(cutoff, 100).value(), 2u) << "the old success and the old failure";
  EXPECT_FALSE(store.write_status("a", old_success).value());
  EXPECT_FALSE(store.write_status("a", old_failure).value());
  for (const auto& kept : {old_fan_out, recent, queued}) EXPECT_TRUE(store.write_status("a", kept).value()) << kept;
  EXPECT_TRUE(store.write_status("h", awaiting_webhook).value()) << "its webhook is still queued";
  EXPECT_TRUE(store.record_key("a", "residents", created).value()) << "the record a write created stays in the cache";

  // Delivered, the webhook no longer holds its write back.
  auto delivery = store.claim_webhook(later).value();
  ASSERT_TRUE(delivery);
  EXPECT_EQ(store.delete_finished_writes(cutoff, 100).value(), 0u) << "a delivery being sent holds its write too";
  store.finish_webhook(delivery->id, delivery->claim, true, "", later, std::nullopt).value();
  EXPECT_EQ(store.delete_finished_writes(cutoff, 100).value(), 1u);
  EXPECT_FALSE(store.write_status("h", awaiting_webhook).value());
  EXPECT_EQ(rows_in("webhooks"), 0);

  // Later, everything finished is old enough; the queued write stays whatever its age.
  EXPECT_EQ(store.delete_finished_writes("2026-11-29T00:00:00.000Z", 1).value(), 1u) << "at most max_writes";
  EXPECT_EQ(store.delete_finished_writes("2026-11-29T00:00:00.000Z", 100).value(), 1u);
  EXPECT_EQ(store.delete_finished_writes("2026-11-29T00:00:00.000Z", 100).value(), 0u);
  EXPECT_TRUE(store.write_status("a", queued).value());
  EXPECT_EQ(rows_in("jobs"), 1) << "the queued job alone";
  EXPECT_EQ(rows_in("attempts"), 0);
  EXPECT_EQ(rows_in("created_records"), 0);
  EXPECT_TRUE(store.claim("w", later).value()) << "and it is still claimed as ever";
}

// A write whose idempotency key is still kept stays whatever the retention period: a retry with
// the key must find its job, not queue the write again (it would reach the PMS twice). Once the
// key is purged, retention deletes it.
TEST_P(SharedQueueTest, RetentionKeepsAWriteWhileItsIdempotencyKeyIsKept) {
  auto owned = open();
  Store& store = *owned;
  KeyedWrite keyed = store.enqueue_idempotent(job_of("a"), {"a", "key-1", "fingerprint-a"}, accepted_answer(),
                                              "2026-11-28T10:00:00.000Z", "2026-11-27T10:00:00.000Z").value();
  ASSERT_EQ(keyed.use, KeyUse::stored);
  auto claimed = store.claim("w", "2026-11-28T10:00:00.000Z").value();
  ASSERT_TRUE(claimed);
  store.succeed(claimed->id, claimed->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:01.000Z").value();
  EXPECT_EQ(store.delete_finished_writes("2026-11-28T12:00:00.000Z", 100).value(), 0u) << "its key is kept";
  EXPECT_TRUE(store.write_status("a", keyed.job_id).value());
  EXPECT_EQ(store.purge_idempotency_keys("2026-11-29T10:00:00.000Z").value(), 1u);
  EXPECT_EQ(store.delete_finished_writes("2026-11-28T12:00:00.000Z", 100).value(), 1u);
  EXPECT_FALSE(store.write_status("a", keyed.job_id).value());
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  fs::path file = fs::temp_directory_path() / ("gatehouse_sqlite_" + std::to_string(::getpid()) + ".db");
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
  }
};

TEST_F(SqliteStoreTest, AFileFromTheFirstSchemaIsMigrated) {
  {
    // The schema as the first version wrote it: no webhook columns, user_version 0.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.string().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE customers (id TEXT PRIMARY KEY, api_key_sha256 TEXT NOT NULL UNIQUE);"
                           "INSERT INTO customers VALUES ('old', 'abc');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  SqliteStore store(file.string());
  store.set_webhook("old", "http://127.0.0.1:9/h", "s").value();  // the new column exists
  store.put_integration({"i", "old", "BUILDIUM", "http://127.0.0.1:9"}).value();
  ASSERT_EQ(store.integrations().value().size(), 1u);
  EXPECT_EQ(store.integrations().value()[0].pms, "BUILDIUM");
  auto nobody = store.set_webhook("nobody", "u", "s");
  ASSERT_FALSE(nobody) << "an unknown customer is an error, returned";
  EXPECT_EQ(nobody.error().kind, StoreError::Kind::invalid_argument);
}

// The migration that brought fair claims and queue caps counts the jobs already queued: a store
// written before it caps its customers by what they have queued.
TEST_F(SqliteStoreTest, TheJobsQueuedBeforeQueueCapsAreCounted) {
  {
    SqliteStore store(file.string());
    for (const auto* customer : {"a", "a", "b"}) store.enqueue(job(customer), "2026-11-28T10:00:00.000Z").value();
  }
  {
    // Back to the schema before that migration, its jobs kept.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.string().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TABLE claim_turns; DROP TABLE queue_sizes; DROP INDEX jobs_queue;"
                           " DROP INDEX created_records_job; DROP INDEX idempotency_keys_job; PRAGMA user_version = 7;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  SqliteStore store(file.string());
  EXPECT_EQ(store.unfinished_jobs("a").value(), 2u);
  EXPECT_EQ(store.unfinished_jobs("b").value(), 1u);
  auto claimed = store.claim("w", "2026-11-28T10:00:01.000Z").value();
  ASSERT_TRUE(claimed);
  store.succeed(claimed->id, claimed->claim, {200, "ok", "updated"}, {}, "2026-11-28T10:00:02.000Z").value();
  EXPECT_EQ(store.unfinished_jobs(claimed->customer_id).value(), claimed->customer_id == "a" ? 1u : 0u);
}

TEST(JobStore, TheSqliteFilesAreTheOwnersAlone) {
  fs::path file = fs::temp_directory_path() / ("gatehouse_mode_" + std::to_string(::getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
  { std::ofstream(file.string() + "-wal"); }  // one a previous run left readable by all
  fs::permissions(file.string() + "-wal", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                             fs::perms::others_read);
  {
    SqliteStore store(file.string());
    store.put_customer("acme", "key-acme").value();
    for (const char* suffix : {"", "-wal"}) {
      auto perms = fs::status(file.string() + suffix).permissions();
      EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none) << "file" << suffix;
      EXPECT_NE(perms & fs::perms::owner_read, fs::perms::none) << "file" << suffix;
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
}

TEST(JobStore, AnUnopenableFileIsAClearError) {
  try {
    SqliteStore store("/nonexistent/folder/jobs.db");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open '/nonexistent/folder/jobs.db'"), std::string::npos) << e.what();
  }
}

TEST(JobStore, RecordIdsAreRandomAndNeverRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string id = new_record_id();
    ASSERT_TRUE(std::regex_match(id, record_id_form)) << id;
    EXPECT_TRUE(seen.insert(id).second) << "made twice: " << id;
  }
}

TEST(JobStore, IdsAreUniqueHexAndSortInTheOrderTheyWereMade) {
  std::set<std::string> seen;
  std::string previous = new_id();
  for (int i = 0; i < 2000; ++i) {
    std::string id = new_id();
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    EXPECT_TRUE(seen.insert(id).second) << "made twice: " << id;
    // Within one millisecond the order is random; across milliseconds it is the time's.
    EXPECT_LE(previous.substr(0, 12), id.substr(0, 12));
    previous = id;
  }
  std::string before = new_id();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_LT(before, new_id());
}

}  // namespace
}  // namespace gatehouse::store
