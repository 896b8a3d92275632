/* The C ABI from C, built with AddressSanitizer: loading, diagnostics, every accessor, invalid
 * arguments, reload, and many threads deciding on one engine. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "gatehouse/gatehouse.h"

static int failures = 0, checks = 0;
#define CHECK(cond)                                                   \
  do {                                                                \
    ++checks;                                                         \
    if (!(cond)) {                                                    \
      ++failures;                                                     \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                 \
  } while (0)

static const char* models = "model residents { last_name: string  email_1: email  notes: string }\n";
static const char* pms = "pms P \"P\" { residents { update { last_name required  email_1 } } }\n";

static gh_engine* engine_from_texts(void) {
  const char* names[] = {"models.rules", "p.rules"};
  const char* texts[] = {models, pms};
  gh_engine* engine = NULL;
  gh_diagnostics* diagnostics = NULL;
  CHECK(gh_engine_load_texts(2, names, texts, &engine, &diagnostics) == GH_OK);
  CHECK(engine != NULL);
  CHECK(gh_diagnostics_count(diagnostics) == 0);
  gh_diagnostics_free(diagnostics);
  return engine;
}

static void test_diagnostics(void) {
  const char* names[] = {"bad.rules"};
  const char* texts[] = {"model residents {\n  last_name: strng\n}\n"};
  gh_engine* engine = NULL;
  gh_diagnostics* d = NULL;
  CHECK(gh_engine_load_texts(1, names, texts, &engine, &d) == GH_RULES_ERROR);
  CHECK(engine == NULL);
  CHECK(gh_diagnostics_count(d) == 1);
  CHECK(gh_diagnostics_is_error(d, 0) == 1);
  CHECK(strcmp(gh_diagnostics_file(d, 0), "bad.rules") == 0);
  CHECK(gh_diagnostics_line(d, 0) == 2);
  CHECK(gh_diagnostics_column(d, 0) == 14);
  CHECK(strstr(gh_diagnostics_message(d, 0), "unknown type 'strng'") != NULL);
  CHECK(strstr(gh_diagnostics_text(d), "^~~~~") != NULL);
  CHECK(gh_diagnostics_message(d, 5) == NULL);
  gh_diagnostics_free(d);
}

static void test_decisions(gh_engine* engine) {
  gh_decision* d = NULL;
  const char* accept = "{\"last_name\":\"Lee\"}";
  CHECK(gh_evaluate(engine, "P", "residents", GH_UPDATE, 0, accept, strlen(accept), &d) == GH_OK);
  CHECK(gh_decision_verdict(d) == GH_ACCEPT);
  CHECK(gh_decision_status(d) == 200);
  size_t n = 0;
  const char* payload = gh_decision_payload(d, &n);
  CHECK(payload != NULL && n == strlen(accept) && memcmp(payload, accept, n) == 0);
  CHECK(strlen(gh_decision_rules_version(d)) == 16);
  CHECK(strstr(gh_decision_json(d, NULL), "\"verdict\":\"accept\"") != NULL);
  gh_decision_free(d);

  const char* strip = "{\"last_name\":\"Lee\",\"notes\":\"x\"}";
  CHECK(gh_evaluate(engine, "P", "residents", GH_UPDATE, 1, strip, strlen(strip), &d) == GH_OK);
  CHECK(gh_decision_verdict(d) == GH_STRIP);
  CHECK(gh_decision_stripped_count(d) == 1);
  CHECK(strcmp(gh_decision_stripped_path(d, 0), "/notes") == 0);
  CHECK(strcmp(gh_decision_stripped_code(d, 0), "unsupported_field") == 0);
  CHECK(strcmp(gh_decision_stripped_rule(d, 0), "p.rules:1:25") == 0);
  payload = gh_decision_payload(d, &n);
  CHECK(payload != NULL && n == strlen(accept) && memcmp(payload, accept, n) == 0);
  gh_decision_free(d);

  const char* reject = "{\"email_1\":\"nope\"}";
  CHECK(gh_evaluate(engine, "P", "residents", GH_UPDATE, 0, reject, strlen(reject), &d) == GH_OK);
  CHECK(gh_decision_verdict(d) == GH_REJECT);
  CHECK(gh_decision_status(d) == 400);
  CHECK(gh_decision_error_count(d) == 2);
  CHECK(strcmp(gh_decision_error_path(d, 0), "/email_1") == 0);
  CHECK(strcmp(gh_decision_error_code(d, 0), "invalid_format") == 0);
  CHECK(gh_decision_error_message(d, 0) != NULL);
  CHECK(strcmp(gh_decision_error_code(d, 1), "missing_required_field") == 0);
  CHECK(gh_decision_error_path(d, 2) == NULL);
  CHECK(gh_decision_payload(d, &n) == NULL && n == 0);
  gh_decision_free(d);

  CHECK(gh_evaluate(engine, "Q", "residents", GH_UPDATE, 0, "{}", 2, &d) == GH_OK);
  CHECK(strcmp(gh_decision_error_code(d, 0), "unknown_pms") == 0);
  CHECK(gh_decision_error_rule(d, 0) == NULL);
  gh_decision_free(d);

  /* Bytes that are not UTF-8, as the PMS and in an invalid escape: what comes back is UTF-8. */
  CHECK(gh_evaluate(engine, "P\xc3(", "residents", GH_UPDATE, 0, "{}", 2, &d) == GH_OK);
  CHECK(strncmp(gh_decision_error_message(d, 0), "unknown PMS 'P\\xc3('", 20) == 0);
  CHECK(strstr(gh_decision_json(d, NULL), "\"pms\":\"P\\\\xc3(\"") != NULL);
  gh_decision_free(d);
  const char* bad_escape = "{\"notes\":\"\\\xc3\xa9\"}";
  CHECK(gh_evaluate(engine, "P", "residents", GH_UPDATE, 0, bad_escape, strlen(bad_escape), &d) == GH_OK);
  CHECK(strcmp(gh_decision_error_message(d, 0), "invalid JSON: invalid escape '\\\xc3\xa9' in a string at byte 10") == 0);
  gh_decision_free(d);
}

