#include "gatehouse/json_schema.hpp"

#include <cstdio>

#include "json_text.hpp"

namespace gatehouse {

namespace {

std::string q(std::string_view s) { return json_quote(s); }

std::string number(const Numeric& n) {
  if (n.integer) return std::to_string(n.i);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", n.d);
  return buf;
}

// Patterns mirroring value_formats.cpp (ECMA-262 and Python `re` compatible).
const char* const date_pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
const char* const datetime_pattern =
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:"
    "([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";
// No lookbehind: validators built on older regular expression engines (std::regex, ECMA-262
// before 2018) reject it.
const char* const email_pattern =
    "^(?!\\.)(?!.*\\.\\.)[!#-'*+\\-./0-9=?A-Z^-~]{0,63}[!#-'*+\\-/0-9=?A-Z^-~]@(?=.{1,253}$)"
    "([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";
// 7 to 15 digits; no two separators in a row; parentheses in balanced, non-empty, unnested
// pairs; '+' only first; no separator last.
const char* const phone_pattern =
    "^(?=(?:[^0-9]*[0-9]){7,15}[^0-9]*$)(?!.*[ .-]{2})(?!.*\\(\\))(?=[^()]*(?:\\([^()]*\\)[^()]*)*$)"
    "\\+?[0-9 ().-]*[0-9)]$";
const char* const uri_pattern = "^[A-Za-z][A-Za-z0-9+.-]*:[^\\s<>\"\\\\]+$";
const char* const uuid_pattern =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

class SchemaWriter {
 public:
  std::vector<std::string> not_expressed;

  /// `integration_id`: the body must also carry a string integration_id, which the rules need
  /// not list (the service reads it to pick the integration, then takes it out).
  std::string record(const RecordRules& r, bool integration_id = false) {
    return "{\"type\":\"object\"," + record_members(r, integration_id) + "}";
  }

  /// The members of a record's object schema, without braces: properties, required, ...
  std::string record_members(const RecordRules& r, bool integration_id = false) {
    std::string props, required;
    std::uint32_t listed = r.index.find("integration_id");
    if (integration_id && (listed == FieldIndex::npos || !r.fields[listed].supported)) {
      props = "\"integration_id\":{\"type\":\"string\"}";
      required = "\"integration_id\"";
    }
    for (const auto& f : r.fields) {
      if (!f.supported) continue;
      if (!props.empty()) props += ',';
      std::string schema = value(f.value);
      // A deprecated field is still described (a PMS may take it), and marked as such.
      if (f.deprecated) schema.insert(schema.size() - 1, ",\"deprecated\":true");
      props += q(f.name) + ":" + schema;
      if (f.required) required += (required.empty() ? "" : ",") + q(f.name);
    }
    std::string out = "\"properties\":{" + props + "}";
    if (!required.empty()) out += ",\"required\":[" + required + "]";
    out += ",\"additionalProperties\":false";
    std::string rules = cross_field(r);
    if (!rules.empty()) out += ",\"allOf\":[" + rules + "]";
    return out;
  }

  std::string value(const ValueRules& v) {
    std::vector<std::string> parts;
    std::string type;
    switch (v.kind) {
      case ValueKind::integer: type = "integer"; break;
      case ValueKind::decimal: type = "number"; break;
      case ValueKind::boolean: type = "boolean"; break;
      case ValueKind::list: type = "array"; break;
      case ValueKind::record:
      case ValueKind::object: type = "object"; break;
      default: type = "string";
    }
    if (v.kind == ValueKind::date_or_datetime) return date_or_datetime(v);
    std::string out = "{\"type\":" + (v.nullable ? "[" + q(type) + ",\"null\"]" : q(type));
    auto add = [&](const std::string& member) { out += "," + member; };
    switch (v.kind) {
      case ValueKind::date: add("\"format\":\"date\",\"pattern\":" + q(date_pattern)); break;
      case ValueKind::datetime: add("\"format\":\"date-time\",\"pattern\":" + q(datetime_pattern)); break;
      case ValueKind::email: add("\"format\":\"email\""); break;
      case ValueKind::uuid: add("\"format\":\"uuid\",\"pattern\":" + q(uuid_pattern)); break;
      case ValueKind::uri: add("\"format\":\"uri\",\"pattern\":" + q(uri_pattern)); break;
      case ValueKind::integer:
        // gatehouse integers are 64-bit.
        if (!v.min) add("\"minimum\":-9223372036854775808");
        if (!v.max) add("\"maximum\":9223372036854775807");
        break;
      default: break;
    }
    // Patterns that must all match go in allOf, since one schema holds one "pattern".
    std::vector<std::string> patterns;
    if (v.kind == ValueKind::email) patterns.push_back(email_pattern);
    if (v.kind == ValueKind::phone) patterns.push_back(phone_pattern);
    if (v.pattern) patterns.push_back(v.pattern->source());
    if (v.min_length) add("\"minLength\":" + std::to_string(*v.min_length));
    if (v.max_length) add("\"maxLength\":" + std::to_string(*v.max_length));
    if (v.min) add("\"minimum\":" + number(*v.min));
    if (v.max) add("\"maximum\":" + number(*v.max));
    if (v.min_items) add("\"minItems\":" + std::to_string(*v.min_items));
    if (v.max_items) add("\"maxItems\":" + std::to_string(*v.max_items));
    if (v.kind == ValueKind::enumeration || !v.allowed.empty()) {
      std::string members;
      for (const auto& a : v.allowed) members += (members.empty() ? "" : ",") + q(a);
      if (v.nullable) members += std::string(members.empty() ? "" : ",") + "null";
      add("\"enum\":[" + members + "]");
      // Values the generic route does not have, as this PMS's page lists them: a generic client
      // and the contract tests can tell them from a narrowing.
      if (v.pms_values) add("\"x-gatehouse-pms-values\":true");
    }
    if (v.kind == ValueKind::list && v.element) add("\"items\":" + value(*v.element));
    if (v.kind == ValueKind::record && v.record) add(record_members(*v.record));
    if (patterns.size() == 1) {
      add("\"pattern\":" + q(patterns[0]));
    } else if (patterns.size() > 1) {
      std::string all;
      for (const auto& p : patterns) all += (all.empty() ? "" : ",") + ("{\"pattern\":" + q(p) + "}");
      add("\"allOf\":[" + all + "]");
    }
    return out + "}";
  }

