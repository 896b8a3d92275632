#pragma once
// A benchmark case: one request (bench/cases/<name>/request.json) for one PMS, model and
// operation (case.txt), with the bundled rules or the case's own (`rules DIR` in case.txt), and
// the JSON Schema that `gatehouse schema` exports for it.
#include <memory>
#include <string>

#include "gatehouse/compiler.hpp"
#include "gatehouse/decision.hpp"

namespace bench {

struct Case {
  std::string name;
  std::string pms, model, payload;
  gatehouse::ast::Operation op = gatehouse::ast::Operation::update;
  bool ignore_unknown_fields = false;
  std::shared_ptr<const gatehouse::Program> program;
  std::string schema;  ///< JSON Schema text for the peers
  gatehouse::Verdict expected = gatehouse::Verdict::accept;

  gatehouse::Request request() const { return {pms, model, op, ignore_unknown_fields, payload}; }
};

/// Loads bench/cases/<name>; aborts with a message if anything is missing or does not compile.
const Case& load_case(const std::string& name);

}  // namespace bench
