#pragma once
// CachingStore: a Store in front of another that keeps in memory the three lookups every write
// request makes (API key -> customer, a customer's integration, where a record id points), so a
// request pays for the one durable insert and not for three reads besides.
//
// Exact within one process: every put_* through this store empties the matching cache, and a
// value read while a put was under way is not kept. Another instance sharing the database
// (PostgreSQL) changes rows behind its back, so an entry also expires after `ttl`: that is how
// long a key, an integration or a record moved elsewhere by another instance can still be seen
// as it was. Only found values are kept (an unknown key is asked for again every time, so no
// one can fill the cache with them), at most `max_entries` per lookup; a lookup the store failed
// is passed on as its error and keeps nothing.
//
// Revocation is the exception to that `ttl`: a revoked key must stop working everywhere at once,
// not after the ttl. A revocation through this store empties every cache before and after it.
// One through another instance is seen by the count of revocations the database keeps
// (Store::revocations()): before a lookup is answered from memory, the count is read again if
// it was last read more than `revocation_check` ago, and every cache is emptied when it moved. So
// a key revoked anywhere is refused here at most `revocation_check` (200 ms) after the
// revocation's commit, whatever the ttl, at the price of one one-row read per
// `revocation_check` while lookups come. When the count cannot be read, nothing kept is
// trusted: the caches are emptied and the lookup goes to the store.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

#include "gatehouse/store/store.hpp"

namespace gatehouse::store {

class CachingStore final : public Store {
 public:
  /// `ttl` zero: nothing is kept (every call goes to `inner`). `revocation_check`: how old the
  /// count of revocations may be when a lookup is answered from memory (above).
  CachingStore(Store& inner, std::chrono::milliseconds ttl, std::size_t max_entries = 4096,
               std::chrono::milliseconds revocation_check = default_revocation_check);
  static constexpr std::chrono::milliseconds default_revocation_check{200};
  ~CachingStore() override;

  // Kept in memory (a found value only: a lookup the store failed keeps nothing).
  Result<std::optional<std::string>> customer_for_key(std::string_view api_key) override;
  Result<std::optional<Integration>> integration(std::string_view customer_id, std::string_view id) override;
  Result<std::optional<RecordKey>> record_key(std::string_view customer_id, std::string_view model,
                                              std::string_view id) override;
  // Forgetting what they change, then passed on.
  Result<void> put_customer(std::string_view customer_id, std::string_view api_key) override;
  Result<void> put_integration(const Integration& integration) override;

  // Passed on as it is: a record id, once minted, points at the same (integration, model, PMS
  // id) for good, so a put changes no kept key (and unknown ids are not kept: a new one is seen).
  Result<std::string> put_record(const CachedRecord& record) override { return inner_.put_record(record); }

  // Passed on as they are, errors included.
  Result<std::string> enqueue(const NewJob& job, std::string_view now) override { return inner_.enqueue(job, now); }
  Result<std::optional<ClaimedJob>> claim(std::string_view worker, std::string_view now) override {
    return inner_.claim(worker, now);
  }
  Result<OutcomeRecorded> fail_attempt(const std::string& job_id, std::string_view claim, const AttemptResult& result,
                                       std::string_view now, const std::optional<std::string>& retry_at) override {
    return inner_.fail_attempt(job_id, claim, result, now, retry_at);
  }
  Result<OutcomeRecorded> succeed(const std::string& job_id, std::string_view claim, const AttemptResult& result,
                                  const std::vector<CreatedRecord>& created, std::string_view now,
                                  const std::vector<NewJob>& children = {}) override {
    return inner_.succeed(job_id, claim, result, created, now, children);
  }
  Result<std::size_t> resume_interrupted(std::string_view now) override { return inner_.resume_interrupted(now); }
  Result<std::optional<WriteStatus>> write_status(std::string_view customer_id,
                                                  std::string_view root_job_id) override {
    return inner_.write_status(customer_id, root_job_id);
  }
  Result<void> set_webhook(std::string_view customer_id, std::string_view url, std::string_view secret) override {
    return inner_.set_webhook(customer_id, url, secret);
  }
  Result<std::optional<WebhookDelivery>> claim_webhook(std::string_view now) override {
    return inner_.claim_webhook(now);
  }
  Result<OutcomeRecorded> finish_webhook(const std::string& id, std::string_view claim, bool delivered,
                                         std::string_view error, std::string_view now,
                                         const std::optional<std::string>& retry_at) override {
    return inner_.finish_webhook(id, claim, delivered, error, now, retry_at);
  }
  Result<std::vector<Integration>> integrations() override { return inner_.integrations(); }
  Result<std::optional<CachedRecord>> record(std::string_view customer_id, std::string_view model,
                                             std::string_view id) override {
    return inner_.record(customer_id, model, id);
  }
  Result<std::vector<CachedRecord>> records_by_native_id(std::string_view customer_id, std::string_view model,
                                                         std::string_view native_id) override {
    return inner_.records_by_native_id(customer_id, model, native_id);
  }
  // Passed on: no lookup kept here depends on a customer's triggers.
  Result<void> set_webhook_triggers(std::string_view customer_id,
                                    const std::vector<WebhookTrigger>& triggers) override {
    return inner_.set_webhook_triggers(customer_id, triggers);
  }

