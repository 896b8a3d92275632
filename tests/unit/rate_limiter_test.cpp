// Per-customer rate limits: the token bucket's arithmetic on a clock the test moves, and the
// service answering 429 with Retry-After past it, every answer carrying x-ratelimit-*.
#include <gtest/gtest.h>

#include <filesystem>

#include "gatehouse/rules_loader.hpp"
#include "gatehouse/service/rate_limiter.hpp"
#include "gatehouse/service/write_service.hpp"
#include "gatehouse/store/sqlite_store.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST(RateLimiter, ABucketOfTheMinutesLimitRefillsEvenly) {
  RateLimiter limiter;
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  // 60 a minute: one a second, 60 at once from a full bucket.
  for (int i = 0; i < 60; ++i) {
    RateDecision d = limiter.take("acme", 60, t0);
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 59 - i);
  }
  RateDecision refused = limiter.take("acme", 60, t0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 1);
  EXPECT_EQ(refused.reset_seconds, 60);
  EXPECT_TRUE(limiter.take("globex", 60, t0).allowed) << "buckets are per key";
  EXPECT_TRUE(limiter.take("acme", 60, t0 + 1s).allowed) << "a second brings one back";
  EXPECT_FALSE(limiter.take("acme", 60, t0 + 1s).allowed);
  RateDecision later = limiter.take("acme", 60, t0 + 1s + 10min);
  EXPECT_TRUE(later.allowed);
  EXPECT_EQ(later.remaining, 59) << "the bucket holds no more than the limit";
  EXPECT_EQ(limiter.take("acme", 0, t0).limit, 0) << "0: no limit";
  EXPECT_TRUE(limiter.take("acme", 0, t0).allowed);
}

TEST(RateLimiter, TheServiceAnswers429PastTheLimitAndSaysWhereItStands) {
  fs::path file = fs::temp_directory_path() / ("gatehouse_rate_" + std::to_string(::getpid()) + ".db");
  Compilation c = compile_directory(fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules");
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  Engine engine(c.program);
  {
    store::SqliteStore store(file.string());
    store.put_customer("acme", "key-acme").value();
    store.put_customer("globex", "key-globex").value();
    WriteService service(engine, store);
    WriteServiceHooks hooks;
    hooks.rate_limit_per_minute = [](std::string_view customer) { return customer == "acme" ? 3 : 0; };
    service.set_hooks(hooks);
    auto get = [&](const std::string& key) {
      HttpRequest r;
      r.method = "GET";
      r.path = "/v1/residents";
      r.query["x_id"] = "nobody";
      r.headers["authorization"] = "Bearer " + key;
      return service.handle(r);
    };
    auto header = [](const HttpResponse& r, const std::string& name) {
      for (const auto& [n, v] : r.headers)
        if (n == name) return v;
      return std::string();
    };
    for (int i = 0; i < 3; ++i) {
      HttpResponse r = get("key-acme");
      EXPECT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(header(r, "x-ratelimit-limit"), "3");
      EXPECT_EQ(header(r, "x-ratelimit-remaining"), std::to_string(2 - i));
    }
    HttpResponse refused = get("key-acme");
    EXPECT_EQ(refused.status, 429);
    EXPECT_NE(refused.body.find(R"("code":"rate_limited")"), std::string::npos) << refused.body;
    EXPECT_EQ(header(refused, "Retry-After"), "20");
    EXPECT_EQ(header(refused, "x-ratelimit-remaining"), "0");
    HttpResponse other = get("key-globex");
    EXPECT_EQ(other.status, 200) << "another customer's requests are its own";
    EXPECT_EQ(header(other, "x-ratelimit-limit"), "") << "no limit, no headers";
  }
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
}

}  // namespace
}  // namespace gatehouse::service
