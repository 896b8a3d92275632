// CachingStore: the lookups of every request kept in memory, exact for changes made through it,
// bounded in time for changes made behind its back (another instance on the same database).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "forwarding_store.hpp"
#include "gatehouse/store/caching_store.hpp"
#include "gatehouse/store/sqlite_store.hpp"

namespace gatehouse::store {
namespace {

using namespace std::chrono_literals;

/// `inner` is the database; changes made to it directly stand for another instance's.
class CachingStoreTest : public ::testing::Test {
 protected:
  SqliteStore inner{":memory:"};
  std::string r1;  // gatehouse's id of the record

  void SetUp() override {
    inner.put_customer("acme", "key-1");
    inner.put_integration({"int-1", "acme", "RENTMANAGER", "http://pms", 0});
    r1 = inner.put_record({"residents", "r-1", "int-1", "{}", "2026-11-28T00:00:00.000Z"});
  }
  std::optional<std::string> integration_of(CachingStore& cache, const std::string& customer) {
    auto key = cache.record_key(customer, "residents", r1);
    if (!key) return std::nullopt;
    return key->integration_id;
  }
};

TEST_F(CachingStoreTest, AChangeBehindItsBackIsSeenOnceTheEntryExpires) {
  CachingStore cache(inner, 300ms);
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  inner.put_customer("acme", "key-2");  // the key replaced by another instance
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme") << "kept for the ttl";
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(cache.customer_for_key("key-1"), std::nullopt);
  EXPECT_EQ(cache.customer_for_key("key-2"), "acme");
}

TEST_F(CachingStoreTest, AChangeThroughItIsSeenAtOnce) {
  CachingStore cache(inner, 1h);
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  EXPECT_EQ(cache.integration("acme", "int-1")->base_url, "http://pms");
  EXPECT_EQ(integration_of(cache, "acme"), "int-1");

  cache.put_customer("acme", "key-2");
  EXPECT_EQ(cache.customer_for_key("key-1"), std::nullopt);
  cache.put_integration({"int-1", "acme", "RENTMANAGER", "http://elsewhere", 0});
  EXPECT_EQ(cache.integration("acme", "int-1")->base_url, "http://elsewhere");
  // The same PMS id in another integration is another record, with an id of its own.
  cache.put_integration({"int-2", "acme", "RENTMANAGER", "http://pms2", 0});
  std::string r2 = cache.put_record({"residents", "r-1", "int-2", "{}", "2026-11-28T00:00:01.000Z"});
  EXPECT_NE(r2, r1);
  EXPECT_EQ(cache.record_key("acme", "residents", r2)->integration_id, "int-2");
  EXPECT_EQ(integration_of(cache, "acme"), "int-1");
}

TEST_F(CachingStoreTest, AnIntegrationGivenToAnotherCustomerTakesItsRecordsAlong) {
  CachingStore cache(inner, 1h);
  inner.put_customer("globex", "key-g");
  EXPECT_EQ(integration_of(cache, "acme"), "int-1");
  cache.put_integration({"int-1", "globex", "RENTMANAGER", "http://pms", 0});
  EXPECT_EQ(integration_of(cache, "acme"), std::nullopt);
  EXPECT_EQ(integration_of(cache, "globex"), "int-1");
}

TEST_F(CachingStoreTest, WhatWasNotFoundIsAskedForAgain) {
  CachingStore cache(inner, 1h);
  EXPECT_EQ(cache.customer_for_key("key-new"), std::nullopt);
  inner.put_customer("initech", "key-new");
  EXPECT_EQ(cache.customer_for_key("key-new"), "initech");
}

TEST_F(CachingStoreTest, ZeroTtlKeepsNothing) {
  CachingStore cache(inner, 0ms);
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  inner.put_customer("acme", "key-2");
  EXPECT_EQ(cache.customer_for_key("key-1"), std::nullopt);
}

TEST_F(CachingStoreTest, KeysOfSeveralPartsDoNotRunTogether) {
  // ("ac", "me|int-1") must not be the entry of ("acme", "int-1").
  CachingStore cache(inner, 1h);
  EXPECT_TRUE(cache.integration("acme", "int-1"));
  EXPECT_FALSE(cache.integration("ac", "meint-1"));
  EXPECT_FALSE(cache.integration("acmeint-1", ""));
}

TEST_F(CachingStoreTest, ItHoldsAtMostItsMaximumOfEntries) {
  CachingStore cache(inner, 1h, /*max_entries=*/1);
  inner.put_customer("globex", "key-g");
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  EXPECT_EQ(cache.customer_for_key("key-g"), "globex");  // makes room: key-1 is gone
  inner.put_customer("acme", "key-2");
  EXPECT_EQ(cache.customer_for_key("key-1"), std::nullopt) << "read again, not kept past the bound";
}

TEST_F(CachingStoreTest, ReadersRacingWritesEndOnTheLastValue) {
  // Lookups on many threads while the integration (and so its record) moves between customers
  // through the cache: once the moves stop, every lookup sees the last one (a read that
  // overlapped a put is not kept).
  CachingStore cache(inner, 1h);
  inner.put_customer("globex", "key-g");
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&] {
      while (!stop) {
        auto acme = integration_of(cache, "acme");
        ASSERT_TRUE(acme == "int-1" || acme == std::nullopt);
      }
    });
  for (int i = 0; i < 200; ++i)
    cache.put_integration({"int-1", i % 2 ? "acme" : "globex", "RENTMANAGER", "http://pms", 0});
  stop = true;
  for (auto& r : readers) r.join();
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(integration_of(cache, "acme"), "int-1");
    EXPECT_EQ(integration_of(cache, "globex"), std::nullopt);
  }
}

