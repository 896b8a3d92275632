#pragma once
// The embedded job store: one SQLite file (WAL journal, full sync), safe from many threads.
#include <filesystem>
#include <memory>
#include <mutex>

#include "gatehouse/store/job_store.hpp"

struct sqlite3;

namespace gatehouse::store {

class SqliteJobStore final : public JobStore {
 public:
  /// Opens (or creates) the store at `path`; ":memory:" for a private in-memory store.
  /// Throws std::runtime_error with SQLite's message when the file cannot be opened.
  explicit SqliteJobStore(const std::string& path);
  ~SqliteJobStore() override;
  SqliteJobStore(const SqliteJobStore&) = delete;
  SqliteJobStore& operator=(const SqliteJobStore&) = delete;

  std::string enqueue(const NewJob& job, std::string_view now) override;
  std::optional<ClaimedJob> claim(std::string_view worker, std::string_view now) override;
  void fail_attempt(const std::string& job_id, const AttemptResult& result, std::string_view now,
                    const std::optional<std::string>& retry_at) override;
  void succeed(const std::string& job_id, const AttemptResult& result,
               const std::vector<CreatedRecord>& created, std::string_view now) override;
  std::size_t resume_interrupted(std::string_view now) override;
  std::optional<WriteStatus> write_status(std::string_view customer_id,
                                          std::string_view root_job_id) override;

 private:
  std::mutex mutex_;  // one connection, used by one thread at a time
  sqlite3* db_ = nullptr;
};

}  // namespace gatehouse::store
