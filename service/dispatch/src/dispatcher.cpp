#include "gatehouse/dispatch/dispatcher.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <random>

#include "gatehouse/store/clock.hpp"
#include "gatehouse/digest.hpp"
#include "gatehouse/dispatch/pms_client.hpp"
#include "gatehouse/dispatch/webhook_event.hpp"
#include "gatehouse/dispatch/webhook_signature.hpp"

namespace gatehouse::service {

namespace {

using std::chrono::milliseconds;

std::int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool retryable(const CallResult& call) { return call.status == 0 || call.status == 429 || call.status >= 500; }

std::string code_of(const CallResult& call) {
  if (call.answer_refused) return "response_refused";
  if (call.status == 0) return call.error == "timeout" ? "timeout" : "unreachable";
  if (call.status == 429) return "rate_limited";
  if (call.status >= 500) return "pms_unavailable";
  if (call.status >= 200 && call.status < 300) return "ok";
  return "pms_rejected";
}

std::string in(milliseconds delay) { return utc_time(std::chrono::system_clock::now() + delay); }

}  // namespace

Dispatcher::Dispatcher(Engine& engine, store::Store& store, const Connectors& connectors, DispatcherOptions options)
    : engine_(engine), store_(store), connectors_(connectors), options_(options) {}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start() {
  // Worker names are unique across instances sharing a store: host, process, thread.
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  std::string instance = std::string(host) + ":" + std::to_string(getpid());
  for (int i = 0; i < options_.workers; ++i)
    threads_.emplace_back([this, i, instance] { work(instance + ":worker-" + std::to_string(i)); });
  threads_.emplace_back([this] { sync_loop(); });
  if (options_.retention.count() > 0) threads_.emplace_back([this] { retention_loop(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  stopped_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wakeups_;
  }
  wake_.notify_one();
}

void Dispatcher::work(const std::string& worker) {
  // Nothing that fails in a round ends the worker (an exception leaving this thread would end
  // the process): the store failing to claim is counted, and the worker backs off before it
  // tries again, so a store that is down is not hammered at every wake-up (a store that failed
  // to read what a job or delivery needs is counted where it failed, and backs off too). The
  // first round that goes through ends the backoff.
  milliseconds backoff{0};
  for (;;) {
    std::uint64_t seen;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      seen = wakeups_;
    }
    store::Result<bool> round = false;
    std::optional<std::string> failed;
    try {
      round = run_once(worker);
      if (!round) {
        worker_store_errors_.fetch_add(1, std::memory_order_relaxed);
        failed = round.error().message;
      }
    } catch (const std::exception& e) {  // not the store's (its errors are values): a bug, logged
      failed = std::string("an unexpected error: ") + e.what();
    } catch (...) {
      failed = "an unexpected error";
    }
    if (failed) {
      std::unique_lock lock(mutex_);
      if (stopping_) return;
      backoff = std::min(backoff.count() ? backoff * 2 : milliseconds(50), milliseconds(5000));
      std::cerr << "dispatcher: " << worker << ": " << *failed << "; trying again in " << backoff.count() << " ms\n";
      if (stopped_.wait_for(lock, backoff, [&] { return stopping_; })) return;
      continue;
    }
    backoff = milliseconds(0);
    if (*round) continue;
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, options_.idle_poll, [&] { return stopping_ || wakeups_ != seen; });
  }
}

void Dispatcher::sync_loop() {
  // Looks each second for integrations whose sync window has passed since their last sync.
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (stopped_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; })) return;
    }
    SyncReport report;
    auto now = std::chrono::steady_clock::now();
    try {
      auto integrations = store_.integrations();
      if (!integrations) {
        // The store failed (PostgreSQL stopped, a full disk): this round is lost, not the
        // process; the next round, a second later, tries again.
        report.errors.push_back("the store failed: " + integrations.error().message);
      } else {
        for (const auto& integration : *integrations) {
          std::chrono::seconds window = integration.sync_interval_seconds > 0
                                            ? std::chrono::seconds(integration.sync_interval_seconds)
                                            : options_.sync_interval;
          if (window.count() <= 0) continue;
          {
            std::lock_guard lock(mutex_);
            auto [last, first_time] = last_synced_.try_emplace(integration.id, now);  // the first window starts now
            if (first_time || now - last->second < window) continue;
          }
          sync_integration(integration, report);
        }
      }
    } catch (const std::exception& e) {  // not the store's (its errors are values): lost to this round only
      report.errors.push_back(std::string("an unexpected error: ") + e.what());
    }
    synced_records_.fetch_add(report.records, std::memory_order_relaxed);
    sync_errors_.fetch_add(report.errors.size(), std::memory_order_relaxed);
    for (const auto& e : report.errors) std::cerr << "sync: " << e << '\n';
  }
}

