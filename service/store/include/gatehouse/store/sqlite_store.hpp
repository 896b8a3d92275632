#pragma once
// The embedded store: one SQLite file (WAL journal, full sync), safe from many threads. The
// schema is created (and, as it grows, migrated) when the file is opened. Concurrent enqueues
// are committed together (group commit): each returns once its job is on disk.
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "gatehouse/store/store.hpp"

struct sqlite3;

namespace gatehouse::store {

class SqliteStore final : public Store {
 public:
  /// Opens (or creates) the store at `path`; ":memory:" for a private in-memory store.
  /// Throws std::runtime_error with SQLite's message when the file cannot be opened.
  explicit SqliteStore(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<std::string> enqueue(const NewJob& job, std::string_view now) override;
  Result<std::optional<ClaimedJob>> claim(std::string_view worker, std::string_view now) override;
  Result<OutcomeRecorded> fail_attempt(const std::string& job_id, std::string_view claim, const AttemptResult& result,
                                       std::string_view now, const std::optional<std::string>& retry_at) override;
  Result<OutcomeRecorded> succeed(const std::string& job_id, std::string_view claim, const AttemptResult& result,
                                  const std::vector<CreatedRecord>& created, std::string_view now,
                                  const std::vector<NewJob>& children = {}) override;
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

 public:
  struct Connection;  // a connection and its prepared statements (sqlite_store.cpp)

 private:
  struct PendingWrite;
  /// Hands `apply` to the committer thread, which runs it in a transaction on the writer with
  /// whatever other writes are waiting (group commit); returns once that transaction is on disk.
  /// `apply` may run a second time, alone, when another write of its batch failed: it must set
  /// its results, not add to them.
  void write(const std::function<void(Connection&)>& apply);
  void commit_batch(const std::vector<PendingWrite*>& batch);
  class Reader;  // a read-only connection, borrowed for one read

 private:
  std::mutex mutex_;  // the writing connection, used by one thread at a time
  std::unique_ptr<Connection> writer_;

  // Reads (API keys, integrations, records, write status) go through their own connections: in
  // WAL mode they see the last commit without waiting for the writer's fsync. A ":memory:"
  // store has none (each connection would be a database of its own) and reads on the writer.
  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;

  // Group commit: writes (enqueues, claims, outcomes) that come while a commit is on its way go
  // to disk together in the next one, so concurrent writes share one fsync instead of queueing
  // for one each.
  std::mutex queue_mutex_;
  std::vector<PendingWrite*> pending_;
  bool stopping_ = false;          // the destructor's word to the committer
  std::condition_variable work_;   // wakes the committer when a write comes to an idle store
  std::thread committer_;          // commits the batches, one after another (commit_loop)
  void commit_loop();
};

}  // namespace gatehouse::store
