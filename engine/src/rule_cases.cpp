#include "gatehouse/rule_cases.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "gatehouse/json_string.hpp"

namespace gatehouse {

namespace {

[[noreturn]] void fail(const std::string& file, const YAML::Node& at, const std::string& what) {
  throw std::runtime_error(file + ":" + std::to_string(at.Mark().line + 1) + ": " + what);
}

std::string scalar(const std::string& file, const YAML::Node& parent, const char* key,
                   bool required = true) {
  const YAML::Node n = parent[key];
  if (!n) {
    if (required) fail(file, parent, std::string("missing '") + key + "'");
    return {};
  }
  if (!n.IsScalar()) fail(file, n, std::string("'") + key + "' must be a single value");
  return n.Scalar();
}

std::vector<ExpectedIssue> issues(const std::string& file, const YAML::Node& list) {
  if (!list.IsSequence()) fail(file, list, "expected a list of issues");
  std::vector<ExpectedIssue> out;
  for (const auto& item : list) {
    ExpectedIssue e;
    if (item.IsScalar()) {
      // "/path code"; the path may be empty: " code" or just "code" means the whole payload.
      std::string text = item.Scalar();
      auto space = text.rfind(' ');
      if (space == std::string::npos) {
        e.code = text;
      } else {
        e.path = text.substr(0, space);
        e.code = text.substr(space + 1);
      }
    } else if (item.IsMap()) {
      e.path = scalar(file, item, "path", false);
      e.code = scalar(file, item, "code");
      if (item["message"]) e.message = scalar(file, item, "message");
    } else {
      fail(file, item, "an issue is \"/path code\" or {path, code, message}");
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string describe(const std::vector<ExpectedIssue>& list) {
  std::string out = "[";
  for (std::size_t i = 0; i < list.size(); ++i)
    out += (i ? ", " : "") + (list[i].path.empty() ? "\"\"" : list[i].path) + " " + list[i].code;
  return out + "]";
}

std::vector<ExpectedIssue> actual(const std::vector<Issue>& list) {
  std::vector<ExpectedIssue> out;
  for (const auto& i : list) out.push_back({i.path, std::string(error_code_name(i.code)), i.message});
  return out;
}

/// Multiset comparison of (path, code); messages compared where the expectation gives one.
bool same_issues(std::vector<ExpectedIssue> expected, std::vector<ExpectedIssue> got) {
  if (expected.size() != got.size()) return false;
  for (const auto& e : expected) {
    auto it = std::find_if(got.begin(), got.end(), [&](const ExpectedIssue& g) {
      return g.path == e.path && g.code == e.code && (!e.message || e.message == g.message);
    });
    if (it == got.end()) return false;
    got.erase(it);
  }
  return true;
}

}  // namespace

RuleCaseFile load_rule_cases(const std::filesystem::path& path) {
  const std::string file = path.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  RuleCaseFile out;
  out.path = file;
  if (!root.IsMap()) throw std::runtime_error(file + ":1: expected a mapping with 'cases'");
  if (root["rules"]) out.rules_dir = path.parent_path() / scalar(file, root, "rules");
  const YAML::Node cases = root["cases"];
  if (!cases || !cases.IsSequence()) fail(file, root, "expected 'cases:' with a list of cases");
  for (const auto& node : cases) {
    RuleCase c;
    c.file = file;
    c.line = node.Mark().line + 1;
    c.name = scalar(file, node, "name");
    if (node["source"]) c.source = scalar(file, node, "source");
    c.pms = scalar(file, node, "pms");
    c.model = scalar(file, node, "model");
    std::string op = scalar(file, node, "op");
    auto operation = ast::operation_from_name(op);
    if (!operation) fail(file, node["op"], "op must be one of " + ast::operation_names());
    c.operation = *operation;
    if (node["ignore_unknown_fields"]) c.ignore_unknown_fields = node["ignore_unknown_fields"].as<bool>();
    c.payload = scalar(file, node, "payload");
    const YAML::Node expect = node["expect"];
    if (!expect || !expect.IsMap()) fail(file, node, "missing 'expect:'");
    c.expect_verdict = scalar(file, expect, "verdict");
    if (c.expect_verdict != "accept" && c.expect_verdict != "strip" && c.expect_verdict != "reject")
      fail(file, expect["verdict"], "verdict must be accept, strip or reject");
    if (expect["status"]) c.expect_status = expect["status"].as<int>();
    if (expect["errors"]) c.expect_errors = issues(file, expect["errors"]);
    if (expect["stripped"]) c.expect_stripped = issues(file, expect["stripped"]);
    if (expect["payload"]) c.expect_payload = scalar(file, expect, "payload");
    out.cases.push_back(std::move(c));
  }
  return out;
}

std::string compare_with_expectation(const RuleCase& c, const Decision& d) {
  std::ostringstream diff;
  if (verdict_name(d.verdict) != c.expect_verdict)
    diff << "verdict: expected " << c.expect_verdict << ", got " << verdict_name(d.verdict) << "\n";
  if (c.expect_status && *c.expect_status != d.status)
    diff << "status: expected " << *c.expect_status << ", got " << d.status << "\n";
  auto got_errors = actual(d.errors);
  if (!same_issues(c.expect_errors, got_errors))
    diff << "errors: expected " << describe(c.expect_errors) << ", got " << describe(got_errors) << "\n";
  if (c.expect_stripped) {
    auto got_stripped = actual(d.stripped);
    if (!same_issues(*c.expect_stripped, got_stripped))
      diff << "stripped: expected " << describe(*c.expect_stripped) << ", got "
           << describe(got_stripped) << "\n";
  }
  if (c.expect_payload) {
    if (!d.payload) {
      diff << "payload: expected " << *c.expect_payload << ", got none\n";
    } else if (*d.payload != *c.expect_payload) {
      diff << "payload: expected " << *c.expect_payload << ", got " << *d.payload << "\n";
    }
  }
  // The report quotes payloads and expectations from the case file as they are: rendered valid
  // UTF-8, so a case about bad bytes cannot break the terminal or a GoogleTest XML report.
  return utf8_text(diff.str());
}

}  // namespace gatehouse
