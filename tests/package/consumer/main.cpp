// Ten lines of embedding: compile the installed rules, decide one request, print the decision.
#include <iostream>

#include "gatehouse/evaluator.hpp"
#include "gatehouse/rules_loader.hpp"

int main(int argc, char** argv) {
  gatehouse::Compilation rules = gatehouse::compile_directory(argc > 1 ? argv[1] : RULES_DIR);
  if (!rules.ok()) return std::cerr << rules.render_diagnostics(), 2;
  gatehouse::EvaluationContext context;
  std::string payload = R"({"last_name":"Lee","notes":"x","rent_period":"MONTHLY","rent_due_day":1})";
  gatehouse::Request request{"RENTMANAGER", "residents", gatehouse::ast::Operation::update, true, payload};
  std::cout << gatehouse::to_json(gatehouse::evaluate(*rules.program, request, context)) << '\n';
}
