#include "gatehouse/store/sqlite_store.hpp"

#include "record_id.hpp"
#include "store_support.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <iterator>
#include <unordered_map>
#include <random>
#include <stdexcept>

namespace gatehouse::store {

namespace {

// The first schema; later versions are the migrations below, applied in order and counted in
// SQLite's user_version, so a file written by an older gatehouse is brought up to date on open.
const char* const schema = R"(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  root_id TEXT NOT NULL,
  parent_id TEXT,
  customer_id TEXT NOT NULL,
  integration_id TEXT NOT NULL,
  pms TEXT NOT NULL,
  model TEXT NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('create', 'update')),
  record_id TEXT NOT NULL,
  payload BLOB NOT NULL,
  verdict TEXT NOT NULL,
  rules_version TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at TEXT NOT NULL,
  claimed_by TEXT,
  submitted_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, due_at);
CREATE INDEX IF NOT EXISTS jobs_root ON jobs (root_id);
CREATE TABLE IF NOT EXISTS attempts (
  job_id TEXT NOT NULL REFERENCES jobs (id),
  at TEXT NOT NULL,
  pms_status INTEGER NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_job ON attempts (job_id);
CREATE TABLE IF NOT EXISTS customers (
  id TEXT PRIMARY KEY,
  api_key_sha256 TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS integrations (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  pms TEXT NOT NULL,
  base_url TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  integration_id TEXT NOT NULL REFERENCES integrations (id),
  json TEXT NOT NULL,
  synced_at TEXT NOT NULL,
  PRIMARY KEY (model, id)
);
CREATE TABLE IF NOT EXISTS created_records (
  job_id TEXT NOT NULL REFERENCES jobs (id),
  model TEXT NOT NULL,
  record_id TEXT
);
)";

/// A migration: its SQL, then (when set) a step that needs code, in the same transaction.
struct Migration {
  const char* sql;
  void (*then)(SqliteStore::Connection&) = nullptr;
};

void carry_records_over(SqliteStore::Connection& db);

const Migration migrations[] = {
    // 1: webhooks. A customer's URL and secret; one delivery per finished write.
    {R"(
ALTER TABLE customers ADD COLUMN webhook_url TEXT;
ALTER TABLE customers ADD COLUMN webhook_secret TEXT;
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  root_id TEXT NOT NULL UNIQUE REFERENCES jobs (id),
  customer_id TEXT NOT NULL REFERENCES customers (id),
  state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at TEXT NOT NULL,
  last_error TEXT,
  finished_at TEXT
);
CREATE INDEX webhooks_due ON webhooks (state, due_at);
)"},
    // 2: a sync window per integration (0: the service's default).
    {R"(
ALTER TABLE integrations ADD COLUMN sync_interval_seconds INTEGER NOT NULL DEFAULT 0;
)"},
    // 3: records keyed by (integration, model, PMS id), each with gatehouse's id. Before, the key
    // was (model, PMS id) across every integration: two PMSs' tenant 5001 were one row. The rows
    // are carried over with ids minted for them (carry_records_over), and so are the records
    // writes created (by their PMS id, without data until a sync brings it). SQLite cannot change
    // a primary key in place: a new table takes the old one's place.
    {R"(
CREATE TABLE records_by_integration (
  id TEXT NOT NULL PRIMARY KEY,          -- gatehouse's id (store/record_id.hpp)
  integration_id TEXT NOT NULL REFERENCES integrations (id),
  model TEXT NOT NULL,
  native_id TEXT NOT NULL,               -- the PMS's id
  json TEXT,                             -- NULL: created by a write, not yet read from the PMS
  synced_at TEXT,
  UNIQUE (integration_id, model, native_id)
);
CREATE INDEX records_native ON records_by_integration (model, native_id);
)",
     carry_records_over},
    // 4: a claim's token, so only the claim that holds a job or delivery records its outcome.
    {R"(
ALTER TABLE jobs ADD COLUMN claim TEXT;
ALTER TABLE webhooks ADD COLUMN claim TEXT;
)"},
    // 5: which finished writes a customer's webhook hears of (store/webhook_trigger.hpp): the
    // names of the triggers it chose, comma-separated (webhook_triggers_text). Every customer so
    // far heard of every finished write, and keeps doing so until told otherwise.
    {R"(
ALTER TABLE customers ADD COLUMN webhook_triggers TEXT NOT NULL
  DEFAULT 'WRITE_OPERATION_FAILURE,WRITE_OPERATION_SUCCESS';
)"},
    // 6: clients' idempotency keys (idempotency.hpp): per customer, each with the fingerprint of
    // the request that used it first, that request's job and the answer it was given.
    {R"(
CREATE TABLE idempotency_keys (
  customer_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  job_id TEXT NOT NULL REFERENCES jobs (id),
  response_status INTEGER NOT NULL,
  response_body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (customer_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
)"},
    // 7: revocation (store.hpp). A customer or an integration is disabled, never deleted: its
    // history stays. `revocations` counts the changes, so that other instances' lookup caches can
    // tell that one happened (caching_store.hpp).
    {R"(
ALTER TABLE customers ADD COLUMN disabled_at TEXT;
ALTER TABLE integrations ADD COLUMN disabled_at TEXT;
CREATE TABLE revocations (changes INTEGER NOT NULL);
INSERT INTO revocations VALUES (0);
)"},
    // 8: fair claims, queue caps and retention (job_store.hpp). claim_turns: each customer's turn,
    // the claim counter when a job of theirs was last claimed (no row: never served, turn 0), and
    // claim_turns_latest the latest turn. queue_sizes: each customer's unfinished jobs, counted by
    // the transactions that queue and finish them, so the cap on queued writes is one lookup (the
    // jobs already queued are counted here). jobs_queue: the customers with queued jobs, found by
    // skipping through it (one seek per customer), and each one's oldest due job.
    // created_records_job: a job's created records (deleted with it; read by write_status).
    // idempotency_keys_job: whether a write's idempotency key is still kept (retention leaves
    // such a write alone). Retention finds finished writes through jobs_due: a job is due before
    // it finishes, so one that finished before a cutoff was due before it too.
    {R"(
CREATE TABLE claim_turns (
  customer_id TEXT PRIMARY KEY,
  turn INTEGER NOT NULL
);
CREATE TABLE queue_sizes (
  customer_id TEXT PRIMARY KEY,
  unfinished INTEGER NOT NULL
);
INSERT INTO queue_sizes (customer_id, unfinished)
  SELECT customer_id, COUNT(*) FROM jobs WHERE state IN ('queued', 'running') GROUP BY customer_id;
CREATE INDEX claim_turns_latest ON claim_turns (turn);
CREATE INDEX jobs_queue ON jobs (state, customer_id, due_at, submitted_at);
CREATE INDEX created_records_job ON created_records (job_id);
CREATE INDEX idempotency_keys_job ON idempotency_keys (job_id);
)"},
};

[[noreturn]] void fail(sqlite3* db, const char* what) {
  throw StoreUnavailable(std::string("store: ") + what + ": " + sqlite3_errmsg(db));
}

}  // namespace

