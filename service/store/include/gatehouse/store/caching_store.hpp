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
// one can fill the cache with them), at most `max_entries` per lookup.
#include <chrono>
#include <memory>

#include "gatehouse/store/store.hpp"

namespace gatehouse::store {

class CachingStore final : public Store {
 public:
  /// `ttl` zero: nothing is kept (every call goes to `inner`).
  CachingStore(Store& inner, std::chrono::milliseconds ttl, std::size_t max_entries = 4096);
  ~CachingStore() override;

  // Kept in memory.
  std::optional<std::string> customer_for_key(std::string_view api_key) override;
  std::optional<Integration> integration(std::string_view customer_id, std::string_view id) override;
  std::optional<RecordKey> record_key(std::string_view customer_id, std::string_view model,
                                      std::string_view id) override;
  // Forgetting what they change, then passed on.
  void put_customer(std::string_view customer_id, std::string_view api_key) override;
  void put_integration(const Integration& integration) override;

  // Passed on as it is: a record id, once minted, points at the same (integration, model, PMS
  // id) for good, so a put changes no kept key (and unknown ids are not kept: a new one is seen).
  std::string put_record(const CachedRecord& record) override { return inner_.put_record(record); }

  // Passed on as they are.
  std::string enqueue(const NewJob& job, std::string_view now) override { return inner_.enqueue(job, now); }
  std::optional<ClaimedJob> claim(std::string_view worker, std::string_view now) override {
    return inner_.claim(worker, now);
  }
  OutcomeRecorded fail_attempt(const std::string& job_id, std::string_view claim, const AttemptResult& result,
                               std::string_view now, const std::optional<std::string>& retry_at) override {
    return inner_.fail_attempt(job_id, claim, result, now, retry_at);
  }
  OutcomeRecorded succeed(const std::string& job_id, std::string_view claim, const AttemptResult& result,
                          const std::vector<CreatedRecord>& created, std::string_view now,
                          const std::vector<NewJob>& children = {}) override {
    return inner_.succeed(job_id, claim, result, created, now, children);
  }
  std::size_t resume_interrupted(std::string_view now) override { return inner_.resume_interrupted(now); }
  std::optional<WriteStatus> write_status(std::string_view customer_id, std::string_view root_job_id) override {
    return inner_.write_status(customer_id, root_job_id);
  }
  void set_webhook(std::string_view customer_id, std::string_view url, std::string_view secret) override {
    inner_.set_webhook(customer_id, url, secret);
  }
  std::optional<WebhookDelivery> claim_webhook(std::string_view now) override { return inner_.claim_webhook(now); }
  OutcomeRecorded finish_webhook(const std::string& id, std::string_view claim, bool delivered, std::string_view error,
                                 std::string_view now, const std::optional<std::string>& retry_at) override {
    return inner_.finish_webhook(id, claim, delivered, error, now, retry_at);
  }
  std::vector<Integration> integrations() override { return inner_.integrations(); }
  std::optional<CachedRecord> record(std::string_view customer_id, std::string_view model,
                                     std::string_view id) override {
    return inner_.record(customer_id, model, id);
  }
  std::vector<CachedRecord> records_by_native_id(std::string_view customer_id, std::string_view model,
                                                 std::string_view native_id) override {
    return inner_.records_by_native_id(customer_id, model, native_id);
  }
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
};

}  // namespace gatehouse::store
