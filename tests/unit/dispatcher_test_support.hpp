#pragma once
// What the dispatcher's unit tests share, besides the service tests' rules and customers
// (service_test_fixture.hpp): the test rules' connectors, the dispatcher's metrics as text, and a
// wait for a write to finish.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "gatehouse/dispatch/dispatcher.hpp"
#include "gatehouse/rules_loader.hpp"
#include "gatehouse/store/job_store.hpp"
#include "service_test_fixture.hpp"

namespace gatehouse::service_testing {

/// The connectors of the service tests' rules (tests/fixtures/rules).
inline service::Dispatcher::Connectors test_connectors() {
  return service::load_connectors(std::filesystem::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules");
}

/// What the dispatcher adds to /metrics.
inline std::string metrics_of(const service::Dispatcher& dispatcher) {
  std::string out;
  dispatcher.append_metrics(out);
  return out;
}

/// The write's status once it has finished, or as it stands when `limit` has passed.
inline std::optional<store::WriteStatus> wait_finished(store::JobQueue& jobs, const std::string& customer,
                                                       const std::string& id, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto status = jobs.write_status(customer, id).value();
    if ((status && status->finished_at) || std::chrono::steady_clock::now() > until) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace gatehouse::service_testing