/// One SQLite connection and its prepared statements, kept for reuse (preparing a statement costs
/// more than running it). A connection is used by one thread at a time (the writer behind its
/// lock, a reader while leased), and so are its statements.
struct SqliteStore::Connection {
  sqlite3* handle = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> statements;  // by the SQL literal's address
  ~Connection() {
    for (auto& [sql, stmt] : statements) sqlite3_finalize(stmt);
    sqlite3_close(handle);
  }
};

namespace {

using Connection = SqliteStore::Connection;

/// A statement of a connection (prepared once, then reused), reset on scope exit. `sql` must be
/// a string literal: its address is the cache key.
class Statement {
 public:
  Statement(Connection& c, const char* sql) : db_(c.handle) {
    auto [it, inserted] = c.statements.try_emplace(sql, nullptr);
    if (inserted &&
        sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &it->second, nullptr) != SQLITE_OK) {
      c.statements.erase(it);
      fail(db_, "prepare");
    }
    stmt_ = it->second;
  }
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::string_view text) {
    if (sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
      fail(db_, "bind");
    return *this;
  }
  Statement& bind(int i, int value) {
    if (sqlite3_bind_int(stmt_, i, value) != SQLITE_OK) fail(db_, "bind");
    return *this;
  }
  Statement& bind_null(int i) {
    if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) fail(db_, "bind");
    return *this;
  }
  /// Steps once: true when a row is there.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "step");
  }
  std::string text(int column) const {
    auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int integer(int column) const { return sqlite3_column_int(stmt_, column); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw StoreUnavailable(std::string("store: ") + message);
  }
}

/// BEGIN ... COMMIT around reads: one snapshot for all of them.
class ReadTransaction {
 public:
  explicit ReadTransaction(sqlite3* db) : db_(db) { exec(db, "BEGIN"); }
  ~ReadTransaction() { sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr); }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  sqlite3* db_;
};

/// BEGIN IMMEDIATE ... COMMIT, rolled back when an exception leaves the scope.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) { exec(db, "BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    exec(db_, "COMMIT");
    committed_ = true;
  }

 private:
  sqlite3* db_;
  bool committed_ = false;
};


/// Queues the webhook delivery of `job_id`'s write when that job was its last unfinished one, the
/// customer has a webhook and the write's trigger is one the customer chose: FAILURE when a job
/// of the write failed, else SUCCESS (webhook_trigger_of's rule, on the rows). Runs inside the
/// transaction that finishes the job.
void queue_webhook_if_finished(Connection& db, const std::string& job_id, std::string_view now) {
  Statement s(db,
              "INSERT OR IGNORE INTO webhooks (id, root_id, customer_id, state, due_at)"
              " SELECT ?, j.root_id, j.customer_id, 'queued', ? FROM jobs j JOIN customers c ON c.id = j.customer_id"
              " WHERE j.id = ? AND c.webhook_url IS NOT NULL AND c.webhook_url != ''"
              " AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.root_id = j.root_id AND k.state IN ('queued', 'running'))"
              " AND instr(',' || c.webhook_triggers || ',',"
              "           CASE WHEN EXISTS (SELECT 1 FROM jobs f WHERE f.root_id = j.root_id AND f.state = 'failed')"
              "                THEN ? ELSE ? END) > 0");
  s.bind(1, new_id()).bind(2, now).bind(3, job_id)
      .bind(4, webhook_trigger_token(WebhookTrigger::write_operation_failure))
      .bind(5, webhook_trigger_token(WebhookTrigger::write_operation_success))
      .step();
}

void add_attempt(Connection& db, const std::string& job_id, const AttemptResult& r, std::string_view now) {
  Statement s(db, "INSERT INTO attempts (job_id, at, pms_status, code, message) VALUES (?, ?, ?, ?, ?)");
  s.bind(1, job_id).bind(2, now).bind(3, r.pms_status).bind(4, r.code).bind(5, r.message).step();
}

/// Inserts a queued job (inside the caller's transaction); returns its id.
std::string insert_job(Connection& db, const NewJob& job, std::string_view now) {
  std::string id = new_id();
  std::string root = id;
  if (!job.parent_id.empty()) {
    Statement parent(db, "SELECT root_id FROM jobs WHERE id = ?");
    parent.bind(1, job.parent_id);
    if (!parent.step()) throw std::invalid_argument("store: no parent job " + job.parent_id);
    root = parent.text(0);
  }
  Statement s(db,
              "INSERT INTO jobs (id, root_id, parent_id, customer_id, integration_id, pms, model, operation,"
              " record_id, payload, verdict, rules_version, state, due_at, submitted_at)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)");
  s.bind(1, id).bind(2, root);
  if (job.parent_id.empty()) {
    s.bind_null(3);
  } else {
    s.bind(3, job.parent_id);
  }
  s.bind(4, job.customer_id).bind(5, job.integration_id).bind(6, job.pms).bind(7, job.model)
      .bind(8, operation_text(job.operation)).bind(9, job.record_id).bind(10, job.payload).bind(11, verdict_text(job.verdict))
      .bind(12, job.rules_version).bind(13, now).bind(14, now).step();
  Statement size(db, "INSERT INTO queue_sizes (customer_id, unfinished) VALUES (?, 1)"
                     " ON CONFLICT (customer_id) DO UPDATE SET unfinished = unfinished + 1");
  size.bind(1, job.customer_id).step();
  return id;
}

/// `job_id` has just finished (succeeded, or failed for good): one fewer unfinished job for its
/// customer. In the transaction that finished it, as insert_job counts it in the one that queues it.
void count_finished(Connection& db, const std::string& job_id) {
  Statement s(db, "UPDATE queue_sizes SET unfinished = unfinished - 1"
                  " WHERE customer_id = (SELECT customer_id FROM jobs WHERE id = ?)");
  s.bind(1, job_id).step();
}

}  // namespace

