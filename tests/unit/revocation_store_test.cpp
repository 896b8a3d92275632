// Revocation in the store, against SQLite and PostgreSQL: a disabled customer's key is not found,
// a disabled integration is neither listed nor found, nor are its records; their rows and their
// jobs' history stay; the start's keep_only disables what the configuration no longer names and
// enables what it names again; every change is counted, for the other instances' caches.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "both_stores_fixture.hpp"

namespace gatehouse::store {
namespace {

using Ids = std::vector<std::string>;

const std::string now = "2026-11-28T10:00:00.000Z";

// A lookup that must find something is checked through .value().value() (the Result's, which
// throws on a store error, then std::optional's, which throws when nothing was found), never with
// EXPECT_TRUE, so the checks keep their meaning, or stop compiling, whatever the lookups return.

/// The same tests against SQLite and PostgreSQL (both_stores_fixture.hpp).
class RevocationStoreTest : public testing::BothStoresTest {
 protected:
  RevocationStoreTest() : BothStoresTest("revoke", "r", /*pool_size=*/2, /*lease_seconds=*/30) {}

  std::string r1, r3;  // gatehouse's ids of a record of int-1 (acme's) and of int-3 (globex's)

  /// acme with int-1 and int-2, globex with int-3; a record in int-1 and in int-3.
  void seed(Store& store) {
    store.put_customer("acme", "key-acme").value();
    store.put_customer("globex", "key-globex").value();
    store.put_integration({"int-1", "acme", "RENTMANAGER", "http://127.0.0.1:1"}).value();
    store.put_integration({"int-2", "acme", "BUILDIUM", "http://127.0.0.1:1"}).value();
    store.put_integration({"int-3", "globex", "BUILDIUM", "http://127.0.0.1:1"}).value();
    r1 = store.put_record({"residents", "5001", "int-1", R"({"last_name":"Lee"})", now}).value();
    r3 = store.put_record({"residents", "5001", "int-3", R"({"last_name":"Li"})", now}).value();
  }
  static Ids ids_of(const std::vector<Integration>& integrations) {
    Ids out;
    for (const auto& i : integrations) out.push_back(i.id);
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Stores, RevocationStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& test) { return test.param; });

NewJob job_of(const std::string& customer, const std::string& integration) {
  NewJob j;
  j.customer_id = customer;
  j.integration_id = integration;
  j.pms = "RENTMANAGER";
  j.model = "residents";
  j.operation = ast::Operation::update;
  j.record_id = "5001";
  j.payload = R"({"last_name":"Lee"})";
  j.rules_version = "0123456789abcdef";
  return j;
}

TEST_P(RevocationStoreTest, ARevokedCustomerIsServedNothingAndKeepsItsHistory) {
  auto owned = open();
  Store& store = *owned;
  seed(store);
  std::string job = store.enqueue(job_of("acme", "int-1"), now).value();
  EXPECT_EQ(store.revocations().value(), 0);
  EXPECT_FALSE(store.is_revoked("acme", "int-1").value());

  auto change = store.revoke_customer("acme", now).value();
  ASSERT_TRUE(change);
  EXPECT_EQ(change->disabled_customers, Ids{"acme"});
  EXPECT_EQ(change->disabled_integrations, (Ids{"int-1", "int-2"})) << "its integrations with it";
  EXPECT_TRUE(change->enabled_customers.empty());

  EXPECT_FALSE(store.customer_for_key("key-acme").value()) << "its key is not found";
  EXPECT_EQ(store.customer_for_key("key-globex").value(), "globex") << "nobody else's changes";
  EXPECT_EQ(ids_of(store.integrations().value()), Ids{"int-3"}) << "its integrations are not synced";
  EXPECT_FALSE(store.integration("acme", "int-1").value());
  EXPECT_FALSE(store.record("acme", "residents", r1).value());
  EXPECT_FALSE(store.record_key("acme", "residents", r1).value());
  EXPECT_TRUE(store.records_by_native_id("acme", "residents", "5001").value().empty());
  EXPECT_EQ(store.record("globex", "residents", r3).value().value().id, r3);
  EXPECT_TRUE(store.is_revoked("acme", "").value());
  EXPECT_TRUE(store.is_revoked("globex", "int-1").value()) << "its integration is revoked, whoever asks";
  EXPECT_FALSE(store.is_revoked("globex", "int-3").value());
  EXPECT_FALSE(store.is_revoked("nobody", "").value()) << "what the store does not have is not revoked";
  EXPECT_EQ(store.write_status("acme", job).value().value().job_id, job) << "its jobs' history stays";
  EXPECT_EQ(store.revocations().value(), 1);

  auto again = store.revoke_customer("acme", now).value();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty()) << "revoked already: nothing changes";
  EXPECT_EQ(store.revocations().value(), 1) << "and nothing is counted";
  EXPECT_FALSE(store.revoke_customer("nobody", now).value());

