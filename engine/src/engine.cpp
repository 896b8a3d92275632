#include "gatehouse/engine.hpp"

#include "gatehouse/rules_loader.hpp"

namespace gatehouse {

Engine::Engine(std::shared_ptr<const Program> program) : program_(std::move(program)) {}

Compilation Engine::swap_if_ok(Compilation c) {
  if (c.ok() && reload_check_) {
    auto problems = reload_check_(*c.program);
    for (auto& problem : problems) c.diagnostics.error(SourceRef{}, std::move(problem));
    if (!problems.empty()) c.program = nullptr;
  }
  if (c.ok()) program_.store(c.program);
  return c;
}

Compilation Engine::reload(const std::filesystem::path& dir) { return swap_if_ok(compile_directory(dir)); }

Compilation Engine::reload(SourceSet sources) { return swap_if_ok(compile(std::move(sources))); }

EngineDecision Engine::evaluate(const Request& request, EvaluationContext& context) const {
  EngineDecision out;
  out.program = program_.load();
  out.decision = gatehouse::evaluate(*out.program, request, context);
  return out;
}

}  // namespace gatehouse
