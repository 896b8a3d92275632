#pragma once
// Rule coverage: which field rules and cross-field rules of the PMS files some evaluation
// exercised (`gatehouse test --coverage`).
#include <set>
#include <string>
#include <vector>

#include "gatehouse/evaluator.hpp"
#include "gatehouse/program.hpp"

namespace gatehouse {

/// One rule written in a PMS file (or a shared block): a field rule or a cross-field rule.
struct RuleSite {
  SourceRef rule;
  std::string description;  ///< e.g. "field last_name (RENTMANAGER residents update)"
  std::string detail;       ///< the rule itself: "string length 1..50 required", or the message
};

/// Every rule site of the program's PMS operations, nested records included, each once (a rule
/// in a shared block used by several operations is one site), in file order.
std::vector<RuleSite> rule_sites(const Program& program);

class CoverageCounter {
 public:
  /// Counts the rules a traced evaluation exercised: a field rule when its field was checked or
  /// found missing; a cross-field rule when its condition was decided (not when unknown).
  void add(const Trace& trace);
  bool covered(const SourceRef& rule) const;

 private:
  std::set<std::tuple<std::uint32_t, std::uint32_t>> seen_;  // (file, offset)
};

}  // namespace gatehouse
