#pragma once
// The write service's request handling, apart from any transport: the generic write routes of
// a unified property-management API, deciding every write with gatehouse and keeping accepted
// ones as jobs in the store. An HTTP server in front of it only moves bytes.
//
//   METHOD /v1/<resource>/<suffix>[/]          every route of every model in the rules, and the
//                                              per-PMS ones (`/v1/residents/buildium/{id}`): see
//                                              route_resolver.hpp              -> 202 + job
//   GET  /v1/<resource>/{id}                   the cached record (changed only by the PMS)
//   GET  /v1/<resource>?x_id=...[&integration_id=...]  the cached records with that PMS id
//
// `{id}` is gatehouse's record id (record_ids.hpp), never the PMS's: that one repeats across
// integrations, so it is served beside it as `x_id`.
//   GET  /v1/admin/write-status/{root_job_id}  what became of a write
//   GET  /v1/meta/{model}/{operation}?integration_id=...  the JSON Schema that integration takes
//   GET  /healthz
//   GET  /metrics                              Prometheus text: decisions by verdict, responses
//                                              by status, decision time
//
// A write may carry an `Idempotency-Key` (idempotency_key.hpp): sent again with it, the same
// request gets its first answer again (`Idempotent-Replayed: true`), another request 422; the key
// is claimed with the job, in the store's one transaction.
//
// Which integration a write goes to: a route with `{id}` names a record, whose integration the
// store knows; any other route carries `integration_id` in its body. Every /v1 request needs
// `Authorization: Bearer <key>`; a customer reaches only its own integrations, records and jobs
// (anything else is 404). An unknown path is 404; a known path with another method is 405 with
// an `Allow` header. Every error body has one shape:
//   {"error": {"status": 400, "code": "...", "message": "...", "details": [...]}}
// and is valid UTF-8 JSON whatever the request held: a message quotes ids, models and keys from
// the URL, the query or the body with quote_bytes (an id percent-decoded from %C3%28 is no UTF-8).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "gatehouse/store/clock.hpp"
#include "gatehouse/engine.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/service/failed_auth_throttle.hpp"
#include "gatehouse/service/rate_limiter.hpp"
#include "gatehouse/service/route_resolver.hpp"

namespace gatehouse::service {

struct HttpRequest {
  std::string method;  ///< "GET", "PUT", "POST", ...
  std::string path;    ///< without the query string
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  ///< names in lower case
  std::string body;
  /// The client's IP address as text ("203.0.113.7", "2001:db8::1"), set by the HTTP server from
  /// the connection; "" when unknown (a test, the fuzz target): the wrong-key throttle, which
  /// counts per address, then leaves the request alone.
  std::string client_address = {};
};

struct HttpResponse {
  HttpResponse() = default;
  HttpResponse(int status_code, std::string json_or_text, std::string type = "application/json")
      : status(status_code), body(std::move(json_or_text)), content_type(std::move(type)) {}

  int status = 200;
  std::string body;  ///< JSON, except for /metrics
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  ///< more headers (`Allow` on a 405)
};

/// The service's one error shape: {"error": {"status", "code", "message", "details"}}, where
/// `details` is a JSON array (the decision's issues on a reject).
HttpResponse error_response(int status, std::string_view code, std::string_view message,
                            std::string_view details = "[]");

/// 405 with `Allow: <allowed, comma-separated>`, in the error shape.
HttpResponse method_not_allowed(const std::vector<std::string>& allowed);

class AdminRoutes;

/// The Retry-After of a 429 `queue_full`: the queue drains at its PMS's pace, which the service
/// cannot foretell, so a fixed short wait.
inline constexpr int queue_full_retry_after_seconds = 5;

/// What the service asks of the layers around it (all optional).
struct WriteServiceHooks {
  /// Whether a write of model/operation (the rules' names: `residents`, `cancel`) can be carried
  /// to the PMS; false answers 501 (`no_connector`) before anything is stored, instead of a job
  /// that can only fail.
  std::function<bool(std::string_view pms, std::string_view model, std::string_view operation)> can_dispatch;
  std::function<void()> on_enqueued;                  ///< a job is stored (wake a worker)
  std::function<void(std::string&)> extra_metrics;    ///< more Prometheus text for /metrics
  std::function<void(const std::string&)> log;        ///< a line for the operator (a store failure)
  /// The operator's routes (admin_routes.hpp; must outlive the service); without them they are 404.
  AdminRoutes* admin = nullptr;
  /// A customer's requests a minute (rate_limiter.hpp); 0, or no function: no limit.
  std::function<int(std::string_view customer)> rate_limit_per_minute;
  /// Failed key checks a minute per client address (failed_auth_throttle.hpp); past them the
  /// address's requests without a key seen to work are answered 429 `too_many_failed_attempts`.
  /// 0: no throttle.
  int failed_auth_per_minute = 0;
  /// The clock of the rate limits and the throttle (tests move it); unset: steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> monotonic_now = nullptr;
  /// The most unfinished jobs (queued or running) a customer may have: a write past it is 429
  /// `queue_full`, before anything is stored; 0, or no function: no cap.
  std::function<std::size_t(std::string_view customer)> max_queued_jobs = nullptr;
  /// How long finished writes are kept (dispatcher.hpp): what a 404 of write-status says; 0: for good.
  std::chrono::seconds retention{0};
};

class WriteService {
 public:
  /// `now` gives the current time as RFC 3339 UTC (tests pass a fixed clock).
  WriteService(Engine& engine, store::Store& store, Limits limits = {},
               std::function<std::string()> now = nullptr);

