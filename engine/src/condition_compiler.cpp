// See condition_compiler.hpp.
#include "condition_compiler.hpp"

#include <algorithm>
#include <variant>

#include "rule_literals.hpp"
#include "suggest.hpp"
#include "value_formats.hpp"

namespace gatehouse {

namespace {

// What a comparison operand is, for type checking.
enum class Comparable { numeric, text, boolean, date, datetime, none };

Comparable comparable_of(ValueKind k) {
  switch (k) {
    case ValueKind::integer:
    case ValueKind::decimal: return Comparable::numeric;
    case ValueKind::string:
    case ValueKind::email:
    case ValueKind::phone:
    case ValueKind::uuid:
    case ValueKind::uri:
    case ValueKind::enumeration: return Comparable::text;
    case ValueKind::boolean: return Comparable::boolean;
    case ValueKind::date: return Comparable::date;
    case ValueKind::datetime: return Comparable::datetime;
    case ValueKind::list:
    case ValueKind::record:
    case ValueKind::object: return Comparable::none;
    // Either form is an instant (a date is its midnight, UTC), so these order like datetimes.
    case ValueKind::date_or_datetime: return Comparable::datetime;
  }
  return Comparable::none;
}

class ConditionCompiler {
 public:
  ConditionCompiler(Diagnostics& diagnostics, const SourceSet& sources, RecordRules& record)
      : diags_(diagnostics), sources_(sources), record_(record) {}

  std::string source_text(const SourceRef& at) const {
    const auto& text = sources_.file(at.file).text;
    return text.substr(at.offset, at.length);
  }

  /// Resolves a field named in a cross-field rule: it must exist and be supported here.
  std::optional<std::uint32_t> rule_field(const ast::Identifier& name) {
    std::uint32_t index = record_.index.find(name.text);
    if (index == FieldIndex::npos) {
      std::vector<std::string> names;
      for (const auto& f : record_.fields) names.push_back(f.name);
      diags_.error(name.at, "unknown field '" + name.text + "' in '" + record_.name + "'" +
                                did_you_mean(name.text, names));
      return std::nullopt;
    }
    if (!record_.fields[index].supported) {
      diags_.error(name.at, "field '" + name.text + "' is not supported by this operation; list it "
                            "before using it in a rule");
      return std::nullopt;
    }
    return index;
  }

  std::optional<Condition> compile_condition(const ast::Expr& e) {
    Condition c;
    using K = ast::Expr::Kind;
    switch (e.kind) {
      case K::logical_and:
      case K::logical_or:
      case K::logical_not: {
        c.kind = e.kind == K::logical_and ? Condition::Kind::logical_and
               : e.kind == K::logical_or  ? Condition::Kind::logical_or
                                          : Condition::Kind::logical_not;
        bool ok = true;
        for (const auto& child : e.children) {
          auto cc = compile_condition(child);
          if (cc) {
            c.children.push_back(std::move(*cc));
          } else {
            ok = false;
          }
        }
        if (!ok) return std::nullopt;
        return c;
      }
      case K::present: {
        c.kind = Condition::Kind::present;
        auto f = rule_field({e.lhs.text, e.lhs.at});
        if (!f) return std::nullopt;
        c.lhs.kind = Operand::Kind::field;
        c.lhs.field = *f;
        c.lhs.text = e.lhs.text;
        c.lhs.value_kind = record_.fields[*f].value.kind;
        return c;
      }
      case K::compare: {
        c.kind = Condition::Kind::compare;
        c.op = e.op;
        auto lhs = operand(e.lhs);
        auto rhs = operand(e.rhs);
        if (!lhs || !rhs) return std::nullopt;
        c.lhs = std::move(*lhs);
        c.rhs = std::move(*rhs);
        if (!type_check_comparison(e, c)) return std::nullopt;
        return c;
      }
    }
    return std::nullopt;
  }

