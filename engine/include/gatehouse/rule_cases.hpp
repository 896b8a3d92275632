#pragma once
// Rule test cases in YAML: a request and the decision expected for it.
//
//   rules: ../../rules          # optional: rules directory, relative to this file
//   cases:
//     - name: rent manager refuses notes
//       pms: RENTMANAGER
//       model: residents
//       op: update
//       ignore_unknown_fields: false      # optional, default false
//       payload: '{"last_name": "Lee", "notes": "x"}'
//       expect:
//         verdict: reject                 # accept | strip | reject
//         status: 400                     # optional
//         errors:                         # exactly these (path, code) pairs, in any order
//           - /notes unsupported_field
//         stripped: []                    # optional; same form
//         payload: '{"last_name": "Lee"}' # optional: exact bytes sent on to the PMS
//
// Used by the data-driven GoogleTests and by `gatehouse test`.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gatehouse/decision.hpp"

namespace gatehouse {

struct ExpectedIssue {
  std::string path;
  std::string code;
  std::optional<std::string> message;  ///< checked when given
};

struct RuleCase {
  std::string file;  ///< the YAML file
  int line = 0;      ///< 1-based line of the case in the file
  std::string name;
  /// `source:` the reference page the case follows (path after the host), or "" when not given.
  std::string source;
  std::string pms, model;
  ast::Operation operation = ast::Operation::update;
  bool ignore_unknown_fields = false;
  std::string payload;
  std::string expect_verdict;
  std::optional<int> expect_status;
  std::vector<ExpectedIssue> expect_errors;
  std::optional<std::vector<ExpectedIssue>> expect_stripped;
  std::optional<std::string> expect_payload;
};

struct RuleCaseFile {
  std::string path;
  std::optional<std::filesystem::path> rules_dir;  ///< resolved against the file's folder
  std::vector<RuleCase> cases;
};

/// Reads one YAML file of cases. Throws std::runtime_error with "file:line: message" on a
/// malformed file.
RuleCaseFile load_rule_cases(const std::filesystem::path& file);

/// Compares a decision with what the case expects; returns a description of every difference
/// ("" when they match).
std::string compare_with_expectation(const RuleCase& c, const Decision& d);

}  // namespace gatehouse