  HttpResponse handle(const HttpRequest& request);
  /// The key check handle() makes, from the request's head alone (method, path, headers), so a
  /// server can refuse before it reads a body: nullopt when handle() would get past
  /// authentication (or the path needs none: /healthz, /metrics, anything outside /v1), else the
  /// answer (401, or 404 for an admin route without the admin key), counted in /metrics.
  std::optional<HttpResponse> authorize(const HttpRequest& head);
  /// Whether handle() answers `request` from memory alone (/healthz, /metrics): never waits on
  /// the store, so a server may answer it at once rather than queue it behind writes.
  static bool answers_from_memory(const HttpRequest& request);
  void set_hooks(WriteServiceHooks hooks) { hooks_ = std::move(hooks); }

 private:
  /// Where a write goes: its integration, and the payload to decide (integration_id taken out
  /// unless the route's body declares it).
  struct WriteTarget {
    store::Integration integration;
    std::string payload;
    std::string native_id;  ///< the PMS's id of the record a route's `{id}` names; "" without one
  };
  HttpResponse write(const HttpRequest& request, const std::string& customer, const Program& program,
                     const ResolvedRoute& route);
  std::variant<WriteTarget, HttpResponse> write_target(const std::string& customer, const GenericModel& model,
                                                       ast::Operation op, const std::string& record_id,
                                                       const std::string& body);
  HttpResponse write_status(const std::string& customer, const std::string& job_id);
  HttpResponse cached_record(const std::string& customer, const std::string& model, const std::string& id);
  HttpResponse records_by_x_id(const HttpRequest& request, const std::string& customer, const std::string& model);
  HttpResponse meta(const HttpRequest& request, const std::string& customer, const std::string& model,
                    const std::string& operation);

  HttpResponse route(const HttpRequest& request);
  /// A customer's request, past its key and its rate limit.
  HttpResponse customer_route(const HttpRequest& request, const std::string& customer,
                              const std::vector<std::string>& parts);
  HttpResponse guarded_route(const HttpRequest& request);
  /// What a store error answers: 503 `store_unavailable` with Retry-After (counted, its message
  /// logged, not sent), or 500 for an argument the store refused (a bug of ours).
  HttpResponse store_failure(const store::StoreError& error);
  /// In a catch block: the 500 an unexpected exception answers (logged). Store errors are values
  /// and never come here.
  HttpResponse internal_error();
  /// 429 `queue_full` when the customer has its cap of unfinished jobs already; nullopt otherwise.
  std::optional<HttpResponse> refuse_past_queue_cap(const std::string& customer);
  /// The customer whose API key the request carries, or the 401 it gets (or the 429 of a
  /// throttled address, or the 503 of a store that failed to look the key up).
  std::variant<std::string, HttpResponse> customer_of(const HttpRequest& request);
  /// The admin key check (AdminRoutes::authorize) under the wrong-key throttle: nullopt when the
  /// request carries the admin key, else its 404 (or 429).
  std::optional<HttpResponse> admin_refusal(const HttpRequest& request);
  /// The wrong-key throttle (failed_auth_throttle.hpp): the 429 a request from a throttled
  /// address gets, before its key is looked up; key_failed and key_passed tell it the outcome.
  std::optional<HttpResponse> throttled(const HttpRequest& request);
  void key_failed(const HttpRequest& request);
  void key_passed(const HttpRequest& request);
  std::chrono::steady_clock::time_point monotonic_now() const;
  HttpResponse metrics() const;
  HttpResponse count(HttpResponse response);
  /// The answer to a write whose Idempotency-Key was used before: the kept answer again (with
  /// `Idempotent-Replayed: true`), or 422 when the key was used for another request.
  HttpResponse keyed_answer(const store::KeyedWrite& kept, std::string_view key);

  Engine& engine_;
  store::Store& store_;
  Limits limits_;
  std::function<std::string()> now_;
  WriteServiceHooks hooks_;

  // Counters for /metrics; relaxed atomics: each is a total on its own.
  std::atomic<std::uint64_t> decisions_[3] = {};  // accept, strip, reject
  std::atomic<std::uint64_t> decision_nanoseconds_{0};
  std::atomic<std::uint64_t> requests_{0}, request_nanoseconds_{0};
  std::atomic<std::uint64_t> store_failures_{0};
  std::atomic<std::uint64_t> queue_full_{0};
  RateLimiter rate_limiter_;
  FailedAuthThrottle auth_throttle_;
  std::atomic<std::uint64_t> failed_key_checks_{0}, throttled_requests_{0};
  std::map<int, std::atomic<std::uint64_t>> responses_;  // by status; keys made in the constructor
  std::atomic<std::uint64_t> idempotent_replays_{0};
};

}  // namespace gatehouse::service
