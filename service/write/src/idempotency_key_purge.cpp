#include "gatehouse/service/idempotency_key_purge.hpp"

#include <stdexcept>

#include "gatehouse/service/idempotency_key.hpp"
#include "gatehouse/store/clock.hpp"

namespace gatehouse::service {

IdempotencyKeyPurge::IdempotencyKeyPurge(store::JobQueue& store, std::chrono::milliseconds interval,
                                         std::function<void(const std::string&)> log, std::function<std::string()> now)
    : store_(store), interval_(interval), log_(std::move(log)), now_(now ? std::move(now) : utc_now) {}

IdempotencyKeyPurge::~IdempotencyKeyPurge() { stop(); }

void IdempotencyKeyPurge::start() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void IdempotencyKeyPurge::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopped_.notify_all();
  if (thread_.joinable()) thread_.join();
}

store::Result<std::size_t> IdempotencyKeyPurge::purge_once() {
  std::string live_since;
  try {
    live_since = idempotency_keys_live_since(now_());
  } catch (const std::invalid_argument& e) {  // a clock that gave no time: nothing to measure the keys by
    return store::StoreError::invalid_argument(e.what());
  }
  return store_.purge_idempotency_keys(live_since);
}

void IdempotencyKeyPurge::loop() {
  for (;;) {
    auto purged = purge_once();
    if (!purged && log_) log_("idempotency keys not purged (the next round tries again): " + purged.error().message);
    std::unique_lock lock(mutex_);
    if (stopped_.wait_for(lock, interval_, [&] { return stopping_; })) return;
  }
}

}  // namespace gatehouse::service
