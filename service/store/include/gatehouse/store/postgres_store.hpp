#pragma once
// The store for several service instances: PostgreSQL (libpq). The schema is created and
// migrated by the program (under an advisory lock, so instances starting together do it once),
// in its own schema (`gatehouse` by default). Jobs are claimed with FOR UPDATE SKIP LOCKED, so
// each job goes to one worker of one instance; a claim is a lease (`lease_seconds`, measured on
// the callers' clock like due times, never the database's), and a job whose worker's instance
// died is claimed again once its lease has run out (its Idempotency-Key keeps the PMS from
// applying it twice). Only the claim that holds a job records its outcome: the worker that lost
// it is told so (OutcomeRecorded::claim_lost) and changes nothing.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gatehouse/store/store.hpp"

typedef struct pg_conn PGconn;

namespace gatehouse::store {

struct PostgresOptions {
  std::string conninfo;           ///< libpq connection string, e.g. "host=127.0.0.1 port=5432 dbname=gatehouse"
  std::string schema = "gatehouse";
  int connections = 4;            ///< the pool; each call borrows one
  int lease_seconds = 300;        ///< how long a claim holds a job before another worker may take it
};

class PostgresStore final : public Store {
 public:
  /// Connects, creates or migrates the schema. Throws std::runtime_error with libpq's message.
  explicit PostgresStore(PostgresOptions options);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  Result<std::string> enqueue(const NewJob& job, std::string_view now) override;
  Result<std::optional<ClaimedJob>> claim(std::string_view worker, std::string_view now) override;
  Result<OutcomeRecorded> fail_attempt(const std::string& job_id, std::string_view claim, const AttemptResult& result,
                                       std::string_view now, const std::optional<std::string>& retry_at) override;
  Result<OutcomeRecorded> succeed(const std::string& job_id, std::string_view claim, const AttemptResult& result,
                                  const std::vector<CreatedRecord>& created, std::string_view now,
                                  const std::vector<NewJob>& children = {}) override;
  /// Queues again the jobs (and webhook deliveries) whose lease has run out: with several
  /// instances, a starting one must not take jobs that a live one is running.
  Result<std::size_t> resume_interrupted(std::string_view now) override;
  Result<std::optional<WriteStatus>> write_status(std::string_view customer_id,
                                                  std::string_view root_job_id) override;

  Result<void> put_customer(std::string_view customer_id, std::string_view api_key) override;
  Result<std::optional<std::string>> customer_for_key(std::string_view api_key) override;
  Result<void> set_webhook(std::string_view customer_id, std::string_view url, std::string_view secret) override;
  Result<std::optional<WebhookDelivery>> claim_webhook(std::string_view now) override;
  Result<OutcomeRecorded> finish_webhook(const std::string& id, std::string_view claim, bool delivered,
                                         std::string_view error, std::string_view now,
                                         const std::optional<std::string>& retry_at) override;
  Result<void> put_integration(const Integration& integration) override;
  Result<std::vector<Integration>> integrations() override;
  Result<std::optional<Integration>> integration(std::string_view customer_id, std::string_view id) override;
  Result<std::string> put_record(const CachedRecord& record) override;
  Result<std::optional<CachedRecord>> record(std::string_view customer_id, std::string_view model,
                                             std::string_view id) override;
  Result<std::optional<RecordKey>> record_key(std::string_view customer_id, std::string_view model,
                                              std::string_view id) override;
  Result<std::vector<CachedRecord>> records_by_native_id(std::string_view customer_id, std::string_view model,
                                                         std::string_view native_id) override;
  Result<void> set_webhook_triggers(std::string_view customer_id,
                                    const std::vector<WebhookTrigger>& triggers) override;
  Result<std::optional<TenancyChange>> revoke_customer(std::string_view customer_id, std::string_view now) override;
  Result<std::optional<TenancyChange>> revoke_integration(std::string_view integration_id,
                                                          std::string_view now) override;
  Result<TenancyChange> keep_only(const std::vector<std::string>& customer_ids,
                                  const std::vector<std::string>& integration_ids, std::string_view now) override;
  Result<bool> is_revoked(std::string_view customer_id, std::string_view integration_id) override;
  Result<std::int64_t> revocations() override;

  Result<KeyedWrite> enqueue_idempotent(const NewJob& job, const IdempotencyKey& key, const AnswerToKeep& answer,
                                        std::string_view now, std::string_view live_since) override;
  Result<std::optional<KeyedWrite>> find_idempotent(const IdempotencyKey& key, std::string_view live_since) override;
  Result<std::size_t> purge_idempotency_keys(std::string_view live_since) override;
  Result<std::size_t> unfinished_jobs(std::string_view customer_id) override;
  Result<std::size_t> delete_finished_writes(std::string_view cutoff, std::size_t max_writes) override;

  class Lease;  // a pooled connection, borrowed for one call

 private:
  PGconn* acquire();
  void release(PGconn* connection);

  PostgresOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<PGconn*> idle_;
  std::vector<PGconn*> all_;
};

}  // namespace gatehouse::store