  auto reopened = open();  // a restart, or another instance
  EXPECT_FALSE(reopened->customer_for_key("key-acme").value());
  EXPECT_EQ(reopened->revocations().value(), 1);
}

TEST_P(RevocationStoreTest, ARevokedIntegrationLeavesItsCustomer) {
  auto owned = open();
  Store& store = *owned;
  seed(store);
  auto change = store.revoke_integration("int-1", now).value();
  ASSERT_TRUE(change);
  EXPECT_TRUE(change->disabled_customers.empty());
  EXPECT_EQ(change->disabled_integrations, Ids{"int-1"});
  EXPECT_EQ(store.customer_for_key("key-acme").value(), "acme");
  EXPECT_EQ(ids_of(store.integrations().value()), (Ids{"int-2", "int-3"}));
  EXPECT_FALSE(store.integration("acme", "int-1").value());
  EXPECT_EQ(store.integration("acme", "int-2").value().value().id, "int-2");
  EXPECT_FALSE(store.record("acme", "residents", r1).value()) << "its records are not served";
  EXPECT_FALSE(store.record_key("acme", "residents", r1).value()) << "nor written to";
  EXPECT_TRUE(store.is_revoked("acme", "int-1").value());
  EXPECT_FALSE(store.is_revoked("acme", "int-2").value());
  EXPECT_EQ(store.revocations().value(), 1);
  EXPECT_FALSE(store.revoke_integration("int-9", now).value());
}

TEST_P(RevocationStoreTest, TheConfigurationIsTheSourceOfTruthAtStart) {
  auto owned = open();
  Store& store = *owned;
  seed(store);
  // acme and its integrations are no longer named.
  TenancyChange removed = store.keep_only({"globex"}, {"int-3"}, now).value();
  EXPECT_EQ(removed.disabled_customers, Ids{"acme"});
  EXPECT_EQ(removed.disabled_integrations, (Ids{"int-1", "int-2"}));
  EXPECT_TRUE(removed.enabled_customers.empty());
  EXPECT_FALSE(store.customer_for_key("key-acme").value());
  EXPECT_EQ(ids_of(store.integrations().value()), Ids{"int-3"});
  EXPECT_EQ(store.revocations().value(), 1);

  TenancyChange same = store.keep_only({"globex"}, {"int-3"}, now).value();
  EXPECT_TRUE(same.empty()) << "the same configuration again changes nothing";
  EXPECT_EQ(store.revocations().value(), 1);

  // acme named again, with one of its integrations: enabled again; the other stays disabled.
  TenancyChange back = store.keep_only({"acme", "globex"}, {"int-1", "int-3"}, now).value();
  EXPECT_EQ(back.enabled_customers, Ids{"acme"});
  EXPECT_EQ(back.enabled_integrations, Ids{"int-1"});
  EXPECT_TRUE(back.disabled_customers.empty());
  EXPECT_EQ(store.customer_for_key("key-acme").value(), "acme");
  EXPECT_EQ(ids_of(store.integrations().value()), (Ids{"int-1", "int-3"}));
  EXPECT_EQ(store.record("acme", "residents", r1).value().value().id, r1) << "its records are there again, kept all along";
  EXPECT_EQ(store.revocations().value(), 2);

  // An admin revocation is undone by a start whose configuration still names the customer.
  ASSERT_TRUE(store.revoke_customer("acme", now).value());
  TenancyChange restarted = store.keep_only({"acme", "globex"}, {"int-1", "int-3"}, now).value();
  EXPECT_EQ(restarted.enabled_customers, Ids{"acme"});
  EXPECT_EQ(restarted.enabled_integrations, Ids{"int-1"});
}

}  // namespace
}  // namespace gatehouse::store