namespace {

/// Migration 3's step: each old row under a new id, then the records writes created (so their
/// write-status shows gatehouse's id), then the new table in the old one's place.
void carry_records_over(Connection& db) {
  {
    Statement old(db, "SELECT integration_id, model, id, json, synced_at FROM records");
    while (old.step()) {
      Statement insert(db, "INSERT INTO records_by_integration (id, integration_id, model, native_id, json, synced_at)"
                           " VALUES (?, ?, ?, ?, ?, ?)");
      insert.bind(1, new_record_id()).bind(2, old.text(0)).bind(3, old.text(1)).bind(4, old.text(2))
          .bind(5, old.text(3)).bind(6, old.text(4)).step();
    }
  }
  {
    Statement created(db, "SELECT DISTINCT j.integration_id, c.model, c.record_id FROM created_records c"
                          " JOIN jobs j ON j.id = c.job_id JOIN integrations i ON i.id = j.integration_id"
                          " WHERE c.record_id IS NOT NULL");
    while (created.step()) {
      Statement insert(db, "INSERT INTO records_by_integration (id, integration_id, model, native_id) VALUES (?, ?, ?, ?)"
                           " ON CONFLICT (integration_id, model, native_id) DO NOTHING");
      insert.bind(1, new_record_id()).bind(2, created.text(0)).bind(3, created.text(1)).bind(4, created.text(2)).step();
    }
  }
  exec(db.handle, "DROP TABLE records; ALTER TABLE records_by_integration RENAME TO records;");
}

/// Opens `path` into a new connection; throws with SQLite's message.
std::unique_ptr<Connection> open_connection(const std::string& path, int flags, const char* purpose) {
  auto c = std::make_unique<Connection>();
  // NOMUTEX: a connection is only ever used by one thread at a time (see Connection), so
  // SQLite's own per-call mutex would be paid on every call for nothing.
  if (sqlite3_open_v2(path.c_str(), &c->handle, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string message = c->handle ? sqlite3_errmsg(c->handle) : "cannot allocate";
    throw StoreUnavailable("store: cannot open '" + path + "'" + purpose + ": " + message);
  }
  sqlite3_busy_timeout(c->handle, 5000);
  return c;
}

/// The database file readable and writable by its owner alone (it holds customers' key hashes,
/// webhook secrets and their records): created so, or narrowed so if it exists. SQLite creates
/// its -wal and -shm files with the database file's permissions.
const std::string& owner_only(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return path;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) return path;  // SQLite's own open says why
  ::fchmod(fd, S_IRUSR | S_IWUSR);
  ::close(fd);
  for (const char* suffix : {"-wal", "-shm"}) ::chmod((path + suffix).c_str(), S_IRUSR | S_IWUSR);
  return path;
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path)
    : writer_(open_connection(owner_only(path), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "")) {
  exec(writer_->handle, schema);
  int applied = 0;
  {
    Statement version(*writer_, "PRAGMA user_version");
    version.step();
    applied = version.integer(0);
  }
  const int latest = static_cast<int>(std::size(migrations));
  for (int v = applied; v < latest; ++v) {
    Transaction tx(writer_->handle);
    exec(writer_->handle, migrations[v].sql);
    if (migrations[v].then) migrations[v].then(*writer_);
    exec(writer_->handle, ("PRAGMA user_version = " + std::to_string(v + 1)).c_str());
    tx.commit();
  }
  if (path != ":memory:" && !path.empty()) {
    for (int i = 0; i < 4; ++i) readers_.push_back(open_connection(path, SQLITE_OPEN_READONLY, " for reading"));
    for (auto& r : readers_) idle_readers_.push_back(r.get());
  }
  // Last, once nothing else can throw: a constructor that throws does not run the destructor,
  // which is what joins this thread. It starts with every signal blocked (a thread inherits the
  // mask of its creator), so that signals meant for the program (SIGHUP to reload, SIGTERM) never
  // land on it: the program may block them only later, in the threads it makes itself.
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  committer_ = std::thread([this] { commit_loop(); });
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

/// A read-only connection for one read (the writer, behind its lock, for an in-memory store).
class SqliteStore::Reader {
 public:
  explicit Reader(SqliteStore& store) : store_(store) {
    if (store.readers_.empty()) {
      writer_lock_ = std::unique_lock(store.mutex_);
      connection_ = store.writer_.get();
      return;
    }
    std::unique_lock lock(store.readers_mutex_);
    store.reader_free_.wait(lock, [&] { return !store.idle_readers_.empty(); });
    connection_ = store.idle_readers_.back();
    store.idle_readers_.pop_back();
  }
  ~Reader() {
    if (writer_lock_) return;
    {
      std::lock_guard lock(store_.readers_mutex_);
      store_.idle_readers_.push_back(connection_);
    }
    store_.reader_free_.notify_one();
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  Connection& get() const { return *connection_; }

 private:
  SqliteStore& store_;
  std::unique_lock<std::mutex> writer_lock_;
  Connection* connection_ = nullptr;
};

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  work_.notify_one();
  if (committer_.joinable()) committer_.join();
}

struct SqliteStore::PendingWrite {
  const std::function<void(Connection&)>& apply;
  bool done = false;
  std::exception_ptr error;
  std::condition_variable wake;  // this caller's own: a commit wakes only whom it concerns
};

void SqliteStore::write(const std::function<void(Connection&)>& apply) {
  PendingWrite me{apply, false, nullptr, {}};
  {
    std::unique_lock queue(queue_mutex_);
    pending_.push_back(&me);
    // The committer sleeps only with nothing pending, so the first write after that wakes it
    // (when it is committing instead, nobody waits and the notify costs nothing).
    if (pending_.size() == 1) work_.notify_one();
    me.wake.wait(queue, [&] { return me.done; });
  }
  if (me.error) std::rethrow_exception(me.error);
}

// One thread commits every batch, back to back: while it commits one, the next gathers. (Before,
// the first waiting caller committed and, when done, woke the next to commit the following
// batch; that wake-up sat between every two commits, and on busy cores it left the disk and a
// core idle, which cost a fifth of the durable write rate under load.)
void SqliteStore::commit_loop() {
  std::unique_lock queue(queue_mutex_);
  for (;;) {
    work_.wait(queue, [&] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, nothing left
    std::vector<PendingWrite*> batch;
    batch.swap(pending_);
    queue.unlock();
    commit_batch(batch);
    queue.lock();
    // Marked done here, under the lock, and not before: a caller that sees it done returns and
    // its PendingWrite (with its condition variable) is gone, so nothing may touch it after.
    for (PendingWrite* p : batch) {
      p->done = true;
      p->wake.notify_one();
    }
  }
}

void SqliteStore::commit_batch(const std::vector<PendingWrite*>& batch) {
  std::lock_guard lock(mutex_);
  try {
    Transaction tx(writer_->handle);
    for (PendingWrite* p : batch) p->apply(*writer_);
    tx.commit();  // with synchronous=FULL every write of the batch is on disk here
  } catch (...) {
    // One bad write (a job whose parent does not exist) must not fail the others: one by one.
    for (PendingWrite* p : batch) {
      try {
        Transaction tx(writer_->handle);
        p->apply(*writer_);
        tx.commit();
      } catch (...) {
        p->error = std::current_exception();
      }
    }
  }
}

Result<std::string> SqliteStore::enqueue(const NewJob& job, std::string_view now) {
  return guarded([&]() -> std::string {
    std::string id;
    write([&](Connection& db) { id = insert_job(db, job, now); });
    return id;
  });
}

Result<std::optional<ClaimedJob>> SqliteStore::claim(std::string_view worker, std::string_view now) {
  return guarded([&]() -> std::optional<ClaimedJob> {
    std::optional<ClaimedJob> claimed;
    write([&](Connection& db) {
      claimed.reset();
      // The customers with queued jobs, found by skipping through jobs_queue (one seek per
      // customer, whatever the number of jobs each has queued), those with a job due, in turn order
      // (a customer never served is turn 0); the first one's oldest due job. So a claim costs a few
      // seeks per customer waiting, not a walk over the jobs queued.
      std::string job_id;
      {  // done with (and reset) before the jobs table changes under it
        Statement pick(db,
                       "WITH RECURSIVE queued (customer_id) AS ("
                       "  SELECT (SELECT customer_id FROM jobs WHERE state = 'queued' ORDER BY customer_id LIMIT 1)"
                       "  UNION ALL"
                       "  SELECT (SELECT j.customer_id FROM jobs j WHERE j.state = 'queued' AND j.customer_id > q.customer_id"
                       "          ORDER BY j.customer_id LIMIT 1)"
                       "  FROM queued q WHERE q.customer_id IS NOT NULL)"
                       " SELECT (SELECT j.id FROM jobs j WHERE j.state = 'queued' AND j.customer_id = q.customer_id"
                       "         AND j.due_at <= ?1 ORDER BY j.due_at, j.submitted_at LIMIT 1)"
                       " FROM queued q LEFT JOIN claim_turns t ON t.customer_id = q.customer_id"
                       " WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.state = 'queued' AND j.customer_id = q.customer_id"
                       "               AND j.due_at <= ?1)"
                       " ORDER BY COALESCE(t.turn, 0), q.customer_id LIMIT 1");
        pick.bind(1, now);
        if (!pick.step()) return;
        job_id = pick.text(0);
      }
      Statement s(db,
                  "UPDATE jobs SET state = 'running', claimed_by = ?, claim = ? WHERE id = ?"
                  " RETURNING id, root_id, customer_id, integration_id, pms, model, operation, record_id,"
                  "           payload, attempts, verdict, rules_version, claim");
      s.bind(1, worker).bind(2, new_id()).bind(3, job_id);
      if (!s.step()) return;
      claimed = ClaimedJob{s.text(0), s.text(1), s.text(2),         s.text(3),  s.text(4),
                           s.text(5), operation_of(s.text(6)), s.text(7), s.text(8), s.integer(9),
                           verdict_of(s.text(10)), s.text(11), s.text(12)};
      while (s.step()) {
      }
      // Its turn moves to the end: SQLite has one writer, so one more than any turn before.
      Statement turn(db, "INSERT INTO claim_turns (customer_id, turn) VALUES (?, (SELECT COALESCE(MAX(turn), 0) + 1 FROM claim_turns))"
                         " ON CONFLICT (customer_id) DO UPDATE SET turn = excluded.turn");
      turn.bind(1, claimed->customer_id).step();
    });
    return claimed;
  });
}

namespace {

/// Why a job's guarded outcome UPDATE changed no row: this claim's outcome is in already (the
/// row still names the claim and is no longer running), or the claim lost the job.
OutcomeRecorded job_unchanged(Connection& db, const std::string& job_id, std::string_view claim) {
  Statement s(db, "SELECT 1 FROM jobs WHERE id = ? AND claim = ? AND state != 'running'");
  s.bind(1, job_id).bind(2, claim);
  return s.step() ? OutcomeRecorded::already_recorded : OutcomeRecorded::claim_lost;
}

/// An attempt's end: moves the running job that `claim` holds to `state` and counts the attempt;
/// `state` is "queued" (a retry, due again `at`) or a finished state (finished `at`). `recorded`
/// when it did; otherwise why not (job_unchanged), and the caller records nothing more.
OutcomeRecorded end_attempt(Connection& db, const std::string& job_id, std::string_view claim,
                            std::string_view state, std::string_view at) {
  // Two literals, not one string built here: a Statement's SQL is its cache key by address.
  Statement s(db, state == "queued" ? "UPDATE jobs SET state = ?, attempts = attempts + 1, due_at = ?"
                                      " WHERE id = ? AND state = 'running' AND claim = ?"
                                    : "UPDATE jobs SET state = ?, attempts = attempts + 1, finished_at = ?"
                                      " WHERE id = ? AND state = 'running' AND claim = ?");
  s.bind(1, state).bind(2, at).bind(3, job_id).bind(4, claim).step();
  return sqlite3_changes(db.handle) == 0 ? job_unchanged(db, job_id, claim) : OutcomeRecorded::recorded;
}

}  // namespace

// An outcome applies to a running job that its claim holds (job_store.hpp): the state change
// comes first and is guarded by the claim's token, and the rest of the outcome follows only when
// it changed the job. So recording again after a store error left it unknown changes nothing,
// and a worker whose claim a restart dropped cannot record over the claim that holds it now. The
// row keeps the token after the outcome: that is how a repeat is told from a lost claim.

Result<OutcomeRecorded> SqliteStore::fail_attempt(const std::string& job_id, std::string_view claim,
                                                  const AttemptResult& result, std::string_view now,
                                                  const std::optional<std::string>& retry_at) {
  return guarded([&]() -> OutcomeRecorded {
    OutcomeRecorded outcome = OutcomeRecorded::claim_lost;
    write([&](Connection& db) {
      outcome = retry_at ? end_attempt(db, job_id, claim, "queued", *retry_at)
                         : end_attempt(db, job_id, claim, "failed", now);
      if (outcome != OutcomeRecorded::recorded) return;
      add_attempt(db, job_id, result, now);
      if (!retry_at) {
        count_finished(db, job_id);
        queue_webhook_if_finished(db, job_id, now);
      }
    });
    return outcome;
  });
}

Result<OutcomeRecorded> SqliteStore::succeed(const std::string& job_id, std::string_view claim,
                                             const AttemptResult& result, const std::vector<CreatedRecord>& created,
                                             std::string_view now, const std::vector<NewJob>& children) {
  return guarded([&]() -> OutcomeRecorded {
    OutcomeRecorded outcome = OutcomeRecorded::claim_lost;
    write([&](Connection& db) {
      outcome = end_attempt(db, job_id, claim, "succeeded", now);
      if (outcome != OutcomeRecorded::recorded) return;
      count_finished(db, job_id);
      for (const auto& child : children) insert_job(db, child, now);
      add_attempt(db, job_id, result, now);
      for (const auto& r : created) {
        Statement c(db, "INSERT INTO created_records (job_id, model, record_id) VALUES (?, ?, ?)");
        c.bind(1, job_id).bind(2, r.model);
        if (r.native_id) {
          c.bind(3, *r.native_id);
        } else {
          c.bind_null(3);
        }
        c.step();
        if (!r.native_id) continue;
        // Its gatehouse id, now: the write-status and its webhook name the record by it, and the
        // sync that brings the record's data keeps it.
        Statement known(db, "INSERT INTO records (id, integration_id, model, native_id)"
                            " SELECT ?, j.integration_id, ?, ? FROM jobs j JOIN integrations i ON i.id = j.integration_id"
                            " WHERE j.id = ? ON CONFLICT (integration_id, model, native_id) DO NOTHING");
        known.bind(1, new_record_id()).bind(2, r.model).bind(3, *r.native_id).bind(4, job_id).step();
      }
      queue_webhook_if_finished(db, job_id, now);  // after the children: a queued child means not finished
    });
    return outcome;
  });
}

Result<std::size_t> SqliteStore::resume_interrupted(std::string_view now) {
  return guarded([&]() -> std::size_t {
    std::lock_guard lock(mutex_);
    Transaction tx(writer_->handle);
    // The claims are dropped: a worker that still held one cannot record its outcome.
    Statement s(*writer_,
                "UPDATE jobs SET state = 'queued', claimed_by = NULL, claim = NULL, due_at = ? WHERE state = 'running'");
    s.bind(1, now).step();
    auto resumed = static_cast<std::size_t>(sqlite3_changes(writer_->handle));
    Statement webhooks(*writer_, "UPDATE webhooks SET state = 'queued', claim = NULL, due_at = ? WHERE state = 'sending'");
    webhooks.bind(1, now).step();
    tx.commit();
    return resumed;
  });
}

Result<std::optional<WriteStatus>> SqliteStore::write_status(std::string_view customer_id,
                                                             std::string_view root_job_id) {
  return guarded([&]() -> std::optional<WriteStatus> {
    Reader reader(*this);
    Connection& db = reader.get();
    ReadTransaction snapshot(db.handle);  // the jobs, attempts and created records of one moment
    // A root job of this customer, or nothing: another customer's job does not exist for them.
    Statement root(db, "SELECT submitted_at, rules_version FROM jobs WHERE id = ? AND parent_id IS NULL AND customer_id = ?");
    root.bind(1, root_job_id).bind(2, customer_id);
    if (!root.step()) return std::nullopt;
    WriteStatus status;
    status.job_id = std::string(root_job_id);
    status.submitted_at = root.text(0);
    status.rules_version = root.text(1);

    std::vector<JobOutcome> jobs;
    Statement rows(db, "SELECT id, state, finished_at FROM jobs WHERE root_id = ? ORDER BY submitted_at, id");
    rows.bind(1, root_job_id);
    while (rows.step()) jobs.push_back({rows.text(0), job_state_of(rows.text(1)), rows.is_null(2) ? "" : rows.text(2)});
    Statement attempts(db,
                       "SELECT a.job_id, a.at, a.pms_status, a.code, a.message FROM attempts a"
                       " JOIN jobs j ON j.id = a.job_id WHERE j.root_id = ? ORDER BY a.at, a.rowid");
    attempts.bind(1, root_job_id);
    while (attempts.step())
      status.attempts.push_back({attempts.text(0), attempts.text(1), attempts.integer(2), attempts.text(3), attempts.text(4)});
    Statement created(db,
                      "SELECT c.model, c.record_id, r.id FROM created_records c JOIN jobs j ON j.id = c.job_id"
                      " LEFT JOIN records r ON r.integration_id = j.integration_id AND r.model = c.model"
                      "  AND r.native_id = c.record_id"
                      " WHERE j.root_id = ? ORDER BY j.submitted_at, c.rowid");
    created.bind(1, root_job_id);
    auto optional_text = [&](int column) { return created.is_null(column) ? std::nullopt : std::optional(created.text(column)); };
    while (created.step()) status.created.push_back({created.text(0), optional_text(1), optional_text(2)});
    roll_up(status, jobs);
    return status;
  });
}


Result<void> SqliteStore::put_customer(std::string_view customer_id, std::string_view api_key) {
  return guarded([&] {
    std::lock_guard lock(mutex_);
    Statement s(*writer_, "INSERT INTO customers (id, api_key_sha256) VALUES (?, ?)"
                     " ON CONFLICT (id) DO UPDATE SET api_key_sha256 = excluded.api_key_sha256");
    s.bind(1, customer_id).bind(2, sha256_hex(api_key)).step();
  });
}

Result<std::optional<std::string>> SqliteStore::customer_for_key(std::string_view api_key) {
  return guarded([&]() -> std::optional<std::string> {
    Reader reader(*this);
    Connection& db = reader.get();
    Statement s(db, "SELECT id FROM customers WHERE api_key_sha256 = ? AND disabled_at IS NULL");
    s.bind(1, sha256_hex(api_key));
    if (!s.step()) return std::nullopt;
    return s.text(0);
  });
}

Result<void> SqliteStore::set_webhook(std::string_view customer_id, std::string_view url, std::string_view secret) {
  return guarded([&] {
    std::lock_guard lock(mutex_);
    Statement s(*writer_, "UPDATE customers SET webhook_url = ?, webhook_secret = ? WHERE id = ?");
    s.bind(1, url).bind(2, secret).bind(3, customer_id).step();
    if (sqlite3_changes(writer_->handle) == 0) throw std::invalid_argument("store: no customer " + std::string(customer_id));
  });
}

Result<std::optional<WebhookDelivery>> SqliteStore::claim_webhook(std::string_view now) {
  return guarded([&]() -> std::optional<WebhookDelivery> {
    std::optional<WebhookDelivery> claimed;
    write([&](Connection& db) {
      claimed.reset();
      Statement s(db,
                  "UPDATE webhooks SET state = 'sending', claim = ?"
                  " WHERE id = (SELECT id FROM webhooks WHERE state = 'queued' AND due_at <= ? ORDER BY due_at LIMIT 1)"
                  " RETURNING id, root_id, customer_id, attempts, claim");
      s.bind(1, new_id()).bind(2, now);
      if (!s.step()) return;
      WebhookDelivery d{s.text(0), s.text(1), s.text(2), "", "", s.integer(3), s.text(4)};
      while (s.step()) {
      }
      Statement c(db, "SELECT webhook_url, webhook_secret FROM customers WHERE id = ?");
      c.bind(1, d.customer_id);
      if (c.step()) {
        d.url = c.text(0);
        d.secret = c.text(1);
      }
      claimed = std::move(d);
    });
    return claimed;
  });
}

Result<OutcomeRecorded> SqliteStore::finish_webhook(const std::string& id, std::string_view claim, bool delivered,
                                                    std::string_view error, std::string_view now,
                                                    const std::optional<std::string>& retry_at) {
  return guarded([&]() -> OutcomeRecorded {
    OutcomeRecorded outcome = OutcomeRecorded::claim_lost;
    write([&](Connection& db) {
      if (delivered) {
        Statement s(db, "UPDATE webhooks SET state = 'delivered', attempts = attempts + 1, last_error = NULL,"
                        " finished_at = ? WHERE id = ? AND state = 'sending' AND claim = ?");
        s.bind(1, now).bind(2, id).bind(3, claim).step();
      } else if (retry_at) {
        Statement s(db, "UPDATE webhooks SET state = 'queued', attempts = attempts + 1, last_error = ?, due_at = ?"
                        " WHERE id = ? AND state = 'sending' AND claim = ?");
        s.bind(1, error).bind(2, *retry_at).bind(3, id).bind(4, claim).step();
      } else {
        Statement s(db, "UPDATE webhooks SET state = 'failed', attempts = attempts + 1, last_error = ?, finished_at = ?"
                        " WHERE id = ? AND state = 'sending' AND claim = ?");
        s.bind(1, error).bind(2, now).bind(3, id).bind(4, claim).step();
      }
      if (sqlite3_changes(db.handle) != 0) {
        outcome = OutcomeRecorded::recorded;
        return;
      }
      Statement same(db, "SELECT 1 FROM webhooks WHERE id = ? AND claim = ? AND state != 'sending'");
      same.bind(1, id).bind(2, claim);
      outcome = same.step() ? OutcomeRecorded::already_recorded : OutcomeRecorded::claim_lost;
    });
    return outcome;
  });
}

Result<std::vector<Integration>> SqliteStore::integrations() {
  return guarded([&]() -> std::vector<Integration> {
    Reader reader(*this);
    Connection& db = reader.get();
    Statement s(db, "SELECT i.id, i.customer_id, i.pms, i.base_url, i.sync_interval_seconds FROM integrations i"
                     " JOIN customers c ON c.id = i.customer_id WHERE i.disabled_at IS NULL AND c.disabled_at IS NULL"
                     " ORDER BY i.id");
    std::vector<Integration> out;
    while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4)});
    return out;
  });
}

