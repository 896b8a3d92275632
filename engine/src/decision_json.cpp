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

void append_issues_json(const std::vector<Issue>& list, std::string& out) {
  out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Issue& issue = list[i];
    if (i) out += ',';
    out += "{\"path\":";
    append_json_string(out, issue.path);
    out += ",\"code\":";
    append_json_string(out, error_code_name(issue.code));
    out += ",\"message\":";
    append_json_string(out, issue.message);
    out += ",\"rule\":";
    if (issue.rule.empty()) {
      out += "null";
    } else {
      append_json_string(out, issue.rule);
    }
    out += '}';
  }
  out += ']';
}

std::string to_json(const Decision& d) {
  std::string out;
  out.reserve(256 + (d.payload ? d.payload->size() : 0));
  append_json(d, out);
  return out;
}

void append_json(const Decision& d, std::string& out) {
  out += "{\"verdict\":";
  append_json_string(out, verdict_name(d.verdict));
  out += ",\"status\":";
  out += d.status == 200 ? "200" : d.status == 405 ? "405" : "400";
  out += ",\"pms\":";
  append_json_string(out, d.pms);
  out += ",\"model\":";
  append_json_string(out, d.model);
  out += ",\"operation\":";
  append_json_string(out, ast::operation_name(d.operation));
  out += ",\"rules_version\":";
  append_json_string(out, d.rules_version);
  out += ",\"errors\":";
  append_issues_json(d.errors, out);
  out += ",\"stripped\":";
  append_issues_json(d.stripped, out);
  if (d.payload) {
    // The payload is embedded as the JSON it is, byte for byte.
    out += ",\"payload\":";
    out += *d.payload;
  }
  out += '}';
}

}  // namespace gatehouse
