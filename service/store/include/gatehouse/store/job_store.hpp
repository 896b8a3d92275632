#pragma once
// The job queue: accepted writes waiting for (or done with) their trip to the PMS.
//
// A write is stored durably before the service answers 202, as a root job; a write that fans out
// to several PMS calls adds child jobs under the same root. Workers claim due jobs (each job is
// claimed by one worker at a time), record every attempt, and finish the job with the records
// the PMS created or with its error. write_status() sums a root and its children up the way
// clients of unified property-management APIs read it (PENDING, SUCCESS, PARTIAL_SUCCESS,
// FAILURE), and only for the customer the job belongs to.
//
// Times are RFC 3339 UTC strings passed in by the caller, so tests control the clock. They are
// the only clock a store compares with: due times, and a claim's lease where a store has one
// (PostgresStore), are both measured against the `now` of the call, never the database's clock.
//
// A claim carries a token; only the claim that holds a job (or a webhook delivery) may record
// its outcome. A worker whose lease ran out, and whose job another worker claimed since, gets
// its outcome refused (OutcomeRecorded::claim_lost) and nothing changes.
//
// Claims are fair across customers: each customer has a turn, the claim counter when a job of
// theirs was last claimed, and a claim serves the customer with due work whose turn is the
// oldest (one never served first), then that customer's oldest due job. So workers go round the
// customers with due work, one job each: a customer with 5,000 queued writes behind a slow PMS
// does not delay another's single write by more than the calls already in flight.
//
// Finished writes are kept for a retention period; delete_finished_writes() removes the older
// ones with everything they hold (write_status() then finds nothing).
//
// Every call returns a Result (result.hpp): its value, or the StoreError that kept the store from
// giving it (the database failed: retry later); nothing is thrown across the interface.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/decision.hpp"
#include "gatehouse/grammar/ast.hpp"
#include "gatehouse/store/idempotency.hpp"
#include "gatehouse/store/result.hpp"

namespace gatehouse::store {

struct NewJob {
  std::string customer_id;
  std::string integration_id;
  std::string pms, model;
  ast::Operation operation = ast::Operation::create;
  std::string record_id;              ///< the PMS's id of the record an update targets ("" for a create)
  std::string payload;                ///< what goes to the PMS (after any strip)
  Verdict verdict = Verdict::accept;  ///< accept or strip (a reject is never a job)
  std::string rules_version;
  std::string parent_id;  ///< "" for a root job; else the root (or parent) it belongs to
};

struct ClaimedJob {
  std::string id, root_id, customer_id, integration_id, pms, model;
  ast::Operation operation = ast::Operation::create;
  std::string record_id, payload;
  int attempts = 0;  ///< attempts made before this one
  Verdict verdict = Verdict::accept;
  std::string rules_version;
  std::string claim;  ///< this claim's token: what recording the job's outcome must show
  bool is_root() const { return id == root_id; }
};

/// What recording an outcome (a job's or a webhook delivery's) came to.
enum class OutcomeRecorded {
  recorded,          ///< applied now
  already_recorded,  ///< this claim's outcome was in already (a try whose answer was lost): nothing changed
  claim_lost,        ///< the claim no longer holds it (its lease ran out and another worker took it, a
                     ///< restart queued it again, or it was never claimed): refused, nothing changed
};
std::string_view outcome_recorded_name(OutcomeRecorded outcome);  ///< "recorded", ...

/// What one call to the PMS gave.
struct AttemptResult {
  int pms_status = 0;   ///< the PMS's HTTP status (0 when it could not be reached)
  std::string code;     ///< "ok", "timeout", "pms_error", ...
  std::string message;  ///< the PMS's own error, or a summary
};

struct CreatedRecord {
  std::string model;
  std::optional<std::string> native_id;  ///< the PMS's id; absent when it returned none (the record comes at the next sync)
  /// Gatehouse's id, minted when the success is recorded (the sync that brings the record keeps
  /// it); set by write_status(), ignored by succeed(). Absent without a native id.
  std::optional<std::string> id = std::nullopt;
};

enum class WriteState { pending, success, partial_success, failure };
std::string_view write_state_name(WriteState state);  ///< "PENDING", "SUCCESS", ...

struct WriteStatus {
  std::string job_id;  ///< the root job
  WriteState state = WriteState::pending;
  std::vector<std::string> errors;  ///< the PMS's errors of the jobs that failed
  std::vector<CreatedRecord> created;
  struct Attempt {
    std::string job_id, at;
    int pms_status = 0;
    std::string code, message;
  };
  std::vector<Attempt> attempts;
  std::string submitted_at;
  std::optional<std::string> finished_at;  ///< when the last job finished, once all have
  std::string rules_version;
};

/// The write-status JSON of the service: write_status, errors, created_record_id, job_id,
/// created, attempts, submitted_at, finished_at, rules_version.
std::string to_json(const WriteStatus& status);

class JobQueue {
 public:
  virtual ~JobQueue() = default;
  /// Stores the job; it is on disk when this returns. Returns the job's id. A child job whose
  /// parent does not exist is a StoreError::Kind::invalid_argument.
  virtual Result<std::string> enqueue(const NewJob& job, std::string_view now) = 0;
  /// A job due at `now`, now claimed by `worker`; nullopt when none is due. Fair across
  /// customers (above): the oldest due job of the customer with due work served least recently.
  virtual Result<std::optional<ClaimedJob>> claim(std::string_view worker, std::string_view now) = 0;
  // The two outcomes below apply to a job that `claim` (ClaimedJob::claim) holds, running; for
  // any other they change nothing and say why. So an outcome can be recorded again when a store
  // error left it unknown whether the first try landed (a COMMIT whose answer was lost), without
  // a second attempt or child jobs; and a worker that lost its claim cannot overwrite the outcome
  // of the one that holds it now.