Result<void> SqliteStore::put_integration(const Integration& i) {
  return guarded([&] {
    std::lock_guard lock(mutex_);
    Statement s(*writer_, "INSERT INTO integrations (id, customer_id, pms, base_url, sync_interval_seconds) VALUES (?, ?, ?, ?, ?)"
                     " ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, pms = excluded.pms,"
                     " base_url = excluded.base_url, sync_interval_seconds = excluded.sync_interval_seconds");
    s.bind(1, i.id).bind(2, i.customer_id).bind(3, i.pms).bind(4, i.base_url).bind(5, i.sync_interval_seconds).step();
  });
}

Result<std::optional<Integration>> SqliteStore::integration(std::string_view customer_id, std::string_view id) {
  return guarded([&]() -> std::optional<Integration> {
    Reader reader(*this);
    Connection& db = reader.get();
    Statement s(db, "SELECT i.id, i.customer_id, i.pms, i.base_url, i.sync_interval_seconds FROM integrations i"
                     " JOIN customers c ON c.id = i.customer_id"
                     " WHERE i.id = ? AND i.customer_id = ? AND i.disabled_at IS NULL AND c.disabled_at IS NULL");
    s.bind(1, id).bind(2, customer_id);
    if (!s.step()) return std::nullopt;
    return Integration{s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4)};
  });
}

