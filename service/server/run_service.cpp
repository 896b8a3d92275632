#include "run_service.hpp"

#include <pthread.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include "gatehouse/rules_loader.hpp"
#include "gatehouse/service/admin_routes.hpp"
#include "gatehouse/service/idempotency_key_purge.hpp"
#include "gatehouse/service/write_service.hpp"
#include "gatehouse/store/caching_store.hpp"
#include "gatehouse/store/clock.hpp"
#include "gatehouse/store/sqlite_store.hpp"
#include "serve_config.hpp"

namespace gatehouse::service {

namespace {
constexpr int ok = 0;
constexpr int usage_error = 2;  // the CLI's: a configuration, store, rules or connectors not usable
}  // namespace

int run_service(const std::filesystem::path& config_file, const std::filesystem::path& default_rules) {
  ServeConfig config;
  std::unique_ptr<store::Store> store;
  store::TenancyChange tenancy;
  try {
    config = load_serve_config(config_file, default_rules);
    if (config.postgres) {
      store = std::make_unique<store::PostgresStore>(*config.postgres);
    } else {
      store = std::make_unique<store::SqliteStore>(config.store.string());
    }
    auto seeded = seed_store(config, *store);
    if (!seeded) {
      std::cerr << "gatehouse serve: " << config_file.string() << ": " << seeded.error().message << '\n';
      return usage_error;
    }
    tenancy = std::move(*seeded);
  } catch (const std::exception& e) {  // a configuration not usable, or a store that cannot be opened
    std::cerr << "gatehouse serve: " << config_file.string() << ": " << e.what() << '\n';
    return usage_error;
  }
  Compilation rules = compile_directory(config.rules);
  if (!rules.ok()) {
    std::cerr << rules.render_diagnostics();
    return usage_error;
  }
  Engine engine(rules.program);
  Dispatcher::Connectors connectors;
  try {
    connectors = load_connectors(config.rules);
  } catch (const std::exception& e) {
    std::cerr << "gatehouse serve: " << e.what() << '\n';
    return usage_error;
  }
  // The connectors must cover the rules at start and after every reload (a reload that would
  // accept writes no connector can carry is refused like rules that do not compile).
  auto connector_problems = [&connectors](const Program& program) {
    std::vector<std::string> problems;
    for (const auto& [pms, connector] : connectors)
      for (auto& p : check_connector(program, connector)) problems.push_back(std::move(p));
    return problems;
  };
  engine.set_reload_check(connector_problems);
  std::vector<std::string> problems = connector_problems(*engine.program());
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << p << '\n';
    return usage_error;
  }
  // What the configuration no longer names is disabled; the operator reads which.
  auto say = [](const char* what, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
    std::cerr << "gatehouse serve: " << what << ": " << list << '\n';
  };
  say("customers disabled (the configuration no longer names them)", tenancy.disabled_customers);
  say("integrations disabled (the configuration no longer names them)", tenancy.disabled_integrations);
  say("customers enabled again (the configuration names them)", tenancy.enabled_customers);
  say("integrations enabled again (the configuration names them)", tenancy.enabled_integrations);
  auto resumed = store->resume_interrupted(utc_now());
  if (!resumed) {
    std::cerr << "gatehouse serve: resuming interrupted jobs: " << resumed.error().message << '\n';
    return usage_error;
  }
  // Everything from here on goes through the cache, so its own changes (a sync's records) are
  // seen at once.
  store::CachingStore cached_store(*store, std::chrono::seconds(config.lookup_cache_seconds));
  WriteService write_service(engine, cached_store, Limits{config.max_payload_bytes, Limits{}.max_depth});
  Dispatcher dispatcher(engine, cached_store, connectors, config.dispatcher);
  AdminRoutes admin(config.admin_key, engine, config.rules, [&dispatcher]() -> store::Result<SyncSummary> {
    auto report = dispatcher.sync_now();
    if (!report) return report.error();
    return SyncSummary{report->records, std::move(report->errors)};
  });
  admin.set_tenancy(cached_store, [](const std::string& line) { std::cerr << "gatehouse serve: " << line << '\n'; });
  write_service.set_hooks({[&](std::string_view pms, std::string_view model, std::string_view op) {
                             return dispatcher.can_dispatch(pms, model, op);
                           },
                           [&] { dispatcher.wake(); }, [&](std::string& out) { dispatcher.append_metrics(out); },
                           [](const std::string& line) { std::cerr << "gatehouse serve: " << line << '\n'; }, &admin,
                           [&config](std::string_view customer) {
                             auto own = config.customer_rate_limits.find(customer);
                             return own != config.customer_rate_limits.end() ? own->second
                                                                             : config.rate_limit_per_minute;
                           },
                           config.failed_auth_per_minute, nullptr,
                           [&config](std::string_view customer) {
                             auto own = config.customer_queue_caps.find(customer);
                             return own != config.customer_queue_caps.end() ? own->second
                                                                            : config.max_queued_jobs_per_customer;
                           },
                           config.dispatcher.retention});

  // Signals go to one thread that waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  http::HttpServer server(
      config.http, {[&](const HttpRequest& head) { return write_service.authorize(head); },
                    [&](const HttpRequest& request) { return write_service.handle(request); },
                    &WriteService::answers_from_memory});
  auto listening = server.listen();
  if (auto* why = std::get_if<std::string>(&listening)) {
    std::cerr << "gatehouse serve: " << *why << '\n';
    return usage_error;
  }
  int port = std::get<int>(listening);
  std::thread signal_thread([&] {
    for (;;) {
      int s = 0;
      sigwait(&signals, &s);
      if (s == SIGHUP) {
        Compilation c = engine.reload(config.rules);
        std::cerr << (c.ok() ? "rules reloaded: " + c.program->rules_version() + "\n"
                             : "rules not reloaded (the old rules stay):\n" + c.render_diagnostics());
        continue;
      }
      server.stop();
      return;
    }
  });
  std::cout << "listening on " << config.http.host << ":" << port << " (rules_version "
            << engine.program()->rules_version() << ", " << *resumed << " interrupted jobs resumed)" << std::endl;
  // Clients' idempotency keys past their lifetime, deleted every ten minutes (and now).
  IdempotencyKeyPurge key_purge(cached_store, std::chrono::minutes(10),
                                [](const std::string& line) { std::cerr << "gatehouse serve: " << line << '\n'; });
  dispatcher.start();
  key_purge.start();
  server.run();
  signal_thread.join();
  key_purge.stop();
  dispatcher.stop();
  return ok;
}

}  // namespace gatehouse::service
