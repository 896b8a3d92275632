#pragma once
// Batch decisions: NDJSON in, NDJSON out (`gatehouse eval --batch FILE.ndjson`).
//
// Each input line is one request:
//   {"pms": "RENTMANAGER", "model": "residents", "op": "update",
//    "ignore_unknown_fields": false, "payload": {...}}
// ("ignore_unknown_fields" is optional). Each output line is the decision for the line of the
// same number. A line that is not such a request gets a reject decision with `invalid_json` and
// the line number in the message, so that output and input stay line for line. Empty lines are
// skipped, and produce no output line.
#include <cstddef>
#include <string>
#include <string_view>

#include "gatehouse/evaluator.hpp"

namespace gatehouse {

struct BatchCounts {
  std::size_t requests = 0;
  std::size_t accepted = 0;
  std::size_t stripped = 0;
  std::size_t rejected = 0;
};

class BatchRunner {
 public:
  BatchRunner(const Program& program, Limits limits = {});
  ~BatchRunner();

  /// Decides every line of `input`, appending one decision line per request to `output`.
  BatchCounts run(std::string_view input, std::string& output);

 private:
  struct Impl;
  const Program& program_;
  EvaluationContext context_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatehouse
