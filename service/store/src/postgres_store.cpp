#include "gatehouse/store/postgres_store.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <stdexcept>

#include "record_id.hpp"
#include "store_support.hpp"

namespace gatehouse::store {

namespace {

// Times are the service's fixed-width RFC 3339 strings, compared as strings: COLLATE "C" makes
// that a byte comparison whatever the database's locale.
//
// One clock: the caller's. A due time is the caller's (a retry's `retry_at` is its now plus a
// backoff), so a lease is too: it ends at the claim's `now` plus lease_seconds (claimed_until,
// a TIMESTAMPTZ parsed from that `now`) and has run out when a later caller's `now` is past it.
// The database's clock is never compared with: measured against the callers' due times it let a
// lease run out early or late by the skew between the two clocks, or by how long the caller took
// between reading its clock and the query (a job was claimed again while its worker held it).
/// A migration: its SQL, then (when set) a step that needs code, in the same transaction.
struct Migration {
  const char* sql;
  void (*then)(PGconn*) = nullptr;
};

void carry_records_over(PGconn* c);

const Migration migrations[] = {
    // 1: everything the SQLite store has, in one step (this store started at that schema).
    {R"(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  root_id TEXT NOT NULL,
  parent_id TEXT,
  customer_id TEXT NOT NULL,
  integration_id TEXT NOT NULL,
  pms TEXT NOT NULL,
  model TEXT NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('create', 'update')),
  record_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  verdict TEXT NOT NULL,
  rules_version TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at TEXT COLLATE "C" NOT NULL,
  claimed_by TEXT,
  claimed_until TIMESTAMPTZ,
  submitted_at TEXT COLLATE "C" NOT NULL,
  finished_at TEXT COLLATE "C",
  seq BIGSERIAL
);
CREATE INDEX jobs_due ON jobs (state, due_at);
CREATE INDEX jobs_root ON jobs (root_id);
CREATE TABLE attempts (
  job_id TEXT NOT NULL REFERENCES jobs (id),
  at TEXT COLLATE "C" NOT NULL,
  pms_status INTEGER NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  seq BIGSERIAL
);
CREATE INDEX attempts_job ON attempts (job_id);
CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  api_key_sha256 TEXT NOT NULL UNIQUE,
  webhook_url TEXT,
  webhook_secret TEXT
);
CREATE TABLE integrations (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  pms TEXT NOT NULL,
  base_url TEXT NOT NULL,
  sync_interval_seconds INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE records (
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  integration_id TEXT NOT NULL REFERENCES integrations (id),
  json TEXT NOT NULL,
  synced_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (model, id)
);
CREATE TABLE created_records (
  job_id TEXT NOT NULL REFERENCES jobs (id),
  model TEXT NOT NULL,
  record_id TEXT,
  seq BIGSERIAL
);
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  root_id TEXT NOT NULL UNIQUE REFERENCES jobs (id),
  customer_id TEXT NOT NULL REFERENCES customers (id),
  state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at TEXT COLLATE "C" NOT NULL,
  claimed_until TIMESTAMPTZ,
  last_error TEXT,
  finished_at TEXT COLLATE "C"
);
CREATE INDEX webhooks_due ON webhooks (state, due_at);
)"},
    // 2: records keyed by (integration, model, PMS id), each with gatehouse's id. Before, the key
    // was (model, PMS id) across every integration: two PMSs' tenant 5001 were one row. The rows
    // are carried over with ids minted for them (carry_records_over), and so are the records
    // writes created (by their PMS id, without data until a sync brings it).
    {R"(
CREATE TABLE records_by_integration (
  id TEXT PRIMARY KEY,                   -- gatehouse's id (store/record_id.hpp)
  integration_id TEXT NOT NULL REFERENCES integrations (id),
  model TEXT NOT NULL,
  native_id TEXT NOT NULL,               -- the PMS's id
  json TEXT,                             -- NULL: created by a write, not yet read from the PMS
  synced_at TEXT COLLATE "C",
  UNIQUE (integration_id, model, native_id)
);
)",
     carry_records_over},
    // 3: a claim's token, so only the claim that holds a job or delivery records its outcome.
    {R"(
ALTER TABLE jobs ADD COLUMN claim TEXT;
ALTER TABLE webhooks ADD COLUMN claim TEXT;
)"},
    // 4: which finished writes a customer's webhook hears of (store/webhook_trigger.hpp): the
    // names of the triggers it chose, comma-separated (webhook_triggers_text). Every customer so
    // far heard of every finished write, and keeps doing so until told otherwise.
    {R"(
ALTER TABLE customers ADD COLUMN webhook_triggers TEXT NOT NULL
  DEFAULT 'WRITE_OPERATION_FAILURE,WRITE_OPERATION_SUCCESS';
)"},
    // 5: clients' idempotency keys (idempotency.hpp): per customer, each with the fingerprint of
    // the request that used it first, that request's job and the answer it was given.
    {R"(
CREATE TABLE idempotency_keys (
  customer_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  job_id TEXT NOT NULL REFERENCES jobs (id),
  response_status INTEGER NOT NULL,
  response_body TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (customer_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
)"},
    // 6: revocation (store.hpp). A customer or an integration is disabled, never deleted: its
    // history stays. `revocations` counts the changes, so that the other instances' lookup caches
    // can tell that one happened (caching_store.hpp).
    {R"(
ALTER TABLE customers ADD COLUMN disabled_at TEXT COLLATE "C";
ALTER TABLE integrations ADD COLUMN disabled_at TEXT COLLATE "C";
CREATE TABLE revocations (changes BIGINT NOT NULL);
INSERT INTO revocations VALUES (0);
)"},
    // 7: fair claims, queue caps and retention, as SQLite's migration 8: each customer's turn
    // (the claim_turn sequence's value when a job of theirs was last claimed; no row: never
    // served, turn 0), and the indexes for the customers with queued jobs and each one's oldest
    // due job (jobs_queue), a job's created records, and a write's idempotency key.
    {R"(
CREATE SEQUENCE claim_turn;
CREATE TABLE claim_turns (
  customer_id TEXT PRIMARY KEY,
  turn BIGINT NOT NULL
);
CREATE INDEX jobs_queue ON jobs (state, customer_id, due_at, submitted_at);
CREATE INDEX created_records_job ON created_records (job_id);
CREATE INDEX idempotency_keys_job ON idempotency_keys (job_id);
)"},
};

using Param = std::optional<std::string>;

/// A query's result, cleared on scope exit.
class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r) {}
  ~Rows() { PQclear(r_); }
  Rows(Rows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  int size() const { return PQntuples(r_); }
  bool empty() const { return size() == 0; }
  std::string text(int row, int column) const {
    return {PQgetvalue(r_, row, column), static_cast<std::size_t>(PQgetlength(r_, row, column))};
  }
  bool is_null(int row, int column) const { return PQgetisnull(r_, row, column) != 0; }
  int integer(int row, int column) const { return std::stoi(text(row, column)); }
  int affected() const {
    const char* n = PQcmdTuples(r_);
    return n && *n ? std::atoi(n) : 0;
  }

 private:
  PGresult* r_;
};

