// compile(): resolves the AST of every rules file into one immutable Program.
//
// Order of work: parse every file; collect the declarations (records, shared rules blocks,
// PMSs) and report duplicates; build the generic record tables; then compile each PMS
// operation against its generic model. Each step keeps going after an error so that one run
// reports everything; the Program is only handed out when no error was found.
#include "gatehouse/compiler.hpp"

#include <cstdlib>
#include <functional>
#include <limits>
#include <set>

#include "content_hash.hpp"
#include "json_text.hpp"
#include "gatehouse/grammar/parser.hpp"
#include "suggest.hpp"
#include "value_formats.hpp"

namespace gatehouse {

namespace {

const std::vector<std::pair<std::string, ValueKind>>& builtin_types() {
  static const std::vector<std::pair<std::string, ValueKind>> types = {
      {"string", ValueKind::string},     {"integer", ValueKind::integer},
      {"decimal", ValueKind::decimal},   {"boolean", ValueKind::boolean},
      {"date", ValueKind::date},         {"datetime", ValueKind::datetime},
      {"email", ValueKind::email},       {"phone", ValueKind::phone},
      {"uuid", ValueKind::uuid}};
  return types;
}

const std::vector<std::string>& constraint_keywords() {
  static const std::vector<std::string> words = {"required", "length", "range",
                                                 "items",    "pattern", "one"};
  return words;
}

std::string escape_pointer_token(std::string_view name) {
  std::string token;
  append_pointer_token(token, name);
  return token;
}

bool is_textual(ValueKind k) {
  return k == ValueKind::string || k == ValueKind::email || k == ValueKind::phone;
}

// What a comparison operand is, for type checking checks.
enum class Comparable { numeric, text, boolean, date, datetime, none };

Comparable comparable_of(ValueKind k) {
  switch (k) {
    case ValueKind::integer:
    case ValueKind::decimal: return Comparable::numeric;
    case ValueKind::string:
    case ValueKind::email:
    case ValueKind::phone:
    case ValueKind::uuid:
    case ValueKind::enumeration: return Comparable::text;
    case ValueKind::boolean: return Comparable::boolean;
    case ValueKind::date: return Comparable::date;
    case ValueKind::datetime: return Comparable::datetime;
    case ValueKind::list:
    case ValueKind::record: return Comparable::none;
  }
  return Comparable::none;
}

std::optional<Numeric> parse_numeric(const std::string& text) {
  Numeric n;
  n.text = text;
  n.integer = text.find('.') == std::string::npos;
  errno = 0;
  char* end = nullptr;
  if (n.integer) {
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno == ERANGE || *end != '\0') return std::nullopt;
    n.i = v;
    n.d = static_cast<double>(v);
  } else {
    n.d = std::strtod(text.c_str(), &end);
    if (errno == ERANGE || *end != '\0') return std::nullopt;
  }
  return n;
}

bool numeric_less(const Numeric& a, const Numeric& b) {
  if (a.integer && b.integer) return a.i < b.i;
  return a.d < b.d;
}

}  // namespace

class ProgramBuilder {
 public:
  explicit ProgramBuilder(Compilation& c) : c_(c), diags_(c.diagnostics) {}

  void run() {
    program_ = std::make_shared<Program>();
    for (std::uint32_t i = 0; i < c_.sources.size(); ++i) {
      if (auto file = parse_rules(c_.sources, i, diags_)) c_.files.push_back(std::move(*file));
    }
    collect();
    build_generic_models();
    for (const auto* pms : pms_decls_) compile_pms(*pms);
    if (diags_.has_errors()) return;
    program_->sources_ = c_.sources;
    program_->rules_version_ = content_hash(c_.sources);
    index_rule_texts();
    c_.program = std::move(program_);
  }

 private:
  Compilation& c_;
  Diagnostics& diags_;
  std::shared_ptr<Program> program_;

