// The C ABI over gatehouse::Engine. Every entry point catches everything: no exception leaves.
#include "gatehouse/gatehouse.h"

#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "gatehouse/engine.hpp"
#include "gatehouse/rules_loader.hpp"

struct gh_engine {
  explicit gh_engine(std::shared_ptr<const gatehouse::Program> p) : engine(std::move(p)) {}
  gatehouse::Engine engine;
  gatehouse::Limits limits;  // gh_engine_set_limits; read by every gh_evaluate
};

struct gh_diagnostics {
  struct Item {
    bool error;
    std::string file, message;
    unsigned line, column;
  };
  std::vector<Item> items;
  std::string text;
};

struct gh_decision {
  struct Item {
    std::string path, code, message, rule;
    bool has_rule;
  };
  gatehouse::Verdict verdict;
  int status;
  std::string rules_version, json, payload;
  bool has_payload;
  std::vector<Item> errors, stripped;
};

namespace {

template <typename F>
gh_status guarded(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return GH_OUT_OF_MEMORY;
  } catch (...) {
    return GH_INTERNAL_ERROR;
  }
}

gh_diagnostics* make_diagnostics(const gatehouse::Compilation& c) {
  auto* d = new gh_diagnostics;
  for (const auto& item : c.diagnostics.all()) {
    bool has_file = item.at.valid() && item.at.file < c.sources.size();
    d->items.push_back({item.severity == gatehouse::Severity::error,
                        has_file ? c.sources.file(item.at.file).name : std::string(), item.message,
                        item.at.line, item.at.column});
  }
  d->text = c.render_diagnostics();
  return d;
}

gh_status finish_load(gatehouse::Compilation c, gh_engine** engine, gh_diagnostics** diagnostics) {
  if (diagnostics) *diagnostics = make_diagnostics(c);
  if (!c.ok()) return GH_RULES_ERROR;
  *engine = new gh_engine(c.program);
  return GH_OK;
}

using Item = gh_decision::Item;

/// One string of issue `i` of `list`, or NULL when there is no such issue.
const char* text(const std::vector<Item>* list, size_t i, std::string Item::*member) {
  return list && i < list->size() ? ((*list)[i].*member).c_str() : nullptr;
}

const char* rule(const std::vector<Item>* list, size_t i) {
  return list && i < list->size() && (*list)[i].has_rule ? (*list)[i].rule.c_str() : nullptr;
}

}  // namespace