Rows run(PGconn* c, const std::string& sql, const std::vector<Param>& params = {}) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  // Without parameters, the simple protocol: it takes several statements (the migrations).
  PGresult* r = params.empty() ? PQexec(c, sql.c_str())
                               : PQexecParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                              nullptr, nullptr, 0);
  auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message = PQresultErrorMessage(r);
    // No result (r is null) when the connection is gone: the reason is the connection's.
    if (message.empty()) message = PQerrorMessage(c);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    PQclear(r);
    throw StoreUnavailable("store: postgres: " + message);
  }
  return Rows(r);
}

Param p(std::string_view s) { return std::string(s); }
Param p(int v) { return std::to_string(v); }

/// BEGIN ... COMMIT, rolled back when an exception leaves the scope.
class Transaction {
 public:
  explicit Transaction(PGconn* c) : c_(c) { run(c, "BEGIN"); }
  ~Transaction() {
    if (!committed_) PQclear(PQexec(c_, "ROLLBACK"));
  }
  void commit() {
    run(c_, "COMMIT");
    committed_ = true;
  }

 private:
  PGconn* c_;
  bool committed_ = false;
};

std::string insert_job(PGconn* c, const NewJob& job, std::string_view now) {
  std::string id = new_id();
  std::string root = id;
  if (!job.parent_id.empty()) {
    Rows parent = run(c, "SELECT root_id FROM jobs WHERE id = $1", {p(job.parent_id)});
    if (parent.empty()) throw std::invalid_argument("store: no parent job " + job.parent_id);
    root = parent.text(0, 0);
  }
  run(c,
      "INSERT INTO jobs (id, root_id, parent_id, customer_id, integration_id, pms, model, operation, record_id,"
      " payload, verdict, rules_version, state, due_at, submitted_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'queued', $13, $13)",
      {p(id), p(root), job.parent_id.empty() ? Param() : p(job.parent_id), p(job.customer_id), p(job.integration_id),
       p(job.pms), p(job.model), p(operation_text(job.operation)), p(job.record_id), p(job.payload),
       p(verdict_text(job.verdict)),
       p(job.rules_version), p(now)});
  return id;
}

/// Serialises the jobs of one write as they finish, so the last one to finish sees the others
/// finished and queues the webhook (READ COMMITTED would let two finishing children miss it).
void lock_write(PGconn* c, const std::string& job_id) {
  run(c, "SELECT 1 FROM jobs WHERE id = (SELECT root_id FROM jobs WHERE id = $1) FOR UPDATE", {p(job_id)});
}

/// Queues the webhook delivery of `job_id`'s write when that job was its last unfinished one, the
/// customer has a webhook and the write's trigger is one the customer chose: FAILURE when a job
/// of the write failed, else SUCCESS (webhook_trigger_of's rule, on the rows). Runs inside the
/// transaction that finishes the job (lock_write's).
void queue_webhook_if_finished(PGconn* c, const std::string& job_id, std::string_view now) {
  run(c,
      "INSERT INTO webhooks (id, root_id, customer_id, state, due_at)"
      " SELECT $1, j.root_id, j.customer_id, 'queued', $2 FROM jobs j JOIN customers cu ON cu.id = j.customer_id"
      " WHERE j.id = $3 AND cu.webhook_url IS NOT NULL AND cu.webhook_url != ''"
      " AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.root_id = j.root_id AND k.state IN ('queued', 'running'))"
      " AND strpos(',' || cu.webhook_triggers || ',',"
      "            CASE WHEN EXISTS (SELECT 1 FROM jobs f WHERE f.root_id = j.root_id AND f.state = 'failed')"
      "                 THEN $4::text ELSE $5::text END) > 0"
      " ON CONFLICT (root_id) DO NOTHING",
      {p(new_id()), p(now), p(job_id), p(webhook_trigger_token(WebhookTrigger::write_operation_failure)),
       p(webhook_trigger_token(WebhookTrigger::write_operation_success))});
}

/// Why an outcome's guarded UPDATE of `table` changed no row: this claim's outcome is in already
/// (the row still names the claim and is no longer in `claimed_state`), or the claim lost it.
OutcomeRecorded unchanged(PGconn* c, const std::string& table, const std::string& id, std::string_view claim,
                          const std::string& claimed_state) {
  Rows r = run(c, "SELECT 1 FROM " + table + " WHERE id = $1 AND claim = $2 AND state != $3",
               {p(id), p(claim), p(claimed_state)});
  return r.empty() ? OutcomeRecorded::claim_lost : OutcomeRecorded::already_recorded;
}

void add_attempt(PGconn* c, const std::string& job_id, const AttemptResult& r, std::string_view now) {
  run(c, "INSERT INTO attempts (job_id, at, pms_status, code, message) VALUES ($1, $2, $3, $4, $5)",
      {p(job_id), p(now), p(r.pms_status), p(r.code), p(r.message)});
}

