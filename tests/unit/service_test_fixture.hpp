#pragma once
// What the write service's unit tests share: a store file of each test's own, the service test
// rules (tests/fixtures/rules) compiled, and the customers and integrations those tests know.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "gatehouse/rules_loader.hpp"
#include "gatehouse/store/store.hpp"

namespace gatehouse::service_testing {

/// A store file in the temporary directory named after `prefix`, the process and the running
/// test, so tests that run at once (ctest -j) never share one.
inline std::filesystem::path test_store_file(std::string_view prefix) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::filesystem::temp_directory_path() /
         (std::string(prefix) + std::to_string(::getpid()) + "_" + (test ? test->name() : "") + ".db");
}

/// The service tests' rules, compiled; throws with the diagnostics when they do not compile (a
/// test's SetUp then fails with them).
inline std::shared_ptr<const Program> test_rules() {
  Compilation c = compile_directory(std::filesystem::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules");
  if (!c.ok()) throw std::runtime_error(c.render_diagnostics());
  return c.program;
}

/// The two customers of the service tests, acme and globex, with the keys key-acme and key-globex.
inline void put_test_customers(store::Tenancy& tenancy) {
  tenancy.put_customer("acme", "key-acme").value();
  tenancy.put_customer("globex", "key-globex").value();
}

/// acme's integrations: int-rm (Rent Manager) and int-bd (Buildium), at an address where nothing
/// answers (these tests never reach a PMS).
inline void put_test_integrations(store::Tenancy& tenancy) {
  tenancy.put_integration({"int-rm", "acme", "RENTMANAGER", "http://127.0.0.1:1"}).value();
  tenancy.put_integration({"int-bd", "acme", "BUILDIUM", "http://127.0.0.1:1"}).value();
}

}  // namespace gatehouse::service_testing
