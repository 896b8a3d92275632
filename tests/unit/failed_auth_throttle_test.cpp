// The wrong-key throttle: a token bucket of failed key checks per client address (an IPv6 one by
// its /64), bounded in memory; and the service answering 429 too_many_failed_attempts past it,
// before the store is asked, while keys seen to work still get through.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "forwarding_store.hpp"
#include "gatehouse/rules_loader.hpp"
#include "gatehouse/service/admin_routes.hpp"
#include "gatehouse/service/failed_auth_throttle.hpp"
#include "gatehouse/service/write_service.hpp"
#include "gatehouse/store/sqlite_store.hpp"
#include "service_test_fixture.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = FailedAuthThrottle::Clock;

TEST(FailedAuthThrottle, AddressesCountByHostOrIpv6Slash64) {
  EXPECT_EQ(FailedAuthThrottle::group_of("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(FailedAuthThrottle::group_of("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(FailedAuthThrottle::group_of("2001:db8:1:2::9"), "2001:db8:1:2::/64") << "one /64, however it rotates";
  EXPECT_EQ(FailedAuthThrottle::group_of("2001:db8:1:3::9"), "2001:db8:1:3::/64");
  EXPECT_EQ(FailedAuthThrottle::group_of("::ffff:203.0.113.7"), "203.0.113.7") << "IPv4-mapped: the IPv4 address";
  EXPECT_EQ(FailedAuthThrottle::group_of("fe80::1%eth0"), "fe80::/64");
  EXPECT_EQ(FailedAuthThrottle::group_of("not an address"), "not an address");
}

TEST(FailedAuthThrottle, PastTheFailuresAMinuteOnlyCredentialsSeenToWorkGetThrough) {
  FailedAuthThrottle throttle;
  const auto t0 = Clock::time_point{} + 1h;
  throttle.passed("Bearer good");
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(throttle.refusal("203.0.113.7", "Bearer guess", 3, t0)) << i;
    throttle.failed("203.0.113.7", 3, t0);
  }
  EXPECT_EQ(throttle.refusal("203.0.113.7", "Bearer guess", 3, t0), 20) << "3 a minute: one every 20 s";
  EXPECT_EQ(throttle.refusal("203.0.113.7", "", 3, t0), 20) << "no key is no better";
  EXPECT_FALSE(throttle.refusal("203.0.113.7", "Bearer good", 3, t0)) << "a key seen to work still gets through";
  EXPECT_FALSE(throttle.refusal("203.0.113.8", "Bearer guess", 3, t0)) << "addresses are apart";
  EXPECT_EQ(throttle.refusal("203.0.113.7", "Bearer guess", 3, t0 + 15s), 5);
  EXPECT_FALSE(throttle.refusal("203.0.113.7", "Bearer guess", 3, t0 + 20s)) << "a token back after 20 s";
  throttle.failed("203.0.113.7", 3, t0 + 20s);
  EXPECT_EQ(throttle.refusal("203.0.113.7", "Bearer guess", 3, t0 + 20s), 20) << "and spent";
}

TEST(FailedAuthThrottle, ItKeepsAtMostItsAddressesForgettingTheStalest) {
  FailedAuthThrottle throttle(/*max_addresses=*/3, /*max_good_keys=*/2);
  const auto t0 = Clock::time_point{} + 1h;
  for (std::string a : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) throttle.failed(a, 1, t0);
  EXPECT_EQ(throttle.refusal("10.0.0.1", "", 1, t0), 60);  // 10.0.0.1 is now the most recent
  throttle.failed("10.0.0.4", 1, t0);                     // and 10.0.0.2 the stalest: forgotten
  EXPECT_EQ(throttle.addresses(), 3u);
  EXPECT_FALSE(throttle.refusal("10.0.0.2", "", 1, t0));
  EXPECT_EQ(throttle.refusal("10.0.0.1", "", 1, t0), 60);
  EXPECT_EQ(throttle.refusal("10.0.0.3", "", 1, t0), 60);
  // The remembered credentials are bounded too: when full, they are dropped, and come back with use.
  throttle.passed("Bearer a");
  throttle.passed("Bearer b");
  throttle.passed("Bearer c");
  EXPECT_EQ(throttle.refusal("10.0.0.1", "Bearer a", 1, t0), 60);
  EXPECT_FALSE(throttle.refusal("10.0.0.1", "Bearer c", 1, t0));
}

/// The store, counting the key lookups that reach it.
class CountingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<int> key_lookups{0};
  store::Result<std::optional<std::string>> customer_for_key(std::string_view key) override {
    ++key_lookups;
    return inner_.customer_for_key(key);
  }
};

class ThrottledServiceTest : public ::testing::Test {
 protected:
  fs::path file = service_testing::test_store_file("gatehouse_throttle_");
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<CountingStore> counting;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<AdminRoutes> admin;
  std::unique_ptr<WriteService> service;
  Clock::time_point now = Clock::time_point{} + 1h;  // the clock the test moves

