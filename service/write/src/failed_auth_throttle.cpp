#include "gatehouse/service/failed_auth_throttle.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <functional>

namespace gatehouse::service {

namespace {

std::uint64_t fingerprint(std::string_view credentials) { return std::hash<std::string_view>{}(credentials); }

}  // namespace

FailedAuthThrottle::FailedAuthThrottle(std::size_t max_addresses, std::size_t max_good_keys)
    : max_addresses_(max_addresses > 0 ? max_addresses : 1), max_good_keys_(max_good_keys > 0 ? max_good_keys : 1) {}

std::string FailedAuthThrottle::group_of(std::string_view address) {
  std::string text(address.substr(0, address.find('%')));  // without an IPv6 zone ("fe80::1%eth0")
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return std::string(address);  // IPv4, or not an address
  char out[INET6_ADDRSTRLEN] = {};
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    inet_ntop(AF_INET, &v6.s6_addr[12], out, sizeof out);
    return out;
  }
  in6_addr prefix{};
  std::memcpy(prefix.s6_addr, v6.s6_addr, 8);
  inet_ntop(AF_INET6, &prefix, out, sizeof out);
  return std::string(out) + "/64";
}

FailedAuthThrottle::Entry& FailedAuthThrottle::entry_for(const std::string& group) {
  auto it = entries_.find(group);
  if (it != entries_.end()) {
    recent_.splice(recent_.begin(), recent_, it->second.recent);
    return it->second;
  }
  if (entries_.size() >= max_addresses_) {
    entries_.erase(recent_.back());
    recent_.pop_back();
  }
  recent_.push_front(group);
  Entry& entry = entries_[group];
  entry.recent = recent_.begin();
  return entry;
}

std::optional<int> FailedAuthThrottle::refusal(std::string_view address, std::string_view credentials, int per_minute,
                                               Clock::time_point now) {
  const std::string group = group_of(address);
  std::lock_guard lock(mutex_);
  auto it = entries_.find(group);
  if (it == entries_.end()) return std::nullopt;  // it never failed (or so long ago that it was forgotten)
  int wait = it->second.bucket.seconds_until_token(per_minute, now);
  if (wait == 0) return std::nullopt;
  if (good_keys_.count(fingerprint(credentials)) > 0) return std::nullopt;
  // Kept among the most recent: an address being refused must not be the one forgotten next.
  recent_.splice(recent_.begin(), recent_, it->second.recent);
  return wait;
}

void FailedAuthThrottle::failed(std::string_view address, int per_minute, Clock::time_point now) {
  const std::string group = group_of(address);
  std::lock_guard lock(mutex_);
  (void)entry_for(group).bucket.take(per_minute, now);  // an empty bucket stays empty: the refusal says so
}

void FailedAuthThrottle::passed(std::string_view credentials) {
  const std::uint64_t print = fingerprint(credentials);
  std::lock_guard lock(mutex_);
  if (good_keys_.count(print) > 0) return;
  if (good_keys_.size() >= max_good_keys_) good_keys_.clear();  // bounded; refilled as keys are used
  good_keys_.insert(print);
}

std::size_t FailedAuthThrottle::addresses() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace gatehouse::service
