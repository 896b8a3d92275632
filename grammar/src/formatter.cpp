#include "gatehouse/grammar/formatter.hpp"

#include <limits>
#include <map>
#include <type_traits>
#include <tao/pegtl.hpp>

#include "errors.hpp"
#include "gatehouse/grammar/parser.hpp"
#include "grammar.hpp"

namespace gatehouse {

namespace {

// Records comments as the grammar meets them. Backtracking can meet one twice: the map keyed
// by offset keeps each once.
template <typename Rule>
struct comment_action : tao::pegtl::nothing<Rule> {};

template <>
struct comment_action<peg::comment> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, std::map<std::size_t, Comment>& out, std::uint32_t file) {
    auto p = in.position();
    std::string text = in.string();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                             text.back() == '\t'))
      text.pop_back();
    out[p.byte] = Comment{SourceRef{file, static_cast<std::uint32_t>(p.line),
                                    static_cast<std::uint32_t>(p.column),
                                    static_cast<std::uint32_t>(p.byte), 1},
                          text};
  }
};

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// Enum members and `one of` values: bare when they can be, quoted otherwise.
std::string value_text(const std::string& v) {
  bool bare = !v.empty();
  for (char c : v) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    bare &= ok;
  }
  return bare ? v : quoted(v);
}

std::string join_values(const std::vector<ast::Identifier>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + value_text(v.text);
  return out;
}

std::string join_names(const std::vector<ast::Identifier>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n.text;
  return out;
}

std::string type_text(const ast::TypeExpr& t) {
  std::string s;
  switch (t.kind) {
    case ast::TypeExpr::Kind::named: s = t.name; break;
    case ast::TypeExpr::Kind::list: s = "list<" + type_text(t.element.at(0)) + ">"; break;
    case ast::TypeExpr::Kind::enumeration: s = "enum(" + join_values(t.enum_values) + ")"; break;
  }
  return t.nullable ? s + "?" : s;
}

int precedence(const ast::Expr& e) {
  switch (e.kind) {
    case ast::Expr::Kind::logical_or: return 1;
    case ast::Expr::Kind::logical_and: return 2;
    case ast::Expr::Kind::logical_not: return 3;
    default: return 4;
  }
}

std::string operand_text(const ast::Operand& o) {
  return o.kind == ast::Operand::Kind::string ? quoted(o.text) : o.text;
}

/// Parentheses only where precedence needs them, and around a nested and/or of the same kind
/// so that the formatted text parses to the same tree.
std::string expr_text(const ast::Expr& e, int parent) {
  std::string s;
  switch (e.kind) {
    case ast::Expr::Kind::logical_or:
    case ast::Expr::Kind::logical_and: {
      const char* op = e.kind == ast::Expr::Kind::logical_or ? " or " : " and ";
      for (const auto& c : e.children) s += (s.empty() ? "" : op) + expr_text(c, precedence(e) + 1);
      break;
    }
    case ast::Expr::Kind::logical_not: s = "not " + expr_text(e.children.at(0), 3); break;
    case ast::Expr::Kind::present: s = "present(" + e.lhs.text + ")"; break;
    case ast::Expr::Kind::compare: {
      static const char* ops[] = {"==", "!=", "<", "<=", ">", ">="};
      s = operand_text(e.lhs) + " " + ops[static_cast<int>(e.op)] + " " + operand_text(e.rhs);
      break;
    }
  }
  return precedence(e) < parent ? "(" + s + ")" : s;
}

std::string bounds_text(const ast::Bounds& b) {
  if (b.min && b.max && b.min->text == b.max->text) return b.min->text;
  return (b.min ? b.min->text : "") + ".." + (b.max ? b.max->text : "");
}

std::string constraint_text(const ast::Constraint& c) {
  using K = ast::Constraint::Kind;
  switch (c.kind) {
    case K::required: return c.when ? "required when " + expr_text(*c.when, 0) : "required";
    case K::length: return "length " + bounds_text(c.bounds);
    case K::range: return "range " + bounds_text(c.bounds);
    case K::items: return "items " + bounds_text(c.bounds);
    case K::one_of: return (c.pms_values ? "pms values (" : "one of (") + join_values(c.values) + ")";
    case K::pattern: return "pattern /" + c.pattern + "/";
    case K::pms_type: return "pms type " + type_text(*c.pms_type);
  }
  return {};
}

class Formatter {
 public:
  Formatter(const SourceFile& source, std::vector<Comment> comments)
      : text_(source.text), comments_(std::move(comments)) {}

  std::string run(const ast::File& file) {
    for (std::size_t i = 0; i < file.declarations.size(); ++i) {
      std::visit([&](const auto& d) { declaration(d, i > 0); }, file.declarations[i]);
    }
    leading(static_cast<std::uint32_t>(text_.size() + 1), out_.empty() ? false : true);
    return out_;
  }