 private:
  const RecordRules* record_ = nullptr;

  /// The document's anyOf: a date-time, or a YYYY-MM-DD date.
  static std::string date_or_datetime(const ValueRules& v) {
    std::string out = "{\"anyOf\":[{\"type\":\"string\",\"format\":\"date-time\",\"pattern\":" +
                      q(datetime_pattern) + "},{\"type\":\"string\",\"format\":\"date\",\"pattern\":" +
                      q(date_pattern) + "}";
    if (v.nullable) out += ",{\"type\":\"null\"}";
    out += "]";
    // Wider than the generic route's type, as this PMS's page gives it (`pms type`).
    if (v.pms_type) out += ",\"x-gatehouse-pms-type\":true";
    return out + "}";
  }

  std::string cross_field(const RecordRules& r) {
    const RecordRules* saved = record_;
    record_ = &r;
    std::string out;
    auto push = [&](const std::string& s) { out += (out.empty() ? "" : ",") + s; };
    for (const auto& req : r.conditional_requirements) {
      // The `true` properties change nothing; they keep a strict validator (ajv's strictRequired)
      // from taking the required names for typos.
      std::string fields, properties;
      for (auto i : req.fields) {
        fields += (fields.empty() ? "" : ",") + q(r.fields[i].name);
        properties += (properties.empty() ? "" : ",") + q(r.fields[i].name) + ":true";
      }
      push("{\"if\":" + truth(req.when, true) + ",\"then\":{\"required\":[" + fields + "],\"properties\":{" +
           properties + "}}}");
    }
    for (const auto& a : r.at_least_one) {
      std::string any;
      for (auto i : a.fields) any += (any.empty() ? "" : ",") + present(r.fields[i].name);
      push("{\"anyOf\":[" + any + "]}");
    }
    for (const auto& c : r.checks) {
      std::size_t before = not_expressed.size();
      std::string f = truth(c.condition, false);
      if (not_expressed.size() != before) {
        // Not said at all rather than as {"not": false}, which holds always and which OpenAPI's
        // schema object (not a boolean) does not take; x-gatehouse-not-expressed names the check.
        not_expressed.resize(before);
        not_expressed.push_back(c.message);
        continue;
      }
      push("{\"not\":" + f + "}");
    }
    record_ = saved;
    return out;
  }

  static std::string present(const std::string& name) {
    return "{\"required\":[" + q(name) + "],\"properties\":{" + q(name) + ":{\"not\":{\"type\":\"null\"}}}}";
  }

  /// A schema that holds exactly when the condition is definitely true (want=true) or definitely
  /// false (want=false) under gatehouse's three-valued logic; `false` where JSON Schema cannot
  /// say it (an under-approximation, so rules built on it only ever accept more).
  std::string truth(const Condition& c, bool want) {
    auto list = [&](bool each) {
      std::string s;
      for (const auto& child : c.children) s += (s.empty() ? "" : ",") + truth(child, each);
      return s;
    };
    switch (c.kind) {
      case Condition::Kind::logical_and:
        return want ? "{\"allOf\":[" + list(true) + "]}" : "{\"anyOf\":[" + list(false) + "]}";
      case Condition::Kind::logical_or:
        return want ? "{\"anyOf\":[" + list(true) + "]}" : "{\"allOf\":[" + list(false) + "]}";
      case Condition::Kind::logical_not: return truth(c.children.at(0), !want);
      case Condition::Kind::present: {
        std::string p = present(record_->fields[c.lhs.field].name);
        return want ? p : "{\"not\":" + p + "}";
      }
      case Condition::Kind::compare: return comparison(c, want);
    }
    return "false";
  }

