// The accept path allocates nothing once an EvaluationContext has warmed up. This binary
// replaces the global operator new to count allocations, so it is its own test executable.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "unit/evaluator_fixture.hpp"

namespace {
std::atomic<long> allocations{0};
std::atomic<bool> counting{false};
}  // namespace

// Every replaceable form (plain, array, nothrow), so that whatever allocates (simdjson uses
// `new (std::nothrow)`) is counted, and everything is freed by the matching replacement (which
// AddressSanitizer checks).
namespace {
void* counted_malloc(std::size_t size) noexcept {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size ? size : 1);
}
}  // namespace

void* operator new(std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
// GCC warns that free() does not match new, not seeing that this file replaces both.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace gatehouse::testing {
namespace {

long allocations_during(const std::function<void()>& f) {
  allocations = 0;
  counting = true;
  f();
  counting = false;
  return allocations.load();
}

TEST_F(EvaluatorTest, AcceptPathDoesNotAllocateAfterWarmUp) {
  const std::string payload =
      R"({"name":"Ann","email":"ann@example.com","phone":"+1 555 123 4567","kind":"A","count":3,)"
      R"("ratio":1.25,"active":true,"born":"1990-05-01","seen_at":"2026-01-31T09:30:00Z",)"
      R"("starts":"2026-01-01","ends":"2026-12-31","tags":["a","b"],)"
      R"("address":{"street":"1 Main St","city":"Springfield","country":"US"},)"
      R"("items":[{"description":"Washer","amount_in_cents":250,"address":{"city":"X"}}]})";
  Request request{"TEST", "things", ast::Operation::update, false, payload};
  for (int i = 0; i < 3; ++i) ASSERT_EQ(evaluate(*program_, request, context_).verdict, Verdict::accept);
  Verdict verdict = Verdict::reject;
  long count = allocations_during([&] { verdict = evaluate(*program_, request, context_).verdict; });
  EXPECT_EQ(verdict, Verdict::accept);
  EXPECT_EQ(count, 0);
}

TEST_F(EvaluatorTest, CountingSeesAllocationsOnTheRejectPath) {
  // Guards the test above: the counter works, and errors do allocate their messages.
  const std::string payload = R"({"name":"A"})";
  Request request{"TEST", "things", ast::Operation::update, false, payload};
  evaluate(*program_, request, context_);
  long count = allocations_during([&] { evaluate(*program_, request, context_); });
  EXPECT_GT(count, 0);
}

}  // namespace
}  // namespace gatehouse::testing
