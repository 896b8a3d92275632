// Several instances: two `gatehouse serve` processes on one PostgreSQL store and one PMS
// simulator. Writes go to either instance; every job is carried to the PMS exactly once, and
// both instances' dispatchers take part. A revocation on one instance stops the key on the other
// within the bound docs/service.md gives, whatever the other's lookup cache holds.
#include <gtest/gtest.h>
#include <httplib.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <thread>

#include "e2e/child_process.hpp"

namespace {

namespace fs = std::filesystem;
using gatehouse::testing::ChildProcess;
using namespace std::chrono_literals;

std::string conninfo() {
  std::ifstream in(GATEHOUSE_TEST_POSTGRES_FILE);
  std::string line;
  std::getline(in, line);
  return line;
}

long succeeded_jobs(const ChildProcess& service) {
  auto r = service.client().Get("/metrics", {{"Authorization", "Bearer admin-key-0123456789abcdef"}});
  std::smatch m;
  if (!r || !std::regex_search(r->body, m, std::regex("gatehouse_jobs_total\\{outcome=\"succeeded\"\\} (\\d+)"))) return -1;
  return std::stol(m[1]);
}

TEST(PostgresInstances, TwoInstancesCarryEveryJobExactlyOnce) {
  ASSERT_FALSE(conninfo().empty()) << "the ctest fixture `postgres` writes " GATEHOUSE_TEST_POSTGRES_FILE;
  const std::string schema = "e2e_" + std::to_string(::getpid());
  fs::path dir = fs::temp_directory_path() / ("gatehouse_pg_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ChildProcess pms({GATEHOUSE_SIMULATOR});
  for (int id = 1001; id <= 1005; ++id)
    ASSERT_EQ(pms.client().Put("/_sim/buildium/tenants/" + std::to_string(id),
                               R"({"FirstName":"A","LastName":"B","PrimaryAddress":{"AddressLine1":"1 Main St"}})",
                               "application/json")->status,
              200);
  std::string records;
  for (int id = 1001; id <= 1005; ++id)
    records += "  - {model: residents, id: '" + std::to_string(id) + "', integration: int-bd, data: '{}'}\n";
  std::ofstream(dir / "config.yaml")
      << "rules: " << (fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules").string() << "\n"
      << "store: {postgres: '" << conninfo() << "', schema: " << schema << ", connections: 4, lease_seconds: 30}\n"
      << "listen: 127.0.0.1:0\nrate_limit_per_minute: 0\nadmin_api_key: admin-key-0123456789abcdef\n"
      << "dispatcher: {workers: 3, backoff_ms: 20, idle_poll_ms: 10, sync_interval_seconds: 0}\n"
      << "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\n"
      << "integrations:\n  - {id: int-bd, customer: acme, pms: BUILDIUM, base_url: '" << pms.url() << "/buildium'}\n"
      << "records:\n" << records;
  const std::vector<std::string> serve = {GATEHOUSE_BINARY, "serve", "--config", (dir / "config.yaml").string()};
  ChildProcess a(serve), b(serve);
  // Gatehouse's ids of the seeded records (the seeds name them by the PMS's).
  std::vector<std::string> ids;
  for (int id = 1001; id <= 1005; ++id) {
    auto r = b.client().Get("/v1/residents?x_id=" + std::to_string(id), {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}});
    std::smatch m;
    ASSERT_TRUE(r && std::regex_search(r->body, m, std::regex("\"id\":\"(rec_[0-9a-f]{32})\""))) << (r ? r->body : "");
    ids.push_back(m[1]);
  }

  std::vector<std::string> jobs;
  for (int i = 0; i < 60; ++i) {
    auto r = (i % 2 ? a : b).client().Put("/v1/residents/" + ids[static_cast<std::size_t>(i % 5)],
                                          {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}},
                                          R"({"first_name":"A)" + std::to_string(i) + R"(","last_name":"B","address_1":"1 Main St"})",
                                          "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r->body, m, std::regex("\"job_id\":\"([0-9a-f]+)\"")));
    jobs.push_back(m[1]);
  }
  int succeeded = 0;
  for (auto until = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < until && succeeded < 60;) {
    succeeded = 0;
    for (const auto& id : jobs) {
      auto r = a.client().Get("/v1/admin/write-status/" + id, {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}});
      succeeded += r && r->body.find("\"write_status\":\"SUCCESS\"") != std::string::npos;
    }
    if (succeeded < 60) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(succeeded, 60);
  std::string stats = pms.client().Get("/_sim/stats")->body;
  EXPECT_NE(stats.find("\"writes_applied\":60,"), std::string::npos) << stats;
  for (const auto& id : jobs) EXPECT_NE(stats.find("\"" + id + "\":1"), std::string::npos) << id << " " << stats;
  long by_a = succeeded_jobs(a), by_b = succeeded_jobs(b);
  std::cout << "jobs carried: instance a " << by_a << ", instance b " << by_b << '\n';
  EXPECT_EQ(by_a + by_b, 60);
  EXPECT_GT(by_a, 0);
  EXPECT_GT(by_b, 0);

  a.stop();
  b.stop();
  PGconn* c = PQconnectdb(conninfo().c_str());
  PQclear(PQexec(c, "SET client_min_messages TO warning"));
  PQclear(PQexec(c, ("DROP SCHEMA IF EXISTS " + schema + " CASCADE").c_str()));
  PQfinish(c);
  fs::remove_all(dir);
}

