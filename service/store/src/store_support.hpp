#pragma once
// What every Store implementation shares: ids, and summing a write's jobs up into its status.
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/store/job_store.hpp"
#include "gatehouse/store/webhook_trigger.hpp"

namespace gatehouse::store {

/// A job, delivery or webhook id: 32 hex digits, the time in milliseconds (12) then 80 random
/// bits (20). Ids made later sort after (to the millisecond), so new rows land at the right edge
/// of the indexes on them: an insert dirties the same few pages as the one before instead of a
/// random leaf each, which is most of what a commit writes and syncs.
std::string new_id();

/// A job's operation and verdict as a row keeps them (their names: "create", "strip"), and back;
/// a name no gatehouse writes is a damaged row (std::runtime_error naming it).
std::string_view operation_text(ast::Operation op);
ast::Operation operation_of(std::string_view text);
std::string_view verdict_text(Verdict verdict);
Verdict verdict_of(std::string_view text);

/// Where a job stands; a row keeps its name (job_state_of reads it back).
enum class JobState { queued, running, succeeded, failed };
JobState job_state_of(std::string_view text);

/// One job of a write as the roll-up needs it.
struct JobOutcome {
  std::string id;
  JobState state = JobState::queued;
  std::string finished_at;  ///< "" while unfinished
};

/// Fills `status.state`, `finished_at` and `errors` from the write's jobs (in submission order)
/// and the attempts already in `status.attempts` (in time order): PENDING while any job is
/// unfinished, else SUCCESS, FAILURE or PARTIAL_SUCCESS; the errors are the last attempt of each
/// job that failed for good.
void roll_up(WriteStatus& status, const std::vector<JobOutcome>& jobs);

/// A customer's webhook triggers as its row keeps them (customers.webhook_triggers): their
/// names, comma-separated, each once, in all_webhook_triggers' order; "" for none.
std::string webhook_triggers_text(const std::vector<WebhookTrigger>& triggers);
/// What the SQL that queues a delivery looks for in ',' || webhook_triggers || ',': ",<name>,"
/// (the commas keep one name from matching inside another).
std::string webhook_trigger_token(WebhookTrigger trigger);

}  // namespace gatehouse::store