void Dispatcher::retention_loop() {
  // At start, then every retention_interval. A store that fails (PostgreSQL restarting, a full
  // disk: deleting needs room in the WAL too) is tried again after 250 ms, doubling up to the
  // interval: an outage costs a retry now and then, and retention resumes when the store does.
  milliseconds wait{0}, backoff{0};
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (stopped_.wait_for(lock, wait, [&] { return stopping_; })) return;
    }
    auto deleted = delete_expired_writes();
    if (deleted) {
      backoff = milliseconds(0);
      wait = std::chrono::duration_cast<milliseconds>(options_.retention_interval);
      continue;
    }
    retention_errors_.fetch_add(1, std::memory_order_relaxed);
    backoff = std::min(backoff.count() ? backoff * 2 : milliseconds(250),
                       std::max(milliseconds(250), std::chrono::duration_cast<milliseconds>(options_.retention_interval)));
    wait = backoff;
    std::cerr << "retention: the store failed: " << deleted.error().message << "; trying again in " << backoff.count()
              << " ms\n";
  }
}

store::Result<std::size_t> Dispatcher::delete_expired_writes() {
  if (options_.retention.count() <= 0) return std::size_t{0};
  // In batches, each its own short transaction: claims and enqueues wait on SQLite's one writer
  // for one batch at most, never for a month of writes at once.
  constexpr std::size_t batch = 500;
  const std::string cutoff = utc_time(std::chrono::system_clock::now() - options_.retention);
  std::size_t total = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return total;
    }
    auto deleted = store_.delete_finished_writes(cutoff, batch);
    if (!deleted) return deleted;
    total += *deleted;
    expired_writes_deleted_.fetch_add(*deleted, std::memory_order_relaxed);
    if (*deleted < batch) return total;
  }
}

store::Result<bool> Dispatcher::run_once(const std::string& worker) {
  auto job = store_.claim(worker, utc_now());
  if (!job) return job.error();
  if (*job) {
    run_job(**job);
    return true;
  }
  auto delivery = store_.claim_webhook(utc_now());
  if (!delivery) return delivery.error();
  if (*delivery) {
    deliver(**delivery);
    return true;
  }
  return false;
}

CallLimits Dispatcher::call_limits() const { return {options_.pms_timeout, options_.max_response_bytes}; }

const Connector* Dispatcher::connector(std::string_view pms) const {
  auto it = connectors_.find(pms);
  return it == connectors_.end() ? nullptr : &it->second;
}

bool Dispatcher::can_dispatch(std::string_view pms, std::string_view model, std::string_view operation) const {
  const Connector* c = connector(pms);
  const ModelConnector* m = c ? c->model(model) : nullptr;
  return m && m->route(operation).has_value();
}

milliseconds Dispatcher::retry_delay(int attempts_made, std::optional<milliseconds> retry_after) {
  // Full jitter: a random wait up to backoff * 2^(attempts-1), so retries of many jobs spread out.
  thread_local std::mt19937_64 random{std::random_device{}()};
  auto ceiling = options_.backoff.count() << std::min(attempts_made - 1, 20);
  ceiling = std::min<std::int64_t>(ceiling, options_.max_backoff.count());
  milliseconds delay{std::uniform_int_distribution<std::int64_t>(ceiling / 2, std::max<std::int64_t>(ceiling, 1))(random)};
  // The server's Retry-After wins over our own backoff (a server that knows when it can take the
  // call again is better informed), up to an hour so that no answer can park a job for good.
  if (retry_after) delay = std::max(delay, std::min<milliseconds>(*retry_after, std::chrono::hours(1)));
  return delay;
}