TEST_F(CachingStoreTest, ARevocationThroughItIsSeenAtOnce) {
  CachingStore cache(inner, 1h, 4096, /*revocation_check=*/1h);
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  EXPECT_EQ(cache.integration("acme", "int-1").value().id, "int-1");
  EXPECT_EQ(integration_of(cache, "acme"), "int-1");
  auto change = cache.revoke_customer("acme", "2026-11-28T00:00:00.000Z").value();
  ASSERT_TRUE(change);
  EXPECT_EQ(cache.customer_for_key("key-1"), std::nullopt);
  EXPECT_FALSE(cache.integration("acme", "int-1"));
  EXPECT_EQ(integration_of(cache, "acme"), std::nullopt);
}

TEST_F(CachingStoreTest, AnotherInstancesRevocationIsSeenWithinTheCheckWhateverTheTtl) {
  CachingStore cache(inner, 1h, 4096, /*revocation_check=*/100ms);
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  EXPECT_EQ(cache.integration("acme", "int-1").value().id, "int-1");
  EXPECT_EQ(integration_of(cache, "acme"), "int-1");
  ASSERT_TRUE(inner.revoke_integration("int-1", "2026-11-28T00:00:00.000Z").value());  // another instance's
  std::this_thread::sleep_for(150ms);
  EXPECT_FALSE(cache.integration("acme", "int-1")) << "gone within the check, not after the hour's ttl";
  EXPECT_EQ(integration_of(cache, "acme"), std::nullopt);
  ASSERT_TRUE(inner.revoke_customer("acme", "2026-11-28T00:00:01.000Z").value());
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(cache.customer_for_key("key-1"), std::nullopt);
}

/// A store whose count of revocations cannot be read (the database failing) when `down` is set,
/// and that counts the key lookups that reach it.
class CountingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> down{false};
  std::atomic<int> key_lookups{0};
  Result<std::int64_t> revocations() override {
    if (down) return StoreError::unavailable("store: postgres: server closed the connection");
    return inner_.revocations();
  }
  std::optional<std::string> customer_for_key(std::string_view key) override {
    ++key_lookups;
    return inner_.customer_for_key(key);
  }
};

TEST_F(CachingStoreTest, WhenTheCountOfRevocationsCannotBeReadNothingKeptIsTrusted) {
  CountingStore counting(inner);
  CachingStore cache(counting, 1h, 4096, /*revocation_check=*/0ms);  // read before every kept lookup
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  EXPECT_EQ(counting.key_lookups, 1) << "the second from memory";
  counting.down = true;
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  EXPECT_EQ(counting.key_lookups, 2) << "asked of the store again: what is kept may have been revoked";
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  EXPECT_EQ(counting.key_lookups, 3) << "and again, while the count cannot be read";
  counting.down = false;
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  EXPECT_EQ(cache.customer_for_key("key-1"), "acme");
  EXPECT_EQ(counting.key_lookups, 3) << "kept again once the count is read (and has not moved)";
}

}  // namespace
}  // namespace gatehouse::store
