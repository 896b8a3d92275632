#pragma once
// Request and Decision: the decision contract of DESIGN.md.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/error_code.hpp"
#include "gatehouse/grammar/ast.hpp"

namespace gatehouse {

struct Request {
  std::string_view pms;
  std::string_view model;
  ast::Operation operation = ast::Operation::update;
  bool ignore_unknown_fields = false;
  std::string_view payload;  ///< raw JSON bytes as received
  /// The caller promises that at least 64 readable bytes follow `payload` (simdjson's padding),
  /// so the evaluator reads it in place instead of copying it. Leave false when unsure.
  bool payload_is_padded = false;
};

enum class Verdict { accept, strip, reject };
std::string_view verdict_name(Verdict v);

/// One error, or one stripped field.
struct Issue {
  std::string path;  ///< JSON Pointer (RFC 6901) into the request payload; "" is the whole payload
  ErrorCode code;
  std::string message;
  std::string_view rule;  ///< "file:line:col" of the rule that decided it (text owned by the
                          ///< Program); "" when no rule applies
};

/// The outcome for one request.
///
/// Lifetime: `pms`, `model` view the Request's strings, `rules_version` the Program, and
/// `payload` either the Request's payload (accept) or the EvaluationContext's output buffer
/// (strip). Keep those alive, and do not reuse the context, while reading the Decision; call
/// `to_json()` to keep a copy.
struct Decision {
  Verdict verdict = Verdict::reject;
  int status = 400;  ///< 200 accept/strip; 405 when the only error is operation_not_supported; else 400
  std::string_view pms;
  std::string_view model;
  ast::Operation operation = ast::Operation::update;
  std::string_view rules_version;
  std::vector<Issue> errors;
  std::vector<Issue> stripped;
  std::optional<std::string_view> payload;  ///< what goes on to the PMS; absent on reject
};

/// The decision as the JSON object of the contract (one line, no trailing newline).
std::string to_json(const Decision& decision);
/// The same, appended to `out` (reuse one buffer to avoid an allocation per decision).
void append_json(const Decision& decision, std::string& out);
/// A list of issues as the decision JSON writes it: [{"path", "code", "message", "rule"}, ...].
void append_issues_json(const std::vector<Issue>& issues, std::string& out);

}  // namespace gatehouse
