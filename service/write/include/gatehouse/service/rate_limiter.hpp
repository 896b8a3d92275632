#pragma once
// Per-key request limits: a token bucket for each customer, holding `per_minute` tokens and
// refilled at per_minute / 60 a second. Every authenticated request takes one; without one it is
// answered 429 with Retry-After. Buckets live in this process: with K instances behind one
// balancer a customer can reach K times the limit (docs/service.md: set the per-instance limit
// to the customer's limit divided by K).
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gatehouse::service {

struct RateDecision {
  bool allowed = true;
  int limit = 0;                  ///< requests a minute; 0: no limit (no headers either)
  int remaining = 0;              ///< whole tokens left after this request
  int reset_seconds = 0;          ///< until the bucket is full again
  int retry_after_seconds = 0;    ///< until one token is there (when refused)
};

/// One bucket of `per_minute` tokens refilled at per_minute / 60 a second, full at its first use:
/// what RateLimiter keeps per customer, and FailedAuthThrottle (failed_auth_throttle.hpp) per
/// client address. Not thread-safe: its owner locks.
struct TokenBucket {
  using Clock = std::chrono::steady_clock;
  double tokens = 0;
  Clock::time_point last;
  bool used = false;  ///< false: never taken from (full)

  /// Brings the bucket to `now` (full at its first use), then takes a token if one is there.
  /// `per_minute` > 0.
  RateDecision take(int per_minute, Clock::time_point now);
  /// Brings the bucket to `now` without taking: whether a token is there, and else the seconds
  /// until one is.
  int seconds_until_token(int per_minute, Clock::time_point now);

 private:
  void refill(int per_minute, Clock::time_point now);
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  /// Takes a token from `key`'s bucket of `per_minute` (0: unlimited, always allowed).
  RateDecision take(std::string_view key, int per_minute, Clock::time_point now = Clock::now());

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace gatehouse::service
