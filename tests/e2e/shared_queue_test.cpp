// The queue customers share, end to end through the real `gatehouse serve` and the PMS simulator
// made slow (POST /_sim/latency): customer A queues 5,000 writes against the slow PMS, and
// customer B's single write still reaches SUCCESS within seconds, because workers claim round
// the customers rather than oldest first (with oldest first it would wait behind A's backlog,
// about 5,000 x 40 ms / 2 workers = 100 s). Against SQLite and PostgreSQL. Besides: a customer
// past its cap of queued writes gets 429 queue_full, and a write older than the retention period
// is deleted, its write-status then 404 saying why.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <thread>

#include "e2e/child_process.hpp"

namespace {

namespace fs = std::filesystem;
using gatehouse::testing::ChildProcess;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const httplib::Headers key_a = {{"Authorization", "Bearer key-a-5b1f0c9e2d7a4f38"}};
const httplib::Headers key_b = {{"Authorization", "Bearer key-b-8e2d4a7c1b9f0e63"}};
const httplib::Headers admin = {{"Authorization", "Bearer admin-key-0123456789abcdef"}};
const std::string update = R"({"first_name":"Ann","last_name":"Lee","address_1":"1 Main St"})";

std::string postgres_conninfo() {
  std::ifstream in(GATEHOUSE_TEST_POSTGRES_FILE);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string job_id(const std::string& body) {
  std::smatch m;
  return std::regex_search(body, m, std::regex("\"job_id\":\"([0-9a-f]+)\"")) ? m[1].str() : "";
}

/// A metric's value from /metrics (-1 when it is not there).
long metric(const ChildProcess& service, const std::string& series) {
  auto r = service.client().Get("/metrics", admin);
  if (!r) return -1;
  auto at = r->body.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::stol(r->body.substr(at + series.size() + 2));
}

class SharedQueue : public ::testing::TestWithParam<std::string> {
 protected:
  std::string test_name = std::regex_replace(::testing::UnitTest::GetInstance()->current_test_info()->name(),
                                             std::regex("[^A-Za-z0-9_]"), "_");
  fs::path dir = fs::temp_directory_path() / ("gatehouse_shared_queue_" + std::to_string(::getpid()) + "_" + test_name);
  std::unique_ptr<ChildProcess> pms, service;

  void SetUp() override {
    fs::create_directories(dir);
    pms = std::make_unique<ChildProcess>(std::vector<std::string>{GATEHOUSE_SIMULATOR});
    for (const char* id : {"1001", "1002"})
      ASSERT_EQ(pms->client().Put(std::string("/_sim/buildium/tenants/") + id,
                                  R"({"FirstName":"Ann","LastName":"Lee","PrimaryAddress":{"AddressLine1":"1 Main St"}})",
                                  "application/json")->status,
                200);
  }
  void TearDown() override {
    service.reset();
    pms.reset();
    fs::remove_all(dir);
  }

  /// Customers a and b, each with a Buildium integration on the simulator and one resident
  /// (1001 and 1002); `more` adds top-level keys, `dispatcher` the dispatcher's.
  void start(const std::string& more, const std::string& dispatcher) {
    std::string store = GetParam() == "sqlite"
                            ? "store: jobs.db\n"
                            : "store: {postgres: '" + postgres_conninfo() + "', schema: queue_" +
                                  std::to_string(::getpid()) + "_" +
                                  std::to_string(std::hash<std::string>{}(test_name) % 1000000) + ", connections: 8}\n";
    std::ofstream(dir / "config.yaml")
        << "rules: " << (fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules").string() << "\n"
        << store << "listen: 127.0.0.1:0\nrate_limit_per_minute: 0\nadmin_api_key: admin-key-0123456789abcdef\n"
        << more << "dispatcher: {sync_interval_seconds: 0, idle_poll_ms: 20, " << dispatcher << "}\n"
        << "customers:\n  - {id: a, api_key: key-a-5b1f0c9e2d7a4f38}\n  - {id: b, api_key: key-b-8e2d4a7c1b9f0e63}\n"
        << "integrations:\n"
        << "  - {id: int-a, customer: a, pms: BUILDIUM, base_url: '" << pms->url() << "/buildium'}\n"
        << "  - {id: int-b, customer: b, pms: BUILDIUM, base_url: '" << pms->url() << "/buildium'}\n"
        << "records:\n  - {model: residents, id: '1001', integration: int-a, data: '{}'}\n"
        << "  - {model: residents, id: '1002', integration: int-b, data: '{}'}\n";
    service = std::make_unique<ChildProcess>(
        std::vector<std::string>{GATEHOUSE_BINARY, "serve", "--config", (dir / "config.yaml").string()});
  }

  /// Gatehouse's id of the customer's seeded resident (the seed names it by the PMS's id).
  std::string resident(const httplib::Headers& key, const std::string& x_id) {
    auto r = service->client().Get("/v1/residents?x_id=" + x_id, key);
    std::smatch m;
    EXPECT_TRUE(r && std::regex_search(r->body, m, std::regex("\"id\":\"(rec_[0-9a-f]{32})\""))) << (r ? r->body : "");
    return m.size() > 1 ? m[1].str() : "";
  }

  void slow_pms(int delay_ms) {
    auto r = pms->client().Post("/_sim/latency", "{\"delay_ms\":" + std::to_string(delay_ms) + "}", "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  /// The write-status body once it is no longer PENDING (or the last one read by `deadline`).
  std::string finished_status(const httplib::Headers& key, const std::string& id, Clock::time_point deadline) {
    std::string body;
    while (Clock::now() < deadline) {
      auto r = service->client().Get("/v1/admin/write-status/" + id, key);
      if (r && r->status == 200) {
        body = r->body;
        if (body.find("\"write_status\":\"PENDING\"") == std::string::npos) return body;
      }
      std::this_thread::sleep_for(10ms);
    }
    return body;
  }
};

INSTANTIATE_TEST_SUITE_P(Stores, SharedQueue, ::testing::Values("sqlite", "postgres"),
                         [](const auto& test) { return test.param; });

TEST_P(SharedQueue, OneCustomersBacklogOnASlowPmsDoesNotDelayAnothersWrite) {
  start("", "workers: 2");
  const std::string a_resident = resident(key_a, "1001"), b_resident = resident(key_b, "1002");
  slow_pms(40);  // every write the PMS takes, 40 ms

  // Customer A queues 5,000 writes, from 8 clients on kept-alive connections.
  constexpr int backlog = 5000, clients = 8;
  std::atomic<int> accepted{0}, refused{0};
  auto queued_from = Clock::now();
  std::vector<std::thread> senders;
  for (int t = 0; t < clients; ++t)
    senders.emplace_back([&] {
      httplib::Client c = service->client();
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);  // else each request's body waits for the head's delayed ACK (40 ms)
      for (int i = 0; i < backlog / clients; ++i) {
        auto r = c.Put("/v1/residents/" + a_resident, key_a, update, "application/json");
        ++(r && r->status == 202 ? accepted : refused);
      }
    });
  for (auto& t : senders) t.join();
  auto queued_in = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - queued_from);
  ASSERT_EQ(accepted.load(), backlog) << refused.load() << " writes were not accepted";

  // Customer B's one write: claimed at the next turn, not after A's backlog.
  auto submitted = Clock::now();
  auto r = service->client().Put("/v1/residents/" + b_resident, key_b, update, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  std::string status = finished_status(key_b, job_id(r->body), submitted + 30s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - submitted);
  EXPECT_NE(status.find("\"write_status\":\"SUCCESS\""), std::string::npos) << status;
  EXPECT_LT(took, 5s) << "B's write took " << took.count() << " ms";
  const long a_done = metric(*service, "gatehouse_jobs_total{outcome=\"succeeded\"}") - 1;
  EXPECT_LT(a_done, backlog / 2) << "A's backlog was still there when B's write was done";
  std::cout << "[ measured ] " << GetParam() << ": A's " << backlog << " writes queued in " << queued_in.count()
            << " ms; B's write SUCCESS after " << took.count() << " ms, with " << backlog - a_done
            << " of A's still queued\n";
}

TEST_P(SharedQueue, AWritePastTheCustomersCapIs429QueueFull) {
  // No workers: what is accepted stays queued.
  start("max_queued_jobs_per_customer: 3\n", "workers: 0");
  const std::string a_resident = resident(key_a, "1001"), b_resident = resident(key_b, "1002");
  auto c = service->client();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(c.Put("/v1/residents/" + a_resident, key_a, update, "application/json")->status, 202);
  auto full = c.Put("/v1/residents/" + a_resident, key_a, update, "application/json");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->status, 429);
  EXPECT_NE(full->body.find("\"code\":\"queue_full\""), std::string::npos) << full->body;
  EXPECT_NE(full->body.find("the most it may have is 3"), std::string::npos) << full->body;
  EXPECT_EQ(full->get_header_value("Retry-After"), "5");
  EXPECT_EQ(c.Put("/v1/residents/" + b_resident, key_b, update, "application/json")->status, 202)
      << "another customer's queue is its own";
  EXPECT_EQ(metric(*service, "gatehouse_queue_full_total"), 1);
}

TEST_P(SharedQueue, AFinishedWriteIsDeletedAfterTheRetentionPeriod) {
  // 0.00002 days: about 2 s; looked for every second.
  start("retention_days: 0.00002\n", "workers: 1, retention_interval_seconds: 1");
  auto r = service->client().Put("/v1/residents/" + resident(key_a, "1001"), key_a, update, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = job_id(r->body);
  EXPECT_NE(finished_status(key_a, id, Clock::now() + 15s).find("\"write_status\":\"SUCCESS\""), std::string::npos);
  std::string gone;
  for (auto until = Clock::now() + 15s; Clock::now() < until; std::this_thread::sleep_for(100ms)) {
    auto s = service->client().Get("/v1/admin/write-status/" + id, key_a);
    if (s && s->status == 404) {
      gone = s->body;
      break;
    }
  }
  EXPECT_EQ(gone, R"x({"error":{"status":404,"code":"not_found","message":"no write ')x" + id +
                      R"x(': it does not exist, or it finished more than 2 seconds ago and was deleted (the service )x"
                      R"x(keeps finished writes that long)","details":[]}})x");
  EXPECT_EQ(metric(*service, "gatehouse_expired_writes_deleted_total"), 1);
}

}  // namespace
