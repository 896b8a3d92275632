#include "condition_eval.hpp"

namespace gatehouse {

namespace {

// -1, 0, 1; or 2 when the operands cannot be compared (unknown).
int compare(const Operand& lhs, const Operand& rhs, const std::vector<FieldValue>& values) {
  FieldValue a, b;
  auto load = [&](const Operand& o, FieldValue& out) {
    switch (o.kind) {
      case Operand::Kind::field: {
        const FieldValue& v = values[o.field];
        if (v.state != FieldValue::valid) return false;
        out = v;
        return true;
      }
      case Operand::Kind::number:
        out.kind = o.number.integer ? FieldValue::integer : FieldValue::decimal;
        out.i = o.number.i;
        out.d = o.number.d;
        return true;
      case Operand::Kind::string:
        // A date or datetime literal was turned into an instant by the compiler.
        if (o.value_kind == ValueKind::date || o.value_kind == ValueKind::datetime ||
            o.value_kind == ValueKind::date_or_datetime) {
          out.kind = FieldValue::instant;
          out.i = o.number.i;
          out.nanos = static_cast<std::uint32_t>(o.number.d);
        } else {
          out.kind = FieldValue::text;
          out.s = o.text;
        }
        return true;
      case Operand::Kind::boolean:
        out.kind = FieldValue::boolean;
        out.b = o.boolean;
        return true;
    }
    return false;
  };
  if (!load(lhs, a) || !load(rhs, b)) return 2;
  auto order = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if ((a.kind == FieldValue::integer || a.kind == FieldValue::decimal) &&
      (b.kind == FieldValue::integer || b.kind == FieldValue::decimal)) {
    if (a.kind == FieldValue::integer && b.kind == FieldValue::integer) return order(a.i, b.i);
    return order(a.d, b.d);
  }
  if (a.kind != b.kind) return 2;
  switch (a.kind) {
    case FieldValue::text: return order(a.s, b.s);
    case FieldValue::boolean: return order(a.b, b.b);
    case FieldValue::instant: {
      int c = order(a.i, b.i);
      return c != 0 ? c : order(a.nanos, b.nanos);
    }
    default: return 2;
  }
}

Truth from_bool(bool b) { return b ? Truth::yes : Truth::no; }

}  // namespace

Truth evaluate_condition(const Condition& c, const std::vector<FieldValue>& values) {
  switch (c.kind) {
    case Condition::Kind::logical_and: {
      Truth result = Truth::yes;
      for (const auto& child : c.children) {
        Truth t = evaluate_condition(child, values);
        if (t == Truth::no) return Truth::no;
        if (t == Truth::unknown) result = Truth::unknown;
      }
      return result;
    }
    case Condition::Kind::logical_or: {
      Truth result = Truth::no;
      for (const auto& child : c.children) {
        Truth t = evaluate_condition(child, values);
        if (t == Truth::yes) return Truth::yes;
        if (t == Truth::unknown) result = Truth::unknown;
      }
      return result;
    }
    case Condition::Kind::logical_not: {
      Truth t = evaluate_condition(c.children.at(0), values);
      return t == Truth::unknown ? t : from_bool(t == Truth::no);
    }
    case Condition::Kind::present: {
      auto state = values[c.lhs.field].state;
      return from_bool(state == FieldValue::valid || state == FieldValue::invalid);
    }
    case Condition::Kind::compare: {
      int r = compare(c.lhs, c.rhs, values);
      if (r == 2) return Truth::unknown;
      switch (c.op) {
        case ast::CompareOp::eq: return from_bool(r == 0);
        case ast::CompareOp::ne: return from_bool(r != 0);
        case ast::CompareOp::lt: return from_bool(r < 0);
        case ast::CompareOp::le: return from_bool(r <= 0);
        case ast::CompareOp::gt: return from_bool(r > 0);
        case ast::CompareOp::ge: return from_bool(r >= 0);
      }
    }
  }
  return Truth::unknown;
}

}  // namespace gatehouse
