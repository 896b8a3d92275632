#pragma once
// A Store that passes every call to another one, Results as they are: tests derive from it and
// override only the calls they make fail (a full disk, PostgreSQL stopped), by returning a
// StoreError as the store does (down_error()).
#include "gatehouse/store/store.hpp"

namespace gatehouse::testing {

class ForwardingStore : public store::Store {
 public:
  explicit ForwardingStore(store::Store& inner) : inner_(inner) {}

  /// The error a store gives when its database failed.
  static store::StoreError down_error(std::string message = "store: postgres: server closed the connection unexpectedly") {
    return store::StoreError::unavailable(std::move(message));
  }

  store::Result<std::string> enqueue(const store::NewJob& job, std::string_view now) override {
    return inner_.enqueue(job, now);
  }
  store::Result<std::optional<store::ClaimedJob>> claim(std::string_view worker, std::string_view now) override {
    return inner_.claim(worker, now);
  }
  store::Result<store::OutcomeRecorded> fail_attempt(const std::string& id, std::string_view claim,
                                                     const store::AttemptResult& r, std::string_view now,
                                                     const std::optional<std::string>& retry_at) override {
    return inner_.fail_attempt(id, claim, r, now, retry_at);
  }
  store::Result<store::OutcomeRecorded> succeed(const std::string& id, std::string_view claim,
                                                const store::AttemptResult& r,
                                                const std::vector<store::CreatedRecord>& created, std::string_view now,
                                                const std::vector<store::NewJob>& children) override {
    return inner_.succeed(id, claim, r, created, now, children);
  }
  store::Result<std::size_t> resume_interrupted(std::string_view now) override { return inner_.resume_interrupted(now); }
  store::Result<std::optional<store::WriteStatus>> write_status(std::string_view customer,
                                                                std::string_view root) override {
    return inner_.write_status(customer, root);
  }
  store::Result<void> put_customer(std::string_view customer, std::string_view key) override {
    return inner_.put_customer(customer, key);
  }
  store::Result<std::optional<std::string>> customer_for_key(std::string_view key) override {
    return inner_.customer_for_key(key);
  }
  store::Result<void> set_webhook(std::string_view customer, std::string_view url, std::string_view secret) override {
    return inner_.set_webhook(customer, url, secret);
  }
  store::Result<std::optional<store::WebhookDelivery>> claim_webhook(std::string_view now) override {
    return inner_.claim_webhook(now);
  }
  store::Result<store::OutcomeRecorded> finish_webhook(const std::string& id, std::string_view claim, bool delivered,
                                                       std::string_view error, std::string_view now,
                                                       const std::optional<std::string>& retry_at) override {
    return inner_.finish_webhook(id, claim, delivered, error, now, retry_at);
  }
  store::Result<void> put_integration(const store::Integration& i) override { return inner_.put_integration(i); }
  store::Result<std::vector<store::Integration>> integrations() override { return inner_.integrations(); }
  store::Result<std::optional<store::Integration>> integration(std::string_view customer, std::string_view id) override {
    return inner_.integration(customer, id);
  }
  store::Result<std::string> put_record(const store::CachedRecord& r) override { return inner_.put_record(r); }
  store::Result<std::optional<store::CachedRecord>> record(std::string_view customer, std::string_view model,
                                                           std::string_view id) override {
    return inner_.record(customer, model, id);
  }
  store::Result<std::optional<store::RecordKey>> record_key(std::string_view customer, std::string_view model,
                                                            std::string_view id) override {
    return inner_.record_key(customer, model, id);
  }
  store::Result<std::vector<store::CachedRecord>> records_by_native_id(std::string_view customer,
                                                                       std::string_view model,
                                                                       std::string_view native_id) override {
    return inner_.records_by_native_id(customer, model, native_id);
  }
  store::Result<void> set_webhook_triggers(std::string_view customer,
                                           const std::vector<store::WebhookTrigger>& triggers) override {
    return inner_.set_webhook_triggers(customer, triggers);
  }
  store::Result<store::KeyedWrite> enqueue_idempotent(const store::NewJob& job, const store::IdempotencyKey& key,
                                                      const store::AnswerToKeep& answer, std::string_view now,
                                                      std::string_view live_since) override {
    return inner_.enqueue_idempotent(job, key, answer, now, live_since);
  }
  store::Result<std::optional<store::KeyedWrite>> find_idempotent(const store::IdempotencyKey& key,
                                                                  std::string_view live_since) override {
    return inner_.find_idempotent(key, live_since);
  }
  store::Result<std::size_t> purge_idempotency_keys(std::string_view live_since) override {
    return inner_.purge_idempotency_keys(live_since);
  }
  store::Result<std::optional<store::TenancyChange>> revoke_customer(std::string_view customer,
                                                                    std::string_view now) override {
    return inner_.revoke_customer(customer, now);
  }
  store::Result<std::optional<store::TenancyChange>> revoke_integration(std::string_view integration,
                                                                       std::string_view now) override {
    return inner_.revoke_integration(integration, now);
  }
  store::Result<store::TenancyChange> keep_only(const std::vector<std::string>& customers,
                                                const std::vector<std::string>& integrations,
                                                std::string_view now) override {
    return inner_.keep_only(customers, integrations, now);
  }
  store::Result<bool> is_revoked(std::string_view customer, std::string_view integration) override {
    return inner_.is_revoked(customer, integration);
  }
  store::Result<std::int64_t> revocations() override { return inner_.revocations(); }
  store::Result<std::size_t> unfinished_jobs(std::string_view customer) override {
    return inner_.unfinished_jobs(customer);
  }
  store::Result<std::size_t> delete_finished_writes(std::string_view cutoff, std::size_t max_writes) override {
    return inner_.delete_finished_writes(cutoff, max_writes);
  }

 protected:
  store::Store& inner_;
};

}  // namespace gatehouse::testing
