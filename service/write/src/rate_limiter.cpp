#include "gatehouse/service/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace gatehouse::service {

void TokenBucket::refill(int per_minute, Clock::time_point now) {
  const double capacity = per_minute, per_second = per_minute / 60.0;
  if (!used) {
    tokens = capacity;
    used = true;
  } else {
    double elapsed = std::chrono::duration<double>(now - last).count();
    tokens = std::min(capacity, tokens + std::max(0.0, elapsed) * per_second);
  }
  last = now;
}

RateDecision TokenBucket::take(int per_minute, Clock::time_point now) {
  RateDecision d;
  d.limit = per_minute;
  const double capacity = per_minute, per_second = per_minute / 60.0;
  refill(per_minute, now);
  if (tokens >= 1) {
    tokens -= 1;
  } else {
    d.allowed = false;
    d.retry_after_seconds = static_cast<int>(std::ceil((1 - tokens) / per_second));
  }
  d.remaining = static_cast<int>(std::floor(tokens));
  d.reset_seconds = static_cast<int>(std::ceil((capacity - tokens) / per_second));
  return d;
}

int TokenBucket::seconds_until_token(int per_minute, Clock::time_point now) {
  refill(per_minute, now);
  if (tokens >= 1) return 0;
  return std::max(1, static_cast<int>(std::ceil((1 - tokens) / (per_minute / 60.0))));
}

RateDecision RateLimiter::take(std::string_view key, int per_minute, Clock::time_point now) {
  if (per_minute <= 0) return {};
  std::lock_guard lock(mutex_);
  return buckets_[std::string(key)].take(per_minute, now);
}

}  // namespace gatehouse::service
