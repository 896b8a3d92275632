#pragma once
// The bundled rules and every case of rules/tests/, for tests that check properties over all of them.
#include <filesystem>
#include <vector>

#include "gatehouse/rule_cases.hpp"
#include "gatehouse/rules_loader.hpp"

namespace gatehouse::testing {

inline std::filesystem::path bundled_rules_dir() { return std::filesystem::path(GATEHOUSE_SOURCE_DIR) / "rules"; }

inline std::vector<RuleCase> bundled_cases() {
  std::vector<RuleCase> out;
  for (const auto& e : std::filesystem::directory_iterator(bundled_rules_dir() / "tests"))
    for (auto& rc : load_rule_cases(e.path()).cases) out.push_back(std::move(rc));
  return out;
}

}  // namespace gatehouse::testing