  struct RecordSymbol {
    const ast::RecordDecl* decl = nullptr;
    RecordRules* generic = nullptr;  // built on first use; may be under construction (cycles)
  };
  std::map<std::string, RecordSymbol, std::less<>> records_;
  std::map<std::string, const ast::SharedRulesDecl*, std::less<>> shared_;
  std::vector<const ast::PmsDecl*> pms_decls_;

  /// "file:line:col" of every rule a decision can name, made once (decisions then point to them).
  void index_rule_texts() {
    auto add = [&](const SourceRef& ref) {
      if (ref.valid()) program_->rule_texts_.try_emplace(Program::key(ref), program_->location(ref));
    };
    for (const auto& r : program_->records_) {
      add(r.unsupported_rule);
      add(r.generic_rule);
      for (const auto& f : r.fields) add(f.rule);
      for (const auto& q : r.conditional_requirements) add(q.rule);
      for (const auto& a : r.at_least_one) add(a.rule);
      for (const auto& c : r.checks) add(c.rule);
    }
    for (const auto& [id, pms] : program_->pms_)
      for (const auto& [name, model] : pms.models) {
        add(model.create.rule);
        add(model.update.rule);
      }
  }

  // ---- helpers ----
  void duplicate(const SourceRef& at, const std::string& what, const SourceRef& previous) {
    diags_.error(at, "duplicate definition of " + what);
    diags_.note(previous, "previous definition is here");
  }

  template <typename Map>
  static std::vector<std::string> keys(const Map& m) {
    std::vector<std::string> out;
    for (const auto& [k, v] : m) out.push_back(k);
    return out;
  }