  std::string comparison(const Condition& c, bool want) {
    bool left_field = c.lhs.kind == Operand::Kind::field;
    const Operand& field = left_field ? c.lhs : c.rhs;
    const Operand& constant = left_field ? c.rhs : c.lhs;
    if (constant.kind == Operand::Kind::field) {
      not_expressed.push_back("");
      return "false";
    }
    ast::CompareOp op = c.op;
    if (!left_field) {  // 5 < x  is  x > 5
      switch (op) {
        case ast::CompareOp::lt: op = ast::CompareOp::gt; break;
        case ast::CompareOp::le: op = ast::CompareOp::ge; break;
        case ast::CompareOp::gt: op = ast::CompareOp::lt; break;
        case ast::CompareOp::ge: op = ast::CompareOp::le; break;
        default: break;
      }
    }
    std::string literal;
    switch (constant.kind) {
      case Operand::Kind::number: literal = number(constant.number); break;
      case Operand::Kind::boolean: literal = constant.boolean ? "true" : "false"; break;
      default: literal = q(constant.text); break;
    }
    bool instant = field.value_kind == ValueKind::date || field.value_kind == ValueKind::datetime ||
                   field.value_kind == ValueKind::date_or_datetime;
    bool ordering = op != ast::CompareOp::eq && op != ast::CompareOp::ne;
    // Only a date's equality is a string comparison; instants spelled several ways are not.
    if (instant && (ordering || field.value_kind != ValueKind::date)) {
      not_expressed.push_back("");
      return "false";
    }
    // An ordering holds for numbers only (dates were left out above); saying so changes nothing
    // beside `valid`, and a strict validator (ajv's strictTypes) asks for the type.
    std::string holds;
    switch (op) {
      case ast::CompareOp::eq: holds = "{\"const\":" + literal + "}"; break;
      case ast::CompareOp::ne: holds = "{\"not\":{\"const\":" + literal + "}}"; break;
      case ast::CompareOp::lt: holds = "{\"type\":\"number\",\"exclusiveMaximum\":" + literal + "}"; break;
      case ast::CompareOp::le: holds = "{\"type\":\"number\",\"maximum\":" + literal + "}"; break;
      case ast::CompareOp::gt: holds = "{\"type\":\"number\",\"exclusiveMinimum\":" + literal + "}"; break;
      case ast::CompareOp::ge: holds = "{\"type\":\"number\",\"minimum\":" + literal + "}"; break;
    }
    const FieldRules& f = record_->fields[field.field];
    // Decided only when the field is there with a valid, non-null value.
    std::string valid = value(f.value);
    std::string test = want ? holds : "{\"not\":" + holds + "}";
    return "{\"required\":[" + q(f.name) + "],\"properties\":{" + q(f.name) + ":{\"allOf\":[" + valid +
           ",{\"not\":{\"type\":\"null\"}}," + test + "]}}}";
  }
};

}  // namespace

std::string json_schema(const Program& program, const PmsRules& pms, const ModelRules& model,
                        ast::Operation op, bool integration_id) {
  SchemaWriter w;
  std::string body = w.record(*model.operation(op).record, integration_id);
  // A body with integration_id is another document than the decision's: another $id.
  std::string out = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":" +
                    q("urn:gatehouse:" + pms.id + ":" + model.name + ":" + ast::operation_name(op) +
                      (integration_id ? ":request-body" : "")) +
                    ",\"title\":" + q(pms.display_name + ": " + ast::operation_name(op) + " " + model.name) +
                    ",\"x-gatehouse-rules-version\":" + q(program.rules_version());
  if (!w.not_expressed.empty()) {
    std::string list;
    for (const auto& m : w.not_expressed) list += (list.empty() ? "" : ",") + q(m);
    out += ",\"x-gatehouse-not-expressed\":[" + list + "]";
  }
  return out + "," + body.substr(1);
}

std::string generic_json_schema(const Program& program, const GenericModel& model, ast::Operation op,
                                bool integration_id) {
  SchemaWriter w;
  std::string body = w.record(*model.route(op), integration_id);
  return "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":" +
         q("urn:gatehouse:generic:" + model.name + ":" + ast::operation_name(op) +
           (integration_id ? ":request-body" : "")) +
         ",\"title\":" + q(route_text(model, op)) +
         ",\"x-gatehouse-rules-version\":" + q(program.rules_version()) + "," + body.substr(1);
}

std::string route_path(const GenericModel& model, ast::Operation op) {
  std::string suffix = ast::operation_route(op).suffix;
  return model.path + "/" + suffix;
}

std::string route_text(const GenericModel& model, ast::Operation op) {
  return std::string(ast::operation_route(op).method) + " " + route_path(model, op);
}

bool body_names_integration(ast::Operation op) {
  return std::string_view(ast::operation_route(op).suffix).find("{id}") == std::string_view::npos;
}

}  // namespace gatehouse
