#pragma once
// Parsing .rules text into an AST.
#include <optional>
#include <string>

#include "gatehouse/grammar/ast.hpp"
#include "gatehouse/grammar/diagnostic.hpp"
#include "gatehouse/grammar/source.hpp"

namespace gatehouse {

/// Parses one file of `sources`. On a syntax error, appends one diagnostic (the first error in
/// that file: after it the text's structure is unknown) and returns nullopt.
std::optional<ast::File> parse_rules(const SourceSet& sources, std::uint32_t file,
                                     Diagnostics& diagnostics);

/// A stable, indented text form of the AST, for tests and `--dump-ast`.
std::string dump_ast(const ast::File& file);

}  // namespace gatehouse
