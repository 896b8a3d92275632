#include "gatehouse/grammar/parser.hpp"

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "actions.hpp"
#include "errors.hpp"
#include "grammar.hpp"

namespace gatehouse {

namespace {

std::uint32_t line_length(std::string_view text, std::size_t offset) {
  std::size_t end = offset;
  while (end < text.size() && text[end] != '\n' && text[end] != ' ' && text[end] != '\t' &&
         text[end] != '\r')
    ++end;
  return static_cast<std::uint32_t>(end > offset ? end - offset : 1);
}

}  // namespace

std::optional<ast::File> parse_rules(const SourceSet& sources, std::uint32_t file,
                                     Diagnostics& diagnostics) {
  const SourceFile& src = sources.file(file);
  tao::pegtl::memory_input in(src.text, src.name);
  try {
    peg::nesting = 0;  // a parse that threw before left it counting
    auto root = tao::pegtl::parse_tree::parse<peg::file, peg::Node, peg::selected,
                                              tao::pegtl::nothing, peg::error_control>(in);
    if (!root) {
      // Only reachable if the top rule fails without a must<>, which the grammar prevents.
      diagnostics.error(SourceRef{file, 1, 1, 0, 1}, "could not parse the file");
      return std::nullopt;
    }
    return peg::AstBuilder(file).build(*root);
  } catch (const tao::pegtl::parse_error& e) {
    const auto& pos = e.positions().front();
    SourceRef at{file, static_cast<std::uint32_t>(pos.line),
                 static_cast<std::uint32_t>(pos.column), static_cast<std::uint32_t>(pos.byte), 1};
    at.length = line_length(src.text, pos.byte);
    std::string found;
    if (pos.byte >= src.text.size()) {
      found = "end of file";
    } else if (src.text[pos.byte] == '\n' || src.text[pos.byte] == '\r') {
      found = "end of line";
    } else {
      found = "'" + std::string(src.text.substr(pos.byte, at.length)) + "'";
    }
    diagnostics.error(at, std::string(e.message()) + ", found " + found);
    return std::nullopt;
  }
}

}  // namespace gatehouse