/// Migration 2's step: each old row under a new id, then the records writes created (so their
/// write-status shows gatehouse's id), then the new table in the old one's place.
void carry_records_over(PGconn* c) {
  Rows old = run(c, "SELECT integration_id, model, id, json, synced_at FROM records");
  for (int i = 0; i < old.size(); ++i)
    run(c,
        "INSERT INTO records_by_integration (id, integration_id, model, native_id, json, synced_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        {p(new_record_id()), p(old.text(i, 0)), p(old.text(i, 1)), p(old.text(i, 2)), p(old.text(i, 3)),
         p(old.text(i, 4))});
  Rows created = run(c,
                     "SELECT DISTINCT j.integration_id, cr.model, cr.record_id FROM created_records cr"
                     " JOIN jobs j ON j.id = cr.job_id JOIN integrations i ON i.id = j.integration_id"
                     " WHERE cr.record_id IS NOT NULL");
  for (int i = 0; i < created.size(); ++i)
    run(c,
        "INSERT INTO records_by_integration (id, integration_id, model, native_id) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (integration_id, model, native_id) DO NOTHING",
        {p(new_record_id()), p(created.text(i, 0)), p(created.text(i, 1)), p(created.text(i, 2))});
  run(c,
      "DROP TABLE records; ALTER TABLE records_by_integration RENAME TO records;"
      " CREATE INDEX records_native ON records (model, native_id);");
}

std::string quote_identifier(const std::string& name) {
  for (char ch : name)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'))
      throw std::invalid_argument("store: the schema name '" + name + "' may hold letters, digits and '_' only");
  return "\"" + name + "\"";
}

}  // namespace

class PostgresStore::Lease {
 public:
  explicit Lease(PostgresStore& store) : store_(store), c_(store.acquire()) {}
  ~Lease() { store_.release(c_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  PGconn* get() const { return c_; }

 private:
  PostgresStore& store_;
  PGconn* c_;
};

PostgresStore::PostgresStore(PostgresOptions options) : options_(std::move(options)) {
  const std::string schema = quote_identifier(options_.schema);
  try {
    for (int i = 0; i < std::max(1, options_.connections); ++i) {
      PGconn* c = PQconnectdb(options_.conninfo.c_str());
      all_.push_back(c);
      if (PQstatus(c) != CONNECTION_OK)
        throw StoreUnavailable(std::string("store: cannot connect to postgres: ") + PQerrorMessage(c));
      PQclear(PQexec(c, "SET client_min_messages TO warning"));
      run(c, "CREATE SCHEMA IF NOT EXISTS " + schema);
      run(c, "SET search_path TO " + schema);
      idle_.push_back(c);
    }
    PGconn* c = all_.front();
    Transaction tx(c);
    run(c, "SELECT pg_advisory_xact_lock(hashtext($1))", {p("gatehouse schema " + options_.schema)});
    run(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    Rows v = run(c, "SELECT version FROM schema_version");
    int applied = v.empty() ? 0 : v.integer(0, 0);
    if (v.empty()) run(c, "INSERT INTO schema_version VALUES (0)");
    for (int i = applied; i < static_cast<int>(std::size(migrations)); ++i) {
      run(c, migrations[i].sql);
      if (migrations[i].then) migrations[i].then(c);
      run(c, "UPDATE schema_version SET version = $1", {p(i + 1)});
    }
    tx.commit();
  } catch (...) {
    for (PGconn* c : all_) PQfinish(c);
    throw;
  }
}

PostgresStore::~PostgresStore() {
  for (PGconn* c : all_) PQfinish(c);
}

PGconn* PostgresStore::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty(); });
  PGconn* c = idle_.back();
  idle_.pop_back();
  lock.unlock();
  // An idle connection the server closed (it restarted) still says CONNECTION_OK until it is
  // read from: reading what is pending finds the end of it, so the connection is made again here
  // instead of failing the request it was taken for.
  bool closed_by_server = PQstatus(c) == CONNECTION_OK && PQconsumeInput(c) == 0;
  if (closed_by_server || PQstatus(c) != CONNECTION_OK) {
    PQreset(c);  // the server restarted: reconnect (search_path is per session)
    if (PQstatus(c) == CONNECTION_OK) PQclear(PQexec(c, ("SET search_path TO " + quote_identifier(options_.schema)).c_str()));
  }
  return c;
}

void PostgresStore::release(PGconn* c) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(c);
  }
  available_.notify_one();
}

Result<std::string> PostgresStore::enqueue(const NewJob& job, std::string_view now) {
  return guarded([&]() -> std::string {
    Lease l(*this);
    Transaction tx(l.get());
    std::string id = insert_job(l.get(), job, now);
    tx.commit();
    return id;
  });
}

