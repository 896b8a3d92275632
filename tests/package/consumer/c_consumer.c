/* Ten lines of C: load the installed rules, decide one request, print the decision. */
#include <stdio.h>
#include <string.h>

#include "gatehouse/gatehouse.h"

int main(int argc, char** argv) {
  gh_engine* engine = NULL;
  gh_diagnostics* diagnostics = NULL;
  if (gh_engine_load_dir(argc > 1 ? argv[1] : RULES_DIR, &engine, &diagnostics) != GH_OK)
    return fprintf(stderr, "%s", gh_diagnostics_text(diagnostics)), 2;
  const char* payload = "{\"last_name\":\"Lee\",\"notes\":\"x\",\"rent_period\":\"MONTHLY\",\"rent_due_day\":1}";
  gh_decision* decision = NULL;
  gh_evaluate(engine, "RENTMANAGER", "residents", GH_UPDATE, 1, payload, strlen(payload), &decision);
  printf("%s\n", gh_decision_json(decision, NULL));
  gh_decision_free(decision);
  gh_diagnostics_free(diagnostics);
  gh_engine_free(engine);
  return 0;
}
