#include "gatehouse/coverage.hpp"

#include <algorithm>
#include <map>

namespace gatehouse {

namespace {

void collect(const RecordRules& r, const std::string& where, std::set<const RecordRules*>& seen,
             std::map<std::pair<std::uint32_t, std::uint32_t>, RuleSite>& out) {
  if (!seen.insert(&r).second) return;
  auto add = [&](const SourceRef& rule, std::string what, std::string detail) {
    out.try_emplace({rule.file, rule.offset}, RuleSite{rule, what + " (" + where + ")", detail});
  };
  for (const auto& f : r.fields) {
    if (!f.supported) continue;
    add(f.rule, "field " + f.name,
        describe_value_rules(f.value) + (f.required ? " required" : "") + (f.deprecated ? " (deprecated)" : ""));
    const ValueRules* v = &f.value;
    while (v->kind == ValueKind::list && v->element) v = v->element.get();
    if (v->kind == ValueKind::record && v->record) collect(*v->record, where + " " + f.name, seen, out);
  }
  for (const auto& q : r.conditional_requirements) add(q.rule, "requirement: " + q.message, q.message);
  for (const auto& a : r.at_least_one) add(a.rule, "rule: " + a.message, a.message);
  for (const auto& c : r.checks) add(c.rule, "check: " + c.message, c.message);
}

}  // namespace

std::vector<RuleSite> rule_sites(const Program& program) {
  std::map<std::pair<std::uint32_t, std::uint32_t>, RuleSite> sites;
  std::set<const RecordRules*> seen;
  for (const auto& [id, pms] : program.pms()) {
    for (const auto& [name, model] : pms.models) {
      for (auto op : ast::all_operations()) {
        const OperationRules& rules = model.operation(op);
        if (!rules.offered) continue;
        collect(*rules.record, id + " " + name + " " + ast::operation_name(op), seen, sites);
      }
    }
  }
  std::vector<RuleSite> out;
  for (auto& [key, site] : sites) out.push_back(std::move(site));
  return out;
}

void CoverageCounter::add(const Trace& trace) {
  for (const auto& step : trace.steps) {
    if (step.kind == TraceStep::Kind::not_supported) continue;
    if (step.outcome == TraceStep::Outcome::not_applied) continue;
    seen_.insert({step.rule.file, step.rule.offset});
  }
}

bool CoverageCounter::covered(const SourceRef& rule) const {
  return seen_.count({rule.file, rule.offset}) > 0;
}

}  // namespace gatehouse