Result<std::optional<ClaimedJob>> PostgresStore::claim(std::string_view worker, std::string_view now) {
  return guarded([&]() -> std::optional<ClaimedJob> {
    Lease l(*this);
    PGconn* c = l.get();
    // Fair across customers (job_store.hpp), in two steps. First the customers with due work (a
    // queued job due, or a running one whose lease ran out: its instance died) in turn order, read
    // without locking: those with queued jobs are found by skipping through jobs_queue, one seek
    // per customer (a loose index scan), so the cost grows with the customers waiting, not with
    // their jobs. Then, for each in that order, its oldest such job, claimed with FOR UPDATE SKIP
    // LOCKED so that concurrent workers, of this instance or another, each take a different job;
    // the first customer that yields one is served, and its turn moves to the end in the same
    // statement. Concurrent claims may serve one customer twice before its new turn is committed
    // and seen: fairness holds to within the claims made at once, exclusivity always.
    // $2 and $3 are both `now`: the text due times compare with, and the instant leases do.
    Rows customers = run(c,
                         "WITH RECURSIVE queued (customer_id) AS ("
                         "  (SELECT customer_id FROM jobs WHERE state = 'queued' ORDER BY customer_id LIMIT 1)"
                         "  UNION ALL"
                         "  SELECT (SELECT j.customer_id FROM jobs j WHERE j.state = 'queued' AND j.customer_id > q.customer_id"
                         "          ORDER BY j.customer_id LIMIT 1)"
                         "  FROM queued q WHERE q.customer_id IS NOT NULL),"
                         " waiting AS ("  // LATERAL ... LIMIT 1: a probe per customer (an EXISTS may be planned as
                         "                "  // a hash join over every due job)
                         "  SELECT q.customer_id FROM queued q CROSS JOIN LATERAL (SELECT 1 FROM jobs j WHERE j.state = 'queued'"
                         "   AND j.customer_id = q.customer_id AND j.due_at <= $1 LIMIT 1) due"
                         "  UNION"
                         "  SELECT customer_id FROM jobs WHERE state = 'running' AND claimed_until < $2::timestamptz)"
                         " SELECT w.customer_id FROM waiting w LEFT JOIN claim_turns t ON t.customer_id = w.customer_id"
                         // 16 customers are tried at most: should every one's due jobs be taken by
                         // concurrent workers meanwhile, this worker finds nothing this time and
                         // looks again at its next round.
                         " ORDER BY COALESCE(t.turn, 0), w.customer_id LIMIT 16",
                         {p(now), p(now)});
    for (int i = 0; i < customers.size(); ++i) {
      // A job whose lease ran out first (it was claimed before any queued one), then the oldest
      // queued: COALESCE evaluates the second only when the first finds none, so one row is locked.
      Rows r = run(c,
                   "WITH claimed AS ("
                   "  UPDATE jobs SET state = 'running', claimed_by = $1, claim = $4,"
                   "   claimed_until = $3::timestamptz + make_interval(secs => $5)"
                   "  WHERE id = COALESCE("
                   "   (SELECT id FROM jobs WHERE state = 'running' AND customer_id = $6 AND claimed_until < $3::timestamptz"
                   "    ORDER BY due_at, submitted_at LIMIT 1 FOR UPDATE SKIP LOCKED),"
                   "   (SELECT id FROM jobs WHERE state = 'queued' AND customer_id = $6 AND due_at <= $2"
                   "    ORDER BY due_at, submitted_at LIMIT 1 FOR UPDATE SKIP LOCKED))"
                   "  RETURNING id, root_id, customer_id, integration_id, pms, model, operation, record_id, payload,"
                   "            attempts, verdict, rules_version, claim),"
                   " turned AS (INSERT INTO claim_turns (customer_id, turn) SELECT customer_id, nextval('claim_turn') FROM claimed"
                   "            ON CONFLICT (customer_id) DO UPDATE SET turn = excluded.turn)"
                   " SELECT * FROM claimed",
                   {p(worker), p(now), p(now), p(new_id()), p(options_.lease_seconds), p(customers.text(i, 0))});
      if (r.empty()) continue;  // another worker took this customer's last due jobs meanwhile
      return ClaimedJob{r.text(0, 0),  r.text(0, 1),    r.text(0, 2),    r.text(0, 3),
                        r.text(0, 4),  r.text(0, 5),    operation_of(r.text(0, 6)), r.text(0, 7),
                        r.text(0, 8),  r.integer(0, 9), verdict_of(r.text(0, 10)),  r.text(0, 11),
                        r.text(0, 12)};
    }
    return std::nullopt;
  });
}

// An outcome applies to a running job that its claim holds (job_store.hpp): the state change
// comes first and is guarded by the claim's token, and the rest of the outcome follows only when
// it changed the job. So recording again after a lost COMMIT answer changes nothing, and a worker
// whose lease ran out cannot record over the worker that claimed the job after it. The row keeps
// the token after the outcome: that is how a repeat is told from a lost claim.

Result<OutcomeRecorded> PostgresStore::fail_attempt(const std::string& job_id, std::string_view claim,
                                                    const AttemptResult& result, std::string_view now,
                                                    const std::optional<std::string>& retry_at) {
  return guarded([&]() -> OutcomeRecorded {
    Lease l(*this);
    PGconn* c = l.get();
    Transaction tx(c);
    lock_write(c, job_id);
    Rows changed = retry_at ? run(c,
                                  "UPDATE jobs SET state = 'queued', attempts = attempts + 1, due_at = $1,"
                                  " claimed_until = NULL WHERE id = $2 AND state = 'running' AND claim = $3",
                                  {p(*retry_at), p(job_id), p(claim)})
                            : run(c,
                                  "UPDATE jobs SET state = 'failed', attempts = attempts + 1, finished_at = $1"
                                  " WHERE id = $2 AND state = 'running' AND claim = $3",
                                  {p(now), p(job_id), p(claim)});
    if (changed.affected() == 0) return unchanged(c, "jobs", job_id, claim, "running");  // rolls back
    add_attempt(c, job_id, result, now);
    if (!retry_at) queue_webhook_if_finished(c, job_id, now);
    tx.commit();
    return OutcomeRecorded::recorded;
  });
}

Result<OutcomeRecorded> PostgresStore::succeed(const std::string& job_id, std::string_view claim,
                                               const AttemptResult& result, const std::vector<CreatedRecord>& created,
                                               std::string_view now, const std::vector<NewJob>& children) {
  return guarded([&]() -> OutcomeRecorded {
    Lease l(*this);
    PGconn* c = l.get();
    Transaction tx(c);
    lock_write(c, job_id);
    Rows changed = run(c,
                       "UPDATE jobs SET state = 'succeeded', attempts = attempts + 1, finished_at = $1"
                       " WHERE id = $2 AND state = 'running' AND claim = $3",
                       {p(now), p(job_id), p(claim)});
    if (changed.affected() == 0) return unchanged(c, "jobs", job_id, claim, "running");
    for (const auto& child : children) insert_job(c, child, now);
    add_attempt(c, job_id, result, now);
    for (const auto& r : created) {
      run(c, "INSERT INTO created_records (job_id, model, record_id) VALUES ($1, $2, $3)",
          {p(job_id), p(r.model), r.native_id ? p(*r.native_id) : Param()});
      // Its gatehouse id, now: the write-status and its webhook name the record by it, and the
      // sync that brings the record's data keeps it.
      if (r.native_id)
        run(c,
            "INSERT INTO records (id, integration_id, model, native_id)"
            " SELECT $1, j.integration_id, $2, $3 FROM jobs j JOIN integrations i ON i.id = j.integration_id"
            " WHERE j.id = $4 ON CONFLICT (integration_id, model, native_id) DO NOTHING",
            {p(new_record_id()), p(r.model), p(*r.native_id), p(job_id)});
    }
    queue_webhook_if_finished(c, job_id, now);  // after the children: a queued child means not finished
    tx.commit();
    return OutcomeRecorded::recorded;
  });
}

