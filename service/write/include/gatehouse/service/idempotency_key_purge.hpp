#pragma once
// The retention of idempotency keys, as a job of its own: a thread that deletes from the store
// the keys past their lifetime (idempotency_key.hpp), at start and then every `interval`.
//
// Correctness does not wait on it: a key past its lifetime is ignored by every look-up and taken
// over by the next write that sends it. It only keeps the table at about a day of keys. With
// several instances on one PostgreSQL each runs its own; a key deleted twice is deleted once.
// A round the store fails is logged and the next round tries again; nothing but stop() ends it.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "gatehouse/store/job_store.hpp"

namespace gatehouse::service {

class IdempotencyKeyPurge {
 public:
  /// `store` must outlive this; `now` gives the time as RFC 3339 UTC (default: the system clock),
  /// `log` a line for the operator.
  IdempotencyKeyPurge(store::JobQueue& store, std::chrono::milliseconds interval,
                      std::function<void(const std::string&)> log, std::function<std::string()> now = nullptr);
  ~IdempotencyKeyPurge();  ///< stop()
  IdempotencyKeyPurge(const IdempotencyKeyPurge&) = delete;
  IdempotencyKeyPurge& operator=(const IdempotencyKeyPurge&) = delete;

  void start();  ///< the thread: a round now, then one every interval
  void stop();   ///< waits for a round under way to end

  /// One round, on the calling thread: how many keys were deleted, or the store's error.
  store::Result<std::size_t> purge_once();

 private:
  void loop();

  store::JobQueue& store_;
  std::chrono::milliseconds interval_;
  std::function<void(const std::string&)> log_;
  std::function<std::string()> now_;
  std::mutex mutex_;
  std::condition_variable stopped_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gatehouse::service