  std::optional<Operand> operand(const ast::Operand& o) {
    Operand out;
    out.text = o.text;
    switch (o.kind) {
      case ast::Operand::Kind::field: {
        auto f = rule_field({o.text, o.at});
        if (!f) return std::nullopt;
        out.kind = Operand::Kind::field;
        out.field = *f;
        out.value_kind = record_.fields[*f].value.kind;
        if (comparable_of(out.value_kind) == Comparable::none) {
          diags_.error(o.at, "'" + o.text + "' is " +
                                 article(record_.fields[*f].value.type_name) +
                                 " and cannot be compared");
          return std::nullopt;
        }
        return out;
      }
      case ast::Operand::Kind::number: {
        auto n = parse_numeric(o.text);
        if (!n) {
          diags_.error(o.at, "number '" + o.text + "' is out of range");
          return std::nullopt;
        }
        out.kind = Operand::Kind::number;
        out.number = *n;
        return out;
      }
      case ast::Operand::Kind::string: out.kind = Operand::Kind::string; return out;
      case ast::Operand::Kind::boolean:
        out.kind = Operand::Kind::boolean;
        out.boolean = o.text == "true";
        return out;
    }
    return std::nullopt;
  }

  static Comparable comparable_of_literal(const Operand& o) {
    switch (o.kind) {
      case Operand::Kind::number: return Comparable::numeric;
      case Operand::Kind::string: return Comparable::text;
      case Operand::Kind::boolean: return Comparable::boolean;
      case Operand::Kind::field: return comparable_of(o.value_kind);
    }
    return Comparable::none;
  }

  static const char* comparable_name(Comparable c) {
    switch (c) {
      case Comparable::numeric: return "a number";
      case Comparable::text: return "text";
      case Comparable::boolean: return "a boolean";
      case Comparable::date: return "a date";
      case Comparable::datetime: return "a datetime";
      case Comparable::none: return "a list or record";
    }
    return "";
  }

  bool type_check_comparison(const ast::Expr& e, Condition& c) {
    bool lhs_field = c.lhs.kind == Operand::Kind::field;
    bool rhs_field = c.rhs.kind == Operand::Kind::field;
    if (!lhs_field && !rhs_field) {
      diags_.error(e.at, "this comparison has no field: it compares two constants");
      return false;
    }
    // The field decides the kind; a string literal may spell a date or datetime.
    const Operand& field = lhs_field ? c.lhs : c.rhs;
    Operand& other = lhs_field ? c.rhs : c.lhs;
    const ast::Operand& other_ast = lhs_field ? e.rhs : e.lhs;
    Comparable want = comparable_of(field.value_kind);
    Comparable have = comparable_of_literal(other);
    if (other.kind == Operand::Kind::string && (want == Comparable::date || want == Comparable::datetime)) {
      bool valid = false;
      if (want == Comparable::date) {
        auto days = formats::parse_date(other.text);
        valid = days.has_value();
        if (valid) other.number.i = *days;
      } else {
        auto instant = formats::parse_datetime(other.text);
        if (!instant && field.value_kind == ValueKind::date_or_datetime) {
          if (auto days = formats::parse_date(other.text)) instant = formats::Instant{*days * 86400, 0};
        }
        valid = instant.has_value();
        if (valid) {
          other.number.i = instant->seconds;
          other.number.d = instant->nanos;
        }
      }
      other.value_kind = field.value_kind;  // the evaluator compares it as an instant
      if (!valid) {
        diags_.error(other_ast.at, "\"" + other.text + "\" is not a valid " +
                                       (want == Comparable::date ? "date (YYYY-MM-DD)"
                                        : field.value_kind == ValueKind::date_or_datetime ? "date or RFC 3339 datetime"
                                                                                          : "RFC 3339 datetime"));
        return false;
      }
      have = want;
    }
    if (want != have) {
      diags_.error(e.at, "cannot compare '" + field.text + "' (" + comparable_name(want) + ") with " +
                             (other.kind == Operand::Kind::field ? "'" + other.text + "' (" +
                                                                       comparable_name(have) + ")"
                                                                 : std::string(comparable_name(have)) + " " + other_ast.text));
      return false;
    }
    bool ordering = c.op != ast::CompareOp::eq && c.op != ast::CompareOp::ne;
    if (ordering && (want == Comparable::boolean || want == Comparable::text)) {
      diags_.error(e.at, std::string("'<', '<=', '>' and '>=' compare numbers, dates and datetimes; '") +
                             field.text + "' is " + comparable_name(want));
      return false;
    }
    if (other.kind == Operand::Kind::string && field.value_kind == ValueKind::enumeration) {
      const auto& allowed = record_.fields[field.field].value.allowed;
      if (std::find(allowed.begin(), allowed.end(), other.text) == allowed.end()) {
        diags_.error(other_ast.at, "\"" + other.text + "\" is not a value of '" + field.text + "'" +
                                       did_you_mean(other.text, allowed));
        return false;
      }
    }
    return true;
  }

