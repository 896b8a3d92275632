#pragma once
// evaluate(): Request + Program -> Decision. The hot path.
//
// The Program is shared and read-only. Everything that changes during one evaluation lives in
// an EvaluationContext: the JSON parser, the padded copy of the payload, per-depth field tables,
// the output buffer of a strip. A context serves one thread at a time and is meant to be
// reused: after the first few calls, accepting a request allocates nothing.
//
// Nothing here throws for any input; a payload that is not what the rules want is a reject.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gatehouse/decision.hpp"
#include "gatehouse/program.hpp"

namespace gatehouse {

struct Limits {
  std::size_t max_payload_bytes = 1 << 20;  ///< larger payloads: payload_too_large
  std::uint32_t max_depth = 32;             ///< objects and arrays nested deeper: nesting_too_deep
  /// At most this many errors, and this many stripped fields, are listed; past it one
  /// too_many_errors issue says how many more there were (a payload of 60,000 unknown keys
  /// costs what 100 cost, and answers in a few kilobytes).
  std::size_t max_issues = 100;
  bool operator==(const Limits&) const = default;
};

/// What the evaluator did, step by step: for `gatehouse explain` and rule coverage in
/// `gatehouse test`. Off unless a Trace is attached to the context (it allocates).
struct TraceStep {
  enum class Kind {
    field,             ///< a supported field's value was checked against its rule (or found missing)
    not_supported,     ///< an unknown or unsupported member (rule: the model or the operation)
    cross_field_rule,  ///< a check, conditional requirement or `at least one of`
  };
  enum class Outcome { passed, failed, not_applied };
  Kind kind = Kind::field;
  std::string path;  ///< JSON Pointer of the value, or of the record for cross-field rules
  SourceRef rule;
  Outcome outcome = Outcome::passed;
};

struct Trace {
  std::vector<TraceStep> steps;
};

class EvaluationContext;

/// This thread's context for `limits`, made again when the limits differ from the last call's:
/// what every entry point that decides for callers on many threads (the service, the C ABI, the
/// Python module) uses, so that the limits its caller configured are the ones that hold.
EvaluationContext& thread_context(const Limits& limits);

class EvaluationContext {
 public:
  explicit EvaluationContext(Limits limits = {});
  ~EvaluationContext();
  EvaluationContext(const EvaluationContext&) = delete;
  EvaluationContext& operator=(const EvaluationContext&) = delete;

  const Limits& limits() const;

  /// Records every step of the following evaluations into `trace` (nullptr: stop tracing).
  /// The trace must outlive its use by this context.
  void set_trace(Trace* trace);

  struct State;  // private to the evaluator
  State& state() { return *state_; }

 private:
  std::unique_ptr<State> state_;
};

Decision evaluate(const Program& program, const Request& request, EvaluationContext& context);

}  // namespace gatehouse
