#pragma once
// What every Store implementation shares: ids, and summing a write's jobs up into its status.
#include <string>
#include <vector>

#include "gatehouse/store/job_store.hpp"

namespace gatehouse::store {

/// 128 random bits as 32 hex digits: job, delivery and webhook ids.
std::string new_id();

/// One job of a write as the roll-up needs it.
struct JobOutcome {
  std::string id;
  std::string state;        ///< queued, running, succeeded, failed
  std::string finished_at;  ///< "" while unfinished
};

/// Fills `status.state`, `finished_at` and `errors` from the write's jobs (in submission order)
/// and the attempts already in `status.attempts` (in time order): PENDING while any job is
/// unfinished, else SUCCESS, FAILURE or PARTIAL_SUCCESS; the errors are the last attempt of each
/// job that failed for good.
void roll_up(WriteStatus& status, const std::vector<JobOutcome>& jobs);

}  // namespace gatehouse::store
