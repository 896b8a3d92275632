// The dispatcher's wake-up: a job queued while the workers wait is taken at once, not at their
// next poll.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "dispatcher_test_support.hpp"
#include "gatehouse/store/sqlite_store.hpp"

namespace gatehouse::service {
namespace {

using namespace std::chrono_literals;

TEST(DispatcherWake, AJobQueuedWhileTheWorkerWaitsIsTakenAtOnce) {
  Engine engine(service_testing::test_rules());
  store::SqliteStore store(":memory:");
  store.put_customer("acme", "key-acme").value();
  store.put_integration({"int-rm", "acme", "RENTMANAGER", "http://127.0.0.1:1"}).value();  // refuses: fails at once
  DispatcherOptions options;
  options.workers = 1;
  options.max_attempts = 1;
  options.idle_poll = 60s;  // a missed wake-up would leave the job for a minute
  Dispatcher::Connectors connectors = service_testing::test_connectors();
  Dispatcher dispatcher(engine, store, connectors, options);
  dispatcher.start();
  // Several rounds: the wake-up must reach the worker every time, whatever else waits (the sync
  // loop sleeps beside it).
  for (int round = 0; round < 8; ++round) {
    std::this_thread::sleep_for(1100ms / 8);  // the worker (and the sync loop) are waiting again
    store::NewJob job{"acme", "int-rm", "RENTMANAGER", "residents", ast::Operation::update, "res-1",
                      R"({"last_name":"Lee"})", Verdict::accept, "v1", ""};
    std::string id = store.enqueue(job, "2026-11-28T10:00:00.000Z").value();
    dispatcher.wake();
    auto until = std::chrono::steady_clock::now() + 5s;
    std::optional<store::WriteStatus> status;
    while (std::chrono::steady_clock::now() < until) {
      status = store.write_status("acme", id).value();
      if (status && status->finished_at) break;
      std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(status && status->finished_at) << "round " << round << ": the job waited for the worker's poll";
  }
  dispatcher.stop();
}

}  // namespace
}  // namespace gatehouse::service
