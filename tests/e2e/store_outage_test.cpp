// The store goes away under load: `gatehouse serve` on its own PostgreSQL server, writes and
// health checks running, while the database is stopped at once (as a crash would) and started
// again. Meanwhile every write is answered 503 `store_unavailable` (never a crash, never another
// error), /healthz keeps answering; afterwards writes are taken again, and every write that was
// accepted (202), before or after, reaches the PMS exactly once: nothing lost.
//
// The same for SQLite on a disk that fills up (a 4 MiB tmpfs, filled by another file and freed).
//
// ctest label `chaos`; skipped where PostgreSQL's server programs are not installed, or (the
// full disk) where the test may not mount a tmpfs (it needs root, as CI has).
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "e2e/child_process.hpp"

namespace {

namespace fs = std::filesystem;
using gatehouse::testing::ChildProcess;
using namespace std::chrono_literals;

const std::string fixture = (fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "postgres_fixture.sh").string();

/// Its own PostgreSQL server (the shared fixture's is not to be stopped under other tests).
class OwnPostgres {
 public:
  OwnPostgres() : dir_(fs::temp_directory_path() / ("gatehouse_outage_pg_" + std::to_string(::getpid()))) {
    ok_ = run("start");
    std::ifstream in(dir_ / "conninfo");
    std::getline(in, conninfo_);
  }
  ~OwnPostgres() { run("stop"); }
  bool ok() const { return ok_ && !conninfo_.empty(); }
  const std::string& conninfo() const { return conninfo_; }
  bool pause() { return run("pause"); }
  bool resume() { return run("resume"); }