  void SetUp() override {
    engine = std::make_unique<Engine>(service_testing::test_rules());
    store = std::make_unique<store::SqliteStore>(file.string());
    service_testing::put_test_customers(*store);
    counting = std::make_unique<CountingStore>(*store);
    admin = std::make_unique<AdminRoutes>("admin-key", *engine, fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules",
                                          nullptr);
    service = std::make_unique<WriteService>(*engine, *counting);
    WriteServiceHooks hooks;
    hooks.admin = admin.get();
    hooks.failed_auth_per_minute = 3;
    hooks.monotonic_now = [this] { return now; };
    service->set_hooks(hooks);
  }
  void TearDown() override {
    service.reset();
    counting.reset();
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
  }
  HttpResponse get(const std::string& key, const std::string& from = "203.0.113.7",
                   const std::string& path = "/v1/residents") {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.query["x_id"] = "nobody";
    if (!key.empty()) r.headers["authorization"] = "Bearer " + key;
    r.client_address = from;
    return service->handle(r);
  }
  static std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
      if (n == name) return v;
    return "";
  }
};

TEST_F(ThrottledServiceTest, WrongKeysPastTheLimitAre429BeforeTheStoreIsAsked) {
  EXPECT_EQ(get("key-acme").status, 200);  // acme at work from this address (a shared NAT)
  EXPECT_EQ(get("guess-1").status, 401);
  EXPECT_EQ(get("").status, 401) << "no key is a failure too";
  EXPECT_EQ(get("guess-2").status, 401);
  const int lookups = counting->key_lookups;
  HttpResponse refused = get("guess-3");
  EXPECT_EQ(refused.status, 429);
  EXPECT_NE(refused.body.find(R"("code":"too_many_failed_attempts")"), std::string::npos) << refused.body;
  EXPECT_EQ(header(refused, "Retry-After"), "20");
  EXPECT_EQ(get("key-globex").status, 429) << "a key not yet seen to work waits like a guess (its answer would tell it is right)";
  EXPECT_EQ(counting->key_lookups, lookups) << "a throttled address's keys are not looked up";
  EXPECT_EQ(get("key-acme").status, 200) << "the customer already at work keeps working";
  EXPECT_EQ(get("guess-3", "203.0.113.8").status, 401) << "another address has its own allowance";

  now += 20s;  // one failure a 20 s
  EXPECT_EQ(get("guess-4").status, 401);
  EXPECT_EQ(get("guess-5").status, 429);
  now += 1min;
  EXPECT_EQ(get("key-globex").status, 200) << "the allowance back: a right key is checked and works";

  HttpRequest metrics;
  metrics.method = "GET";
  metrics.path = "/metrics";
  metrics.headers["authorization"] = "Bearer admin-key";
  std::string text = service->handle(metrics).body;
  EXPECT_NE(text.find("gatehouse_failed_key_checks_total 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("gatehouse_throttled_requests_total 3\n"), std::string::npos) << text;
}

TEST_F(ThrottledServiceTest, AWrongAdminKeyCountsLikeAWrongCustomerKey) {
  auto admin_call = [&](const std::string& key) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/v1/admin/sync";
    r.headers["authorization"] = "Bearer " + key;
    r.client_address = "2001:db8:1:2::1";
    return service->handle(r);
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(admin_call("guess").status, 404) << i;
  EXPECT_EQ(admin_call("guess").status, 429);
  EXPECT_EQ(get("guess", "2001:db8:1:2::ffff").status, 429) << "the same /64";
  EXPECT_EQ(admin_call("admin-key").status, 429) << "the operator's key not yet seen to work here waits too";
  now += 1min;
  EXPECT_EQ(admin_call("admin-key").status, 200);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(admin_call("guess").status, 404) << i;
  EXPECT_EQ(admin_call("admin-key").status, 200) << "and keeps working once seen to";
}

TEST_F(ThrottledServiceTest, TheHeadsCheckCountsOnceAndNoAddressOrZeroMeansNoThrottle) {
  HttpRequest head;
  head.method = "PUT";
  head.path = "/v1/residents/x";
  head.headers["authorization"] = "Bearer guess";
  head.client_address = "198.51.100.1";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(service->authorize(head)->status, 401) << i;
  EXPECT_EQ(service->authorize(head)->status, 429) << "the server's check from the head counts too";
  for (int i = 0; i < 10; ++i) EXPECT_EQ(get("guess", "").status, 401) << "no address (a test, the fuzz target): no throttle";
  WriteServiceHooks off;
  off.monotonic_now = [this] { return now; };
  service->set_hooks(off);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(get("guess", "198.51.100.1").status, 401) << "failed_auth_per_minute 0: off";
}

}  // namespace
}  // namespace gatehouse::service
