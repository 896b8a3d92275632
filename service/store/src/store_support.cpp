#include "store_support.hpp"

#include <stdexcept>

#include <chrono>
#include <cstdint>

#include "gatehouse/store/store.hpp"
#include "gatehouse/store/random_bytes.hpp"

namespace gatehouse::store {

std::string new_id() {
  static const char* hex = "0123456789abcdef";
  auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  char time[12];
  // Most significant digit first, so that ids compare like the times they hold.
  for (int i = 0; i < 12; ++i) time[i] = hex[(ms >> (4 * (11 - i))) & 15];
  // 80 bits from the OS's CSPRNG: an id tells nothing of the next.
  return std::string(time, sizeof time) + random_hex(10);
}

void roll_up(WriteStatus& status, const std::vector<JobOutcome>& jobs) {
  std::size_t pending = 0, succeeded = 0, failed = 0;
  std::string last_finished;
  for (const auto& job : jobs) {
    if (job.state == JobState::succeeded) ++succeeded;
    else if (job.state == JobState::failed) ++failed;
    else ++pending;
    if (job.finished_at > last_finished) last_finished = job.finished_at;
  }
  status.state = pending > 0      ? WriteState::pending
                 : failed == 0    ? WriteState::success
                 : succeeded == 0 ? WriteState::failure
                                  : WriteState::partial_success;
  if (pending == 0) status.finished_at = last_finished;
  for (const auto& job : jobs) {
    if (job.state != JobState::failed) continue;
    for (auto it = status.attempts.rbegin(); it != status.attempts.rend(); ++it) {
      if (it->job_id == job.id) {
        status.errors.push_back(it->message);
        break;
      }
    }
  }
}

JobState job_state_of(std::string_view text) {
  if (text == "queued") return JobState::queued;
  if (text == "running") return JobState::running;
  if (text == "succeeded") return JobState::succeeded;
  if (text == "failed") return JobState::failed;
  throw std::runtime_error("store: a job in the unknown state '" + std::string(text) + "'");
}

std::string_view operation_text(ast::Operation op) { return ast::operation_name(op); }

ast::Operation operation_of(std::string_view text) {
  if (auto op = ast::operation_from_name(text)) return *op;
  throw std::runtime_error("store: a job with the unknown operation '" + std::string(text) + "'");
}

std::string_view verdict_text(Verdict verdict) { return verdict_name(verdict); }

Verdict verdict_of(std::string_view text) {
  if (text == "accept") return Verdict::accept;
  if (text == "strip") return Verdict::strip;
  throw std::runtime_error("store: a job with the verdict '" + std::string(text) + "' (only accept and strip are jobs)");
}

}  // namespace gatehouse::store