extern "C" {

const char* gh_status_message(gh_status status) {
  switch (status) {
    case GH_OK: return "ok";
    case GH_RULES_ERROR: return "the rules do not compile";
    case GH_INVALID_ARGUMENT: return "invalid argument";
    case GH_OUT_OF_MEMORY: return "out of memory";
    case GH_INTERNAL_ERROR: return "internal error";
  }
  return "unknown status";
}

gh_status gh_engine_load_dir(const char* dir, gh_engine** engine, gh_diagnostics** diagnostics) {
  if (diagnostics) *diagnostics = nullptr;
  if (!dir || !engine) return GH_INVALID_ARGUMENT;
  *engine = nullptr;
  return guarded([&] { return finish_load(gatehouse::compile_directory(dir), engine, diagnostics); });
}

gh_status gh_engine_load_texts(size_t count, const char* const* names, const char* const* texts,
                               gh_engine** engine, gh_diagnostics** diagnostics) {
  if (diagnostics) *diagnostics = nullptr;
  if (!engine || (count > 0 && (!names || !texts))) return GH_INVALID_ARGUMENT;
  *engine = nullptr;
  for (size_t i = 0; i < count; ++i)
    if (!names[i] || !texts[i]) return GH_INVALID_ARGUMENT;
  return guarded([&] {
    gatehouse::SourceSet sources;
    for (size_t i = 0; i < count; ++i) sources.add(names[i], texts[i]);
    return finish_load(gatehouse::compile(std::move(sources)), engine, diagnostics);
  });
}

gh_status gh_engine_reload_dir(gh_engine* engine, const char* dir, gh_diagnostics** diagnostics) {
  if (diagnostics) *diagnostics = nullptr;
  if (!engine || !dir) return GH_INVALID_ARGUMENT;
  return guarded([&] {
    gatehouse::Compilation c = engine->engine.reload(dir);
    if (diagnostics) *diagnostics = make_diagnostics(c);
    return c.ok() ? GH_OK : GH_RULES_ERROR;
  });
}

gh_status gh_engine_rules_version(const gh_engine* engine, char* buffer, size_t size) {
  if (!engine || !buffer) return GH_INVALID_ARGUMENT;
  return guarded([&] {
    std::string version = engine->engine.program()->rules_version();
    if (size < version.size() + 1) return GH_INVALID_ARGUMENT;
    std::memcpy(buffer, version.c_str(), version.size() + 1);
    return GH_OK;
  });
}

gh_status gh_engine_set_limits(gh_engine* engine, size_t max_payload_bytes, unsigned max_depth, size_t max_issues) {
  if (!engine || max_payload_bytes == 0 || max_depth == 0 || max_issues == 0) return GH_INVALID_ARGUMENT;
  engine->limits = gatehouse::Limits{max_payload_bytes, max_depth, max_issues};
  return GH_OK;
}

void gh_engine_free(gh_engine* engine) { delete engine; }

size_t gh_diagnostics_count(const gh_diagnostics* d) { return d ? d->items.size() : 0; }
int gh_diagnostics_is_error(const gh_diagnostics* d, size_t i) {
  return d && i < d->items.size() && d->items[i].error ? 1 : 0;
}
const char* gh_diagnostics_file(const gh_diagnostics* d, size_t i) {
  return d && i < d->items.size() ? d->items[i].file.c_str() : nullptr;
}
unsigned gh_diagnostics_line(const gh_diagnostics* d, size_t i) {
  return d && i < d->items.size() ? d->items[i].line : 0;
}
unsigned gh_diagnostics_column(const gh_diagnostics* d, size_t i) {
  return d && i < d->items.size() ? d->items[i].column : 0;
}
const char* gh_diagnostics_message(const gh_diagnostics* d, size_t i) {
  return d && i < d->items.size() ? d->items[i].message.c_str() : nullptr;
}
const char* gh_diagnostics_text(const gh_diagnostics* d) { return d ? d->text.c_str() : ""; }
void gh_diagnostics_free(gh_diagnostics* d) { delete d; }

gh_status gh_evaluate(const gh_engine* engine, const char* pms, const char* model, gh_operation op,
                      int ignore_unknown_fields, const char* payload, size_t length,
                      gh_decision** decision) {
  if (!engine || !pms || !model || (!payload && length > 0) || !decision) return GH_INVALID_ARGUMENT;
  if (static_cast<int>(op) < 0 || static_cast<std::size_t>(op) >= gatehouse::ast::operation_count)
    return GH_INVALID_ARGUMENT;
  static_assert(GH_SEND_PUSH_NOTIFICATION + 1 == gatehouse::ast::operation_count &&
                    GH_SEND_PUSH_NOTIFICATION == static_cast<int>(gatehouse::ast::Operation::send_push_notification),
                "gh_operation follows gatehouse::ast::Operation");
  *decision = nullptr;
  return guarded([&] {
    gatehouse::EvaluationContext& context = gatehouse::thread_context(engine->limits);  // one per thread, reused
    gatehouse::Request request{pms, model, static_cast<gatehouse::ast::Operation>(op),
                               ignore_unknown_fields != 0,
                               std::string_view(payload ? payload : "", length)};
    gatehouse::EngineDecision d = engine->engine.evaluate(request, context);
    auto* out = new gh_decision;
    out->verdict = d.decision.verdict;
    out->status = d.decision.status;
    out->rules_version = std::string(d.decision.rules_version);
    out->json = gatehouse::to_json(d.decision);
    out->has_payload = d.decision.payload.has_value();
    if (out->has_payload) out->payload = std::string(*d.decision.payload);
    for (auto [from, to] : {std::pair{&d.decision.errors, &out->errors}, std::pair{&d.decision.stripped, &out->stripped}})
      for (const auto& i : *from)
        to->push_back({i.path, std::string(gatehouse::error_code_name(i.code)), i.message,
                       std::string(i.rule), !i.rule.empty()});
    *decision = out;
    return GH_OK;
  });
}

gh_verdict gh_decision_verdict(const gh_decision* d) {
  if (!d) return GH_REJECT;
  return d->verdict == gatehouse::Verdict::accept ? GH_ACCEPT
         : d->verdict == gatehouse::Verdict::strip ? GH_STRIP
                                                   : GH_REJECT;
}
int gh_decision_status(const gh_decision* d) { return d ? d->status : 0; }
const char* gh_decision_rules_version(const gh_decision* d) { return d ? d->rules_version.c_str() : ""; }
size_t gh_decision_error_count(const gh_decision* d) { return d ? d->errors.size() : 0; }
size_t gh_decision_stripped_count(const gh_decision* d) { return d ? d->stripped.size() : 0; }

const char* gh_decision_error_path(const gh_decision* d, size_t i) { return text(d ? &d->errors : nullptr, i, &Item::path); }
const char* gh_decision_error_code(const gh_decision* d, size_t i) { return text(d ? &d->errors : nullptr, i, &Item::code); }
const char* gh_decision_error_message(const gh_decision* d, size_t i) { return text(d ? &d->errors : nullptr, i, &Item::message); }
const char* gh_decision_error_rule(const gh_decision* d, size_t i) { return rule(d ? &d->errors : nullptr, i); }
const char* gh_decision_stripped_path(const gh_decision* d, size_t i) { return text(d ? &d->stripped : nullptr, i, &Item::path); }
const char* gh_decision_stripped_code(const gh_decision* d, size_t i) { return text(d ? &d->stripped : nullptr, i, &Item::code); }
const char* gh_decision_stripped_message(const gh_decision* d, size_t i) { return text(d ? &d->stripped : nullptr, i, &Item::message); }
const char* gh_decision_stripped_rule(const gh_decision* d, size_t i) { return rule(d ? &d->stripped : nullptr, i); }

const char* gh_decision_payload(const gh_decision* d, size_t* length) {
  if (!d || !d->has_payload) {
    if (length) *length = 0;
    return nullptr;
  }
  if (length) *length = d->payload.size();
  return d->payload.c_str();
}

const char* gh_decision_json(const gh_decision* d, size_t* length) {
  if (!d) return nullptr;
  if (length) *length = d->json.size();
  return d->json.c_str();
}

void gh_decision_free(gh_decision* d) { delete d; }

}  // extern "C"