bool Dispatcher::record(const char* what, const std::function<store::Result<store::OutcomeRecorded>()>& write) {
  // A job or delivery whose outcome is not recorded stays claimed, shown as running, until the
  // next start: try again, backing off, while the store fails. Recording twice is harmless (an
  // outcome applies to the claim that holds the job only), so a try whose answer was lost may be
  // repeated. A claim that was lost (its lease ran out and another worker took the job) records
  // nothing: the other worker's outcome counts, so this one is counted apart and dropped.
  milliseconds delay{50};
  for (;;) {
    store::Result<store::OutcomeRecorded> outcome = write();
    if (outcome) {
      if (*outcome != store::OutcomeRecorded::claim_lost) return true;
      claims_lost_.fetch_add(1, std::memory_order_relaxed);
      std::cerr << "dispatcher: " << what << " not recorded: the claim was lost (its lease ran out and another "
                << "worker took it, or a restart queued it again)\n";
      return false;
    }
    outcome_store_errors_.fetch_add(1, std::memory_order_relaxed);
    std::cerr << "dispatcher: recording " << what << " failed: " << outcome.error().message << "; again in "
              << delay.count() << " ms\n";
    std::unique_lock lock(mutex_);
    if (stopped_.wait_for(lock, delay, [&] { return stopping_; })) {
      std::cerr << "dispatcher: stopping with " << what << " unrecorded: it resumes at the next start\n";
      return false;
    }
    delay = std::min(delay * 2, milliseconds(5000));
  }
}

void Dispatcher::count_worker_store_error(const std::string& what, const store::StoreError& error) {
  worker_store_errors_.fetch_add(1, std::memory_order_relaxed);
  std::cerr << "dispatcher: " << what << ": the store failed: " << error.message << '\n';
}

