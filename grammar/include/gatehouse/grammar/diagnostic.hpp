#pragma once
// Diagnostics for rule authors, in the format compilers and editors understand:
//
//   pms/rentmanager.rules:14:7: error: unknown field 'emial_1' in model 'residents'; did you mean 'email_1'?
//      14 |       emial_1 length ..80
//         |       ^~~~~~~
//
// Every stage appends to one Diagnostics list so that a run reports all problems, not the first.
#include <string>
#include <vector>

#include "gatehouse/grammar/source.hpp"

namespace gatehouse {

enum class Severity { error, note };

struct Diagnostic {
  Severity severity = Severity::error;
  SourceRef at;
  std::string message;
};

class Diagnostics {
 public:
  void error(const SourceRef& at, std::string message);
  /// A note attaches to the diagnostic before it (e.g. "previous definition is here").
  void note(const SourceRef& at, std::string message);

  bool has_errors() const { return error_count_ > 0; }
  std::size_t error_count() const { return error_count_; }
  const std::vector<Diagnostic>& all() const { return items_; }

  /// Renders every diagnostic with its source line and caret.
  std::string render(const SourceSet& sources) const;

 private:
  std::vector<Diagnostic> items_;
  std::size_t error_count_ = 0;
};

/// Renders one diagnostic (location, message, source line, caret).
std::string render_diagnostic(const Diagnostic& d, const SourceSet& sources);

}  // namespace gatehouse