Result<std::size_t> PostgresStore::resume_interrupted(std::string_view now) {
  return guarded([&]() -> std::size_t {
    Lease l(*this);
    PGconn* c = l.get();
    Transaction tx(c);
    // The claim is dropped with the lease: its worker, if it still runs, cannot record an outcome.
    Rows jobs = run(c,
                    "UPDATE jobs SET state = 'queued', claimed_by = NULL, claim = NULL, claimed_until = NULL, due_at = $1"
                    " WHERE state = 'running' AND claimed_until < $2::timestamptz",
                    {p(now), p(now)});
    run(c,
        "UPDATE webhooks SET state = 'queued', claim = NULL, claimed_until = NULL, due_at = $1"
        " WHERE state = 'sending' AND claimed_until < $2::timestamptz",
        {p(now), p(now)});
    tx.commit();
    return static_cast<std::size_t>(jobs.affected());
  });
}

Result<std::optional<WriteStatus>> PostgresStore::write_status(std::string_view customer_id,
                                                               std::string_view root_job_id) {
  return guarded([&]() -> std::optional<WriteStatus> {
    Lease l(*this);
    PGconn* c = l.get();
    // One snapshot for the four reads.
    Transaction tx(c);
    run(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Rows root = run(c, "SELECT submitted_at, rules_version FROM jobs WHERE id = $1 AND parent_id IS NULL AND customer_id = $2",
                    {p(root_job_id), p(customer_id)});
    if (root.empty()) return std::nullopt;
    WriteStatus status;
    status.job_id = std::string(root_job_id);
    status.submitted_at = root.text(0, 0);
    status.rules_version = root.text(0, 1);
    std::vector<JobOutcome> jobs;
    Rows rows = run(c, "SELECT id, state, finished_at FROM jobs WHERE root_id = $1 ORDER BY submitted_at, seq",
                    {p(root_job_id)});
    for (int i = 0; i < rows.size(); ++i)
      jobs.push_back({rows.text(i, 0), job_state_of(rows.text(i, 1)), rows.is_null(i, 2) ? "" : rows.text(i, 2)});
    Rows attempts = run(c,
                        "SELECT a.job_id, a.at, a.pms_status, a.code, a.message FROM attempts a"
                        " JOIN jobs j ON j.id = a.job_id WHERE j.root_id = $1 ORDER BY a.at, a.seq",
                        {p(root_job_id)});
    for (int i = 0; i < attempts.size(); ++i)
      status.attempts.push_back({attempts.text(i, 0), attempts.text(i, 1), attempts.integer(i, 2), attempts.text(i, 3),
                                 attempts.text(i, 4)});
    Rows created = run(c,
                       "SELECT cr.model, cr.record_id, r.id FROM created_records cr JOIN jobs j ON j.id = cr.job_id"
                       " LEFT JOIN records r ON r.integration_id = j.integration_id AND r.model = cr.model"
                       "  AND r.native_id = cr.record_id"
                       " WHERE j.root_id = $1 ORDER BY j.submitted_at, cr.seq",
                       {p(root_job_id)});
    auto optional_text = [&](int row, int column) {
      return created.is_null(row, column) ? std::nullopt : std::optional(created.text(row, column));
    };
    for (int i = 0; i < created.size(); ++i)
      status.created.push_back({created.text(i, 0), optional_text(i, 1), optional_text(i, 2)});
    tx.commit();
    roll_up(status, jobs);
    return status;
  });
}

Result<void> PostgresStore::put_customer(std::string_view customer_id, std::string_view api_key) {
  return guarded([&] {
    Lease l(*this);
    run(l.get(),
        "INSERT INTO customers (id, api_key_sha256) VALUES ($1, $2)"
        " ON CONFLICT (id) DO UPDATE SET api_key_sha256 = excluded.api_key_sha256",
        {p(customer_id), p(sha256_hex(api_key))});
  });
}

Result<std::optional<std::string>> PostgresStore::customer_for_key(std::string_view api_key) {
  return guarded([&]() -> std::optional<std::string> {
    Lease l(*this);
    Rows r = run(l.get(), "SELECT id FROM customers WHERE api_key_sha256 = $1 AND disabled_at IS NULL", {p(sha256_hex(api_key))});
    if (r.empty()) return std::nullopt;
    return r.text(0, 0);
  });
}

Result<void> PostgresStore::set_webhook(std::string_view customer_id, std::string_view url, std::string_view secret) {
  return guarded([&] {
    Lease l(*this);
    Rows r = run(l.get(), "UPDATE customers SET webhook_url = $1, webhook_secret = $2 WHERE id = $3",
                 {p(url), p(secret), p(customer_id)});
    if (r.affected() == 0) throw std::invalid_argument("store: no customer " + std::string(customer_id));
  });
}

Result<std::optional<WebhookDelivery>> PostgresStore::claim_webhook(std::string_view now) {
  return guarded([&]() -> std::optional<WebhookDelivery> {
    Lease l(*this);
    // Leases on the caller's clock, as for jobs ($1 and $2 are both `now`).
    Rows r = run(l.get(),
                 "UPDATE webhooks w SET state = 'sending', claim = $3,"
                 " claimed_until = $2::timestamptz + make_interval(secs => $4)"
                 " FROM customers cu"
                 " WHERE cu.id = w.customer_id AND w.id = (SELECT id FROM webhooks"
                 "   WHERE (state = 'queued' AND due_at <= $1) OR (state = 'sending' AND claimed_until < $2::timestamptz)"
                 "   ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
                 " RETURNING w.id, w.root_id, w.customer_id, cu.webhook_url, cu.webhook_secret, w.attempts, w.claim",
                 {p(now), p(now), p(new_id()), p(options_.lease_seconds)});
    if (r.empty()) return std::nullopt;
    return WebhookDelivery{r.text(0, 0), r.text(0, 1),    r.text(0, 2), r.text(0, 3),
                           r.text(0, 4), r.integer(0, 5), r.text(0, 6)};
  });
}

Result<OutcomeRecorded> PostgresStore::finish_webhook(const std::string& id, std::string_view claim, bool delivered,
                                                      std::string_view error, std::string_view now,
                                                      const std::optional<std::string>& retry_at) {
  return guarded([&]() -> OutcomeRecorded {
    Lease l(*this);
    PGconn* c = l.get();
    Rows changed =
        delivered ? run(c,
                        "UPDATE webhooks SET state = 'delivered', attempts = attempts + 1, last_error = NULL, finished_at = $1"
                        " WHERE id = $2 AND state = 'sending' AND claim = $3",
                        {p(now), p(id), p(claim)})
        : retry_at ? run(c,
                         "UPDATE webhooks SET state = 'queued', attempts = attempts + 1, last_error = $1, due_at = $2,"
                         " claimed_until = NULL WHERE id = $3 AND state = 'sending' AND claim = $4",
                         {p(error), p(*retry_at), p(id), p(claim)})
                   : run(c,
                         "UPDATE webhooks SET state = 'failed', attempts = attempts + 1, last_error = $1, finished_at = $2"
                         " WHERE id = $3 AND state = 'sending' AND claim = $4",
                         {p(error), p(now), p(id), p(claim)});
    if (changed.affected() == 0) return unchanged(c, "webhooks", id, claim, "sending");
    return OutcomeRecorded::recorded;
  });
}

Result<void> PostgresStore::put_integration(const Integration& i) {
  return guarded([&] {
    Lease l(*this);
    run(l.get(),
        "INSERT INTO integrations (id, customer_id, pms, base_url, sync_interval_seconds) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, pms = excluded.pms,"
        " base_url = excluded.base_url, sync_interval_seconds = excluded.sync_interval_seconds",
        {p(i.id), p(i.customer_id), p(i.pms), p(i.base_url), p(i.sync_interval_seconds)});
  });
}

Result<std::vector<Integration>> PostgresStore::integrations() {
  return guarded([&]() -> std::vector<Integration> {
    Lease l(*this);
    Rows r = run(l.get(),
                 "SELECT i.id, i.customer_id, i.pms, i.base_url, i.sync_interval_seconds FROM integrations i"
                 " JOIN customers c ON c.id = i.customer_id WHERE i.disabled_at IS NULL AND c.disabled_at IS NULL"
                 " ORDER BY i.id");
    std::vector<Integration> out;
    for (int i = 0; i < r.size(); ++i)
      out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.integer(i, 4)});
    return out;
  });
}

