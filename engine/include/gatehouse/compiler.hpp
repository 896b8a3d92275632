#pragma once
// compile(): .rules sources -> diagnostics and, when there are no errors, an immutable Program.
//
// All files are parsed and resolved in one run and every problem is reported: syntax errors
// (one per file), unknown or duplicate names (with "did you mean"), narrowings that widen or
// contradict the generic type, cross-field rules that name unknown or unsupported fields or
// compare incompatible types.
#include <memory>
#include <string>
#include <vector>

#include "gatehouse/grammar/ast.hpp"
#include "gatehouse/grammar/diagnostic.hpp"
#include "gatehouse/grammar/source.hpp"
#include "gatehouse/program.hpp"

namespace gatehouse {

struct Compilation {
  SourceSet sources;
  std::vector<ast::File> files;  ///< the files that parsed (for --dump-ast)
  Diagnostics diagnostics;
  std::shared_ptr<const Program> program;  ///< null when diagnostics has errors

  bool ok() const { return program != nullptr; }
  std::string render_diagnostics() const { return diagnostics.render(sources); }
};

Compilation compile(SourceSet sources);

}  // namespace gatehouse