void Dispatcher::run_job(const store::ClaimedJob& job) {
  const int attempt = job.attempts + 1;
  auto fail_for_good = [&](const std::string& code, const std::string& message) {
    if (record("a job's failure",
               [&] { return store_.fail_attempt(job.id, job.claim, {0, code, message}, utc_now(), std::nullopt); }))
      jobs_failed_.fetch_add(1, std::memory_order_relaxed);
  };
  // A revoked customer's or integration's write never reaches its PMS. Asked of the database
  // for every job, never of a cache: a cache may be up to its revocation check behind
  // (caching_store.hpp), and a write that another instance accepted in that time must still
  // stop here.
  auto revoked = store_.is_revoked(job.customer_id, job.integration_id);
  store::Result<std::optional<store::Integration>> found = std::nullopt;
  if (revoked && !*revoked) found = store_.integration(job.customer_id, job.integration_id);
  if (!revoked || !found) {
    const store::StoreError& error = !revoked ? revoked.error() : found.error();
    // No call was made: the job is due again after a backoff, like a call that got no answer,
    // rather than left claimed (with SQLite, until the next start).
    count_worker_store_error("job " + job.id, error);
    const store::AttemptResult result{0, "store_unavailable", "the store failed: " + error.message};
    if (attempt >= options_.max_attempts) return fail_for_good(result.code, result.message);
    const std::string retry_at = in(retry_delay(attempt, std::nullopt));
    if (record("a job's retry", [&] { return store_.fail_attempt(job.id, job.claim, result, utc_now(), retry_at); }))
      jobs_retried_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (*revoked)
    return fail_for_good("revoked", "customer '" + job.customer_id + "' or its integration '" + job.integration_id +
                                        "' was revoked: the write was not sent to the PMS");
  const std::optional<store::Integration>& integration = *found;
  if (!integration) return fail_for_good("no_integration", "the integration '" + job.integration_id + "' is gone");
  const Connector* c = connector(job.pms);
  if (!c) return fail_for_good("no_connector", "gatehouse has no connector for " + job.pms);
  // A root job whose payload has fields the PMS keeps apart fans out: its own call first, then one
  // child job per such field, queued when this call succeeds (they need the record's id).
  NativeRequest native;
  std::vector<std::string> follow_ups;
  try {
    std::vector<std::string> calls = job.is_root() ? c->calls(job.model, job.payload) : std::vector{job.payload};
    native = c->write_request(job.model, ast::operation_name(job.operation), job.record_id, calls.front());
    follow_ups.assign(calls.begin() + 1, calls.end());
  } catch (const std::exception& e) {
    return fail_for_good("mapping_failed", e.what());
  }

  auto started = std::chrono::steady_clock::now();
  CallResult call = http_call(integration->base_url, native.method, native.path, native.body,
                              {{"Idempotency-Key", job.id}}, call_limits());
  pms_calls_.fetch_add(1, std::memory_order_relaxed);
  pms_call_nanoseconds_.fetch_add(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::steady_clock::now() - started).count()),
                                  std::memory_order_relaxed);

  const std::string code = code_of(call);
  if (call.status >= 200 && call.status < 300) {
    std::vector<store::CreatedRecord> created;
    // The PMS's id throughout (a job carries it, not gatehouse's): the store gives a created
    // record its gatehouse id when it records the success.
    std::string native_id = job.record_id;
    if (job.operation == ast::Operation::create) {
      std::optional<std::string> id;
      try {
        auto records = c->generic_records(job.model, call.body);
        if (!records.empty()) id = records.front().first;
      } catch (const std::exception&) {
        // The PMS took the write but gave no record back: the id comes with the next sync.
      }
      created.push_back({job.model, id});
      native_id = id.value_or("");
    }
    std::vector<store::NewJob> children;
    for (auto& payload : follow_ups) {
      store::NewJob child{job.customer_id, job.integration_id, job.pms, job.model, ast::Operation::update, native_id,
                          std::move(payload), job.verdict, job.rules_version, job.id};
      children.push_back(std::move(child));
    }
    const bool recorded = record("a job's success", [&] {
      return store_.succeed(job.id, job.claim, {call.status, code, job.operation == ast::Operation::create ? "created" : "updated"},
                            created, utc_now(), children);
    });
    if (!recorded) return;  // the worker that holds the job now records it
    if (!children.empty()) wake();
    jobs_succeeded_.fetch_add(1, std::memory_order_relaxed);
    auto program = engine_.program();
    const PmsRules* rules = program->find_pms(job.pms);
    auto model = rules ? rules->models.find(job.model) : decltype(rules->models.end()){};
    if (rules && model != rules->models.end() && model->second.operation(job.operation).refresh_after_write &&
        !native_id.empty())
      refresh(*integration, *c, job.model, native_id);
    return;
  }
  std::string message = call.status == 0 ? call.error : c->error_message(call.body);
  if (retryable(call) && attempt < options_.max_attempts) {
    const std::string retry_at = in(retry_delay(attempt, call.retry_after));
    if (record("a job's retry",
               [&] { return store_.fail_attempt(job.id, job.claim, {call.status, code, message}, utc_now(), retry_at); }))
      jobs_retried_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (record("a job's failure", [&] {
        return store_.fail_attempt(job.id, job.claim, {call.status, code, message}, utc_now(), std::nullopt);
      }))
    jobs_failed_.fetch_add(1, std::memory_order_relaxed);
}

void Dispatcher::refresh(const store::Integration& integration, const Connector& connector, const std::string& model,
                         const std::string& id) {
  // The write itself succeeded; a record this cannot fetch or keep comes back at the next sync.
  auto failed = [&](const std::string& why) {
    refresh_errors_.fetch_add(1, std::memory_order_relaxed);
    std::cerr << "refresh after write of " << model << " " << id << ": " << why << '\n';
  };
  std::vector<std::pair<std::string, std::string>> records;
  try {
    NativeRequest fetch = connector.fetch_request(model, id);
    CallResult call = http_call(integration.base_url, "GET", fetch.path, "", {}, call_limits());
    if (call.status != 200) return failed("fetch answered " + std::to_string(call.status) + " " + call.error);
    records = connector.generic_records(model, call.body);
  } catch (const std::exception& e) {  // the connector could not map the request or the answer
    return failed(e.what());
  }
  if (records.empty()) return failed("the fetched record has no id");
  auto kept = store_.put_record({model, records.front().first, integration.id, records.front().second, utc_now()});
  if (!kept) return failed("the store failed: " + kept.error().message);
  refreshes_.fetch_add(1, std::memory_order_relaxed);
}