Result<std::optional<Integration>> PostgresStore::integration(std::string_view customer_id, std::string_view id) {
  return guarded([&]() -> std::optional<Integration> {
    Lease l(*this);
    Rows r = run(l.get(),
                 "SELECT i.id, i.customer_id, i.pms, i.base_url, i.sync_interval_seconds FROM integrations i"
                 " JOIN customers c ON c.id = i.customer_id"
                 " WHERE i.id = $1 AND i.customer_id = $2 AND i.disabled_at IS NULL AND c.disabled_at IS NULL",
                 {p(id), p(customer_id)});
    if (r.empty()) return std::nullopt;
    return Integration{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.text(0, 3), r.integer(0, 4)};
  });
}

Result<std::string> PostgresStore::put_record(const CachedRecord& rec) {
  return guarded([&]() -> std::string {
    Lease l(*this);
    // A new id is drawn every time and kept only when the record is new: the id of a record the
    // store knows stays as it is (RETURNING gives the row's, not the one offered).
    Rows r = run(l.get(),
                 "INSERT INTO records (id, integration_id, model, native_id, json, synced_at) VALUES ($1, $2, $3, $4, $5, $6)"
                 " ON CONFLICT (integration_id, model, native_id) DO UPDATE SET json = excluded.json,"
                 " synced_at = excluded.synced_at RETURNING id",
                 {p(new_record_id()), p(rec.integration_id), p(rec.model), p(rec.native_id), p(rec.json),
                  p(rec.synced_at)});
    return r.text(0, 0);
  });
}

namespace {

CachedRecord record_of(const Rows& r, int row) {
  return CachedRecord{r.text(row, 0), r.text(row, 1), r.text(row, 2), r.text(row, 3), r.text(row, 4), r.text(row, 5)};
}

}  // namespace

Result<std::optional<CachedRecord>> PostgresStore::record(std::string_view customer_id, std::string_view model,
                                                          std::string_view id) {
  return guarded([&]() -> std::optional<CachedRecord> {
    Lease l(*this);
    Rows r = run(l.get(),
                 "SELECT r.model, r.native_id, r.integration_id, r.json, r.synced_at, r.id FROM records r"
                 " JOIN integrations i ON i.id = r.integration_id"
                 " WHERE r.id = $1 AND r.model = $2 AND i.customer_id = $3 AND r.json IS NOT NULL"
                 " AND i.disabled_at IS NULL",
                 {p(id), p(model), p(customer_id)});
    if (r.empty()) return std::nullopt;
    return record_of(r, 0);
  });
}

Result<std::optional<RecordKey>> PostgresStore::record_key(std::string_view customer_id, std::string_view model,
                                                           std::string_view id) {
  return guarded([&]() -> std::optional<RecordKey> {
    // Every write to an existing record asks this: where it points, not the record's JSON.
    Lease l(*this);
    Rows r = run(l.get(),
                 "SELECT r.integration_id, r.model, r.native_id FROM records r JOIN integrations i ON i.id = r.integration_id"
                 " WHERE r.id = $1 AND r.model = $2 AND i.customer_id = $3 AND i.disabled_at IS NULL",
                 {p(id), p(model), p(customer_id)});
    if (r.empty()) return std::nullopt;
    return RecordKey{r.text(0, 0), r.text(0, 1), r.text(0, 2)};
  });
}