Result<std::string> SqliteStore::put_record(const CachedRecord& r) {
  return guarded([&]() -> std::string {
    std::lock_guard lock(mutex_);
    // A new id is drawn every time and kept only when the record is new: the id of a record the
    // store knows stays as it is (RETURNING gives the row's, not the one offered).
    Statement s(*writer_, "INSERT INTO records (id, integration_id, model, native_id, json, synced_at) VALUES (?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT (integration_id, model, native_id) DO UPDATE SET json = excluded.json,"
                     " synced_at = excluded.synced_at RETURNING id");
    s.bind(1, new_record_id()).bind(2, r.integration_id).bind(3, r.model).bind(4, r.native_id).bind(5, r.json)
        .bind(6, r.synced_at);
    if (!s.step()) fail(writer_->handle, "put_record returned no id");
    std::string id = s.text(0);
    while (s.step()) {
    }
    return id;
  });
}

namespace {

CachedRecord record_of(const Statement& s) {
  return CachedRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)};
}

}  // namespace

Result<std::optional<CachedRecord>> SqliteStore::record(std::string_view customer_id, std::string_view model,
                                                        std::string_view id) {
  return guarded([&]() -> std::optional<CachedRecord> {
    Reader reader(*this);
    Connection& db = reader.get();
    Statement s(db, "SELECT r.model, r.native_id, r.integration_id, r.json, r.synced_at, r.id FROM records r"
                     " JOIN integrations i ON i.id = r.integration_id"
                     " WHERE r.id = ? AND r.model = ? AND i.customer_id = ? AND r.json IS NOT NULL"
                     " AND i.disabled_at IS NULL");
    s.bind(1, id).bind(2, model).bind(3, customer_id);
    if (!s.step()) return std::nullopt;
    return record_of(s);
  });
}

