#include <cstring>

#include "gatehouse/decision.hpp"
#include "json_text.hpp"

namespace gatehouse {

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::accept: return "accept";
    case Verdict::strip: return "strip";
    case Verdict::reject: return "reject";
  }
  return "reject";
}

namespace {

// The decision is written into room reserved once for its largest possible size (every string
// byte escaped as \u00XX), so no write below checks capacity or reallocates: on the accept
// path the appends were a tenth of the decision's time.
class Writer {
 public:
  Writer(std::string& out, std::size_t bound) : out_(out) {
    const std::size_t at = out.size();
    out.resize(at + bound);
    p_ = out.data() + at;
  }
  ~Writer() { out_.resize(static_cast<std::size_t>(p_ - out_.data())); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void raw(std::string_view text) {
    std::memcpy(p_, text.data(), text.size());
    p_ += text.size();
  }
  void string(std::string_view text) { p_ = write_json_string(p_, text); }

 private:
  std::string& out_;
  char* p_;
};

// The literal pieces, named once: the writers below use them and the bounds add up their sizes,
// so the two cannot drift apart.
constexpr std::string_view open_issue = "{\"path\":", code_key = ",\"code\":", message_key = ",\"message\":",
                           rule_key = ",\"rule\":", null_value = "null", close_issue = "}", comma = ",";
constexpr std::string_view verdict_key = "{\"verdict\":", status_key = ",\"status\":", status_value = "200",
                           pms_key = ",\"pms\":", model_key = ",\"model\":", operation_key = ",\"operation\":",
                           rules_version_key = ",\"rules_version\":", errors_key = ",\"errors\":",
                           stripped_key = ",\"stripped\":", payload_key = ",\"payload\":", close_decision = "}";

std::size_t issues_bound(const std::vector<Issue>& list) {
  std::size_t n = 2;  // []
  for (const Issue& issue : list) {
    n += json_string_bound(issue.path.size()) + json_string_bound(error_code_name(issue.code).size()) +
         json_string_bound(issue.message.size()) + json_string_bound(issue.rule.size());
    for (auto piece : {open_issue, code_key, message_key, rule_key, null_value, close_issue, comma}) n += piece.size();
  }
  return n;
}

void write_issues(Writer& w, const std::vector<Issue>& list) {
  w.raw("[");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Issue& issue = list[i];
    if (i) w.raw(comma);
    w.raw(open_issue);
    w.string(issue.path);
    w.raw(code_key);
    w.string(error_code_name(issue.code));
    w.raw(message_key);
    w.string(issue.message);
    w.raw(rule_key);
    if (issue.rule.empty()) {
      w.raw(null_value);
    } else {
      w.string(issue.rule);
    }
    w.raw(close_issue);
  }
  w.raw("]");
}

}  // namespace

void append_issues_json(const std::vector<Issue>& list, std::string& out) {
  Writer w(out, issues_bound(list));
  write_issues(w, list);
}

std::string to_json(const Decision& d) {
  std::string out;
  append_json(d, out);  // reserves what it needs, once
  return out;
}

void append_json(const Decision& d, std::string& out) {
  std::size_t bound = json_string_bound(verdict_name(d.verdict).size()) + json_string_bound(d.pms.size()) +
                      json_string_bound(d.model.size()) +
                      json_string_bound(std::string_view(ast::operation_name(d.operation)).size()) +
                      json_string_bound(d.rules_version.size()) + issues_bound(d.errors) +
                      issues_bound(d.stripped) + (d.payload ? d.payload->size() : 0);
  for (auto piece : {verdict_key, status_key, status_value, pms_key, model_key, operation_key, rules_version_key,
                     errors_key, stripped_key, payload_key, close_decision})
    bound += piece.size();
  Writer w(out, bound);
  w.raw(verdict_key);
  w.string(verdict_name(d.verdict));
  w.raw(status_key);
  w.raw(d.status == 200 ? status_value : d.status == 405 ? "405" : "400");
  w.raw(pms_key);
  w.string(d.pms);
  w.raw(model_key);
  w.string(d.model);
  w.raw(operation_key);
  w.string(ast::operation_name(d.operation));
  w.raw(rules_version_key);
  w.string(d.rules_version);
  w.raw(errors_key);
  write_issues(w, d.errors);
  w.raw(stripped_key);
  write_issues(w, d.stripped);
  if (d.payload) {
    // The payload is embedded as the JSON it is, byte for byte.
    w.raw(payload_key);
    w.raw(*d.payload);
  }
  w.raw(close_decision);
}

}  // namespace gatehouse
