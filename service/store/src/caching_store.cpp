#include "gatehouse/store/caching_store.hpp"

#include <initializer_list>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace gatehouse::store {

namespace {

using Clock = std::chrono::steady_clock;
constexpr Clock::rep never = std::numeric_limits<Clock::rep>::min();  // the count was never read

/// One string for several parts, each length-prefixed, so ("a", "bc") and ("ab", "c") differ.
std::string key_of(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (auto part : parts) {
    key += std::to_string(part.size());
    key += ':';
    key += part;
  }
  return key;
}

}  // namespace

template <class Value>
class CachingStore::Cache {
 public:
  Cache(std::chrono::milliseconds ttl, std::size_t max_entries) : ttl_(ttl), max_entries_(max_entries) {}

  /// The kept value for `key`, or else what `load` finds (kept unless the cache was emptied
  /// while it ran: what it read may be older than that put).
  template <class Load>
  std::optional<Value> get(const std::string& key, Load load) {
    if (ttl_.count() == 0) return load();
    std::uint64_t generation;
    {
      std::shared_lock lock(mutex_);
      auto it = entries_.find(key);
      if (it != entries_.end() && Clock::now() < it->second.expires) return it->second.value;
      generation = generation_;
    }
    std::optional<Value> found = load();
    if (found) {
      std::unique_lock lock(mutex_);
      if (generation == generation_) {
        if (entries_.size() >= max_entries_) entries_.clear();  // simple and bounded; refilled on use
        entries_.insert_or_assign(key, Entry{*found, Clock::now() + ttl_});
      }
    }
    return found;
  }

  void clear() {
    std::unique_lock lock(mutex_);
    ++generation_;
    entries_.clear();
  }

 private:
  struct Entry {
    Value value;
    Clock::time_point expires;
  };
  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t generation_ = 0;  // counts clear()s
};

CachingStore::CachingStore(Store& inner, std::chrono::milliseconds ttl, std::size_t max_entries,
                           std::chrono::milliseconds revocation_check)
    : inner_(inner),
      customers_(std::make_unique<Cache<std::string>>(ttl, max_entries)),
      integrations_(std::make_unique<Cache<Integration>>(ttl, max_entries)),
      record_keys_(std::make_unique<Cache<RecordKey>>(ttl, max_entries)),
      keeps_anything_(ttl.count() > 0),
      revocation_check_(revocation_check),
      count_read_at_(never) {}

CachingStore::~CachingStore() = default;

std::optional<std::string> CachingStore::customer_for_key(std::string_view api_key) {
  // Kept by the key as sent: the hash is how keys rest on disk; in memory the key is already
  // in every request that carries it.
  notice_revocations();
  return customers_->get(std::string(api_key), [&] { return inner_.customer_for_key(api_key); });
}

std::optional<Integration> CachingStore::integration(std::string_view customer_id, std::string_view id) {
  notice_revocations();
  return integrations_->get(key_of({customer_id, id}), [&] { return inner_.integration(customer_id, id); });
}

std::optional<RecordKey> CachingStore::record_key(std::string_view customer_id, std::string_view model,
                                                  std::string_view id) {
  notice_revocations();
  return record_keys_->get(key_of({customer_id, model, id}), [&] { return inner_.record_key(customer_id, model, id); });
}

// Each put empties before and after the write: before, so no one keeps using the old value once
// the write is under way; after, so a value read from the store between the two is dropped too.
void CachingStore::put_customer(std::string_view customer_id, std::string_view api_key) {
  customers_->clear();
  inner_.put_customer(customer_id, api_key);
  customers_->clear();
}

void CachingStore::put_integration(const Integration& integration) {
  integrations_->clear();
  record_keys_->clear();  // the integration, and so its records, may now belong to another customer
  inner_.put_integration(integration);
  integrations_->clear();
  record_keys_->clear();
}

void CachingStore::clear_all() {
  customers_->clear();
  integrations_->clear();
  record_keys_->clear();
}

void CachingStore::notice_revocations() {
  if (!keeps_anything_) return;
  const auto fresh_enough = [&](Clock::time_point now) {
    Clock::rep read_at = count_read_at_.load(std::memory_order_acquire);
    return read_at != never && now - Clock::time_point(Clock::duration(read_at)) < revocation_check_;
  };
  if (fresh_enough(Clock::now())) return;
  std::lock_guard lock(revocation_mutex_);
  if (fresh_enough(Clock::now())) return;  // another thread read it while this one waited
  // The time before the read: the count read is at least as new as that, so what was committed
  // more than revocation_check_ before a lookup is always seen by it.
  const auto reading_since = Clock::now();
  Result<std::int64_t> count = inner_.revocations();
  if (!count) {
    clear_all();  // cannot tell whether something was revoked: nothing kept is trusted
    return;       // and the next lookup asks again
  }
  if (revocations_seen_ != *count) {
    clear_all();
    revocations_seen_ = *count;
  }
  count_read_at_.store(reading_since.time_since_epoch().count(), std::memory_order_release);
}

template <class F>
auto CachingStore::cleared_around(F&& change) -> decltype(change()) {
  // As a put: before, so no one keeps using what is being revoked once the change is under way;
  // after, so a value read from the store between the two is dropped too.
  clear_all();
  auto result = change();
  clear_all();
  return result;
}

Result<std::optional<TenancyChange>> CachingStore::revoke_customer(std::string_view customer_id, std::string_view now) {
  return cleared_around([&] { return inner_.revoke_customer(customer_id, now); });
}

Result<std::optional<TenancyChange>> CachingStore::revoke_integration(std::string_view integration_id,
                                                                      std::string_view now) {
  return cleared_around([&] { return inner_.revoke_integration(integration_id, now); });
}

Result<TenancyChange> CachingStore::keep_only(const std::vector<std::string>& customer_ids,
                                              const std::vector<std::string>& integration_ids, std::string_view now) {
  return cleared_around([&] { return inner_.keep_only(customer_ids, integration_ids, now); });
}

}  // namespace gatehouse::store
