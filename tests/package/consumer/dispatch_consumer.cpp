// gatehouse::dispatch from the installed package: the installed rules' connectors load and
// cover what the rules offer.
#include <iostream>

#include "gatehouse/dispatch/connector.hpp"
#include "gatehouse/rules_loader.hpp"

int main() {
  gatehouse::Compilation rules = gatehouse::compile_directory(RULES_DIR);
  if (!rules.ok()) return std::cerr << rules.render_diagnostics(), 2;
  auto connectors = gatehouse::service::load_connectors(RULES_DIR);
  std::size_t problems = 0;
  for (const auto& [pms, connector] : connectors) problems += gatehouse::service::check_connector(*rules.program, connector).size();
  std::cout << "dispatch: " << connectors.size() << " connectors, " << problems << " problems" << '\n';
  return !connectors.empty() && problems == 0 ? 0 : 1;
}
