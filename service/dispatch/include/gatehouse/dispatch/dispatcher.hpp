#pragma once
// The dispatcher: carries accepted writes to the PMS and brings records back from it.
//
// Worker threads claim due jobs from the store, turn each generic payload into the PMS's native
// request (connector.hpp), call the integration's base URL with the job id as Idempotency-Key
// (a retried call is never applied twice by a PMS that honours it), and record the outcome:
// the records created, or the PMS's own error. 429, 5xx and calls without an answer (timeouts,
// refused connections) are retried with exponential backoff and full jitter, honouring
// Retry-After, up to `max_attempts`; any other answer is final. Finished writes are POSTed to
// the customer's webhook (HMAC-SHA256 of the body in X-Gatehouse-Signature), retried the same way.
// The store's errors come as values (store/result.hpp), and none ends a worker or the sync loop.
// An outcome the store fails to record (disk full, database restarting) is recorded again with
// backoff until it lands or the dispatcher stops; the job then resumes at the next start. An
// outcome whose claim was lost (the lease ran out and another worker took the job) is refused by
// the store and dropped here: the worker that holds the job records it. A worker whose store fails
// to claim, or to read what a job or delivery needs, counts it and backs off (up to 5 s) before
// it tries again; the job or delivery it held is due again later, with the store's error. A sync
// round whose store fails is counted as an error and the next round tries again.
//
// Retention: finished writes are kept for `retention` (30 days by default), then deleted with
// their attempts and webhook delivery (store::JobQueue::delete_finished_writes), at start and
// every `retention_interval` after, in short batches; a store that fails is tried again after a
// backoff, never given up on.
//
// The PMS is the source of truth: a write never changes the record cache. The cache changes when
// the PMS sends a record back: right after a successful write where the rules say `refresh after
// write`, or at the sync loop, which re-reads each integration's records on its sync window (its
// own `sync_interval_seconds`, or `sync_interval`).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gatehouse/dispatch/connector.hpp"
#include "gatehouse/dispatch/pms_client.hpp"
#include "gatehouse/engine.hpp"
#include "gatehouse/store/store.hpp"

namespace gatehouse::service {

struct DispatcherOptions {
  int workers = 2;
  int max_attempts = 5;                          ///< calls per job before it fails for good
  std::chrono::milliseconds backoff{500};        ///< the first retry's ceiling; doubles per attempt
  std::chrono::milliseconds max_backoff{60000};  ///< our backoff's ceiling (a Retry-After may be longer)
  std::chrono::milliseconds pms_timeout{10000};  ///< connect, read and write, per call
  /// The most of an answer's body a call (to a PMS or a webhook) reads; past it the call fails
  /// ("response larger than N bytes") and its connection is dropped. A sync reads a model's whole
  /// list in one answer: it must fit.
  std::size_t max_response_bytes = 1024 * 1024;
  std::chrono::milliseconds idle_poll{250};      ///< how often an idle worker looks for due work
  std::chrono::seconds sync_interval{300};       ///< integrations without their own window; 0: no periodic sync
  int webhook_max_attempts = 8;
  /// How long a finished write is kept (its write-status answers 404 after); 0: for good.
  std::chrono::seconds retention{std::chrono::hours(24 * 30)};
  std::chrono::seconds retention_interval{3600};  ///< how often expired writes are deleted (and at start)
};

struct SyncReport {
  std::size_t records = 0;
  std::vector<std::string> errors;
};

class Dispatcher {
 public:
  using Connectors = std::map<std::string, Connector, std::less<>>;
  /// `engine`, `store` and `connectors` are used, not copied: they must outlive the dispatcher.
  Dispatcher(Engine& engine, store::Store& store, const Connectors& connectors, DispatcherOptions options);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void start();  ///< the workers and the sync loop
  void stop();   ///< waits for the calls in flight to finish
  void wake();   ///< a job was queued: an idle worker looks now

  /// Claims and carries out one due job or webhook delivery: true when it did, false when nothing
  /// was due; the store's error when it failed to claim (test the value, not the Result, for
  /// whether work was done).
  store::Result<bool> run_once(const std::string& worker = "inline");
  /// Re-reads every integration's records from its PMS into the cache, now; the store's error
  /// when it cannot list the integrations (a record it fails to keep is one of the report's errors).
  store::Result<SyncReport> sync_now();
  /// Deletes every write that finished more than `retention` ago, now (what the retention loop
  /// runs): how many, or the store's error. Nothing with `retention` 0.
  store::Result<std::size_t> delete_expired_writes();
  /// Whether the dispatcher can carry a write of `model`/`operation` to `pms`.
  bool can_dispatch(std::string_view pms, std::string_view model, std::string_view operation) const;

  /// Prometheus text: job outcomes, PMS calls and their time, webhooks, syncs.
  void append_metrics(std::string& out) const;

 private:
  void work(const std::string& worker);
  void sync_loop();
  void retention_loop();
  void sync_integration(const store::Integration& integration, SyncReport& report);
  void run_job(const store::ClaimedJob& job);
  void deliver(const store::WebhookDelivery& delivery);
  void refresh(const store::Integration& integration, const Connector& connector, const std::string& model,
               const std::string& id);
  std::chrono::milliseconds retry_delay(int attempts_made, std::optional<std::chrono::milliseconds> retry_after);
  /// Records an outcome, again while the store fails; false when it was not recorded: the claim
  /// was lost, or the dispatcher stopped first (the job or delivery resumes at the next start).
  bool record(const char* what, const std::function<store::Result<store::OutcomeRecorded>()>& write);
  /// A store error in a worker's round: counted and logged.
  void count_worker_store_error(const std::string& what, const store::StoreError& error);
  const Connector* connector(std::string_view pms) const;
  CallLimits call_limits() const;

  Engine& engine_;
  store::Store& store_;
  const Connectors& connectors_;
  DispatcherOptions options_;

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_;     // idle workers wait on it (wake() notifies one of them)
  std::condition_variable stopped_;  // the sync loop waits on it: a wake-up for a job is not for it
  bool stopping_ = false;
  std::uint64_t wakeups_ = 0;
  std::map<std::string, std::chrono::steady_clock::time_point> last_synced_;  // by integration; under mutex_

  // Metrics (each a total on its own: relaxed atomics).
  std::atomic<std::uint64_t> jobs_succeeded_{0}, jobs_failed_{0}, jobs_retried_{0};
  std::atomic<std::uint64_t> pms_calls_{0}, pms_call_nanoseconds_{0};
  std::atomic<std::uint64_t> webhooks_delivered_{0}, webhooks_retried_{0}, webhooks_failed_{0};
  std::atomic<std::uint64_t> synced_records_{0}, sync_errors_{0}, refreshes_{0}, refresh_errors_{0};
  std::atomic<std::uint64_t> outcome_store_errors_{0}, claims_lost_{0}, worker_store_errors_{0};
  std::atomic<std::uint64_t> expired_writes_deleted_{0}, retention_errors_{0};
};

}  // namespace gatehouse::service
