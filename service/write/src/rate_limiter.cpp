#include "gatehouse/service/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace gatehouse::service {

RateDecision RateLimiter::take(std::string_view key, int per_minute, Clock::time_point now) {
  RateDecision d;
  if (per_minute <= 0) return d;
  d.limit = per_minute;
  const double capacity = per_minute, per_second = per_minute / 60.0;
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(std::string(key));
  Bucket& b = it->second;
  if (fresh) {
    b.tokens = capacity;
  } else {
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(capacity, b.tokens + std::max(0.0, elapsed) * per_second);
  }
  b.last = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
  } else {
    d.allowed = false;
    d.retry_after_seconds = static_cast<int>(std::ceil((1 - b.tokens) / per_second));
  }
  d.remaining = static_cast<int>(std::floor(b.tokens));
  d.reset_seconds = static_cast<int>(std::ceil((capacity - b.tokens) / per_second));
  return d;
}

}  // namespace gatehouse::service