Result<std::vector<CachedRecord>> PostgresStore::records_by_native_id(std::string_view customer_id,
                                                                      std::string_view model,
                                                                      std::string_view native_id) {
  return guarded([&]() -> std::vector<CachedRecord> {
    Lease l(*this);
    Rows r = run(l.get(),
                 "SELECT r.model, r.native_id, r.integration_id, r.json, r.synced_at, r.id FROM records r"
                 " JOIN integrations i ON i.id = r.integration_id"
                 " WHERE r.model = $1 AND r.native_id = $2 AND i.customer_id = $3 AND r.json IS NOT NULL"
                 " AND i.disabled_at IS NULL ORDER BY r.integration_id",
                 {p(model), p(native_id), p(customer_id)});
    std::vector<CachedRecord> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(record_of(r, i));
    return out;
  });
}

Result<void> PostgresStore::set_webhook_triggers(std::string_view customer_id,
                                                 const std::vector<WebhookTrigger>& triggers) {
  return guarded([&] {
    Lease l(*this);
    Rows r = run(l.get(), "UPDATE customers SET webhook_triggers = $1 WHERE id = $2",
                 {p(webhook_triggers_text(triggers)), p(customer_id)});
    if (r.affected() == 0) throw std::invalid_argument("store: no customer " + std::string(customer_id));
  });
}

// Idempotency keys. The job goes in first and the key after it, in one transaction: the key's
// INSERT ... ON CONFLICT is what decides between writes racing with one key, on any instance.
// PostgreSQL makes an INSERT that meets a key another transaction has inserted but not committed
// wait for that transaction: if it commits, the key is taken (and this write's job is rolled back
// with it); if it rolls back, the key is free and this write takes it. So exactly one job is
// stored per key, and a crash keeps the job and its key together or neither.

namespace {

/// What the key row `kept` (fingerprint, job_id, response_status, response_body) is to `key`.
KeyedWrite kept_answer(const Rows& kept, const IdempotencyKey& key) {
  if (kept.text(0, 0) != key.fingerprint) return KeyedWrite{KeyUse::used_for_other, "", 0, ""};
  return KeyedWrite{KeyUse::replayed, kept.text(0, 1), kept.integer(0, 2), kept.text(0, 3)};
}

}  // namespace

Result<KeyedWrite> PostgresStore::enqueue_idempotent(const NewJob& job, const IdempotencyKey& key,
                                                     const AnswerToKeep& answer, std::string_view now,
                                                     std::string_view live_since) {
  return guarded([&] {
    Lease l(*this);
    PGconn* c = l.get();
    Transaction tx(c);
    std::string id = insert_job(c, job, now);
    std::string body = answer.body(id);
    // A row kept before live_since (expired, not yet purged) is taken over. A live one is not
    // changed, but ON CONFLICT DO UPDATE locks it even so: it cannot change before it is read.
    Rows claimed = run(c,
                       "INSERT INTO idempotency_keys (customer_id, idempotency_key, fingerprint, job_id,"
                       " response_status, response_body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                       " ON CONFLICT (customer_id, idempotency_key) DO UPDATE SET fingerprint = excluded.fingerprint,"
                       " job_id = excluded.job_id, response_status = excluded.response_status,"
                       " response_body = excluded.response_body, created_at = excluded.created_at"
                       " WHERE idempotency_keys.created_at < $8 RETURNING 1",
                       {p(key.customer_id), p(key.key), p(key.fingerprint), p(id), p(answer.status), p(body), p(now),
                        p(live_since)});
    if (!claimed.empty()) {
      tx.commit();
      return KeyedWrite{KeyUse::stored, std::move(id), answer.status, std::move(body)};
    }
    Rows kept = run(c,
                    "SELECT fingerprint, job_id, response_status, response_body FROM idempotency_keys"
                    " WHERE customer_id = $1 AND idempotency_key = $2",
                    {p(key.customer_id), p(key.key)});
    if (kept.empty()) throw StoreUnavailable("store: idempotency key conflict without a row");  // cannot be: it is locked
    return kept_answer(kept, key);  // the transaction, with this write's job, rolls back
  });
}

Result<std::optional<KeyedWrite>> PostgresStore::find_idempotent(const IdempotencyKey& key,
                                                                 std::string_view live_since) {
  return guarded([&]() -> std::optional<KeyedWrite> {
    Lease l(*this);
    Rows kept = run(l.get(),
                    "SELECT fingerprint, job_id, response_status, response_body FROM idempotency_keys"
                    " WHERE customer_id = $1 AND idempotency_key = $2 AND created_at >= $3",
                    {p(key.customer_id), p(key.key), p(live_since)});
    if (kept.empty()) return std::nullopt;
    return kept_answer(kept, key);
  });
}

Result<std::size_t> PostgresStore::purge_idempotency_keys(std::string_view live_since) {
  return guarded([&] {
    Lease l(*this);
    Rows purged = run(l.get(), "DELETE FROM idempotency_keys WHERE created_at < $1", {p(live_since)});
    return static_cast<std::size_t>(purged.affected());
  });
}

namespace {

/// An UPDATE ... RETURNING id's rows: the ids it changed, in id order.
std::vector<std::string> changed_ids(const Rows& r) {
  std::vector<std::string> ids;
  for (int i = 0; i < r.size(); ++i) ids.push_back(r.text(i, 0));
  std::sort(ids.begin(), ids.end());
  return ids;
}

/// Counts one revocation, inside the transaction that made it. The row's lock also puts
/// revocations one after another.
void count_revocation(PGconn* c) { run(c, "UPDATE revocations SET changes = changes + 1"); }

}  // namespace

Result<std::optional<TenancyChange>> PostgresStore::revoke_customer(std::string_view customer_id,
                                                                    std::string_view now) {
  return guarded([&]() -> std::optional<TenancyChange> {
    Lease l(*this);
    PGconn* c = l.get();
    Transaction tx(c);
    if (run(c, "SELECT 1 FROM customers WHERE id = $1 FOR UPDATE", {p(customer_id)}).empty()) return std::nullopt;
    TenancyChange change;
    change.disabled_customers = changed_ids(
        run(c, "UPDATE customers SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL RETURNING id",
            {p(now), p(customer_id)}));
    change.disabled_integrations = changed_ids(
        run(c, "UPDATE integrations SET disabled_at = $1 WHERE customer_id = $2 AND disabled_at IS NULL RETURNING id",
            {p(now), p(customer_id)}));
    if (!change.empty()) count_revocation(c);
    tx.commit();
    return change;
  });
}