 private:
  std::string_view text_;
  std::vector<Comment> comments_;
  std::size_t next_ = 0;
  std::string out_;
  int depth_ = 0;
  bool just_opened_ = false;  // the last line written opened a block

  bool source_line_blank(std::uint32_t line) const {
    if (line == 0) return false;
    std::uint32_t current = 1;
    std::size_t i = 0;
    while (current < line && i < text_.size()) {
      if (text_[i++] == '\n') ++current;
    }
    if (current != line) return false;
    for (; i < text_.size() && text_[i] != '\n'; ++i)
      if (text_[i] != ' ' && text_[i] != '\t' && text_[i] != '\r') return false;
    return true;
  }

  bool at_block_start() const { return out_.empty() || just_opened_; }

  void blank_line() {
    if (!out_.empty() && !(out_.size() >= 2 && out_[out_.size() - 2] == '\n')) out_ += '\n';
  }

  /// Keeps a single blank line the author left above `line`.
  void keep_blank_above(std::uint32_t line) {
    if (!at_block_start() && source_line_blank(line - 1)) blank_line();
  }

  /// Own-line comments before `offset`.
  void leading(std::uint32_t offset, bool keep_blanks = true) {
    while (next_ < comments_.size() && comments_[next_].at.offset < offset) {
      if (keep_blanks) keep_blank_above(comments_[next_].at.line);
      out_.append(2 * depth_, ' ');
      out_ += comments_[next_].text + '\n';
      just_opened_ = false;
      ++next_;
    }
  }

  /// One line of output for the item that starts at `at`, with the end-of-line comment of that
  /// source line if it comes before `limit` (a block opener leaves a comment that follows its
  /// first item on the same line to that item).
  void line(const std::string& content, const SourceRef& at,
            std::uint32_t limit = std::numeric_limits<std::uint32_t>::max()) {
    out_.append(2 * depth_, ' ');
    out_ += content;
    if (next_ < comments_.size() && comments_[next_].at.line == at.line &&
        comments_[next_].at.offset < limit) {
      out_ += "  " + comments_[next_].text;
      ++next_;
    }
    out_ += '\n';
    just_opened_ = !content.empty() && content.back() == '{';
  }

  /// Leading comments and the author's blank line, then the item's line.
  void item(const std::string& content, const SourceRef& at,
            std::uint32_t limit = std::numeric_limits<std::uint32_t>::max()) {
    bool had_comment = next_ < comments_.size() && comments_[next_].at.offset < at.offset;
    if (!had_comment) keep_blank_above(at.line);
    leading(at.offset);
    line(content, at, limit);
  }

