#pragma once
// From PEGTL parse tree to AST.
//
// The grammar keeps only the nodes listed in `selected` below; `AstBuilder` turns that tree into
// the AST of ast.hpp, attaching a SourceRef to each node. Keeping this apart from grammar.hpp
// lets the grammar read like EBNF and this file read like a list of constructors.
#include <memory>
#include <stdexcept>
#include <string>
#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "gatehouse/grammar/ast.hpp"
#include "grammar.hpp"

namespace gatehouse::peg {

namespace parse_tree = tao::pegtl::parse_tree;

template <typename Rule>
using selected = parse_tree::selector<
    Rule,
    parse_tree::store_content::on<
        decl_name, pms_id, shared_name, model_ref, field_name_decl, field_name, field_ref,
        present_field, named_type, enum_value, string_body, regex_body, number, bound_max, dots,
        bool_literal, cmp_op, operand, right_operand, nullable_mark, model_decl, type_decl,
        field_decl, deprecated_mark, resource_path, model_operation, type_expr, list_type, enum_type, pms_decl, pms_model, operation_decl, refresh_decl,
        operation_name, unsupported_op, operation_body, created_id_clause, created_id_not, rules_decl, use_rule, check_rule,
        require_rule, at_least_rule, without_rule, field_rule, extra_field_rule, rule_block, else_message, when_clause, required_c,
        length_c, range_c, items_c, one_of_c, pms_values_c, pms_type_c, pattern_c, bounds, expr, and_expr, negation,
        paren_expr, present_expr, comparison>>;

using Node = parse_tree::node;

/// Converts a parse tree of `peg::file` into an ast::File. Every node it meets was produced by
/// the grammar, so a shape it does not expect is a bug here, reported as std::logic_error.
class AstBuilder {
 public:
  explicit AstBuilder(std::uint32_t file) : file_(file) {}

  ast::File build(const Node& root) {
    ast::File out;
    out.source = file_;
    for (const auto& child : root.children) {
      const Node& n = *child;
      if (n.is_type<model_decl>() || n.is_type<type_decl>()) {
        out.declarations.emplace_back(record(n));
      } else if (n.is_type<pms_decl>()) {
        out.declarations.emplace_back(pms(n));
      } else if (n.is_type<rules_decl>()) {
        out.declarations.emplace_back(shared_rules(n));
      } else {
        unexpected(n);
      }
    }
    return out;
  }

 private:
  std::uint32_t file_;

  [[noreturn]] static void unexpected(const Node& n) {
    throw std::logic_error("AST builder: unexpected parse node " + std::string(n.type));
  }

  SourceRef ref(const Node& n) const {
    auto b = n.begin();
    SourceRef r;
    r.file = file_;
    r.line = static_cast<std::uint32_t>(b.line);
    r.column = static_cast<std::uint32_t>(b.column);
    r.offset = static_cast<std::uint32_t>(b.byte);
    r.length = static_cast<std::uint32_t>(n.has_content() ? n.string_view().size() : 1);
    return r;
  }

  /// The position just past the node (for the formatter: comments before a closing brace).
  SourceRef end_ref(const Node& n) const {
    auto e = n.end();
    return SourceRef{file_, static_cast<std::uint32_t>(e.line), static_cast<std::uint32_t>(e.column),
                     static_cast<std::uint32_t>(e.byte), 1};
  }

  ast::Identifier identifier(const Node& n) const { return {n.string(), ref(n)}; }

  static std::string unescape(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size()) {
        char c = raw[++i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
      } else {
        out += raw[i];
      }
    }
    return out;
  }

  const Node* find_child(const Node& n, auto predicate) const {
    for (const auto& c : n.children)
      if (predicate(*c)) return c.get();
    return nullptr;
  }

  template <typename Rule>
  const Node* child(const Node& n) const {
    return find_child(n, [](const Node& c) { return c.is_type<Rule>(); });
  }

  template <typename Rule>
  const Node& required_child(const Node& n) const {
    const Node* c = child<Rule>(n);
    if (c == nullptr) unexpected(n);
    return *c;
  }

  // ---- records and types ----
  ast::RecordDecl record(const Node& n) const {
    ast::RecordDecl r;
    r.kind = n.is_type<model_decl>() ? ast::RecordDecl::Kind::model : ast::RecordDecl::Kind::type;
    r.at = ref(n);
    r.end = end_ref(n);
    for (const auto& c : n.children) {
      if (c->is_type<decl_name>()) {
        r.name = identifier(*c);
      } else if (c->is_type<resource_path>()) {
        r.resource = ast::Identifier{string_of(*c), ref(*c)};
      } else if (c->is_type<field_decl>()) {
        ast::FieldDecl f{identifier(required_child<field_name_decl>(*c)),
                         type(required_child<type_expr>(*c)), std::nullopt};
        if (const Node* d = child<deprecated_mark>(*c)) f.deprecated = ref(*d);
        r.fields.push_back(std::move(f));
      } else if (c->is_type<model_operation>()) {
        r.operations.push_back(operation(*c));
      }
    }
    return r;
  }