Result<std::optional<TenancyChange>> PostgresStore::revoke_integration(std::string_view integration_id,
                                                                       std::string_view now) {
  return guarded([&]() -> std::optional<TenancyChange> {
    Lease l(*this);
    PGconn* c = l.get();
    Transaction tx(c);
    if (run(c, "SELECT 1 FROM integrations WHERE id = $1 FOR UPDATE", {p(integration_id)}).empty())
      return std::nullopt;
    TenancyChange change;
    change.disabled_integrations = changed_ids(
        run(c, "UPDATE integrations SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL RETURNING id",
            {p(now), p(integration_id)}));
    if (!change.empty()) count_revocation(c);
    tx.commit();
    return change;
  });
}

Result<TenancyChange> PostgresStore::keep_only(const std::vector<std::string>& customer_ids,
                                               const std::vector<std::string>& integration_ids, std::string_view now) {
  return guarded([&] {
    Lease l(*this);
    PGconn* c = l.get();
    Transaction tx(c);
    // Instances starting together each apply their configuration whole, one after the other.
    run(c, "SELECT pg_advisory_xact_lock(hashtext($1))", {p("gatehouse keep_only " + options_.schema)});
    TenancyChange change;
    // Row by row: customers and integrations are few, and this runs once, at start.
    auto apply = [&](const std::string& table, const std::vector<std::string>& named, std::vector<std::string>& disabled,
                     std::vector<std::string>& enabled) {
      Rows rows = run(c, "SELECT id, disabled_at FROM " + table + " ORDER BY id");
      for (int i = 0; i < rows.size(); ++i) {
        std::string id = rows.text(i, 0);
        bool is_disabled = !rows.is_null(i, 1);
        bool keep = std::find(named.begin(), named.end(), id) != named.end();
        if (keep && is_disabled &&
            run(c, "UPDATE " + table + " SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL", {p(id)})
                    .affected() > 0)
          enabled.push_back(id);
        if (!keep && !is_disabled &&
            run(c, "UPDATE " + table + " SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL", {p(now), p(id)})
                    .affected() > 0)
          disabled.push_back(id);
      }
    };
    apply("customers", customer_ids, change.disabled_customers, change.enabled_customers);
    apply("integrations", integration_ids, change.disabled_integrations, change.enabled_integrations);
    if (!change.empty()) count_revocation(c);
    tx.commit();
    return change;
  });
}

Result<bool> PostgresStore::is_revoked(std::string_view customer_id, std::string_view integration_id) {
  return guarded([&] {
    Lease l(*this);
    Rows r = run(l.get(),
                 "SELECT EXISTS (SELECT 1 FROM customers WHERE id = $1 AND disabled_at IS NOT NULL)"
                 " OR EXISTS (SELECT 1 FROM integrations WHERE id = $2 AND disabled_at IS NOT NULL)",
                 {p(customer_id), p(integration_id)});
    return r.text(0, 0) == "t";
  });
}

Result<std::int64_t> PostgresStore::revocations() {
  return guarded([&] {
    Lease l(*this);
    Rows r = run(l.get(), "SELECT changes FROM revocations");
    if (r.empty()) throw StoreUnavailable("store: postgres: the revocations row is missing");
    return static_cast<std::int64_t>(std::stoll(r.text(0, 0)));
  });
}

Result<std::size_t> PostgresStore::unfinished_jobs(std::string_view customer_id) {
  return guarded([&] {
    Lease l(*this);
    Rows r = run(l.get(), "SELECT COUNT(*) FROM jobs WHERE customer_id = $1 AND state IN ('queued', 'running')",
                 {p(customer_id)});
    return static_cast<std::size_t>(std::stoull(r.text(0, 0)));
  });
}

Result<std::size_t> PostgresStore::delete_finished_writes(std::string_view cutoff, std::size_t max_writes) {
  return guarded([&] {
    Lease l(*this);
    // One statement, so one transaction: the expired roots are locked (SKIP LOCKED: an instance
    // running retention at the same time takes others), then every row of theirs goes. The
    // foreign keys (attempts, created records and the webhook delivery point at jobs) are checked
    // at the end of the statement, once all of them are gone. A finished job is never changed
    // again and a final delivery state is final, so what the snapshot saw still holds.
    Rows r = run(l.get(),
                 "WITH expired AS ("
                 "  SELECT r.id FROM jobs r WHERE r.state IN ('succeeded', 'failed') AND r.due_at < $1"  // jobs_due (as SQLite's)
                 "   AND r.finished_at < $1 AND r.parent_id IS NULL"
                 "   AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.root_id = r.id"
                 "                   AND (k.state IN ('queued', 'running') OR k.finished_at >= $1))"
                 "   AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.root_id = r.id AND w.state IN ('queued', 'sending'))"
                 "   AND NOT EXISTS (SELECT 1 FROM idempotency_keys i WHERE i.job_id = r.id)"  // as SQLite's
                 "  LIMIT $2 FOR UPDATE SKIP LOCKED),"
                 " doomed AS (SELECT j.id FROM jobs j WHERE j.root_id IN (SELECT id FROM expired)),"
                 " gone_attempts AS (DELETE FROM attempts WHERE job_id IN (SELECT id FROM doomed)),"
                 " gone_created AS (DELETE FROM created_records WHERE job_id IN (SELECT id FROM doomed)),"
                 " gone_webhooks AS (DELETE FROM webhooks WHERE root_id IN (SELECT id FROM expired)),"
                 " gone_jobs AS (DELETE FROM jobs WHERE id IN (SELECT id FROM doomed))"
                 " SELECT COUNT(*) FROM expired",
                 {p(cutoff), p(std::to_string(max_writes))});
    return static_cast<std::size_t>(std::stoull(r.text(0, 0)));
  });
}

}  // namespace gatehouse::store
