#pragma once
// The canonical layout of .rules text (`gatehouse fmt`).
//
// Two-space indentation, one item per line, one blank line between top-level declarations,
// single blank lines between items kept where the author put them, expressions with only the
// parentheses they need, and every comment kept: own-line comments above the item they precede,
// end-of-line comments after the item of their line. Formatting is idempotent and the
// formatted text parses to the same AST.
#include <optional>
#include <string>
#include <vector>

#include "gatehouse/grammar/diagnostic.hpp"
#include "gatehouse/grammar/source.hpp"

namespace gatehouse {

struct Comment {
  SourceRef at;
  std::string text;  ///< from '#' to the end of the line, trailing spaces removed
};

/// Every comment of a file that parses, in order.
std::vector<Comment> collect_comments(const SourceSet& sources, std::uint32_t file);

/// The file in canonical layout; nullopt (with a diagnostic) if it does not parse.
std::optional<std::string> format_rules(const SourceSet& sources, std::uint32_t file,
                                        Diagnostics& diagnostics);

}  // namespace gatehouse