  /// A failed attempt: the job is due again at `retry_at`, or failed for good without one.
  virtual Result<OutcomeRecorded> fail_attempt(const std::string& job_id, std::string_view claim,
                                               const AttemptResult& result, std::string_view now,
                                               const std::optional<std::string>& retry_at) = 0;
  /// The PMS took the write; `created` lists the records it made (each with a native id gets its
  /// gatehouse id here, in the same transaction). `children` are the calls
  /// that follow from it (their parent_id set), queued in the same transaction, so a crash
  /// cannot finish the job and lose them.
  virtual Result<OutcomeRecorded> succeed(const std::string& job_id, std::string_view claim,
                                          const AttemptResult& result, const std::vector<CreatedRecord>& created,
                                          std::string_view now, const std::vector<NewJob>& children = {}) = 0;
  /// At start: jobs a crash left running are queued again (due at once). Returns how many.
  virtual Result<std::size_t> resume_interrupted(std::string_view now) = 0;
  /// The status of root job `root_job_id`, if it exists and belongs to `customer_id`.
  virtual Result<std::optional<WriteStatus>> write_status(std::string_view customer_id,
                                                          std::string_view root_job_id) = 0;

  // Idempotency keys (idempotency.hpp). A key counts when it was kept at or after `live_since`;
  // one kept before is as if it had never been.

  /// Stores `job` under `key` in one transaction with the key and `answer`, when the key is free
  /// (KeyUse::stored, with the answer made for the new job); else stores nothing and says what
  /// the key holds: the kept answer when its fingerprint is `key`'s (replayed), or that it
  /// answered another request (used_for_other). Of two calls racing with one key, on one store
  /// or on two sharing a database, exactly one stores its job.
  virtual Result<KeyedWrite> enqueue_idempotent(const NewJob& job, const IdempotencyKey& key,
                                                const AnswerToKeep& answer, std::string_view now,
                                                std::string_view live_since) = 0;
  /// What `key` holds (replayed or used_for_other), or nullopt when it is free; stores nothing.
  virtual Result<std::optional<KeyedWrite>> find_idempotent(const IdempotencyKey& key,
                                                            std::string_view live_since) = 0;
  /// Deletes the keys kept before `live_since` (their jobs stay); returns how many.
  virtual Result<std::size_t> purge_idempotency_keys(std::string_view live_since) = 0;
  /// How many of the customer's jobs are unfinished (queued, or running): what its cap on queued
  /// writes is measured against. SqliteStore keeps it counted in the transactions that queue and
  /// finish jobs (one lookup); PostgresStore counts from an index on (state, customer), a walk
  /// over the customer's unfinished jobs only (a counter row would make every enqueue of one
  /// customer wait for the one before to commit).
  virtual Result<std::size_t> unfinished_jobs(std::string_view customer_id) = 0;
  /// Retention: deletes up to `max_writes` finished writes whose last job finished before `cutoff`
  /// (an RFC 3339 time as clock.hpp writes it), each with everything it holds: the root job, its
  /// child jobs, their attempts and created-records rows, and its webhook delivery. A write with a
  /// job still queued or running, whose webhook delivery is still queued or being sent, or whose
  /// idempotency key is still kept (a retry with the key must find it, not queue it again), is
  /// kept whatever its age. Returns how many writes were deleted (fewer than `max_writes`: no more are
  /// due). The records a write created stay in the record cache: they are the PMS's, not the job's.
  virtual Result<std::size_t> delete_finished_writes(std::string_view cutoff, std::size_t max_writes) = 0;
};

}  // namespace gatehouse::store