Result<std::optional<RecordKey>> SqliteStore::record_key(std::string_view customer_id, std::string_view model,
                                                         std::string_view id) {
  return guarded([&]() -> std::optional<RecordKey> {
    Reader reader(*this);
    Connection& db = reader.get();
    Statement s(db, "SELECT r.integration_id, r.model, r.native_id FROM records r JOIN integrations i ON i.id = r.integration_id"
                     " WHERE r.id = ? AND r.model = ? AND i.customer_id = ? AND i.disabled_at IS NULL");
    s.bind(1, id).bind(2, model).bind(3, customer_id);
    if (!s.step()) return std::nullopt;
    return RecordKey{s.text(0), s.text(1), s.text(2)};
  });
}

Result<std::vector<CachedRecord>> SqliteStore::records_by_native_id(std::string_view customer_id,
                                                                    std::string_view model,
                                                                    std::string_view native_id) {
  return guarded([&]() -> std::vector<CachedRecord> {
    Reader reader(*this);
    Connection& db = reader.get();
    Statement s(db, "SELECT r.model, r.native_id, r.integration_id, r.json, r.synced_at, r.id FROM records r"
                     " JOIN integrations i ON i.id = r.integration_id"
                     " WHERE r.model = ? AND r.native_id = ? AND i.customer_id = ? AND r.json IS NOT NULL"
                     " AND i.disabled_at IS NULL ORDER BY r.integration_id");
    s.bind(1, model).bind(2, native_id).bind(3, customer_id);
    std::vector<CachedRecord> out;
    while (s.step()) out.push_back(record_of(s));
    return out;
  });
}

