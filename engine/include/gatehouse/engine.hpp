#pragma once
// Engine: the current program behind an atomic pointer, and rules reloaded without a restart.
//
// reload() compiles the new rules and swaps them in only if they compile; on error the old
// program stays and the diagnostics come back. Each evaluation takes a snapshot of the program
// when it starts, so requests in flight finish on the program they started with, and every
// decision carries the rules_version it was made with. All methods are safe from many threads.
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gatehouse/compiler.hpp"
#include "gatehouse/evaluator.hpp"

namespace gatehouse {

/// A decision together with the program it was made with (the decision's views point into it).
struct EngineDecision {
  std::shared_ptr<const Program> program;
  Decision decision;
};

class Engine {
 public:
  explicit Engine(std::shared_ptr<const Program> program);

  /// Compiles `dir` (or `sources`) and, if it compiles, makes it the current program. The
  /// Compilation says which happened (`ok()`) and holds the diagnostics either way.
  Compilation reload(const std::filesystem::path& dir);
  Compilation reload(SourceSet sources);

  /// What else new rules must satisfy before they replace the current ones (for the write
  /// service: every connector still maps every field the rules offer). Each problem it returns
  /// becomes an error of the reload's Compilation, and the old rules stay. Set before serving.
  void set_reload_check(std::function<std::vector<std::string>(const Program&)> check) {
    reload_check_ = std::move(check);
  }

  /// The current program (a snapshot: it stays valid however often rules are reloaded).
  std::shared_ptr<const Program> program() const { return program_.load(); }

  /// Decides with the current program. `context` is per thread; the request's views must stay
  /// valid while the decision is read.
  EngineDecision evaluate(const Request& request, EvaluationContext& context) const;

 private:
  Compilation swap_if_ok(Compilation c);
  std::atomic<std::shared_ptr<const Program>> program_;
  std::function<std::vector<std::string>(const Program&)> reload_check_;
};

}  // namespace gatehouse