  // Passed on as they are: a key is read and claimed in the database, where every instance sees
  // it, never from memory (another instance may have claimed it a moment ago).
  Result<KeyedWrite> enqueue_idempotent(const NewJob& job, const IdempotencyKey& key, const AnswerToKeep& answer,
                                        std::string_view now, std::string_view live_since) override {
    return inner_.enqueue_idempotent(job, key, answer, now, live_since);
  }
  Result<std::optional<KeyedWrite>> find_idempotent(const IdempotencyKey& key, std::string_view live_since) override {
    return inner_.find_idempotent(key, live_since);
  }
  Result<std::size_t> purge_idempotency_keys(std::string_view live_since) override {
    return inner_.purge_idempotency_keys(live_since);
  }

  // Revocation: every cache emptied before and after (as a put does), then passed on.
  Result<std::optional<TenancyChange>> revoke_customer(std::string_view customer_id, std::string_view now) override;
  Result<std::optional<TenancyChange>> revoke_integration(std::string_view integration_id,
                                                          std::string_view now) override;
  Result<TenancyChange> keep_only(const std::vector<std::string>& customer_ids,
                                  const std::vector<std::string>& integration_ids, std::string_view now) override;
  // Never kept: the dispatcher's last word before a PMS call, and the count itself.
  Result<bool> is_revoked(std::string_view customer_id, std::string_view integration_id) override {
    return inner_.is_revoked(customer_id, integration_id);
  }
  Result<std::int64_t> revocations() override { return inner_.revocations(); }
  // Passed on as they are: nothing kept in memory depends on jobs.
  Result<std::size_t> unfinished_jobs(std::string_view customer_id) override {
    return inner_.unfinished_jobs(customer_id);
  }
  Result<std::size_t> delete_finished_writes(std::string_view cutoff, std::size_t max_writes) override {
    return inner_.delete_finished_writes(cutoff, max_writes);
  }

 private:
  template <class Value>
  class Cache;
  Store& inner_;
  std::unique_ptr<Cache<std::string>> customers_;           // by API key
  std::unique_ptr<Cache<Integration>> integrations_;        // by customer, integration id
  std::unique_ptr<Cache<RecordKey>> record_keys_;           // by customer, model, record id

  /// Empties every cache when another instance revoked something since the count was last read
  /// (read again when it is older than revocation_check_); called before each kept lookup.
  void notice_revocations();
  void clear_all();
  template <class F>
  auto cleared_around(F&& change) -> decltype(change());
  const bool keeps_anything_;
  const std::chrono::milliseconds revocation_check_;
  std::mutex revocation_mutex_;  // one reader of the count at a time; the others wait for its word
  std::atomic<std::chrono::steady_clock::rep> count_read_at_;  // when the last good read began
  std::optional<std::int64_t> revocations_seen_;                 // under revocation_mutex_
};

}  // namespace gatehouse::store