  static std::uint32_t first_field(const Condition& c, bool& found) {
    if (c.kind == Condition::Kind::present || c.kind == Condition::Kind::compare) {
      if (c.lhs.kind == Operand::Kind::field) {
        found = true;
        return c.lhs.field;
      }
      if (c.kind == Condition::Kind::compare && c.rhs.kind == Operand::Kind::field) {
        found = true;
        return c.rhs.field;
      }
    }
    for (const auto& child : c.children) {
      std::uint32_t f = first_field(child, found);
      if (found) return f;
    }
    return 0;
  }

  void check_rule(const ast::CheckRule& rule) {
    auto cond = compile_condition(rule.condition);
    if (!cond) return;
    Check check;
    bool found = false;
    check.path_field = first_field(*cond, found);
    check.condition = std::move(*cond);
    check.message = rule.message;
    check.rule = rule.at;
    record_.checks.push_back(std::move(check));
  }

  void required_when(std::uint32_t field, const ast::Constraint& c) {
    auto cond = compile_condition(*c.when);
    if (!cond) return;
    ConditionalRequirement req;
    req.fields.push_back(field);
    req.when = std::move(*cond);
    req.rule = c.at;
    req.message = record_.fields[field].name + " is required when " + source_text(c.when->at);
    record_.conditional_requirements.push_back(std::move(req));
  }

  /// Resolves the fields a cross-field rule lists; nullopt if any is unknown or unsupported
  /// (each reported).
  std::optional<std::vector<std::uint32_t>> rule_fields(const std::vector<ast::Identifier>& names) {
    std::vector<std::uint32_t> out;
    bool ok = true;
    for (const auto& name : names) {
      auto index = rule_field(name);
      if (index) {
        out.push_back(*index);
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return out;
  }

  static std::string names_of(const std::vector<ast::Identifier>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id.text;
    return out;
  }

  void require_rule(const ast::RequireRule& rule) {
    auto fields = rule_fields(rule.fields);
    auto cond = compile_condition(rule.condition);
    if (!fields || !cond) return;
    ConditionalRequirement req;
    req.fields = std::move(*fields);
    req.when = std::move(*cond);
    req.rule = rule.at;
    req.message = rule.message ? *rule.message
                               : names_of(rule.fields) + (rule.fields.size() > 1 ? " are" : " is") +
                                     " required when " + source_text(rule.condition.at);
    record_.conditional_requirements.push_back(std::move(req));
  }

  void at_least_rule(const ast::AtLeastOneRule& rule) {
    auto fields = rule_fields(rule.fields);
    if (!fields) return;
    AtLeastOne a;
    a.fields = std::move(*fields);
    a.rule = rule.at;
    a.message = rule.message ? *rule.message
                             : "at least one of " + names_of(rule.fields) + " is required";
    record_.at_least_one.push_back(std::move(a));
  }

 private:
  Diagnostics& diags_;
  const SourceSet& sources_;
  RecordRules& record_;
};

}  // namespace

void compile_cross_field_rules(Diagnostics& diagnostics, const SourceSet& sources, RecordRules& record,
                               const std::vector<const ast::RuleItem*>& items,
                               const std::vector<std::pair<std::uint32_t, const ast::Constraint*>>& required_when) {
  ConditionCompiler c(diagnostics, sources, record);
  for (const auto& [field, constraint] : required_when) c.required_when(field, *constraint);
  for (const auto* item : items) {
    if (const auto* check = std::get_if<ast::CheckRule>(&item->node)) c.check_rule(*check);
    if (const auto* require = std::get_if<ast::RequireRule>(&item->node)) c.require_rule(*require);
    if (const auto* at_least = std::get_if<ast::AtLeastOneRule>(&item->node)) c.at_least_rule(*at_least);
  }
}

}  // namespace gatehouse
