#pragma once
// Wrong-key throttling per client address. Every failed key check (a /v1 request without a key
// or with a key that is nobody's, an admin route or /metrics without the admin key) takes a token
// from the bucket of the address it came from: `per_minute` tokens, refilled evenly over a minute
// (TokenBucket, rate_limiter.hpp). An address whose bucket is empty is throttled: its requests
// are refused (429 `too_many_failed_attempts`, with Retry-After) before the store is asked,
// unless they carry credentials that have passed a check before (a key seen to work).
//
// Why those still get through, and only those. The aim is that a throttled address learns
// nothing more about any key: a refusal must not depend on whether its key is right, or the
// guessing goes on at full speed, told apart by the answer (a correct key answered 200 among
// the 429s). Refusing every request of the address would hold that too, but then one client
// failing behind a shared NAT, or behind the balancer in front of several instances, where
// every client has one address, would lock the customers out who share it. So credentials that
// have passed a check in this process before, from any address, still pass: the customers
// already at work keep working, and a guess gets an answer only if it is one of those keys
// (some thousands of 128-bit keys: nothing to find by guessing). A customer that has not yet
// been seen to work here (a new one, or after a restart) waits for the window like the address's
// attacker; Retry-After says how long. Only failures take tokens: a working client costs nothing.
//
// What is kept, bounded since addresses are the client's to choose:
//   - per address group, its bucket: at most `max_addresses` groups; past that the one that
//     failed (or was refused) longest ago is forgotten. IPv4 addresses are each their own group;
//     an IPv6 address counts by its /64 (one host may hold a whole /64 and rotate through it);
//     an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address.
//   - a 64-bit fingerprint of each set of credentials that passed: at most `max_good_keys`, all
//     dropped when full (they come back at their next request). A fingerprint that matches by
//     chance only lets a request be checked, never accepted: the key check decides that.
// Thread-safe (one lock; every call is a few map operations).
#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "gatehouse/service/rate_limiter.hpp"

namespace gatehouse::service {

class FailedAuthThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  explicit FailedAuthThrottle(std::size_t max_addresses = 16384, std::size_t max_good_keys = 16384);

  /// Whether a request from `address` with `credentials` (the Authorization header as sent, ""
  /// without one) may be checked: nullopt when it may; else the seconds until its address may
  /// fail again (Retry-After). `per_minute` > 0.
  std::optional<int> refusal(std::string_view address, std::string_view credentials, int per_minute,
                             Clock::time_point now);
  /// A check from `address` failed: it takes a token.
  void failed(std::string_view address, int per_minute, Clock::time_point now);
  /// `credentials` passed a check: a throttled address may still send them.
  void passed(std::string_view credentials);

  /// The group an address counts in: an IPv4 address as it is; an IPv6 one as its /64
  /// ("2001:db8:1:2::/64"); an IPv4-mapped one as the IPv4 address; anything else as it is.
  static std::string group_of(std::string_view address);
  /// Address groups kept now (tests).
  std::size_t addresses() const;

 private:
  struct Entry {
    TokenBucket bucket;
    std::list<std::string>::iterator recent;  // its place in recent_
  };
  /// The group's entry, made (forgetting the stalest one when full) if it has none; now the most recent.
  Entry& entry_for(const std::string& group);

  const std::size_t max_addresses_, max_good_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> recent_;  // the groups, the one that failed last first
  std::unordered_set<std::uint64_t> good_keys_;
};

}  // namespace gatehouse::service
