// Result<T>, the store's errors as values: what it holds, what value() throws on an error, and
// guarded(), which turns an implementation's exceptions into errors at the interface.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "gatehouse/store/result.hpp"

namespace gatehouse::store {
namespace {

TEST(StoreResult, HoldsAValueOrAnError) {
  Result<std::string> ok = std::string("job-1");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, "job-1");
  EXPECT_EQ(ok->size(), 5u);
  EXPECT_EQ(ok.value_or("none"), "job-1");

  Result<std::string> failed = StoreError::unavailable("store: database or disk is full");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, StoreError::Kind::unavailable);
  EXPECT_EQ(failed.error().message, "store: database or disk is full");
  EXPECT_EQ(failed.value_or("none"), "none");
}

TEST(StoreResult, AnOptionalValueIsMadeFromNullopt) {
  Result<std::optional<int>> none = std::nullopt;
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
  Result<std::optional<int>> some = 7;
  EXPECT_EQ(**some, 7);
}

TEST(StoreResult, ValueOnAnErrorThrowsItsKind) {
  Result<int> unavailable = StoreError::unavailable("postgres stopped");
  EXPECT_THROW((void)unavailable.value(), StoreUnavailable);
  Result<int> invalid = StoreError::invalid_argument("no such parent job");
  EXPECT_THROW((void)invalid.value(), std::invalid_argument);
  Result<void> done;
  EXPECT_NO_THROW(done.value());
  Result<void> not_done = StoreError::unavailable("locked");
  EXPECT_THROW(not_done.value(), StoreUnavailable);
}

TEST(StoreResult, GuardedTurnsAStoresExceptionsIntoErrors) {
  auto ok = guarded([] { return 42; });
  EXPECT_EQ(*ok, 42);
  auto unavailable = guarded([]() -> int { throw StoreUnavailable("store: disk I/O error"); });
  ASSERT_FALSE(unavailable);
  EXPECT_EQ(unavailable.error().kind, StoreError::Kind::unavailable);
  EXPECT_EQ(unavailable.error().message, "store: disk I/O error");
  auto invalid = guarded([] { throw std::invalid_argument("store: no parent job x"); });
  static_assert(std::is_same_v<decltype(invalid), Result<void>>);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().kind, StoreError::Kind::invalid_argument);
  // Anything else is not the store's passing failure: it is not swallowed.
  EXPECT_THROW((void)guarded([]() -> int { throw std::logic_error("bug"); }), std::logic_error);
}

}  // namespace
}  // namespace gatehouse::store