// A client that sends a write with an Idempotency-Key to two instances at once (a retry that
// a balancer sent elsewhere while the first try was still under way): one job, and both answers
// name it. The key is claimed in the database, in the transaction that stores the job.
TEST(PostgresInstances, OneKeySentToTwoInstancesAtOnceStoresOneJob) {
  ASSERT_FALSE(conninfo().empty()) << "the ctest fixture `postgres` writes " GATEHOUSE_TEST_POSTGRES_FILE;
  const std::string schema = "e2e_keys_" + std::to_string(::getpid());
  fs::path dir = fs::temp_directory_path() / ("gatehouse_pg_keys_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "config.yaml")
      << "rules: " << (fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules").string() << "\n"
      << "store: {postgres: '" << conninfo() << "', schema: " << schema << ", connections: 4}\n"
      << "listen: 127.0.0.1:0\nrate_limit_per_minute: 0\nadmin_api_key: admin-key-0123456789abcdef\n"
      << "dispatcher: {workers: 0, sync_interval_seconds: 0}\n"  // the jobs stay queued, to be counted
      << "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\n"
      << "integrations:\n  - {id: int-bd, customer: acme, pms: BUILDIUM, base_url: 'http://127.0.0.1:1'}\n";
  const std::vector<std::string> serve = {GATEHOUSE_BINARY, "serve", "--config", (dir / "config.yaml").string()};
  ChildProcess a(serve), b(serve);

  constexpr int keys = 25;
  int both_named_one_job = 0, one_stored = 0;
  for (int k = 0; k < keys; ++k) {
    const std::string key = "order-" + std::to_string(k);
    const std::string body = R"({"integration_id":"int-bd","lease_id":"l1","first_name":"A)" + std::to_string(k) +
                             R"(","last_name":"B","address_1":"1 Main St"})";
    std::optional<httplib::Response> answers[2];
    std::atomic<int> ready{0};
    auto send = [&](int i) {
      auto client = (i == 0 ? a : b).client();
      ++ready;
      while (ready < 2) std::this_thread::yield();  // both at once
      auto r = client.Post("/v1/residents/",
                           {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}, {"Idempotency-Key", key}}, body,
                           "application/json");
      if (r) answers[i] = r.value();
    };
    std::thread to_a(send, 0), to_b(send, 1);
    to_a.join();
    to_b.join();
    ASSERT_TRUE(answers[0] && answers[1]);
    ASSERT_EQ(answers[0]->status, 202) << answers[0]->body;
    ASSERT_EQ(answers[1]->status, 202) << answers[1]->body;
    both_named_one_job += answers[0]->body == answers[1]->body;
    one_stored += answers[0]->has_header("Idempotent-Replayed") != answers[1]->has_header("Idempotent-Replayed");
  }
  EXPECT_EQ(both_named_one_job, keys) << "both answers the same, job_id and all";
  EXPECT_EQ(one_stored, keys) << "one answer stored the job, the other replayed it";

  a.stop();
  b.stop();
  PGconn* c = PQconnectdb(conninfo().c_str());
  PGresult* jobs = PQexec(c, ("SELECT count(*), count(DISTINCT k.job_id) FROM " + schema + ".jobs j JOIN " + schema +
                              ".idempotency_keys k ON k.job_id = j.id")
                                 .c_str());
  PGresult* all = PQexec(c, ("SELECT count(*) FROM " + schema + ".jobs").c_str());
  ASSERT_EQ(PQresultStatus(jobs), PGRES_TUPLES_OK) << PQerrorMessage(c);
  EXPECT_EQ(std::string(PQgetvalue(all, 0, 0)), std::to_string(keys)) << "one job per key, no more";
  EXPECT_EQ(std::string(PQgetvalue(jobs, 0, 1)), std::to_string(keys)) << "each key names its job";
  PQclear(jobs);
  PQclear(all);
  PQclear(PQexec(c, "SET client_min_messages TO warning"));
  PQclear(PQexec(c, ("DROP SCHEMA IF EXISTS " + schema + " CASCADE").c_str()));
  PQfinish(c);
  fs::remove_all(dir);
}