Result<void> SqliteStore::set_webhook_triggers(std::string_view customer_id,
                                               const std::vector<WebhookTrigger>& triggers) {
  return guarded([&] {
    std::lock_guard lock(mutex_);
    Statement s(*writer_, "UPDATE customers SET webhook_triggers = ? WHERE id = ?");
    s.bind(1, webhook_triggers_text(triggers)).bind(2, customer_id).step();
    if (sqlite3_changes(writer_->handle) == 0)
      throw std::invalid_argument("store: no customer " + std::string(customer_id));
  });
}

// Idempotency keys. The writer is the only connection that writes, and the check of the key, the
// job and the key's row are one of its transactions: two writes with one key cannot both find it
// free, and a crash keeps the job and its key together or neither.

namespace {

/// What the key row `kept` (fingerprint, job_id, response_status, response_body) is to `key`.
KeyedWrite kept_answer(const Statement& kept, const IdempotencyKey& key) {
  if (kept.text(0) != key.fingerprint) return KeyedWrite{KeyUse::used_for_other, "", 0, ""};
  return KeyedWrite{KeyUse::replayed, kept.text(1), kept.integer(2), kept.text(3)};
}

const char* const live_key_sql =
    "SELECT fingerprint, job_id, response_status, response_body FROM idempotency_keys"
    " WHERE customer_id = ? AND idempotency_key = ? AND created_at >= ?";

}  // namespace

