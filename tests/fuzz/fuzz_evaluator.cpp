// Fuzz target: random payloads against the bundled rules. The first byte picks the PMS, model,
// operation and flag; the rest is the payload. Every decision must be one of the three verdicts
// with a well-formed output, and nothing may crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include "gatehouse/evaluator.hpp"
#include "gatehouse/rules_loader.hpp"

namespace {

struct Target {
  std::string pms, model;
};

const gatehouse::Compilation& rules() {
  static const gatehouse::Compilation c = [] {
    auto compiled = gatehouse::compile_directory(std::filesystem::path(GATEHOUSE_SOURCE_DIR) / "rules");
    if (!compiled.ok()) std::abort();
    return compiled;
  }();
  return c;
}

const std::vector<Target>& targets() {
  static const std::vector<Target> list = [] {
    std::vector<Target> out;
    for (const auto& [id, pms] : rules().program->pms())
      for (const auto& [model, unused] : pms.models) out.push_back({id, model});
    out.push_back({"NO_SUCH_PMS", "residents"});
    return out;
  }();
  return list;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Target& t = targets()[data[0] % targets().size()];
  gatehouse::Request request;
  request.pms = t.pms;
  request.model = t.model;
  request.operation = (data[0] & 0x40) ? gatehouse::ast::Operation::create : gatehouse::ast::Operation::update;
  request.ignore_unknown_fields = (data[0] & 0x80) != 0;
  request.payload = std::string_view(reinterpret_cast<const char*>(data + 1), size - 1);
  thread_local gatehouse::EvaluationContext context;
  gatehouse::Decision d = gatehouse::evaluate(*rules().program, request, context);
  std::string json = gatehouse::to_json(d);
  if (json.empty() || json.front() != '{') std::abort();
  if (d.verdict != gatehouse::Verdict::reject && !d.payload) std::abort();
  return 0;
}
