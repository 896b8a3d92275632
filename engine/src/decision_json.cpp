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

constexpr std::string_view issue_keys[] = {"{\"path\":", ",\"code\":", ",\"message\":", ",\"rule\":", "null", "}", ","};

std::size_t issues_bound(const std::vector<Issue>& list) {
  std::size_t n = 2;  // []
  for (const Issue& issue : list) {
    n += json_string_bound(issue.path.size()) + json_string_bound(error_code_name(issue.code).size()) +
         json_string_bound(issue.message.size()) + json_string_bound(issue.rule.size());
    for (auto key : issue_keys) n += key.size();
  }
  return n;
}

void write_issues(Writer& w, const std::vector<Issue>& list) {
  w.raw("[");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Issue& issue = list[i];
    if (i) w.raw(",");
    w.raw("{\"path\":");
    w.string(issue.path);
    w.raw(",\"code\":");
    w.string(error_code_name(issue.code));
    w.raw(",\"message\":");
    w.string(issue.message);
    w.raw(",\"rule\":");
    if (issue.rule.empty()) {
      w.raw("null");
    } else {
      w.string(issue.rule);
    }
    w.raw("}");
  }
  w.raw("]");
}

constexpr std::string_view decision_keys[] = {
    "{\"verdict\":", ",\"status\":", "200", ",\"pms\":", ",\"model\":", ",\"operation\":",
    ",\"rules_version\":", ",\"errors\":", ",\"stripped\":", ",\"payload\":", "}"};

}  // namespace

void append_issues_json(const std::vector<Issue>& list, std::string& out) {
  Writer w(out, issues_bound(list));
  write_issues(w, list);
}

std::string to_json(const Decision& d) {
  std::string out;
  out.reserve(256 + (d.payload ? d.payload->size() : 0));
  append_json(d, out);
  return out;
}

void append_json(const Decision& d, std::string& out) {
  std::size_t bound = json_string_bound(verdict_name(d.verdict).size()) + json_string_bound(d.pms.size()) +
                      json_string_bound(d.model.size()) +
                      json_string_bound(std::string_view(ast::operation_name(d.operation)).size()) +
                      json_string_bound(d.rules_version.size()) + issues_bound(d.errors) +
                      issues_bound(d.stripped) + (d.payload ? d.payload->size() : 0);
  for (auto key : decision_keys) bound += key.size();
  Writer w(out, bound);
  w.raw("{\"verdict\":");
  w.string(verdict_name(d.verdict));
  w.raw(",\"status\":");
  w.raw(d.status == 200 ? "200" : d.status == 405 ? "405" : "400");
  w.raw(",\"pms\":");
  w.string(d.pms);
  w.raw(",\"model\":");
  w.string(d.model);
  w.raw(",\"operation\":");
  w.string(ast::operation_name(d.operation));
  w.raw(",\"rules_version\":");
  w.string(d.rules_version);
  w.raw(",\"errors\":");
  write_issues(w, d.errors);
  w.raw(",\"stripped\":");
  write_issues(w, d.stripped);
  if (d.payload) {
    // The payload is embedded as the JSON it is, byte for byte.
    w.raw(",\"payload\":");
    w.raw(*d.payload);
  }
  w.raw("}");
}

}  // namespace gatehouse