static void test_invalid_arguments(gh_engine* engine) {
  gh_decision* d = NULL;
  CHECK(gh_evaluate(NULL, "P", "residents", GH_UPDATE, 0, "{}", 2, &d) == GH_INVALID_ARGUMENT);
  CHECK(gh_evaluate(engine, NULL, "residents", GH_UPDATE, 0, "{}", 2, &d) == GH_INVALID_ARGUMENT);
  CHECK(gh_evaluate(engine, "P", "residents", (gh_operation)(GH_SEND_PUSH_NOTIFICATION + 1), 0, "{}", 2, &d) == GH_INVALID_ARGUMENT);
  CHECK(gh_evaluate(engine, "P", "residents", GH_UPDATE, 0, NULL, 3, &d) == GH_INVALID_ARGUMENT);
  gh_engine* e = NULL;
  CHECK(gh_engine_load_dir(NULL, &e, NULL) == GH_INVALID_ARGUMENT);
  CHECK(gh_engine_load_dir("/nonexistent/rules", &e, NULL) == GH_RULES_ERROR);
  char small[4];
  CHECK(gh_engine_rules_version(engine, small, sizeof small) == GH_INVALID_ARGUMENT);
  CHECK(strcmp(gh_status_message(GH_OUT_OF_MEMORY), "out of memory") == 0);
  gh_engine_free(NULL);
  gh_decision_free(NULL);
  gh_diagnostics_free(NULL);
}

static void* worker(void* arg) {
  gh_engine* engine = (gh_engine*)arg;
  const char* payload = "{\"last_name\":\"Lee\",\"email_1\":\"a@b.co\"}";
  long bad = 0;
  for (int i = 0; i < 2000; ++i) {
    gh_decision* d = NULL;
    if (gh_evaluate(engine, "P", "residents", GH_UPDATE, 0, payload, strlen(payload), &d) != GH_OK ||
        gh_decision_verdict(d) != GH_ACCEPT)
      ++bad;
    gh_decision_free(d);
  }
  return (void*)bad;
}

static void test_threads(gh_engine* engine) {
  pthread_t threads[4];
  for (int i = 0; i < 4; ++i) pthread_create(&threads[i], NULL, worker, engine);
  for (int i = 0; i < 4; ++i) {
    void* bad = NULL;
    pthread_join(threads[i], &bad);
    CHECK(bad == NULL);
  }
}

static void test_dir_and_reload(const char* rules_dir) {
  gh_engine* engine = NULL;
  gh_diagnostics* d = NULL;
  CHECK(gh_engine_load_dir(rules_dir, &engine, &d) == GH_OK);
  gh_diagnostics_free(d);
  char before[17], after[17];
  CHECK(gh_engine_rules_version(engine, before, sizeof before) == GH_OK);
  CHECK(gh_engine_reload_dir(engine, "/nonexistent/rules", &d) == GH_RULES_ERROR);
  CHECK(gh_diagnostics_count(d) == 1);
  gh_diagnostics_free(d);
  CHECK(gh_engine_rules_version(engine, after, sizeof after) == GH_OK);
  CHECK(strcmp(before, after) == 0);
  CHECK(gh_engine_reload_dir(engine, rules_dir, NULL) == GH_OK);

  /* The engine's limits are the ones gh_evaluate decides with (they were always the defaults). */
  CHECK(gh_engine_set_limits(engine, 10, 32, 100) == GH_OK);
  CHECK(gh_engine_set_limits(engine, 0, 32, 100) == GH_INVALID_ARGUMENT);
  CHECK(gh_engine_set_limits(NULL, 10, 32, 100) == GH_INVALID_ARGUMENT);
  {
    gh_decision* limited = NULL;
    const char* body = "{\"last_name\":\"Lee\"}";
    CHECK(gh_evaluate(engine, "RENTMANAGER", "residents", GH_UPDATE, 0, body, strlen(body), &limited) == GH_OK);
    CHECK(strstr(gh_decision_json(limited, NULL), "payload_too_large") != NULL);
    gh_decision_free(limited);
  }
  gh_engine_free(engine);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: c_api_test RULES_DIR\n");
    return 2;
  }
  gh_engine* engine = engine_from_texts();
  test_diagnostics();
  test_decisions(engine);
  test_invalid_arguments(engine);
  test_threads(engine);
  gh_engine_free(engine);
  test_dir_and_reload(argv[1]);
  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