TEST(PostgresInstances, ARevocationOnOneInstanceStopsTheKeyOnTheOtherAtOnce) {
  ASSERT_FALSE(conninfo().empty()) << "the ctest fixture `postgres` writes " GATEHOUSE_TEST_POSTGRES_FILE;
  const std::string schema = "e2e_revoke_" + std::to_string(::getpid());
  fs::path dir = fs::temp_directory_path() / ("gatehouse_pg_revoke_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // An hour's lookup cache: only the revocation check can make instance b drop the key it holds.
  std::ofstream(dir / "config.yaml")
      << "rules: " << (fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules").string() << "\n"
      << "store: {postgres: '" << conninfo() << "', schema: " << schema << ", connections: 4}\n"
      << "listen: 127.0.0.1:0\nrate_limit_per_minute: 0\nlookup_cache_seconds: 3600\n"
      << "admin_api_key: admin-key-0123456789abcdef\n"
      << "dispatcher: {workers: 0, sync_interval_seconds: 0}\n"
      << "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\n"
      << "  - {id: globex, api_key: key-globex-8e2d4a7c1b9f0e63}\n"
      << "integrations:\n  - {id: int-bd, customer: acme, pms: BUILDIUM, base_url: 'http://127.0.0.1:1/buildium'}\n"
      << "records:\n  - {model: residents, id: '1001', integration: int-bd, data: '{}'}\n";
  const std::vector<std::string> serve = {GATEHOUSE_BINARY, "serve", "--config", (dir / "config.yaml").string()};
  ChildProcess a(serve), b(serve);
  const httplib::Headers acme = {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}};
  const httplib::Headers admin = {{"Authorization", "Bearer admin-key-0123456789abcdef"}};
  // b holds acme's key, its integration and its record in memory, by a write.
  auto found = b.client().Get("/v1/residents?x_id=1001", acme);
  std::smatch id;
  ASSERT_TRUE(found && std::regex_search(found->body, id, std::regex("\"id\":\"(rec_[0-9a-f]{32})\"")));
  const std::string record = "/v1/residents/" + id[1].str();
  const std::string write = R"({"first_name":"A","last_name":"B","address_1":"1 Main St"})";
  ASSERT_EQ(b.client().Put(record, acme, write, "application/json")->status, 202);

  auto revoked = a.client().Post("/v1/admin/customers/acme/revoke", admin, "", "application/json");
  ASSERT_TRUE(revoked);
  ASSERT_EQ(revoked->status, 200) << revoked->body;
  const auto revoked_at = std::chrono::steady_clock::now();
  EXPECT_EQ(a.client().Get("/v1/residents?x_id=1001", acme)->status, 401) << "on the instance that revoked: at once";
  // On b, within the revocation check (docs/service.md: 0.2 s), whatever its cache's ttl.
  int status = 0;
  while ((status = b.client().Put(record, acme, write, "application/json")->status) == 202 &&
         std::chrono::steady_clock::now() - revoked_at < 5s)
    std::this_thread::sleep_for(5ms);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - revoked_at);
  std::cout << "instance b refused the revoked key " << took.count() << " ms after the revocation's answer\n";
  EXPECT_EQ(status, 401);
  std::this_thread::sleep_for(250ms);  // past the bound: every request is refused, the first one too
  EXPECT_EQ(b.client().Get("/v1/residents?x_id=1001", acme)->status, 401);
  EXPECT_EQ(b.client().Put(record, acme, write, "application/json")->status, 401);
  EXPECT_LT(took, 1000ms) << "the bound is 0.2 s; a loaded machine may take longer to answer, not seconds";

  a.stop();
  b.stop();
  PGconn* c = PQconnectdb(conninfo().c_str());
  PQclear(PQexec(c, "SET client_min_messages TO warning"));
  PQclear(PQexec(c, ("DROP SCHEMA IF EXISTS " + schema + " CASCADE").c_str()));
  PQfinish(c);
  fs::remove_all(dir);
}

}  // namespace