  /// Where the first item of a block starts (or the block ends, if empty).
  template <typename List>
  static std::uint32_t first_offset(const List& list, const SourceRef& end) {
    if (list.empty()) return end.offset;
    return start_of(list.front());
  }
  static std::uint32_t start_of(const ast::FieldDecl& f) { return f.name.at.offset; }
  static std::uint32_t start_of(const ast::PmsModelBlock& m) { return m.model.at.offset; }
  static std::uint32_t start_of(const ast::OperationDecl& o) { return o.at.offset; }
  static std::uint32_t start_of(const ast::RuleItem& i) {
    return std::visit(
        [](const auto& x) -> std::uint32_t {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, ast::FieldRule>) return x.name.at.offset;
          else if constexpr (std::is_same_v<T, ast::UseRule>) return x.name.at.offset;
          else return x.at.offset;
        },
        i.node);
  }

  void close(const SourceRef& end) {
    leading(end.offset > 0 ? end.offset - 1 : 0);
    --depth_;
    out_.append(2 * depth_, ' ');
    out_ += "}\n";
    just_opened_ = false;  // an empty block closed: what follows may keep its blank line
  }

  void top(bool separate, const SourceRef& at) {
    if (separate) blank_line();
    leading(at.offset);
    if (!out_.empty() && source_line_blank(at.line - 1)) blank_line();
  }

  void declaration(const ast::RecordDecl& r, bool separate) {
    top(separate, r.at);
    std::string head = std::string(r.kind == ast::RecordDecl::Kind::model ? "model " : "type ") + r.name.text;
    if (r.resource) head += " " + quoted(r.resource->text);
    std::uint32_t first = first_offset(r.fields, r.end);
    if (!r.operations.empty()) first = std::min(first, r.operations.front().at.offset);
    line(head + " {", r.at, first);
    ++depth_;
    // Fields and routes keep the order the author gave them.
    std::size_t next_op = 0;
    auto operations_before = [&](std::uint32_t offset) {
      for (; next_op < r.operations.size() && r.operations[next_op].at.offset < offset; ++next_op)
        operation(r.operations[next_op]);
    };
    for (const auto& f : r.fields) {
      operations_before(f.name.at.offset);
      item(f.name.text + ": " + type_text(f.type) + (f.deprecated ? " deprecated" : ""), f.name.at);
    }
    operations_before(r.end.offset);
    close(r.end);
  }

  void operation(const ast::OperationDecl& o) {
    std::string ops;
    for (const auto& [op, at] : o.operations) ops += (ops.empty() ? "" : ", ") + std::string(ast::operation_name(op));
    if (o.unsupported) {
      item(ops + ": unsupported " + quoted(o.reason), o.at);
      return;
    }
    std::uint32_t first = first_offset(o.body, o.end);
    if (o.refresh_after_write) first = o.refresh_after_write->offset;
    if (o.created_id_returned) first = o.created_id_at.offset;
    item(ops + " {", o.at, first);
    ++depth_;
    if (o.created_id_returned)
      item(*o.created_id_returned ? "created id returned" : "created id not returned", o.created_id_at);
    if (o.refresh_after_write) item("refresh after write", *o.refresh_after_write);
    items(o.body);
    close(o.end);
  }

  void declaration(const ast::SharedRulesDecl& s, bool separate) {
    top(separate, s.at);
    line("rules " + s.name.text + " {", s.at, first_offset(s.body, s.end));
    ++depth_;
    items(s.body);
    close(s.end);
  }

  void declaration(const ast::PmsDecl& p, bool separate) {
    top(separate, p.at);
    line("pms " + p.id.text + " " + quoted(p.display_name) + " {", p.at, first_offset(p.models, p.end));
    ++depth_;
    for (const auto& m : p.models) {
      std::uint32_t first = first_offset(m.operations, m.end);
      for (const auto& r : m.refresh_after_write) first = std::min(first, r.offset);
      item(m.model.text + " {", m.model.at, first);
      ++depth_;
      // `refresh after write` lines keep their place among the operations.
      std::size_t refresh = 0;
      auto refresh_before = [&](std::uint32_t offset) {
        for (; refresh < m.refresh_after_write.size() && m.refresh_after_write[refresh].offset < offset; ++refresh)
          item("refresh after write", m.refresh_after_write[refresh]);
      };
      for (const auto& o : m.operations) {
        refresh_before(o.at.offset);
        operation(o);
      }
      refresh_before(m.end.offset);
      close(m.end);
    }
    close(p.end);
  }

  void items(const std::vector<ast::RuleItem>& list) {
    for (const auto& i : list) std::visit([&](const auto& x) { rule(x); }, i.node);
  }

  void rule(const ast::FieldRule& f) {
    std::string s = f.extra_type ? "extra " + f.name.text + ": " + type_text(*f.extra_type) +
                                       (f.extra_deprecated ? " deprecated" : "")
                                 : f.name.text;
    for (const auto& c : f.constraints) s += " " + constraint_text(c);
    if (!f.has_block) {
      item(s, f.name.at);
      return;
    }
    item(s + " {", f.name.at, first_offset(f.block, f.end));
    ++depth_;
    items(f.block);
    close(f.end);
  }

  void rule(const ast::CheckRule& c) {
    item("check " + expr_text(c.condition, 0) + " else " + quoted(c.message), c.at);
  }

  void rule(const ast::RequireRule& r) {
    item("require " + join_names(r.fields) + " when " + expr_text(r.condition, 0) +
             (r.message ? " else " + quoted(*r.message) : ""),
         r.at);
  }

  void rule(const ast::AtLeastOneRule& r) {
    item("at least one of (" + join_names(r.fields) + ")" + (r.message ? " else " + quoted(*r.message) : ""),
         r.at);
  }

  void rule(const ast::UseRule& u) { item("use " + u.name.text, u.name.at); }

  void rule(const ast::WithoutRule& w) { item("without " + join_names(w.fields), w.at); }
};

}  // namespace

std::vector<Comment> collect_comments(const SourceSet& sources, std::uint32_t file) {
  const SourceFile& src = sources.file(file);
  tao::pegtl::memory_input in(src.text, src.name);
  std::map<std::size_t, Comment> found;
  try {
    peg::nesting = 0;  // a parse that threw before left it counting
    tao::pegtl::parse<peg::file, comment_action, peg::error_control>(in, found, file);
  } catch (const tao::pegtl::parse_error&) {
    return {};
  }
  std::vector<Comment> out;
  for (auto& [offset, c] : found) out.push_back(std::move(c));
  return out;
}

std::optional<std::string> format_rules(const SourceSet& sources, std::uint32_t file,
                                        Diagnostics& diagnostics) {
  auto ast = parse_rules(sources, file, diagnostics);
  if (!ast) return std::nullopt;
  return Formatter(sources.file(file), collect_comments(sources, file)).run(*ast);
}

}  // namespace gatehouse
