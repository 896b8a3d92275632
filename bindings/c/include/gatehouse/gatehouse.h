/* gatehouse C ABI: load rules, read diagnostics, decide requests.
 *
 * Every function is safe to call from many threads on one engine (each thread evaluates with its
 * own reusable state). No C++ exception crosses this interface: failures come back as a
 * gh_status. Every object returned through an out-parameter belongs to the caller and is freed
 * with its gh_*_free function (which accept NULL). Strings returned by accessors stay valid until
 * the object they came from is freed.
 */
#ifndef GATEHOUSE_H
#define GATEHOUSE_H

#include <stddef.h>

#if defined(GATEHOUSE_C_BUILD)
#define GH_API __attribute__((visibility("default")))
#else
#define GH_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gh_engine gh_engine;           /* compiled rules; reloadable */
typedef struct gh_diagnostics gh_diagnostics; /* what a load or reload reported */
typedef struct gh_decision gh_decision;       /* the decision for one request */

typedef enum gh_status {
  GH_OK = 0,
  GH_RULES_ERROR = 1,      /* the rules do not compile: see the diagnostics */
  GH_INVALID_ARGUMENT = 2, /* a NULL where a value is needed, or an unknown enum value */
  GH_OUT_OF_MEMORY = 3,
  GH_INTERNAL_ERROR = 4
} gh_status;

/* The operations, in the order of gatehouse::ast::Operation (the named actions follow create and
   update: see docs/language.md). */
typedef enum gh_operation {
  GH_CREATE = 0,
  GH_UPDATE = 1,
  GH_CANCEL = 2,
  GH_ASSIGN = 3,
  GH_BATCH_CREATE = 4,
  GH_QUERY_AVAILABILITY = 5,
  GH_SEND = 6,
  GH_UPLOAD_FILE = 7,
  GH_CREATE_NOTE = 8,
  GH_CREATE_CUSTOM_DATA = 9,
  GH_UPDATE_CUSTOM_DATA = 10,
  GH_SEND_PUSH_NOTIFICATION = 11
} gh_operation;
typedef enum gh_verdict { GH_ACCEPT = 0, GH_STRIP = 1, GH_REJECT = 2 } gh_verdict;

/* A short English description of a status. */
GH_API const char* gh_status_message(gh_status status);

/* Compiles every *.rules file under `dir`. On GH_OK, *engine is set. *diagnostics (if
 * `diagnostics` is not NULL) is set in every case: on GH_RULES_ERROR it holds the errors. */
GH_API gh_status gh_engine_load_dir(const char* dir, gh_engine** engine, gh_diagnostics** diagnostics);

/* Compiles `count` in-memory files: names[i] (as shown in diagnostics) with texts[i] (NUL-ended). */
GH_API gh_status gh_engine_load_texts(size_t count, const char* const* names, const char* const* texts,
                               gh_engine** engine, gh_diagnostics** diagnostics);

/* Compiles `dir` and swaps it in only if it compiles; the old rules stay otherwise. Requests in
 * flight finish on the rules they started with. */
GH_API gh_status gh_engine_reload_dir(gh_engine* engine, const char* dir, gh_diagnostics** diagnostics);

/* Copies the current rules_version (16 hex digits and a NUL) into `buffer` of `size` >= 17. */
GH_API gh_status gh_engine_rules_version(const gh_engine* engine, char* buffer, size_t size);

/* The limits every later gh_evaluate on this engine decides with (the defaults: 1 MiB payloads,
 * 32 levels of nesting, 100 listed issues). Call it before the engine is shared between threads.
 * GH_INVALID_ARGUMENT for a NULL engine or a zero limit. */
GH_API gh_status gh_engine_set_limits(gh_engine* engine, size_t max_payload_bytes, unsigned max_depth,
                                      size_t max_issues);

GH_API void gh_engine_free(gh_engine* engine);

GH_API size_t gh_diagnostics_count(const gh_diagnostics* diagnostics);
GH_API int gh_diagnostics_is_error(const gh_diagnostics* diagnostics, size_t i); /* 0: a note */
GH_API const char* gh_diagnostics_file(const gh_diagnostics* diagnostics, size_t i); /* "" if none */
GH_API unsigned gh_diagnostics_line(const gh_diagnostics* diagnostics, size_t i);    /* 0 if none */
GH_API unsigned gh_diagnostics_column(const gh_diagnostics* diagnostics, size_t i);
GH_API const char* gh_diagnostics_message(const gh_diagnostics* diagnostics, size_t i);
/* All of them as a compiler prints them: file:line:col, message, source line, caret. */
GH_API const char* gh_diagnostics_text(const gh_diagnostics* diagnostics);
GH_API void gh_diagnostics_free(gh_diagnostics* diagnostics);

/* Decides one request. `payload` is `length` bytes of JSON (no NUL needed). `pms`, `model` and
 * `payload` may hold any bytes: every string a decision gives back is valid UTF-8, a byte that is
 * not UTF-8 being written \xhh where a message quotes it or the JSON echoes it. */
GH_API gh_status gh_evaluate(const gh_engine* engine, const char* pms, const char* model, gh_operation op,
                      int ignore_unknown_fields, const char* payload, size_t length,
                      gh_decision** decision);

GH_API gh_verdict gh_decision_verdict(const gh_decision* decision);
GH_API int gh_decision_status(const gh_decision* decision); /* 200, 400 or 405 */
GH_API const char* gh_decision_rules_version(const gh_decision* decision);
GH_API size_t gh_decision_error_count(const gh_decision* decision);
GH_API const char* gh_decision_error_path(const gh_decision* decision, size_t i);
GH_API const char* gh_decision_error_code(const gh_decision* decision, size_t i);
GH_API const char* gh_decision_error_message(const gh_decision* decision, size_t i);
GH_API const char* gh_decision_error_rule(const gh_decision* decision, size_t i); /* NULL if none */
GH_API size_t gh_decision_stripped_count(const gh_decision* decision);
GH_API const char* gh_decision_stripped_path(const gh_decision* decision, size_t i);
GH_API const char* gh_decision_stripped_code(const gh_decision* decision, size_t i);
GH_API const char* gh_decision_stripped_message(const gh_decision* decision, size_t i);
GH_API const char* gh_decision_stripped_rule(const gh_decision* decision, size_t i);
/* What goes on to the PMS, or NULL on reject; *length (if not NULL) gets its size. */
GH_API const char* gh_decision_payload(const gh_decision* decision, size_t* length);
/* The decision as JSON (the decision contract); *length (if not NULL) gets its size. */
GH_API const char* gh_decision_json(const gh_decision* decision, size_t* length);
GH_API void gh_decision_free(gh_decision* decision);

#ifdef __cplusplus
}
#endif

#endif /* GATEHOUSE_H */
