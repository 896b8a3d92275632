// gatehouse explain: the decision, field by field, with the rule behind each step.
#include <algorithm>
#include <iostream>
#include <map>

#include "cli_support.hpp"
#include "commands.hpp"
#include "gatehouse/coverage.hpp"

namespace gatehouse::cli {

namespace {

const char* outcome_name(const TraceStep& step, bool stripping) {
  if (step.kind == TraceStep::Kind::not_supported) return stripping ? "stripped" : "rejected";
  switch (step.outcome) {
    case TraceStep::Outcome::passed: return "ok";
    case TraceStep::Outcome::failed: return "FAILED";
    case TraceStep::Outcome::not_applied: return "not applied";
  }
  return "";
}

std::string why(const Decision& d) {
  switch (d.verdict) {
    case Verdict::accept:
      return "every field is supported by this PMS operation and valid; the payload goes on as sent";
    case Verdict::strip:
      return std::to_string(d.stripped.size()) +
             " member(s) this PMS does not take are removed (ignore_unknown_fields); nothing else is wrong";
    case Verdict::reject:
      if (d.status == 405) return "the PMS does not offer this operation at all";
      return std::to_string(d.errors.size()) + " error(s); invalid values are never stripped";
  }
  return "";
}

}  // namespace

int explain(const std::vector<std::string>& args) {
  po::options_description options = base_options();
  po::variables_map vm;
  const char* synopsis =
      "usage: gatehouse explain [--rules DIR] --pms PMS --model MODEL --op create|update\n"
      "                         [--ignore-unknown-fields] [FILE|-]";
  RequestArgs request;
  Compilation c;
  if (auto code = load_request(args, synopsis, options, vm, request, c)) return *code;

  std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> details;
  for (const auto& site : rule_sites(*c.program)) details[{site.rule.file, site.rule.offset}] = site.detail;

  Trace trace;
  EvaluationContext context(request.limits);
  context.set_trace(&trace);
  Decision d = evaluate(*c.program, request.request(), context);

  std::cout << request.pms << ' ' << request.model << ' ' << ast::operation_name(request.operation)
            << (request.ignore_unknown_fields ? " (ignore_unknown_fields)" : "") << ", rules_version "
            << c.program->rules_version() << "\n\n";
  auto matches = [&](const Issue& issue, const TraceStep& step) {
    return issue.rule == c.program->location(step.rule) &&
           (step.kind == TraceStep::Kind::cross_field_rule || issue.path == step.path);
  };
  std::size_t width = 9;
  for (const auto& step : trace.steps) width = std::max(width, step.path.size());
  auto column = [width](const std::string& path) {
    std::string text = path.empty() ? "(payload)" : path;
    return text + std::string(width - std::min(width, text.size()), ' ');
  };
  for (const auto& step : trace.steps) {
    std::string outcome = outcome_name(step, request.ignore_unknown_fields);
    std::cout << "  " << column(step.path) << "  " << outcome
              << std::string(13 - std::min<std::size_t>(13, outcome.size()), ' ')
              << c.program->location(step.rule);
    auto detail = details.find({step.rule.file, step.rule.offset});
    if (detail != details.end()) std::cout << "  " << detail->second;
    std::cout << '\n';
    for (const auto* list : {&d.errors, &d.stripped})
      for (const auto& issue : *list)
        if (matches(issue, step))
          std::cout << "      " << issue.path << " " << error_code_name(issue.code) << ": "
                    << issue.message << '\n';
  }
  // Errors no traced step explains: unknown PMS or model, the operation, invalid JSON, limits.
  for (const auto& issue : d.errors) {
    bool traced = std::any_of(trace.steps.begin(), trace.steps.end(),
                              [&](const TraceStep& step) { return matches(issue, step); });
    if (!traced)
      std::cout << "  " << column(issue.path) << "  FAILED       " << (issue.rule.empty() ? "-" : issue.rule)
                << "\n      " << error_code_name(issue.code) << ": " << issue.message << '\n';
  }
  std::cout << "\nverdict: " << verdict_name(d.verdict) << " (status " << d.status << "): " << why(d) << '\n';
  return d.verdict == Verdict::reject ? rejected : ok;
}

}  // namespace gatehouse::cli