  ast::TypeExpr type(const Node& n) const {
    ast::TypeExpr t;
    t.at = ref(n);
    const Node& inner = *n.children.at(0);
    if (inner.is_type<list_type>()) {
      t.kind = ast::TypeExpr::Kind::list;
      t.element.push_back(type(required_child<type_expr>(inner)));
      t.name = "list";
    } else if (inner.is_type<enum_type>()) {
      t.kind = ast::TypeExpr::Kind::enumeration;
      t.name = "enum";
      t.enum_values = values(inner);
    } else if (inner.is_type<named_type>()) {
      t.kind = ast::TypeExpr::Kind::named;
      t.name = inner.string();
    } else {
      unexpected(inner);
    }
    t.nullable = child<nullable_mark>(n) != nullptr;
    return t;
  }

  std::vector<ast::Identifier> values(const Node& n) const {
    std::vector<ast::Identifier> out;
    for (const auto& c : n.children) {
      if (!c->is_type<enum_value>()) continue;
      const Node* body = child<string_body>(*c);
      out.push_back({body ? unescape(body->string_view()) : c->string(), ref(*c)});
    }
    return out;
  }

  std::string string_of(const Node& n) const {
    return unescape(required_child<string_body>(n).string_view());
  }

  // ---- PMS blocks ----
  ast::PmsDecl pms(const Node& n) const {
    ast::PmsDecl p;
    p.at = ref(n);
    p.end = end_ref(n);
    p.id = identifier(required_child<pms_id>(n));
    p.display_name = string_of(n);
    for (const auto& c : n.children) {
      if (!c->is_type<pms_model>()) continue;
      ast::PmsModelBlock m;
      m.at = ref(*c);
      m.end = end_ref(*c);
      m.model = identifier(required_child<model_ref>(*c));
      for (const auto& op : c->children)
        if (op->is_type<operation_decl>()) {
          m.operations.push_back(operation(*op));
        } else if (op->is_type<refresh_decl>()) {
          m.refresh_after_write.push_back(ref(*op));
        }
      p.models.push_back(std::move(m));
    }
    return p;
  }

  ast::OperationDecl operation(const Node& n) const {
    ast::OperationDecl o;
    o.at = ref(n);
    o.end = end_ref(n);
    for (const auto& c : n.children) {
      if (c->is_type<operation_name>()) {
        auto op = ast::operation_from_name(c->string_view());
        if (!op) unexpected(*c);  // the grammar takes only the names of the vocabulary
        o.operations.emplace_back(*op, ref(*c));
      } else if (c->is_type<unsupported_op>()) {
        o.unsupported = true;
        o.reason = string_of(*c);
      } else if (c->is_type<operation_body>()) {
        o.body = rule_items(*c);
        if (const Node* created = child<created_id_clause>(*c)) {
          o.created_id_returned = child<created_id_not>(*created) == nullptr;
          o.created_id_at = ref(*created);
        }
        if (const Node* refresh = child<refresh_decl>(*c)) o.refresh_after_write = ref(*refresh);
      }
    }
    return o;
  }

  ast::SharedRulesDecl shared_rules(const Node& n) const {
    ast::SharedRulesDecl s;
    s.at = ref(n);
    s.end = end_ref(n);
    s.name = identifier(required_child<decl_name>(n));
    s.body = rule_items(n);
    return s;
  }

  // ---- rule items ----
  std::vector<ast::RuleItem> rule_items(const Node& n) const {
    std::vector<ast::RuleItem> out;
    for (const auto& c : n.children) {
      if (c->is_type<field_rule>() || c->is_type<extra_field_rule>()) {
        out.push_back({field(*c)});
      } else if (c->is_type<use_rule>()) {
        out.push_back({ast::UseRule{identifier(required_child<shared_name>(*c))}});
      } else if (c->is_type<check_rule>()) {
        out.push_back({ast::CheckRule{expression(required_child<expr>(*c)),
                                      string_of(required_child<else_message>(*c)), ref(*c)}});
      } else if (c->is_type<require_rule>()) {
        ast::RequireRule r;
        r.at = ref(*c);
        r.fields = field_refs_of(*c);
        r.condition = expression(required_child<expr>(required_child<when_clause>(*c)));
        if (const Node* m = child<else_message>(*c)) r.message = string_of(*m);
        out.push_back({std::move(r)});
      } else if (c->is_type<without_rule>()) {
        out.push_back({ast::WithoutRule{field_refs_of(*c), ref(*c)}});
      } else if (c->is_type<at_least_rule>()) {
        ast::AtLeastOneRule r;
        r.at = ref(*c);
        r.fields = field_refs_of(*c);
        if (const Node* m = child<else_message>(*c)) r.message = string_of(*m);
        out.push_back({std::move(r)});
      }
    }
    return out;
  }

