#pragma once
// The write service's request handling, apart from any transport: the generic endpoints of a
// unified property-management API, deciding every write with gatehouse and keeping accepted ones
// as jobs in the store. An HTTP server in front of it only moves bytes.
//
//   PUT  /v1/{model}/{id}                      update a cached record's PMS record  -> 202 + job
//   POST /v1/{model}                           create (body carries integration_id) -> 202 + job
//   GET  /v1/{model}/{id}                      the cached record (changed only by the PMS)
//   GET  /v1/{model}?x_id=...[&integration_id=...]  the cached records with that PMS id
//
// `{id}` is gatehouse's record id (record_ids.hpp), never the PMS's: that one repeats across
// integrations, so it is served beside it as `x_id`.
//   GET  /v1/admin/write-status/{root_job_id}  what became of a write
//   GET  /v1/meta/{model}/{operation}?integration_id=...  the JSON Schema that integration takes
//   GET  /healthz
//   GET  /metrics                              Prometheus text: decisions by verdict, responses
//                                              by status, decision time
//
// Every /v1 request needs `Authorization: Bearer <key>`; a customer reaches only its own
// integrations, records and jobs (anything else is 404). Every error body has one shape:
//   {"error": {"status": 400, "code": "...", "message": "...", "details": [...]}}
// and is valid UTF-8 JSON whatever the request held: a message quotes ids, models and keys from
// the URL, the query or the body with quote_bytes (an id percent-decoded from %C3%28 is no UTF-8).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "clock.hpp"
#include "gatehouse/engine.hpp"
#include "gatehouse/store/store.hpp"

namespace gatehouse::service {

struct HttpRequest {
  std::string method;  ///< "GET", "PUT", "POST", ...
  std::string path;    ///< without the query string
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  ///< names in lower case
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string body;  ///< JSON, except for /metrics
  std::string content_type = "application/json";
};

/// The service's one error shape: {"error": {"status", "code", "message", "details"}}, where
/// `details` is a JSON array (the decision's issues on a reject).
HttpResponse error_response(int status, std::string_view code, std::string_view message,
                            std::string_view details = "[]");

/// What the service asks of the layers around it (all optional).
struct WriteServiceHooks {
  /// Whether a write of model/operation can be carried to the PMS; false answers 501
  /// (`no_connector`) before anything is stored, instead of a job that can only fail.
  std::function<bool(std::string_view pms, std::string_view model, std::string_view operation)> can_dispatch;
  std::function<void()> on_enqueued;                  ///< a job is stored (wake a worker)
  std::function<void(std::string&)> extra_metrics;    ///< more Prometheus text for /metrics
};

class WriteService {
 public:
  /// `now` gives the current time as RFC 3339 UTC (tests pass a fixed clock).
  WriteService(Engine& engine, store::Store& store, Limits limits = {},
               std::function<std::string()> now = nullptr);

  HttpResponse handle(const HttpRequest& request);
  void set_hooks(WriteServiceHooks hooks) { hooks_ = std::move(hooks); }

 private:
  HttpResponse write(const HttpRequest& request, const std::string& customer, const std::string& model,
                     const std::string* record_id);
  HttpResponse write_status(const std::string& customer, const std::string& job_id);
  HttpResponse cached_record(const std::string& customer, const std::string& model, const std::string& id);
  HttpResponse records_by_x_id(const HttpRequest& request, const std::string& customer, const std::string& model);
  HttpResponse meta(const HttpRequest& request, const std::string& customer, const std::string& model,
                    const std::string& operation);

  HttpResponse route(const HttpRequest& request);
  HttpResponse metrics() const;
  HttpResponse count(HttpResponse response);

  Engine& engine_;
  store::Store& store_;
  Limits limits_;
  std::function<std::string()> now_;
  WriteServiceHooks hooks_;

  // Counters for /metrics; relaxed atomics: each is a total on its own.
  std::atomic<std::uint64_t> decisions_[3] = {};  // accept, strip, reject
  std::atomic<std::uint64_t> decision_nanoseconds_{0};
  std::atomic<std::uint64_t> requests_{0}, request_nanoseconds_{0};
  std::map<int, std::atomic<std::uint64_t>> responses_;  // by status; keys made in the constructor
};

}  // namespace gatehouse::service