Result<KeyedWrite> SqliteStore::enqueue_idempotent(const NewJob& job, const IdempotencyKey& key,
                                                   const AnswerToKeep& answer, std::string_view now,
                                                   std::string_view live_since) {
  return guarded([&] {
    KeyedWrite result;
    write([&](Connection& db) {
      {
        Statement kept(db, live_key_sql);
        kept.bind(1, key.customer_id).bind(2, key.key).bind(3, live_since);
        if (kept.step()) {
          result = kept_answer(kept, key);
          return;
        }
      }
      // Free, or kept before live_since (expired, not yet purged): the key is this write's now.
      Statement expired(db, "DELETE FROM idempotency_keys WHERE customer_id = ? AND idempotency_key = ?");
      expired.bind(1, key.customer_id).bind(2, key.key).step();
      std::string id = insert_job(db, job, now);
      std::string body = answer.body(id);
      Statement claim(db,
                      "INSERT INTO idempotency_keys (customer_id, idempotency_key, fingerprint, job_id, response_status,"
                      " response_body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
      claim.bind(1, key.customer_id).bind(2, key.key).bind(3, key.fingerprint).bind(4, id).bind(5, answer.status)
          .bind(6, body).bind(7, now).step();
      result = KeyedWrite{KeyUse::stored, std::move(id), answer.status, std::move(body)};
    });
    return result;
  });
}

Result<std::optional<KeyedWrite>> SqliteStore::find_idempotent(const IdempotencyKey& key, std::string_view live_since) {
  return guarded([&]() -> std::optional<KeyedWrite> {
    Reader reader(*this);
    Statement kept(reader.get(), live_key_sql);
    kept.bind(1, key.customer_id).bind(2, key.key).bind(3, live_since);
    if (!kept.step()) return std::nullopt;
    return kept_answer(kept, key);
  });
}

Result<std::size_t> SqliteStore::purge_idempotency_keys(std::string_view live_since) {
  return guarded([&] {
    std::size_t purged = 0;
    write([&](Connection& db) {
      Statement s(db, "DELETE FROM idempotency_keys WHERE created_at < ?");
      s.bind(1, live_since).step();
      purged = static_cast<std::size_t>(sqlite3_changes(db.handle));
    });
    return purged;
  });
}

namespace {

/// Steps an UPDATE ... RETURNING id to its end: the ids it changed, in id order.
std::vector<std::string> changed_ids(Statement& s) {
  std::vector<std::string> ids;
  while (s.step()) ids.push_back(s.text(0));
  std::sort(ids.begin(), ids.end());
  return ids;
}

/// Counts one revocation (inside the transaction that made it): what other instances look for.
void count_revocation(Connection& db) {
  Statement s(db, "UPDATE revocations SET changes = changes + 1");
  s.step();
}

/// Runs `sql` (an UPDATE of one row) with `params`: whether it changed the row.
bool changed(Connection& db, const char* sql, std::initializer_list<std::string_view> params) {
  Statement s(db, sql);
  int i = 0;
  for (auto param : params) s.bind(++i, param);
  s.step();
  return sqlite3_changes(db.handle) > 0;
}

}  // namespace

Result<std::optional<TenancyChange>> SqliteStore::revoke_customer(std::string_view customer_id, std::string_view now) {
  return guarded([&] {
    std::optional<TenancyChange> change;
    write([&](Connection& db) {
      change.reset();  // a second run (write()'s contract) starts afresh
      {
        Statement known(db, "SELECT 1 FROM customers WHERE id = ?");
        known.bind(1, customer_id);
        if (!known.step()) return;
      }
      change.emplace();
      {
        Statement s(db, "UPDATE customers SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL RETURNING id");
        s.bind(1, now).bind(2, customer_id);
        change->disabled_customers = changed_ids(s);
      }
      {
        Statement s(db, "UPDATE integrations SET disabled_at = ? WHERE customer_id = ? AND disabled_at IS NULL RETURNING id");
        s.bind(1, now).bind(2, customer_id);
        change->disabled_integrations = changed_ids(s);
      }
      if (!change->empty()) count_revocation(db);
    });
    return change;
  });
}

Result<std::optional<TenancyChange>> SqliteStore::revoke_integration(std::string_view integration_id,
                                                                     std::string_view now) {
  return guarded([&] {
    std::optional<TenancyChange> change;
    write([&](Connection& db) {
      change.reset();
      {
        Statement known(db, "SELECT 1 FROM integrations WHERE id = ?");
        known.bind(1, integration_id);
        if (!known.step()) return;
      }
      change.emplace();
      Statement s(db, "UPDATE integrations SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL RETURNING id");
      s.bind(1, now).bind(2, integration_id);
      change->disabled_integrations = changed_ids(s);
      if (!change->empty()) count_revocation(db);
    });
    return change;
  });
}

Result<TenancyChange> SqliteStore::keep_only(const std::vector<std::string>& customer_ids,
                                             const std::vector<std::string>& integration_ids, std::string_view now) {
  return guarded([&] {
    TenancyChange change;
    write([&](Connection& db) {
      change = {};
      // Row by row: customers and integrations are few (this runs once, at start), and the same
      // two statements serve every row.
      auto apply = [&](const char* all, const char* disable, const char* enable, const std::vector<std::string>& named,
                       std::vector<std::string>& disabled, std::vector<std::string>& enabled) {
        std::vector<std::pair<std::string, bool>> rows;  // id, disabled now
        {
          Statement s(db, all);
          while (s.step()) rows.emplace_back(s.text(0), !s.is_null(1));
        }
        for (const auto& [id, is_disabled] : rows) {
          bool keep = std::find(named.begin(), named.end(), id) != named.end();
          if (keep && is_disabled && changed(db, enable, {id})) enabled.push_back(id);
          if (!keep && !is_disabled && changed(db, disable, {now, id})) disabled.push_back(id);
        }
      };
      apply("SELECT id, disabled_at FROM customers ORDER BY id",
            "UPDATE customers SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL",
            "UPDATE customers SET disabled_at = NULL WHERE id = ?", customer_ids,
            change.disabled_customers, change.enabled_customers);
      apply("SELECT id, disabled_at FROM integrations ORDER BY id",
            "UPDATE integrations SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL",
            "UPDATE integrations SET disabled_at = NULL WHERE id = ?", integration_ids,
            change.disabled_integrations, change.enabled_integrations);
      if (!change.empty()) count_revocation(db);
    });
    return change;
  });
}

Result<bool> SqliteStore::is_revoked(std::string_view customer_id, std::string_view integration_id) {
  return guarded([&] {
    Reader reader(*this);
    Connection& db = reader.get();
    Statement s(db, "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ? AND disabled_at IS NOT NULL)"
                    " OR EXISTS (SELECT 1 FROM integrations WHERE id = ? AND disabled_at IS NOT NULL)");
    s.bind(1, customer_id).bind(2, integration_id);
    return s.step() && s.integer(0) != 0;
  });
}

Result<std::int64_t> SqliteStore::revocations() {
  return guarded([&] {
    Reader reader(*this);
    Connection& db = reader.get();
    Statement s(db, "SELECT changes FROM revocations");
    if (!s.step()) fail(db.handle, "the revocations row is missing");
    return static_cast<std::int64_t>(std::stoll(s.text(0)));
  });
}

Result<std::size_t> SqliteStore::unfinished_jobs(std::string_view customer_id) {
  return guarded([&] {
    Reader reader(*this);
    Connection& db = reader.get();
    // Kept counted by the transactions that queue and finish jobs (queue_sizes): one lookup.
    Statement s(db, "SELECT unfinished FROM queue_sizes WHERE customer_id = ?");
    s.bind(1, customer_id);
    return s.step() ? static_cast<std::size_t>(std::max(0, s.integer(0))) : std::size_t{0};
  });
}

Result<std::size_t> SqliteStore::delete_finished_writes(std::string_view cutoff, std::size_t max_writes) {
  return guarded([&] {
    std::size_t deleted = 0;
    // One transaction of the group commit: the writer is held for `max_writes` writes' rows at
    // most, so claims and enqueues wait no longer than that (the caller asks again for more).
    write([&](Connection& db) {
      deleted = 0;  // run again alone if its batch failed: counts afresh
      std::vector<std::string> roots;
      {
        // Through jobs_due (state, due_at): a job is due before it finishes, so the finished
        // roots due before the cutoff hold every one that finished before it, and little else.
        Statement expired(db,
                          "SELECT r.id FROM jobs r WHERE r.state IN ('succeeded', 'failed') AND r.due_at < ?1"
                          " AND r.finished_at < ?1 AND r.parent_id IS NULL"
                          " AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.root_id = r.id"
                          "                 AND (k.state IN ('queued', 'running') OR k.finished_at >= ?1))"
                          " AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.root_id = r.id"
                          "                 AND w.state IN ('queued', 'sending'))"
                          // A key still kept answers its retries with this job: the write stays
                          // until the key is purged (idempotency.hpp), or a retry would be a new write.
                          " AND NOT EXISTS (SELECT 1 FROM idempotency_keys i WHERE i.job_id = r.id)"
                          " LIMIT ?2");
        expired.bind(1, cutoff).bind(2, static_cast<int>(std::min<std::size_t>(max_writes, 1 << 30)));
        while (expired.step()) roots.push_back(expired.text(0));
      }
      for (const auto& root : roots) {
        Statement attempts(db, "DELETE FROM attempts WHERE job_id IN (SELECT id FROM jobs WHERE root_id = ?)");
        attempts.bind(1, root).step();
        Statement created(db, "DELETE FROM created_records WHERE job_id IN (SELECT id FROM jobs WHERE root_id = ?)");
        created.bind(1, root).step();
        Statement webhook(db, "DELETE FROM webhooks WHERE root_id = ?");
        webhook.bind(1, root).step();
        Statement jobs(db, "DELETE FROM jobs WHERE root_id = ?");
        jobs.bind(1, root).step();
      }
      deleted = roots.size();
    });
    return deleted;
  });
}

}  // namespace gatehouse::store