  std::vector<ast::Identifier> field_refs_of(const Node& n) const {
    std::vector<ast::Identifier> out;
    for (const auto& c : n.children)
      if (c->is_type<field_ref>()) out.push_back(identifier(*c));
    return out;
  }

  ast::FieldRule field(const Node& n) const {
    ast::FieldRule f;
    f.name = identifier(required_child<field_name>(n));
    f.end = end_ref(n);
    for (const auto& c : n.children) {
      if (c->is_type<rule_block>()) {
        f.has_block = true;
        f.block = rule_items(*c);
      } else if (c->is_type<type_expr>()) {
        f.extra_type = type(*c);
      } else if (c->is_type<deprecated_mark>()) {
        f.extra_deprecated = ref(*c);
      } else if (!c->is_type<field_name>()) {
        f.constraints.push_back(constraint(*c));
      }
    }
    return f;
  }

  ast::Constraint constraint(const Node& n) const {
    using K = ast::Constraint::Kind;
    ast::Constraint c;
    c.at = ref(n);
    if (n.is_type<required_c>()) {
      c.kind = K::required;
      if (const Node* w = child<when_clause>(n)) c.when = expression(required_child<expr>(*w));
    } else if (n.is_type<length_c>() || n.is_type<range_c>() || n.is_type<items_c>()) {
      c.kind = n.is_type<length_c>() ? K::length : n.is_type<range_c>() ? K::range : K::items;
      c.bounds = bounds_of(required_child<bounds>(n));
    } else if (n.is_type<one_of_c>() || n.is_type<pms_values_c>()) {
      c.kind = K::one_of;
      c.pms_values = n.is_type<pms_values_c>();
      c.values = values(n);
    } else if (n.is_type<pms_type_c>()) {
      c.kind = K::pms_type;
      c.pms_type = type(required_child<type_expr>(n));
    } else if (n.is_type<pattern_c>()) {
      c.kind = K::pattern;
      const Node* body = child<regex_body>(n);
      c.pattern = body ? body->string() : std::string();
    } else {
      unexpected(n);
    }
    return c;
  }

  ast::Bounds bounds_of(const Node& n) const {
    ast::Bounds b;
    b.at = ref(n);
    bool seen_dots = false;
    for (const auto& c : n.children) {
      if (c->is_type<dots>()) {
        seen_dots = true;
      } else if (c->is_type<number>() || c->is_type<bound_max>()) {
        ast::Number num{c->string(), ref(*c)};
        if (seen_dots || c->is_type<bound_max>()) {
          b.max = num;
        } else {
          b.min = num;
        }
      }
    }
    if (!seen_dots) b.max = b.min;  // a single number means exactly that
    return b;
  }

  // ---- expressions ----
  ast::Expr expression(const Node& n) const {
    using K = ast::Expr::Kind;
    if (n.is_type<expr>() || n.is_type<and_expr>()) {
      if (n.children.size() == 1) return expression(*n.children[0]);
      ast::Expr e;
      e.kind = n.is_type<expr>() ? K::logical_or : K::logical_and;
      e.at = ref(n);
      for (const auto& c : n.children) e.children.push_back(expression(*c));
      return e;
    }
    if (n.is_type<paren_expr>()) return expression(required_child<expr>(n));
    ast::Expr e;
    e.at = ref(n);
    if (n.is_type<negation>()) {
      e.kind = K::logical_not;
      e.children.push_back(expression(*n.children.at(0)));
    } else if (n.is_type<present_expr>()) {
      e.kind = K::present;
      const Node& f = required_child<present_field>(n);
      e.lhs = {ast::Operand::Kind::field, f.string(), ref(f)};
    } else if (n.is_type<comparison>()) {
      e.kind = K::compare;
      e.lhs = operand_of(required_child<operand>(n));
      e.rhs = operand_of(required_child<right_operand>(n));
      std::string op = required_child<cmp_op>(n).string();
      using O = ast::CompareOp;
      e.op = op == "==" ? O::eq : op == "!=" ? O::ne : op == "<" ? O::lt : op == "<=" ? O::le
           : op == ">" ? O::gt : O::ge;
    } else {
      unexpected(n);
    }
    return e;
  }

  ast::Operand operand_of(const Node& n) const {
    using K = ast::Operand::Kind;
    const Node& inner = *n.children.at(0);
    if (inner.is_type<number>()) return {K::number, inner.string(), ref(inner)};
    if (inner.is_type<string_body>()) return {K::string, unescape(inner.string_view()), ref(n)};
    if (inner.is_type<bool_literal>()) return {K::boolean, inner.string(), ref(inner)};
    if (inner.is_type<field_ref>()) return {K::field, inner.string(), ref(inner)};
    unexpected(inner);
  }
};

}  // namespace gatehouse::peg