 private:
  bool run(const std::string& action) {
    return std::system((fixture + " " + action + " " + dir_.string() + " >/dev/null 2>&1").c_str()) == 0;
  }
  fs::path dir_;
  std::string conninfo_;
  bool ok_ = false;
};

std::string job_of(const httplib::Result& r) {
  std::smatch m;
  if (r && std::regex_search(r->body, m, std::regex("\"job_id\":\"([0-9a-f]+)\""))) return m[1];
  return "";
}

TEST(StoreOutage, PostgresStoppedAnswers503AndNothingAcceptedIsLost) {
  OwnPostgres pg;
  if (!pg.ok()) GTEST_SKIP() << "no PostgreSQL server programs here (scripts/install-deps.sh installs them)";
  fs::path dir = fs::temp_directory_path() / ("gatehouse_outage_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ChildProcess pms({GATEHOUSE_SIMULATOR});
  ASSERT_EQ(pms.client().Put("/_sim/buildium/tenants/1001",
                             R"({"FirstName":"A","LastName":"B","PrimaryAddress":{"AddressLine1":"1 Main St"}})",
                             "application/json")->status,
            200);
  std::ofstream(dir / "config.yaml")
      << "rules: " << (fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules").string() << "\n"
      << "store: {postgres: '" << pg.conninfo() << "', schema: outage, connections: 2, lease_seconds: 30}\n"
      << "listen: 127.0.0.1:0\nrate_limit_per_minute: 0\nmax_queued_jobs_per_customer: 0\nadmin_api_key: admin-key-0123456789abcdef\n"
      << "dispatcher: {workers: 2, backoff_ms: 20, max_backoff_ms: 200, idle_poll_ms: 10, sync_interval_seconds: 0}\n"
      << "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\n"
      << "integrations:\n  - {id: int-bd, customer: acme, pms: BUILDIUM, base_url: '" << pms.url() << "/buildium'}\n"
      << "records:\n  - {model: residents, id: '1001', integration: int-bd, data: '{}'}\n";
  ChildProcess serve({GATEHOUSE_BINARY, "serve", "--config", (dir / "config.yaml").string()});
  const httplib::Headers auth = {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}};
  std::smatch m;
  auto found = serve.client().Get("/v1/residents?x_id=1001", auth);
  std::string found_body = found ? found->body : "";
  ASSERT_TRUE(std::regex_search(found_body, m, std::regex("\"id\":\"(rec_[0-9a-f]{32})\""))) << found_body;
  const std::string resident = m[1];
  int n = 0;
  auto write = [&] {
    return serve.client().Put("/v1/residents/" + resident, auth,
                              R"({"first_name":"A)" + std::to_string(n++) + R"(","last_name":"B","address_1":"1 Main St"})",
                              "application/json");
  };

  std::vector<std::string> accepted;
  for (int i = 0; i < 10; ++i) {
    auto r = write();
    ASSERT_TRUE(r && r->status == 202) << (r ? r->body : "no answer");
    accepted.push_back(job_of(r));
  }

  ASSERT_TRUE(pg.pause());
  int unavailable = 0, other = 0, health_failures = 0;
  for (auto until = std::chrono::steady_clock::now() + 3s; std::chrono::steady_clock::now() < until;) {
    auto r = write();
    if (r && r->status == 503 && r->body.find("\"code\":\"store_unavailable\"") != std::string::npos) {
      ++unavailable;
      EXPECT_EQ(r->get_header_value("Retry-After"), "1");
    } else if (r && r->status == 202) {
      accepted.push_back(job_of(r));  // taken before the outage was noticed: it must not be lost either
    } else {
      ++other;
      ADD_FAILURE() << "during the outage: " << (r ? std::to_string(r->status) + " " + r->body : "no answer");
    }
    auto health = serve.client().Get("/healthz");
    health_failures += !(health && health->status == 200);
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GT(unavailable, 0);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(health_failures, 0);

  ASSERT_TRUE(pg.resume());
  bool back = false;
  for (auto until = std::chrono::steady_clock::now() + 15s; !back && std::chrono::steady_clock::now() < until;) {
    auto r = write();
    if (r && r->status == 202) {
      back = true;
      accepted.push_back(job_of(r));
    } else {
      std::this_thread::sleep_for(100ms);
    }
  }
  ASSERT_TRUE(back) << "the service took no write after PostgreSQL came back";
  for (int i = 0; i < 10; ++i) {
    auto r = write();
    ASSERT_TRUE(r && r->status == 202) << (r ? r->body : "no answer");
    accepted.push_back(job_of(r));
  }

  std::size_t succeeded = 0;
  for (auto until = std::chrono::steady_clock::now() + 30s;
       std::chrono::steady_clock::now() < until && succeeded < accepted.size();) {
    succeeded = 0;
    for (const auto& id : accepted) {
      auto r = serve.client().Get("/v1/admin/write-status/" + id, auth);
      succeeded += r && r->body.find("\"write_status\":\"SUCCESS\"") != std::string::npos;
    }
    if (succeeded < accepted.size()) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(succeeded, accepted.size());
  std::string stats = pms.client().Get("/_sim/stats")->body;
  for (const auto& id : accepted) EXPECT_NE(stats.find("\"" + id + "\":1"), std::string::npos) << id << " " << stats;
  std::string metrics = serve.client().Get("/metrics", {{"Authorization", "Bearer admin-key-0123456789abcdef"}})->body;
  EXPECT_TRUE(std::regex_search(metrics, m, std::regex("gatehouse_store_unavailable_total (\\d+)")) &&
              std::stoi(m[1]) >= unavailable)
      << metrics;
  serve.stop();
  fs::remove_all(dir);
}

/// A small tmpfs of its own, to fill: mounted for the test's life (root only).
class SmallDisk {
 public:
  SmallDisk() : dir_(fs::temp_directory_path() / ("gatehouse_small_disk_" + std::to_string(::getpid()))) {
    fs::create_directories(dir_);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=4m") == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount(dir_.c_str());
    fs::remove_all(dir_);
  }
  bool ok() const { return mounted_; }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
};

TEST(StoreOutage, AFullDiskAnswers503AndTheServiceGoesOnWhenThereIsRoom) {
  SmallDisk disk;
  if (!disk.ok()) GTEST_SKIP() << "cannot mount a tmpfs here (root only)";
  ChildProcess pms({GATEHOUSE_SIMULATOR});
  std::ofstream(disk.dir() / "config.yaml")
      << "rules: " << (fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules").string() << "\n"
      << "store: gatehouse.db\n"
      << "listen: 127.0.0.1:0\nrate_limit_per_minute: 0\nmax_queued_jobs_per_customer: 0\n"
      << "dispatcher: {workers: 1, backoff_ms: 20, idle_poll_ms: 10, sync_interval_seconds: 0}\n"
      << "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\n"
      << "integrations:\n  - {id: int-bd, customer: acme, pms: BUILDIUM, base_url: '" << pms.url() << "/buildium'}\n";
  ChildProcess serve({GATEHOUSE_BINARY, "serve", "--config", (disk.dir() / "config.yaml").string()});
  const httplib::Headers auth = {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}};
  int n = 0;
  // Creates go to the PMS's create route; their bodies are large enough to fill the disk soon.
  const std::string padding(2000, 'x');
  auto write = [&] {
    return serve.client().Post("/v1/residents/", auth,
                               R"({"integration_id":"int-bd","lease_id":"l1","first_name":"A)" + std::to_string(n++) +
                                   R"(","last_name":"B","address_1":"1 Main St","notes":")" + padding + R"("})",
                               "application/json");
  };
  auto first = write();
  ASSERT_TRUE(first) << "no answer";
  ASSERT_EQ(first->status, 202) << first->body;

  {  // Fill what is left of the disk.
    std::ofstream filler(disk.dir() / "filler", std::ios::binary);
    std::string block(64 * 1024, '\0');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size())) && filler.flush()) {
    }
  }
  int unavailable = 0, other = 0;
  for (int i = 0; i < 40; ++i) {
    auto r = write();
    if (r && r->status == 503 && r->body.find("\"code\":\"store_unavailable\"") != std::string::npos) {
      ++unavailable;
    } else if (!(r && r->status == 202)) {
      ++other;
      ADD_FAILURE() << "with a full disk: " << (r ? std::to_string(r->status) + " " + r->body : "no answer");
    }
  }
  EXPECT_GT(unavailable, 0);
  EXPECT_EQ(other, 0);
  auto health = serve.client().Get("/healthz");
  EXPECT_TRUE(health && health->status == 200);

  fs::remove(disk.dir() / "filler");
  auto after = write();
  ASSERT_TRUE(after) << "no answer once there is room";
  EXPECT_EQ(after->status, 202) << after->body;
  serve.stop();
}

}  // namespace