  std::vector<std::string> record_names(ast::RecordDecl::Kind kind) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : records_)
      if (v.decl->kind == kind) out.push_back(k);
    return out;
  }

  RecordRules& new_record() { return program_->records_.emplace_back(); }

  // ---- declarations ----
  void collect() {
    std::map<std::string, SourceRef, std::less<>> pms_seen;
    for (const auto& file : c_.files) {
      for (const auto& decl : file.declarations) {
        if (const auto* r = std::get_if<ast::RecordDecl>(&decl)) {
          const char* kind = r->kind == ast::RecordDecl::Kind::model ? "model" : "type";
          bool builtin = false;
          for (const auto& [name, k] : builtin_types()) builtin |= name == r->name.text;
          if (builtin || r->name.text == "list" || r->name.text == "enum") {
            diags_.error(r->name.at, std::string("'") + r->name.text +
                                         "' is a built-in type and cannot be redefined");
            continue;
          }
          auto [it, inserted] = records_.try_emplace(r->name.text, RecordSymbol{r});
          if (!inserted) {
            duplicate(r->name.at, std::string(kind) + " '" + r->name.text + "'",
                      it->second.decl->name.at);
          }
        } else if (const auto* s = std::get_if<ast::SharedRulesDecl>(&decl)) {
          auto [it, inserted] = shared_.try_emplace(s->name.text, s);
          if (!inserted) {
            duplicate(s->name.at, "rules block '" + s->name.text + "'", it->second->name.at);
          }
        } else if (const auto* p = std::get_if<ast::PmsDecl>(&decl)) {
          auto [it, inserted] = pms_seen.try_emplace(p->id.text, p->id.at);
          if (!inserted) {
            duplicate(p->id.at, "pms '" + p->id.text + "'", it->second);
          } else {
            pms_decls_.push_back(p);
          }
        }
      }
    }
  }

  // ---- generic models and types ----
  void build_generic_models() {
    for (auto& [name, symbol] : records_) {
      const RecordRules* r = generic_record(symbol);
      if (symbol.decl->kind == ast::RecordDecl::Kind::model) program_->generic_models_[name] = r;
    }
  }

  /// The generic table of a model or type: every field supported, no constraints.
  RecordRules* generic_record(RecordSymbol& symbol) {
    if (symbol.generic) return symbol.generic;
    const ast::RecordDecl& decl = *symbol.decl;
    RecordRules& r = new_record();
    symbol.generic = &r;  // set before resolving fields, so self-referencing types terminate
    r.name = decl.name.text;
    r.generic_rule = decl.name.at;
    r.unsupported_rule = decl.name.at;
    std::map<std::string, SourceRef, std::less<>> seen;
    for (const auto& f : decl.fields) {
      auto [it, inserted] = seen.try_emplace(f.name.text, f.name.at);
      if (!inserted) {
        duplicate(f.name.at, "field '" + f.name.text + "' in '" + decl.name.text + "'", it->second);
        continue;
      }
      FieldRules field;
      field.name = f.name.text;
      field.pointer_token = escape_pointer_token(f.name.text);
      field.supported = true;
      field.value = resolve_type(f.type);
      field.rule = f.name.at;
      r.fields.push_back(std::move(field));
    }
    build_index(r);
    return &r;
  }

  static void build_index(RecordRules& r) {
    std::vector<std::string_view> names;
    for (const auto& f : r.fields) names.push_back(f.name);
    r.index.build(names);
  }

  ValueRules resolve_type(const ast::TypeExpr& t) {
    ValueRules v;
    v.nullable = t.nullable;
    v.type_at = t.at;
    switch (t.kind) {
      case ast::TypeExpr::Kind::list: {
        v.kind = ValueKind::list;
        auto element = std::make_shared<ValueRules>(resolve_type(t.element.at(0)));
        v.type_name = "list<" + element->type_name + ">";
        v.element = std::move(element);
        break;
      }
      case ast::TypeExpr::Kind::enumeration: {
        v.kind = ValueKind::enumeration;
        std::map<std::string, SourceRef, std::less<>> seen;
        v.type_name = "enum(";
        for (const auto& value : t.enum_values) {
          auto [it, inserted] = seen.try_emplace(value.text, value.at);
          if (!inserted) {
            duplicate(value.at, "enum value '" + value.text + "'", it->second);
            continue;
          }
          v.type_name += (v.allowed.empty() ? "" : ", ") + value.text;
          v.allowed.push_back(value.text);
        }
        v.type_name += ")";
        break;
      }
      case ast::TypeExpr::Kind::named: {
        v.type_name = t.name;
        for (const auto& [name, kind] : builtin_types()) {
          if (name == t.name) {
            v.kind = kind;
            return v;
          }
        }
        auto it = records_.find(t.name);
        if (it == records_.end()) {
          std::vector<std::string> candidates = record_names(ast::RecordDecl::Kind::type);
          for (const auto& [name, kind] : builtin_types()) candidates.push_back(name);
          diags_.error(t.at, "unknown type '" + t.name + "'" + did_you_mean(t.name, candidates));
          return v;
        }
        if (it->second.decl->kind == ast::RecordDecl::Kind::model) {
          diags_.error(t.at, "'" + t.name +
                                 "' is a model; a nested record must be declared with 'type'");
          return v;
        }
        v.kind = ValueKind::record;
        v.record = generic_record(it->second);
        break;
      }
    }
    return v;
  }

  // ---- PMS ----
  void compile_pms(const ast::PmsDecl& decl) {
    PmsRules pms;
    pms.id = decl.id.text;
    pms.display_name = decl.display_name;
    pms.at = decl.id.at;
    // A model the PMS file does not mention is a model the PMS does not offer.
    for (const auto& [name, generic] : program_->generic_models_) {
      ModelRules m;
      m.name = name;
      for (OperationRules* op : {&m.create, &m.update}) {
        op->offered = false;
        op->reason = decl.display_name + " rules do not cover " + name;
        op->rule = decl.id.at;
        op->record = generic;
      }
      pms.models.emplace(name, std::move(m));
    }
    std::map<std::string, SourceRef, std::less<>> model_seen;
    for (const auto& block : decl.models) {
      auto sym = records_.find(block.model.text);
      if (sym == records_.end() || sym->second.decl->kind != ast::RecordDecl::Kind::model) {
        diags_.error(block.model.at,
                     "unknown model '" + block.model.text + "'" +
                         did_you_mean(block.model.text, record_names(ast::RecordDecl::Kind::model)));
        continue;
      }
      auto [seen_it, inserted] = model_seen.try_emplace(block.model.text, block.model.at);
      if (!inserted) {
        duplicate(block.model.at, "rules for model '" + block.model.text + "' in pms '" + pms.id + "'",
                  seen_it->second);
        continue;
      }
      compile_model_block(pms, block, sym->second);
    }
    program_->pms_.emplace(pms.id, std::move(pms));
  }

  void compile_model_block(PmsRules& pms, const ast::PmsModelBlock& block, RecordSymbol& model) {
    ModelRules& m = pms.models.at(block.model.text);
    std::map<ast::Operation, SourceRef> op_seen;
    for (const auto& op : block.operations) {
      const RecordRules* record = nullptr;
      if (!op.unsupported) record = compile_record(model, op.body, op.at, pms.display_name);
      for (const auto& [which, at] : op.operations) {
        auto [it, inserted] = op_seen.try_emplace(which, at);
        if (!inserted) {
          duplicate(at, std::string("operation '") + ast::operation_name(which) + "' of '" +
                            block.model.text + "'", it->second);
          continue;
        }
        OperationRules& target = which == ast::Operation::create ? m.create : m.update;
        target.rule = at;
        if (op.unsupported) {
          target.offered = false;
          target.reason = op.reason;
          target.record = generic_record(model);
        } else {
          target.offered = true;
          target.reason.clear();
          target.record = record;
        }
      }
    }
    for (auto which : {ast::Operation::create, ast::Operation::update}) {
      if (op_seen.count(which)) continue;
      OperationRules& op = which == ast::Operation::create ? m.create : m.update;
      op.reason = pms.display_name + " rules list no " + ast::operation_name(which) + " for " +
                  block.model.text;
      op.rule = block.model.at;
    }
  }

  // ---- operation bodies (and nested record blocks) ----
  struct Scope {
    RecordRules* record;
    std::string pms_name;
    std::vector<std::map<ast::Constraint::Kind, SourceRef>> given;  // per field: constraints seen
    std::map<std::uint32_t, SourceRef> block_at;                    // fields given a { } block
    std::vector<std::pair<std::uint32_t, const ast::Constraint*>> required_when;
  };

  /// Compiles the rule items of an operation or of a nested record block against the generic
  /// record `generic`. Unlisted fields become unsupported.
  const RecordRules* compile_record(RecordSymbol& generic_symbol,
                                    const std::vector<ast::RuleItem>& items, SourceRef block_at,
                                    const std::string& pms_name) {
    const RecordRules& generic = *generic_record(generic_symbol);
    RecordRules& r = new_record();
    r.name = generic.name;
    r.generic_rule = generic.generic_rule;
    r.unsupported_rule = block_at;
    for (const auto& g : generic.fields) {
      FieldRules f = g;
      f.supported = false;
      r.fields.push_back(std::move(f));
    }
    build_index(r);
    Scope scope{&r, pms_name, std::vector<std::map<ast::Constraint::Kind, SourceRef>>(r.fields.size()), {}, {}};

    std::vector<const ast::RuleItem*> flat;
    std::vector<std::string> use_stack;
    flatten(items, flat, use_stack);
    for (const auto* item : flat)
      if (const auto* f = std::get_if<ast::FieldRule>(&item->node)) field_rule(scope, *f);
    for (std::uint32_t i = 0; i < r.fields.size(); ++i)
      if (r.fields[i].supported && r.fields[i].required) r.required.push_back(i);
    for (const auto& [index, constraint] : scope.required_when) required_when(scope, index, *constraint);
    for (const auto* item : flat) {
      if (const auto* c = std::get_if<ast::CheckRule>(&item->node)) check_rule(scope, *c);
      if (const auto* q = std::get_if<ast::RequireRule>(&item->node)) require_rule(scope, *q);
      if (const auto* a = std::get_if<ast::AtLeastOneRule>(&item->node)) at_least_rule(scope, *a);
    }
    return &r;
  }

  /// Expands `use` in place, reporting unknown blocks and cycles.
  void flatten(const std::vector<ast::RuleItem>& items, std::vector<const ast::RuleItem*>& out,
               std::vector<std::string>& stack) {
    for (const auto& item : items) {
      const auto* use = std::get_if<ast::UseRule>(&item.node);
      if (!use) {
        out.push_back(&item);
        continue;
      }
      auto it = shared_.find(use->name.text);
      if (it == shared_.end()) {
        diags_.error(use->name.at, "unknown rules block '" + use->name.text + "'" +
                                       did_you_mean(use->name.text, keys(shared_)));
        continue;
      }
      if (std::find(stack.begin(), stack.end(), use->name.text) != stack.end()) {
        diags_.error(use->name.at, "rules block '" + use->name.text + "' uses itself");
        continue;
      }
      stack.push_back(use->name.text);
      flatten(it->second->body, out, stack);
      stack.pop_back();
    }
  }

  std::vector<std::string> field_names(const RecordRules& r) const {
    std::vector<std::string> out;
    for (const auto& f : r.fields) out.push_back(f.name);
    return out;
  }

  void unknown_field(const Scope& scope, const ast::Identifier& name, bool may_be_constraint) {
    std::string message = "unknown field '" + name.text + "' in '" + scope.record->name + "'";
    std::string suggestion = did_you_mean(name.text, field_names(*scope.record));
    if (suggestion.empty() && may_be_constraint) {
      std::string keyword = closest_match(name.text, constraint_keywords());
      if (!keyword.empty())
        suggestion = "; did you mean the constraint '" + keyword +
                     "'? (a field's constraints go on the field's own line)";
    }
    diags_.error(name.at, message + suggestion);
  }

  void field_rule(Scope& scope, const ast::FieldRule& rule) {
    RecordRules& r = *scope.record;
    std::uint32_t index = r.index.find(rule.name.text);
    if (index == FieldIndex::npos) {
      unknown_field(scope, rule.name, true);
      return;
    }
    FieldRules& field = r.fields[index];
    // A field may be listed more than once (say, in a shared block and again in the operation
    // to make it required): the constraints add up, but each kind may be given only once.
    if (!field.supported) {
      field.supported = true;
      field.rule = rule.name.at;
    }
    auto& given = scope.given[index];
    for (const auto& c : rule.constraints) {
      bool conditional = c.kind == ast::Constraint::Kind::required && c.when;
      if (!conditional) {
        auto [it, inserted] = given.try_emplace(c.kind, c.at);
        if (!inserted) {
          diags_.error(c.at, "'" + constraint_name(c.kind) + "' is already given for field '" +
                                 field.name + "'");
          diags_.note(it->second, "given here");
          continue;
        }
      }
      apply_constraint(scope, field, c);
    }
    if (rule.has_block) {
      auto [it, inserted] = scope.block_at.try_emplace(index, rule.name.at);
      if (!inserted) {
        duplicate(rule.name.at, "the { } block of field '" + field.name + "'", it->second);
        return;
      }
      nested_block(scope, field, rule);
    }
  }

  static std::string constraint_name(ast::Constraint::Kind kind) {
    switch (kind) {
      case ast::Constraint::Kind::required: return "required";
      case ast::Constraint::Kind::length: return "length";
      case ast::Constraint::Kind::range: return "range";
      case ast::Constraint::Kind::items: return "items";
      case ast::Constraint::Kind::one_of: return "one of";
      case ast::Constraint::Kind::pattern: return "pattern";
    }
    return "";
  }

  /// A field's constraints apply to the field itself; on a list, every constraint but `items`
  /// applies to the list's elements (`tags items ..5 length ..20`).
  static ValueRules& constraint_target(ValueRules& value, ast::Constraint::Kind kind) {
    if (value.kind != ValueKind::list || kind == ast::Constraint::Kind::items) return value;
    auto copy = std::make_shared<ValueRules>(*value.element);
    ValueRules& element = constraint_target(*copy, kind);
    value.element = copy;
    return element;
  }

  void apply_constraint(Scope& scope, FieldRules& field, const ast::Constraint& c) {
    using K = ast::Constraint::Kind;
    if (c.kind == K::required) {
      if (c.when) {
        // Compiled once every field of the block is listed: the condition may name a field
        // listed further down.
        scope.required_when.push_back({scope.record->index.find(field.name), &c});
      } else {
        field.required = true;
      }
      return;
    }
    ValueRules& v = constraint_target(field.value, c.kind);
    auto wrong_type = [&](const char* constraint, const char* applies_to) {
      diags_.error(c.at, std::string("'") + constraint + "' applies to " + applies_to + "; '" +
                             field.name + "' is " + article(v.type_name));
    };
    switch (c.kind) {
      case K::length: {
        if (!is_textual(v.kind)) return wrong_type("length", "string, email and phone fields");
        auto b = count_bounds(c, "length");
        if (b) std::tie(v.min_length, v.max_length) = *b;
        break;
      }
      case K::items: {
        if (v.kind != ValueKind::list) return wrong_type("items", "list fields");
        auto b = count_bounds(c, "items");
        if (b) std::tie(v.min_items, v.max_items) = *b;
        break;
      }
      case K::range: {
        if (v.kind != ValueKind::integer && v.kind != ValueKind::decimal)
          return wrong_type("range", "integer and decimal fields");
        std::optional<Numeric> lo, hi;
        bool ok = true;
        for (auto [bound, out] : {std::pair{&c.bounds.min, &lo}, std::pair{&c.bounds.max, &hi}}) {
          if (!*bound) continue;
          *out = parse_numeric((*bound)->text);
          if (!*out) {
            diags_.error((*bound)->at, "number '" + (*bound)->text + "' is out of range");
            ok = false;
          } else if (v.kind == ValueKind::integer && !(*out)->integer) {
            diags_.error((*bound)->at, "'" + field.name + "' is an integer; its range needs whole numbers, not " +
                                           (*bound)->text);
            ok = false;
          }
        }
        if (ok && lo && hi && numeric_less(*hi, *lo)) {
          diags_.error(c.bounds.at, "contradictory range " + lo->text + ".." + hi->text +
                                        ": the minimum is greater than the maximum");
          ok = false;
        }
        if (ok) {
          v.min = lo;
          v.max = hi;
        }
        break;
      }
      case K::one_of: {
        if (v.kind == ValueKind::enumeration) {
          std::vector<std::string> narrowed;
          for (const auto& value : c.values) {
            if (std::find(v.allowed.begin(), v.allowed.end(), value.text) == v.allowed.end()) {
              diags_.error(value.at, "'" + value.text + "' is not a value of " + field.name + ": " +
                                         v.type_name + "; 'one of' can only narrow" +
                                         did_you_mean(value.text, v.allowed));
              continue;
            }
            narrowed.push_back(value.text);
          }
          v.allowed = std::move(narrowed);
        } else if (v.kind == ValueKind::string) {
          v.allowed.clear();
          for (const auto& value : c.values) v.allowed.push_back(value.text);
        } else {
          return wrong_type("one of", "enum and string fields");
        }
        v.allowed_is_narrowed = true;
        break;
      }
      case K::pattern: {
        if (!is_textual(v.kind)) return wrong_type("pattern", "string, email and phone fields");
        auto p = std::make_shared<Pattern>(c.pattern);
        if (!p->ok()) {
          diags_.error(c.at, "invalid pattern /" + c.pattern + "/: " + p->error());
          break;
        }
        v.pattern = std::move(p);
        break;
      }
      case K::required: break;
    }
  }

  static std::string article(const std::string& type_name) {
    bool vowel = !type_name.empty() && std::string("aeiou").find(type_name[0]) != std::string::npos;
    return std::string(vowel ? "an " : "a ") + type_name;
  }

  /// Bounds for length and items: whole, non-negative, min <= max.
  std::optional<std::pair<std::optional<std::uint64_t>, std::optional<std::uint64_t>>> count_bounds(
      const ast::Constraint& c, const char* what) {
    std::optional<std::uint64_t> lo, hi;
    bool ok = true;
    for (auto [bound, out] : {std::pair{&c.bounds.min, &lo}, std::pair{&c.bounds.max, &hi}}) {
      if (!*bound) continue;
      const std::string& text = (*bound)->text;
      if (text.find('.') != std::string::npos || text[0] == '-') {
        diags_.error((*bound)->at, std::string("'") + what +
                                       "' needs whole, non-negative numbers, not " + text);
        ok = false;
        continue;
      }
      auto n = parse_numeric(text);
      if (!n) {
        diags_.error((*bound)->at, "number '" + text + "' is out of range");
        ok = false;
        continue;
      }
      *out = static_cast<std::uint64_t>(n->i);
    }
    if (ok && lo && hi && *hi < *lo) {
      diags_.error(c.bounds.at, std::string("contradictory ") + what + " " + c.bounds.min->text +
                                    ".." + c.bounds.max->text +
                                    ": the minimum is greater than the maximum");
      ok = false;
    }
    if (!ok) return std::nullopt;
    return std::pair{lo, hi};
  }

  void nested_block(Scope& scope, FieldRules& field, const ast::FieldRule& rule) {
    // The block describes the innermost record: of the field, or of its list's elements.
    ValueRules* v = &field.value;
    while (v->kind == ValueKind::list) {
      auto copy = std::make_shared<ValueRules>(*v->element);
      ValueRules* next = copy.get();
      v->element = copy;
      v = next;
    }
    if (v->kind != ValueKind::record) {
      diags_.error(rule.name.at, "'" + field.name + "' is " + article(field.value.type_name) +
                                     "; a { } block describes the fields of a record type");
      return;
    }
    auto sym = records_.find(v->type_name);
    if (sym == records_.end()) return;  // already reported when resolving the type
    v->record = compile_record(sym->second, rule.block, rule.name.at, scope.pms_name);
  }

  // ---- cross-field rules ----
  std::string source_text(const SourceRef& at) const {
    const auto& text = c_.sources.file(at.file).text;
    return text.substr(at.offset, at.length);
  }

  /// Resolves a field named in a cross-field rule: it must exist and be supported here.
  std::optional<std::uint32_t> rule_field(const Scope& scope, const ast::Identifier& name) {
    std::uint32_t index = scope.record->index.find(name.text);
    if (index == FieldIndex::npos) {
      unknown_field(scope, name, false);
      return std::nullopt;
    }
    if (!scope.record->fields[index].supported) {
      diags_.error(name.at, "field '" + name.text + "' is not supported by this operation; list it "
                            "before using it in a rule");
      return std::nullopt;
    }
    return index;
  }

  std::optional<Condition> compile_condition(const Scope& scope, const ast::Expr& e) {
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
          auto cc = compile_condition(scope, child);
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
        auto f = rule_field(scope, {e.lhs.text, e.lhs.at});
        if (!f) return std::nullopt;
        c.lhs.kind = Operand::Kind::field;
        c.lhs.field = *f;
        c.lhs.text = e.lhs.text;
        c.lhs.value_kind = scope.record->fields[*f].value.kind;
        return c;
      }
      case K::compare: {
        c.kind = Condition::Kind::compare;
        c.op = e.op;
        auto lhs = operand(scope, e.lhs);
        auto rhs = operand(scope, e.rhs);
        if (!lhs || !rhs) return std::nullopt;
        c.lhs = std::move(*lhs);
        c.rhs = std::move(*rhs);
        if (!type_check_comparison(scope, e, c)) return std::nullopt;
        return c;
      }
    }
    return std::nullopt;
  }

  std::optional<Operand> operand(const Scope& scope, const ast::Operand& o) {
    Operand out;
    out.text = o.text;
    switch (o.kind) {
      case ast::Operand::Kind::field: {
        auto f = rule_field(scope, {o.text, o.at});
        if (!f) return std::nullopt;
        out.kind = Operand::Kind::field;
        out.field = *f;
        out.value_kind = scope.record->fields[*f].value.kind;
        if (comparable_of(out.value_kind) == Comparable::none) {
          diags_.error(o.at, "'" + o.text + "' is " +
                                 article(scope.record->fields[*f].value.type_name) +
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

  bool type_check_comparison(const Scope& scope, const ast::Expr& e, Condition& c) {
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
        valid = instant.has_value();
        if (valid) {
          other.number.i = instant->seconds;
          other.number.d = instant->nanos;
        }
      }
      other.value_kind = field.value_kind;  // the evaluator compares it as an instant
      if (!valid) {
        diags_.error(other_ast.at, "\"" + other.text + "\" is not a valid " +
                                       (want == Comparable::date ? "date (YYYY-MM-DD)" : "RFC 3339 datetime"));
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
      const auto& allowed = scope.record->fields[field.field].value.allowed;
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

  void check_rule(Scope& scope, const ast::CheckRule& rule) {
    auto cond = compile_condition(scope, rule.condition);
    if (!cond) return;
    Check check;
    bool found = false;
    check.path_field = first_field(*cond, found);
    check.condition = std::move(*cond);
    check.message = rule.message;
    check.rule = rule.at;
    scope.record->checks.push_back(std::move(check));
  }

  void required_when(Scope& scope, std::uint32_t field, const ast::Constraint& c) {
    auto cond = compile_condition(scope, *c.when);
    if (!cond) return;
    ConditionalRequirement req;
    req.fields.push_back(field);
    req.when = std::move(*cond);
    req.rule = c.at;
    req.message = scope.record->fields[field].name + " is required when " + source_text(c.when->at);
    scope.record->conditional_requirements.push_back(std::move(req));
  }

  /// Resolves the fields a cross-field rule lists; nullopt if any is unknown or unsupported
  /// (each reported).
  std::optional<std::vector<std::uint32_t>> rule_fields(const Scope& scope,
                                                        const std::vector<ast::Identifier>& names) {
    std::vector<std::uint32_t> out;
    bool ok = true;
    for (const auto& name : names) {
      auto index = rule_field(scope, name);
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

  void require_rule(Scope& scope, const ast::RequireRule& rule) {
    auto fields = rule_fields(scope, rule.fields);
    auto cond = compile_condition(scope, rule.condition);
    if (!fields || !cond) return;
    ConditionalRequirement req;
    req.fields = std::move(*fields);
    req.when = std::move(*cond);
    req.rule = rule.at;
    req.message = rule.message ? *rule.message
                               : names_of(rule.fields) + (rule.fields.size() > 1 ? " are" : " is") +
                                     " required when " + source_text(rule.condition.at);
    scope.record->conditional_requirements.push_back(std::move(req));
  }

  void at_least_rule(Scope& scope, const ast::AtLeastOneRule& rule) {
    auto fields = rule_fields(scope, rule.fields);
    if (!fields) return;
    AtLeastOne a;
    a.fields = std::move(*fields);
    a.rule = rule.at;
    a.message = rule.message ? *rule.message
                             : "at least one of " + names_of(rule.fields) + " is required";
    scope.record->at_least_one.push_back(std::move(a));
  }
};

Compilation compile(SourceSet sources) {
  Compilation c;
  c.sources = std::move(sources);
  ProgramBuilder(c).run();
  return c;
}

}  // namespace gatehouse
