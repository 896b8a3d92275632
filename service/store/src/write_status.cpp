#include "gatehouse/store/job_store.hpp"
#include "gatehouse/json_string.hpp"

namespace gatehouse::store {

std::string_view write_state_name(WriteState state) {
  switch (state) {
    case WriteState::pending: return "PENDING";
    case WriteState::success: return "SUCCESS";
    case WriteState::partial_success: return "PARTIAL_SUCCESS";
    case WriteState::failure: return "FAILURE";
  }
  return "PENDING";
}

std::string_view outcome_recorded_name(OutcomeRecorded outcome) {
  switch (outcome) {
    case OutcomeRecorded::recorded: return "recorded";
    case OutcomeRecorded::already_recorded: return "already_recorded";
    case OutcomeRecorded::claim_lost: return "claim_lost";
  }
  return "claim_lost";
}

std::string to_json(const WriteStatus& s) {
  std::string out = "{\"write_status\":";
  append_json_string(out, write_state_name(s.state));
  out += ",\"errors\":[";
  for (std::size_t i = 0; i < s.errors.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, s.errors[i]);
  }
  // Gatehouse's id: the one a client reads and writes the record by (the PMS's is `x_id`).
  out += "],\"created_record_id\":";
  const CreatedRecord* first = nullptr;
  for (const auto& c : s.created)
    if (c.id) {
      first = &c;
      break;
    }
  if (first) {
    append_json_string(out, *first->id);
  } else {
    out += "null";
  }
  out += ",\"job_id\":";
  append_json_string(out, s.job_id);
  out += ",\"created\":[";
  for (std::size_t i = 0; i < s.created.size(); ++i) {
    if (i) out += ',';
    out += "{\"model\":";
    append_json_string(out, s.created[i].model);
    auto optional_string = [&](const std::optional<std::string>& text) {
      if (text) {
        append_json_string(out, *text);
      } else {
        out += "null";
      }
    };
    out += ",\"id\":";
    optional_string(s.created[i].id);
    out += ",\"x_id\":";
    optional_string(s.created[i].native_id);
    if (!s.created[i].native_id)
      out += ",\"note\":\"the PMS returns no id for this record; it appears at the next sync\"";
    out += '}';
  }
  out += "],\"attempts\":[";
  for (std::size_t i = 0; i < s.attempts.size(); ++i) {
    const auto& a = s.attempts[i];
    if (i) out += ',';
    out += "{\"job_id\":";
    append_json_string(out, a.job_id);
    out += ",\"at\":";
    append_json_string(out, a.at);
    out += ",\"pms_status\":" + std::to_string(a.pms_status) + ",\"code\":";
    append_json_string(out, a.code);
    out += ",\"message\":";
    append_json_string(out, a.message);
    out += '}';
  }
  out += "],\"submitted_at\":";
  append_json_string(out, s.submitted_at);
  out += ",\"finished_at\":";
  if (s.finished_at) {
    append_json_string(out, *s.finished_at);
  } else {
    out += "null";
  }
  out += ",\"rules_version\":";
  append_json_string(out, s.rules_version);
  out += '}';
  return out;
}

}  // namespace gatehouse::store
