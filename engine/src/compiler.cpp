// compile(): resolves the AST of every rules file into one immutable Program.
//
// Order of work: parse every file; collect the declarations (records, shared rules blocks,
// PMSs) and report duplicates; build the generic record tables; then compile each PMS
// operation against its generic model (field rules and constraints here, cross-field rules in
// condition_compiler.cpp). Each step keeps going after an error so that one run reports
// everything; the Program is only handed out when no error was found.
#include "gatehouse/compiler.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <limits>
#include <set>

#include "condition_compiler.hpp"
#include "content_hash.hpp"
#include "json_text.hpp"
#include "gatehouse/grammar/parser.hpp"
#include "rule_literals.hpp"
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
      {"uuid", ValueKind::uuid},         {"date_or_datetime", ValueKind::date_or_datetime},
      {"uri", ValueKind::uri},           {"object", ValueKind::object}};
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
  return k == ValueKind::string || k == ValueKind::email || k == ValueKind::phone || k == ValueKind::uri;
}

/// `service_requests` -> `service-requests`: a model's resource path unless it names one.
std::string default_resource(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
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
    index_lookups();
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

  /// The perfect hashes a decision looks the PMS and the model up in, once every PMS is in
  /// place (the pointers are to map nodes, which stay where they are).
  void index_lookups() {
    for (auto& [id, pms] : program_->pms_) pms.model_lookup.build(pms.models);
    program_->pms_lookup_.build(program_->pms_);
  }

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
      for (const auto& [name, model] : pms.models)
        for (const auto& op : model.operations) add(op.rule);
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
    std::map<std::string, SourceRef, std::less<>> resources;
    for (auto& [name, symbol] : records_) {
      const RecordRules* r = generic_record(symbol);
      if (symbol.decl->kind != ast::RecordDecl::Kind::model) continue;
      GenericModel& model = program_->models_[name];
      model.name = name;
      model.record = r;
      model.at = symbol.decl->name.at;
      model.resource = symbol.decl->resource ? symbol.decl->resource->text : default_resource(name);
      // A resource under /v1/ unless it starts with '/': then it is the whole path, for an API
      // beside the PMS one (the CRM API's `/crm/v1/prospects`).
      model.path = !model.resource.empty() && model.resource.front() == '/' ? model.resource : "/v1/" + model.resource;
      for (std::size_t from = 1; from <= model.path.size();) {
        std::size_t slash = std::min(model.path.find('/', from), model.path.size());
        model.path_segments.push_back(model.path.substr(from, slash - from));
        from = slash + 1;
      }
      SourceRef resource_at = symbol.decl->resource ? symbol.decl->resource->at : symbol.decl->name.at;
      if (!valid_resource(model.resource)) {
        diags_.error(resource_at, "resource path '" + model.resource +
                                      "' must be lower-case words of letters, digits and '-', separated by '/' "
                                      "(a path under /v1/), or such a path starting with '/' (a whole path, "
                                      "e.g. '/crm/v1/prospects')");
      }
      auto [seen, inserted] = resources.try_emplace(model.resource, resource_at);
      if (!inserted) {
        duplicate(resource_at, "resource path '" + model.resource + "'", seen->second);
      } else if (model.resource != name) {
        program_->model_by_resource_[model.resource] = name;
      }
      build_routes(symbol, model);
    }
  }

  static bool valid_resource(std::string_view path) {
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);  // a whole path
    if (path.empty() || path.front() == '/' || path.back() == '/') return false;
    char previous = '/';
    for (char c : path) {
      bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!word && c != '/') return false;
      if (c == '/' && previous == '/') return false;
      previous = c;
    }
    return true;
  }

  /// The routes of a generic model: each declared operation's body, holding only the fields it
  /// lists (with their `required`). A model that declares none has create and update, each over
  /// every field.
  void build_routes(RecordSymbol& symbol, GenericModel& model) {
    const ast::RecordDecl& decl = *symbol.decl;
    if (decl.operations.empty()) {
      model.routes[static_cast<std::size_t>(ast::Operation::create)] = model.record;
      model.routes[static_cast<std::size_t>(ast::Operation::update)] = model.record;
      return;
    }
    std::map<ast::Operation, SourceRef> seen;
    // (The grammar gives a model's routes a body only: a route the model lacks is left out.)
    for (const auto& op : decl.operations) {
      if (op.created_id_returned)
        diags_.error(op.created_id_at, "whether the created record's id comes back is a fact of a PMS; "
                                       "say it in the PMS's operation, not in the generic model");
      if (op.refresh_after_write)
        diags_.error(*op.refresh_after_write, "whether a record is read back after a write is a fact of a PMS; "
                                              "say it in the PMS's operation, not in the generic model");
      const RecordRules* body = route_body(symbol, op);
      for (const auto& [which, at] : op.operations) {
        auto [it, inserted] = seen.try_emplace(which, at);
        if (!inserted) {
          duplicate(at, std::string("route '") + ast::operation_name(which) + "' of model '" + decl.name.text + "'",
                    it->second);
          continue;
        }
        model.routes[static_cast<std::size_t>(which)] = body;
      }
    }
  }

  /// A route's body: the generic record narrowed to the fields the route lists.
  const RecordRules* route_body(RecordSymbol& symbol, const ast::OperationDecl& op) {
    const RecordRules* listed = compile_record(symbol, op.body, op.at, "the generic model", nullptr);
    RecordRules& body = new_record();
    body.name = listed->name;
    body.generic_rule = listed->generic_rule;
    body.unsupported_rule = op.at;
    for (const auto& f : listed->fields)
      if (f.supported) body.fields.push_back(f);
    build_index(body);
    for (std::uint32_t i = 0; i < body.fields.size(); ++i)
      if (body.fields[i].required) body.required.push_back(i);
    return &body;
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
      field.deprecated = f.deprecated.has_value();
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
    r.names.assign(names.begin(), names.end());
  }

  static void index_allowed(ValueRules& v) {
    std::vector<std::string_view> members;  // distinct, as the index needs (`one of` may repeat one)
    for (const auto& a : v.allowed)
      if (std::find(members.begin(), members.end(), a) == members.end()) members.push_back(a);
    v.allowed_index.build(members);
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
        index_allowed(v);
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
    for (const auto& [name, generic] : program_->models_) {
      ModelRules m;
      m.name = name;
      for (auto which : ast::all_operations()) {
        OperationRules& op = m.operation(which);
        op.offered = false;
        op.rule = decl.id.at;
        if (const RecordRules* route = generic.route(which)) {
          op.reason = decl.display_name + " rules do not cover " + name;
          op.record = route;
        } else {
          op.reason = no_route_reason(generic, which);
          op.record = generic.record;
        }
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

  static std::string no_route_reason(const GenericModel& model, ast::Operation op) {
    return "the unified API has no " + std::string(ast::operation_name(op)) + " route for " + model.name;
  }

  // An operation's own `refresh after write`: not twice (the block's says it for all), and not
  // where the created record's id does not come back (a create's record is read back by its id).
  void check_refresh_after_write(const ast::PmsModelBlock& block, const ast::OperationDecl& op) {
    if (!op.refresh_after_write) return;
    if (!block.refresh_after_write.empty()) {
      diags_.error(*op.refresh_after_write, "'refresh after write' is already said for all of '" + block.model.text + "'");
      diags_.note(block.refresh_after_write[0], "said here, for the whole model");
      return;
    }
    bool creates = false;
    for (const auto& [which, at] : op.operations) creates = creates || which == ast::Operation::create;
    if (creates && op.created_id_returned == false) {
      diags_.error(*op.refresh_after_write, "a created record whose id does not come back cannot be read back "
                                            "after the write; remove 'refresh after write' or 'created id not returned'");
      diags_.note(op.created_id_at, "the id is said not to come back here");
    }
  }

  void compile_model_block(PmsRules& pms, const ast::PmsModelBlock& block, RecordSymbol& model) {
    ModelRules& m = pms.models.at(block.model.text);
    const GenericModel& generic = program_->models_.at(block.model.text);
    for (std::size_t i = 1; i < block.refresh_after_write.size(); ++i)
      duplicate(block.refresh_after_write[i], "'refresh after write' of '" + block.model.text + "'",
                block.refresh_after_write[0]);
    m.refresh_after_write = !block.refresh_after_write.empty();
    std::map<ast::Operation, SourceRef> op_seen;
    for (const auto& op : block.operations) {
      check_refresh_after_write(block, op);
      // `create, update { ... }` compiles once per distinct route body, so operations whose
      // routes take the same fields share one table.
      std::map<const RecordRules*, const RecordRules*> compiled;
      for (const auto& [which, at] : op.operations) {
        auto [it, inserted] = op_seen.try_emplace(which, at);
        if (!inserted) {
          duplicate(at, std::string("operation '") + ast::operation_name(which) + "' of '" +
                            block.model.text + "'", it->second);
          continue;
        }
        const RecordRules* route = generic.route(which);
        if (!route) {
          diags_.error(at, "model '" + block.model.text + "' has no '" + ast::operation_name(which) +
                               "' route; its routes are " + route_names(generic));
          diags_.note(generic.at, "the model is declared here");
          continue;
        }
        OperationRules& target = m.operation(which);
        target.rule = at;
        if (op.unsupported) {
          target.offered = false;
          target.refused = true;
          target.reason = op.reason;
          target.record = route;
        } else {
          target.offered = true;
          target.reason.clear();
          target.created_id_returned = op.created_id_returned;
          target.refresh_after_write = m.refresh_after_write || op.refresh_after_write.has_value();
          const RecordRules*& record = compiled[route];
          if (!record) record = compile_record(model, op.body, op.at, pms.display_name, route);
          target.record = record;
        }
      }
    }
    for (auto which : ast::all_operations()) {
      if (op_seen.count(which) || !generic.route(which)) continue;
      OperationRules& op = m.operation(which);
      op.reason = pms.display_name + " rules list no " + ast::operation_name(which) + " for " +
                  block.model.text;
      op.rule = block.model.at;
    }
  }

  static std::string route_names(const GenericModel& model) {
    std::string out;
    for (auto which : ast::all_operations())
      if (model.route(which)) out += (out.empty() ? "" : ", ") + std::string(ast::operation_name(which));
    return out.empty() ? "none" : out;
  }

  // ---- operation bodies (and nested record blocks) ----
  struct Scope {
    RecordRules* record;
    std::string pms_name;
    const RecordRules* all_fields;  // the generic record: names a route leaves out, for messages
    std::vector<std::map<ast::Constraint::Kind, SourceRef>> given;  // per field: constraints seen
    std::map<std::uint32_t, SourceRef> block_at;                    // fields given a { } block
    std::vector<std::pair<std::uint32_t, const ast::Constraint*>> required_when;
  };

  /// Compiles the rule items of an operation or of a nested record block against the generic
  /// record `generic`, or against a route's body when `route` is given (a field the route does
  /// not take is then unknown, and what the route requires is required). Unlisted fields become
  /// unsupported.
  const RecordRules* compile_record(RecordSymbol& generic_symbol,
                                    const std::vector<ast::RuleItem>& items, SourceRef block_at,
                                    const std::string& pms_name, const RecordRules* route) {
    const RecordRules& generic = *generic_record(generic_symbol);
    const RecordRules& base = route ? *route : generic;
    RecordRules& r = new_record();
    r.name = generic.name;
    r.generic_rule = generic.generic_rule;
    r.unsupported_rule = block_at;
    for (const auto& g : base.fields) {
      FieldRules f = g;
      f.supported = false;
      f.required = false;
      r.fields.push_back(std::move(f));
    }
    build_index(r);
    Scope scope{&r, pms_name, &generic, std::vector<std::map<ast::Constraint::Kind, SourceRef>>(r.fields.size()), {}, {}};

    std::vector<const ast::RuleItem*> flat;
    std::vector<std::string> use_stack;
    flatten(items, flat, use_stack);
    // `extra` fields first, so that every rule of the block (a check, say) may name them.
    for (const auto* item : flat)
      if (const auto* f = std::get_if<ast::FieldRule>(&item->node); f && f->extra_type) add_extra_field(scope, generic, *f);
    for (const auto* item : flat)
      if (const auto* f = std::get_if<ast::FieldRule>(&item->node)) field_rule(scope, *f);
    // What the unified API requires on this route, every PMS requires: the field is taken even
    // where the PMS rules do not list it (an `integration_id` names the integration, say),
    // unless the PMS's own route does not have it at all (`without`).
    std::set<std::uint32_t> without = without_fields(scope, flat, route);
    if (route) {
      for (std::uint32_t i : route->required) {
        if (without.count(i)) continue;
        FieldRules& f = r.fields[i];
        if (!f.supported) {
          f.supported = true;
          f.rule = route->fields[i].rule;
        }
        f.required = true;
      }
    }
    for (std::uint32_t i = 0; i < r.fields.size(); ++i)
      if (r.fields[i].supported && r.fields[i].required) r.required.push_back(i);
    compile_cross_field_rules(diags_, c_.sources, r, flat, scope.required_when);
    return &r;
  }

  /// The fields a block's `without` rules name: each must be one the route requires and the block
  /// does not also list (the PMS's route does not take it, so it stays unsupported).
  std::set<std::uint32_t> without_fields(const Scope& scope, const std::vector<const ast::RuleItem*>& flat,
                                         const RecordRules* route) {
    std::set<std::uint32_t> out;
    for (const auto* item : flat) {
      const auto* w = std::get_if<ast::WithoutRule>(&item->node);
      if (!w) continue;
      if (!route) {
        diags_.error(w->at, "'without' belongs in a PMS operation, for fields its generic route requires");
        continue;
      }
      for (const auto& name : w->fields) {
        std::uint32_t i = scope.record->index.find(name.text);
        bool route_requires = i != FieldIndex::npos &&
                              std::find(route->required.begin(), route->required.end(), i) != route->required.end();
        if (!route_requires) {
          diags_.error(name.at, "'" + name.text + "' is not a field the generic route requires; a field the PMS " +
                                    "does not take is simply not listed");
        } else if (scope.record->fields[i].supported) {
          diags_.error(name.at, "'" + name.text + "' is listed in this operation and named by 'without'");
        } else if (!out.insert(i).second) {
          diags_.error(name.at, "'" + name.text + "' is named by 'without' twice");
        }
      }
    }
    return out;
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

  /// Declares a field the PMS's own route takes beyond the generic route's body.
  void add_extra_field(Scope& scope, const RecordRules& generic, const ast::FieldRule& rule) {
    RecordRules& r = *scope.record;
    if (r.index.find(rule.name.text) != FieldIndex::npos) {
      diags_.error(rule.name.at, "'" + rule.name.text + "' is a field of this route already; list it without 'extra'");
      return;
    }
    FieldRules field;
    field.name = rule.name.text;
    field.pointer_token = escape_pointer_token(rule.name.text);
    field.value = resolve_type(*rule.extra_type);
    field.extra = true;
    field.deprecated = rule.extra_deprecated.has_value();
    std::uint32_t in_model = generic.index.find(rule.name.text);
    if (in_model != FieldIndex::npos && generic.fields[in_model].value.type_name != field.value.type_name) {
      diags_.error(rule.extra_type->at, "'" + rule.name.text + "' is " + article(generic.fields[in_model].value.type_name) +
                                            " in the generic model '" + generic.name + "'; an extra field keeps that type");
      return;
    }
    r.fields.push_back(std::move(field));
    build_index(r);
    scope.given.emplace_back();
  }

  void unknown_field(const Scope& scope, const ast::Identifier& name, bool may_be_constraint) {
    if (scope.all_fields->index.find(name.text) != FieldIndex::npos) {
      diags_.error(name.at, "field '" + name.text + "' of '" + scope.record->name +
                                "' is not in this route's request body" +
                                did_you_mean(name.text, scope.record->names));
      return;
    }
    std::string message = "unknown field '" + name.text + "' in '" + scope.record->name + "'";
    std::string suggestion = did_you_mean(name.text, scope.record->names);
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
      if (!rule.extra_type) unknown_field(scope, rule.name, true);  // a refused extra was reported
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
          diags_.error(c.at, "'" + constraint_name(c) + "' is already given for field '" +
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

  static std::string constraint_name(const ast::Constraint& c) {
    if (c.pms_values) return "one of' or 'pms values";  // one slot: both set the values
    switch (c.kind) {
      case ast::Constraint::Kind::required: return "required";
      case ast::Constraint::Kind::length: return "length";
      case ast::Constraint::Kind::range: return "range";
      case ast::Constraint::Kind::items: return "items";
      case ast::Constraint::Kind::one_of: return "one of";
      case ast::Constraint::Kind::pattern: return "pattern";
      case ast::Constraint::Kind::pms_type: return "pms type";
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
        if (c.pms_values && v.kind == ValueKind::enumeration) {
          // The PMS's own values: whatever the generic enum has (the page is the source).
          v.allowed.clear();
          for (const auto& value : c.values) v.allowed.push_back(value.text);
          v.pms_values = true;
        } else if (c.pms_values) {
          return wrong_type("pms values", "enum fields (a string field narrows with 'one of')");
        } else if (v.kind == ValueKind::enumeration) {
          std::vector<std::string> narrowed;
          for (const auto& value : c.values) {
            if (std::find(v.allowed.begin(), v.allowed.end(), value.text) == v.allowed.end()) {
              diags_.error(value.at, "'" + value.text + "' is not a value of " + field.name + ": " +
                                         v.type_name + "; 'one of' can only narrow (a PMS whose page " +
                                         "lists other values says so with 'pms values')" +
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
        index_allowed(v);
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
      case K::pms_type: {
        // Only the one widening the pages document: a route that takes "a date-time or a
        // YYYY-MM-DD date" where the generic route takes one of the two. Anything else would let
        // a PMS block redefine the generic model.
        ValueRules wider = resolve_type(*c.pms_type);
        if (wider.kind != ValueKind::date_or_datetime || wider.nullable) {
          diags_.error(c.pms_type->at, "'pms type' takes date_or_datetime (a PMS whose page takes both a date-time "
                                       "and a YYYY-MM-DD date), not " + wider.type_name);
          break;
        }
        if (v.kind != ValueKind::datetime && v.kind != ValueKind::date)
          return wrong_type("pms type", "date and datetime fields");
        v.kind = ValueKind::date_or_datetime;
        v.type_name = v.nullable ? "date_or_datetime?" : "date_or_datetime";
        v.pms_type = true;
        break;
      }
      case K::required: break;
    }
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
    v->record = compile_record(sym->second, rule.block, rule.name.at, scope.pms_name, nullptr);
  }

  // ---- cross-field rules ----
};

Compilation compile(SourceSet sources) {
  Compilation c;
  c.sources = std::move(sources);
  ProgramBuilder(c).run();
  return c;
}

}  // namespace gatehouse
