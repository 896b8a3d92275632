// dump_program: the compiled tables as text, one PMS x model x operation at a time.
#include <set>
#include <sstream>

#include "gatehouse/program.hpp"

namespace gatehouse {

}  // namespace gatehouse

namespace gatehouse {

std::string describe_value_rules(const ValueRules& v) {
  std::string s = v.type_name;
  if (v.nullable && s.back() != '?') s += '?';
  if (v.pms_type) s += " (pms type)";  // the PMS's own, wider than the generic route's
  auto count = [](const std::optional<std::uint64_t>& x) {
    return x ? std::to_string(*x) : std::string();
  };
  if (v.min_length || v.max_length) s += " length " + count(v.min_length) + ".." + count(v.max_length);
  if (v.min || v.max)
    s += " range " + (v.min ? v.min->text : "") + ".." + (v.max ? v.max->text : "");
  if (v.min_items || v.max_items) s += " items " + count(v.min_items) + ".." + count(v.max_items);
  if (v.allowed_is_narrowed) {
    s += v.pms_values ? " pms values (" : " one of (";
    for (std::size_t i = 0; i < v.allowed.size(); ++i) s += (i ? ", " : "") + v.allowed[i];
    s += ")";
  }
  if (v.pattern) s += " pattern /" + v.pattern->source() + "/";
  if (v.element && v.kind == ValueKind::list) {
    std::string e = describe_value_rules(*v.element);
    if (e != v.element->type_name) s += " each(" + e + ")";
  }
  return s;
}


namespace {

class ProgramDumper {
 public:
  explicit ProgramDumper(const Program& p) : p_(p) {}

  std::string run() {
    out_ << "rules_version " << p_.rules_version() << '\n';
    for (const auto& [name, model] : p_.models()) {
      out_ << "model " << name << '\n';
      fields(*model.record, 1);
    }
    for (const auto& [id, pms] : p_.pms()) {
      out_ << "pms " << id << " \"" << pms.display_name << "\"\n";
      for (const auto& [model, rules] : pms.models) {
        const GenericModel* generic = p_.find_model(model);
        for (auto op : ast::all_operations()) {
          if (!generic || !generic->route(op)) continue;  // no such route: nothing to say
          const OperationRules& o = rules.operation(op);
          out_ << "  " << model << ' ' << ast::operation_name(op) << ' ';
          if (!o.offered) {
            out_ << "not offered: \"" << o.reason << "\" @" << p_.location(o.rule) << '\n';
            continue;
          }
          out_ << "@" << p_.location(o.rule);
          if (o.created_id_returned) out_ << (*o.created_id_returned ? " created id returned" : " created id not returned");
          if (o.refresh_after_write) out_ << " refresh after write";
          out_ << '\n';
          fields(*o.record, 2);
        }
      }
    }
    return out_.str();
  }

 private:
  const Program& p_;
  std::ostringstream out_;

  static std::string indent(int depth) { return std::string(2 * depth, ' '); }

  void fields(const RecordRules& r, int depth) {
    std::set<const RecordRules*> none;
    for (const auto& f : r.fields) {
      out_ << indent(depth) << f.name << ": ";
      if (!f.supported) {
        out_ << "unsupported\n";
        continue;
      }
      out_ << describe_value_rules(f.value) << (f.required ? " required" : "") << " @" << p_.location(f.rule)
           << '\n';
      const ValueRules* v = &f.value;
      while (v->kind == ValueKind::list && v->element) v = v->element.get();
      if (v->kind == ValueKind::record && v->record && depth < 8 && v->record != &r)
        fields(*v->record, depth + 1);
    }
    for (const auto& q : r.conditional_requirements)
      out_ << indent(depth) << "require: " << q.message << " @" << p_.location(q.rule) << '\n';
    for (const auto& a : r.at_least_one)
      out_ << indent(depth) << "at least one: " << a.message << " @" << p_.location(a.rule) << '\n';
    for (const auto& c : r.checks)
      out_ << indent(depth) << "check: " << c.message << " @" << p_.location(c.rule) << '\n';
  }
};

}  // namespace

std::string dump_program(const Program& program) { return ProgramDumper(program).run(); }

}  // namespace gatehouse