void Dispatcher::deliver(const store::WebhookDelivery& d) {
  const int attempt = d.attempts + 1;
  // Due again later (with `error`), or failed for good once its attempts are spent.
  auto not_delivered = [&](const std::string& error, std::optional<milliseconds> retry_after) {
    if (attempt < options_.webhook_max_attempts) {
      const std::string retry_at = in(retry_delay(attempt, retry_after));
      if (record("a webhook's retry",
                 [&] { return store_.finish_webhook(d.id, d.claim, false, error, utc_now(), retry_at); }))
        webhooks_retried_.fetch_add(1, std::memory_order_relaxed);
    } else {
      if (record("a webhook's failure",
                 [&] { return store_.finish_webhook(d.id, d.claim, false, error, utc_now(), std::nullopt); }))
        webhooks_failed_.fetch_add(1, std::memory_order_relaxed);
    }
  };
  // A revoked customer is served nothing, its webhook included (its jobs' history stays).
  auto revoked = store_.is_revoked(d.customer_id, "");
  store::Result<std::optional<store::WriteStatus>> read = std::nullopt;
  if (revoked && !*revoked) read = store_.write_status(d.customer_id, d.root_job_id);
  if (!revoked || !read) {
    const store::StoreError& error = !revoked ? revoked.error() : read.error();
    // Nothing was sent: the delivery is due again after a backoff rather than left claimed
    // (with SQLite, until the next start).
    count_worker_store_error("webhook " + d.id, error);
    return not_delivered("the store failed: " + error.message, std::nullopt);
  }
  const std::optional<store::WriteStatus>& status = *read;
  if (*revoked || !status) {
    const std::string why = *revoked ? "the customer was revoked" : "the write is gone";
    if (record("a webhook's failure",
               [&] { return store_.finish_webhook(d.id, d.claim, false, why, utc_now(), std::nullopt); }))
      webhooks_failed_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // The event is the trigger the finished write fired, the one the store queued this delivery
  // for (webhook_trigger.hpp). A write is queued for delivery only once finished, and stays so:
  // a pending one here is a damaged store, failed for good rather than sent without an event.
  auto event = store::webhook_trigger_of(status->state);
  if (!event) {
    if (record("a webhook's failure", [&] {
          return store_.finish_webhook(d.id, d.claim, false, "the write is not finished", utc_now(), std::nullopt);
        }))
      webhooks_failed_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::string body = webhook_event_body(*status, *event);
  CallResult call = http_call(d.url, "POST", "", body,
                              {{"X-Gatehouse-Signature", webhook_signature(d.secret, unix_seconds_now(), d.id, body)},
                               {"X-Gatehouse-Delivery", d.id},
                               {std::string(webhook_event_header), std::string(store::webhook_trigger_name(*event))}},
                              call_limits());
  if (call.status >= 200 && call.status < 300) {
    if (record("a webhook's delivery",
               [&] { return store_.finish_webhook(d.id, d.claim, true, "", utc_now(), std::nullopt); }))
      webhooks_delivered_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  not_delivered(call.status == 0 ? call.error : "answered " + std::to_string(call.status), call.retry_after);
}

store::Result<SyncReport> Dispatcher::sync_now() {
  auto integrations = store_.integrations();
  if (!integrations) return integrations.error();
  SyncReport report;
  for (const auto& integration : *integrations) sync_integration(integration, report);
  synced_records_.fetch_add(report.records, std::memory_order_relaxed);
  sync_errors_.fetch_add(report.errors.size(), std::memory_order_relaxed);
  return report;
}

void Dispatcher::sync_integration(const store::Integration& integration, SyncReport& report) {
  {
    std::lock_guard lock(mutex_);
    last_synced_[integration.id] = std::chrono::steady_clock::now();
  }
  const Connector* c = connector(integration.pms);
  if (!c) return;
  auto program = engine_.program();
  const PmsRules* rules = program->find_pms(integration.pms);
  if (!rules) return;
  for (const auto& [model, unused] : rules->models) {
    const ModelConnector* m = c->model(model);
    if (!m || !m->list) continue;
    NativeRequest list = c->list_request(model);
    CallResult call = http_call(integration.base_url, "GET", list.path, "", {}, call_limits());
    if (call.status != 200) {
      report.errors.push_back(integration.id + " " + model + ": " +
                              (call.status ? "answered " + std::to_string(call.status) : call.error));
      continue;
    }
    std::vector<std::pair<std::string, std::string>> records;
    try {
      records = c->generic_records(model, call.body);
    } catch (const std::exception& e) {
      report.errors.push_back(integration.id + " " + model + ": " + e.what());
      continue;
    }
    std::string now = utc_now();
    for (auto& [id, json] : records) {
      auto kept = store_.put_record({model, id, integration.id, json, now});
      if (!kept) {  // the store failed: the rest of this list waits for the next sync
        report.errors.push_back(integration.id + " " + model + ": the store failed: " + kept.error().message);
        break;
      }
      ++report.records;
    }
  }
}

void Dispatcher::append_metrics(std::string& out) const {
  auto counter = [&](const char* name, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
  };
  auto value = [&](const std::string& series, const std::atomic<std::uint64_t>& n) {
    out += series + " " + std::to_string(n.load(std::memory_order_relaxed)) + "\n";
  };
  counter("gatehouse_jobs_total", "Job attempts by outcome: succeeded, failed (for good), retried.");
  value("gatehouse_jobs_total{outcome=\"succeeded\"}", jobs_succeeded_);
  value("gatehouse_jobs_total{outcome=\"failed\"}", jobs_failed_);
  value("gatehouse_jobs_total{outcome=\"retried\"}", jobs_retried_);
  counter("gatehouse_pms_calls_total", "Write calls made to PMSs.");
  value("gatehouse_pms_calls_total", pms_calls_);
  counter("gatehouse_pms_call_seconds_total", "Time spent in write calls to PMSs.");
  out += "gatehouse_pms_call_seconds_total " +
         std::to_string(static_cast<double>(pms_call_nanoseconds_.load(std::memory_order_relaxed)) / 1e9) + "\n";
  counter("gatehouse_webhooks_total", "Webhook deliveries by outcome.");
  value("gatehouse_webhooks_total{outcome=\"delivered\"}", webhooks_delivered_);
  value("gatehouse_webhooks_total{outcome=\"retried\"}", webhooks_retried_);
  value("gatehouse_webhooks_total{outcome=\"failed\"}", webhooks_failed_);
  counter("gatehouse_synced_records_total", "Records read back from PMSs by the sync loop.");
  value("gatehouse_synced_records_total", synced_records_);
  counter("gatehouse_sync_errors_total", "Model lists the sync loop could not read.");
  value("gatehouse_sync_errors_total", sync_errors_);
  counter("gatehouse_refreshes_total", "Records fetched right after a write (refresh after write), by outcome.");
  value("gatehouse_refreshes_total{outcome=\"ok\"}", refreshes_);
  value("gatehouse_refreshes_total{outcome=\"error\"}", refresh_errors_);
  counter("gatehouse_outcome_store_errors_total", "Tries to record a job's or delivery's outcome that the store failed (each tried again).");
  value("gatehouse_outcome_store_errors_total", outcome_store_errors_);
  counter("gatehouse_worker_store_errors_total",
          "Dispatcher worker rounds the store failed (claiming, or reading what a job or delivery needs); each backed off and tried again.");
  value("gatehouse_worker_store_errors_total", worker_store_errors_);
  counter("gatehouse_claims_lost_total",
          "Outcomes not recorded because their claim was lost (the lease ran out and another worker took the job or delivery).");
  value("gatehouse_claims_lost_total", claims_lost_);
  counter("gatehouse_expired_writes_deleted_total",
          "Finished writes deleted after the retention period, with their attempts and webhook deliveries.");
  value("gatehouse_expired_writes_deleted_total", expired_writes_deleted_);
  counter("gatehouse_retention_errors_total", "Retention rounds the store failed (each tried again after a backoff).");
  value("gatehouse_retention_errors_total", retention_errors_);
}

}  // namespace gatehouse::service
