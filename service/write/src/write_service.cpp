#include "gatehouse/service/write_service.hpp"

#include <simdjson.h>

#include <chrono>
#include <vector>

#include "gatehouse/evaluator.hpp"
#include "gatehouse/json_schema.hpp"
#include "gatehouse/service/admin_routes.hpp"
#include "gatehouse/service/idempotency_key.hpp"
#include "gatehouse/json_string.hpp"
#include "gatehouse/service/media_type.hpp"
#include "gatehouse/service/record_ids.hpp"

namespace gatehouse::service {

namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < path.size()) {
    std::size_t slash = path.find('/', at);
    if (slash == std::string::npos) slash = path.size();
    if (slash > at) out.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return out;
}

/// The PMS API under /v1/ and the CRM API under /crm/v1/ (its models name their whole paths):
/// what needs a key.
bool is_api_path(const std::vector<std::string>& parts) {
  return !parts.empty() && (parts[0] == "v1" || (parts.size() > 1 && parts[0] == "crm" && parts[1] == "v1"));
}

std::string issues_json(const std::vector<Issue>& issues) {
  std::string out;
  append_issues_json(issues, out);
  return out;
}

/// Takes the top-level string member `key` out of a JSON object: its value and the text without
/// it. nullopt when the body is not an object or has no such string member.
std::optional<std::pair<std::string, std::string>> take_member(const std::string& body, std::string_view key) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) return std::nullopt;
  const char* base = padded.data();
  for (auto member_result : object) {
    simdjson::ondemand::field member;
    if (std::move(member_result).get(member)) return std::nullopt;
    const char* raw = member.key().raw();
    std::string_view name;
    if (member.unescaped_key().get(name)) return std::nullopt;
    if (name != key) continue;
    std::string_view value;
    if (member.value().get_string().get(value)) return std::nullopt;
    std::string out_value(value);
    // The member's bytes: from its key's quote to the end of its value.
    std::size_t begin = static_cast<std::size_t>(raw - 1 - base);
    std::size_t end = member_end(body, begin);
    // Take a separator with it: the comma after, or else the one before.
    std::size_t after = body.find_first_not_of(" \t\r\n", end);
    if (after != std::string::npos && body[after] == ',') {
      end = body.find_first_not_of(" \t\r\n", after + 1);
    } else {
      std::size_t before = body.find_last_not_of(" \t\r\n", begin - 1);
      if (before != std::string::npos && body[before] == ',') begin = before;
    }
    return std::pair{out_value, body.substr(0, begin) + body.substr(end)};
  }
  return std::nullopt;
}

/// A retention period as a person says it: "30 days", "12 hours", "90 minutes", "5 seconds" (the
/// largest unit it is a whole number of).
std::string duration_text(std::chrono::seconds d) {
  const long n = static_cast<long>(d.count());
  auto unit = [](long count, const char* name) {
    return std::to_string(count) + " " + name + (count == 1 ? "" : "s");
  };
  if (n % 86400 == 0) return unit(n / 86400, "day");
  if (n % 3600 == 0) return unit(n / 3600, "hour");
  if (n % 60 == 0) return unit(n / 60, "minute");
  return unit(n, "second");
}

}  // namespace

HttpResponse error_response(int status, std::string_view code, std::string_view message, std::string_view details) {
  std::string body = "{\"error\":{\"status\":" + std::to_string(status) + ",\"code\":";
  append_json_string(body, code);
  body += ",\"message\":";
  append_json_string(body, message);
  body += ",\"details\":";
  body += details;
  body += "}}";
  return {status, body};
}

WriteService::WriteService(Engine& engine, store::Store& store, Limits limits, std::function<std::string()> now)
    : engine_(engine), store_(store), limits_(limits), now_(now ? std::move(now) : utc_now) {
  for (int status : {200, 202, 400, 401, 404, 405, 409, 413, 415, 422, 429, 500, 501, 503}) responses_[status];
}

HttpResponse method_not_allowed(const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& m : allowed) list += (list.empty() ? "" : ", ") + m;
  HttpResponse r = error_response(405, "method_not_allowed", "this path takes " + list);
  r.headers.emplace_back("Allow", list);
  return r;
}

HttpResponse WriteService::count(HttpResponse response) {
  auto it = responses_.find(response.status);
  if (it != responses_.end()) it->second.fetch_add(1, std::memory_order_relaxed);
  return response;
}

HttpResponse WriteService::metrics() const {
  std::string out =
      "# HELP gatehouse_decisions_total Write requests decided, by verdict.\n"
      "# TYPE gatehouse_decisions_total counter\n";
  const char* verdicts[] = {"accept", "strip", "reject"};
  for (int i = 0; i < 3; ++i)
    out += std::string("gatehouse_decisions_total{verdict=\"") + verdicts[i] + "\"} " +
           std::to_string(decisions_[i].load(std::memory_order_relaxed)) + "\n";
  out += "# HELP gatehouse_decision_seconds_total Time spent deciding write requests.\n"
         "# TYPE gatehouse_decision_seconds_total counter\n"
         "gatehouse_decision_seconds_total " +
         std::to_string(static_cast<double>(decision_nanoseconds_.load(std::memory_order_relaxed)) / 1e9) + "\n";
  out += "# HELP gatehouse_responses_total HTTP responses of the write service, by status.\n"
         "# TYPE gatehouse_responses_total counter\n";
  for (const auto& [status, n] : responses_)
    out += "gatehouse_responses_total{status=\"" + std::to_string(status) + "\"} " +
           std::to_string(n.load(std::memory_order_relaxed)) + "\n";
  out += "# HELP gatehouse_request_seconds Time to answer requests (sum and count give the mean).\n"
         "# TYPE gatehouse_request_seconds summary\n"
         "gatehouse_request_seconds_sum " +
         std::to_string(static_cast<double>(request_nanoseconds_.load(std::memory_order_relaxed)) / 1e9) +
         "\ngatehouse_request_seconds_count " + std::to_string(requests_.load(std::memory_order_relaxed)) + "\n";
  // A counter of one value, in Prometheus's text format.
  auto counter = [&out](const char* name, const char* help, const std::atomic<std::uint64_t>& value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name + " " +
           std::to_string(value.load(std::memory_order_relaxed)) + "\n";
  };
  counter("gatehouse_idempotent_replays_total", "Writes answered again from their Idempotency-Key.",
          idempotent_replays_);
  counter("gatehouse_failed_key_checks_total", "Requests without a valid key (a /v1 route's, or the admin's).",
          failed_key_checks_);
  counter("gatehouse_throttled_requests_total", "Requests refused 429 too_many_failed_attempts.", throttled_requests_);
  counter("gatehouse_queue_full_total",
          "Writes answered 429 queue_full: the customer had its cap of unfinished jobs.", queue_full_);
  counter("gatehouse_store_unavailable_total", "Requests answered 503 because the store failed.", store_failures_);
  if (hooks_.extra_metrics) hooks_.extra_metrics(out);
  return {200, out, "text/plain; version=0.0.4"};
}

HttpResponse WriteService::handle(const HttpRequest& request) {
  if (request.path == "/metrics" && request.method == "GET") {
    // Counts of every customer's traffic are the operator's: with admin routes (as `gatehouse
    // serve` has) /metrics takes the admin key and is 404 without it, like them.
    if (hooks_.admin)
      if (auto refused = admin_refusal(request)) return count(std::move(*refused));
    return metrics();
  }
  auto started = std::chrono::steady_clock::now();
  HttpResponse response = count(guarded_route(request));
  requests_.fetch_add(1, std::memory_order_relaxed);
  request_nanoseconds_.fetch_add(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - started).count()),
                                 std::memory_order_relaxed);
  return response;
}

HttpResponse WriteService::store_failure(const store::StoreError& error) {
  if (error.kind != store::StoreError::Kind::unavailable) {
    // The store refused what we asked of it (a parent job that does not exist): our bug, not the
    // client's and not a passing one.
    if (hooks_.log) hooks_.log("internal error: " + error.message);
    return error_response(500, "internal_error", "the service failed to handle this request");
  }
  // A store failure is an answer: the client may retry (nothing was stored, or what was is
  // complete: each store write is one transaction), and the database's own words stay in the
  // operator's log, not in the client's answer.
  store_failures_.fetch_add(1, std::memory_order_relaxed);
  if (hooks_.log) hooks_.log("store unavailable: " + error.message);
  HttpResponse r = error_response(503, "store_unavailable", "the service cannot reach its store right now; try again shortly");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse WriteService::internal_error() {
  // Store errors come as values (store_failure); what is thrown is something nobody expected, and
  // it is an answer too, never an exception out of the service.
  try {
    throw;
  } catch (const std::exception& e) {
    if (hooks_.log) hooks_.log(std::string("internal error: ") + e.what());
  } catch (...) {
    if (hooks_.log) hooks_.log("internal error");
  }
  return error_response(500, "internal_error", "the service failed to handle this request");
}

HttpResponse WriteService::guarded_route(const HttpRequest& request) {
  try {
    return route(request);
  } catch (...) {
    return internal_error();
  }
}

std::chrono::steady_clock::time_point WriteService::monotonic_now() const {
  return hooks_.monotonic_now ? hooks_.monotonic_now() : std::chrono::steady_clock::now();
}

namespace {
std::string_view credentials_of(const HttpRequest& request) {
  auto auth = request.headers.find("authorization");
  return auth == request.headers.end() ? std::string_view() : std::string_view(auth->second);
}
}  // namespace

std::optional<HttpResponse> WriteService::throttled(const HttpRequest& request) {
  if (hooks_.failed_auth_per_minute <= 0 || request.client_address.empty()) return std::nullopt;
  auto wait = auth_throttle_.refusal(request.client_address, credentials_of(request), hooks_.failed_auth_per_minute,
                                     monotonic_now());
  if (!wait) return std::nullopt;
  throttled_requests_.fetch_add(1, std::memory_order_relaxed);
  HttpResponse r = error_response(429, "too_many_failed_attempts",
                                  "more than " + std::to_string(hooks_.failed_auth_per_minute) +
                                      " requests a minute without a valid API key came from this address; try again in " +
                                      std::to_string(*wait) + " s");
  r.headers.emplace_back("Retry-After", std::to_string(*wait));
  return r;
}

void WriteService::key_failed(const HttpRequest& request) {
  failed_key_checks_.fetch_add(1, std::memory_order_relaxed);
  if (hooks_.failed_auth_per_minute <= 0 || request.client_address.empty()) return;
  auth_throttle_.failed(request.client_address, hooks_.failed_auth_per_minute, monotonic_now());
}

void WriteService::key_passed(const HttpRequest& request) {
  if (hooks_.failed_auth_per_minute <= 0 || request.client_address.empty()) return;
  auth_throttle_.passed(credentials_of(request));
}

std::variant<std::string, HttpResponse> WriteService::customer_of(const HttpRequest& request) {
  // A throttled address's key is not even looked up: the store is spared the flood, and the
  // answer says nothing of the key (failed_auth_throttle.hpp).
  if (auto refused = throttled(request)) return std::move(*refused);
  auto auth = request.headers.find("authorization");
  const std::string bearer = "Bearer ";
  if (auth == request.headers.end() || auth->second.rfind(bearer, 0) != 0) {
    key_failed(request);
    return error_response(401, "unauthorized", "send the customer's API key as 'Authorization: Bearer <key>'");
  }
  auto customer = store_.customer_for_key(auth->second.substr(bearer.size()));
  if (!customer) return store_failure(customer.error());  // 503, before any body is read
  if (!*customer) {
    key_failed(request);
    return error_response(401, "unauthorized", "unknown API key");
  }
  key_passed(request);
  return std::move(**customer);
}

std::optional<HttpResponse> WriteService::admin_refusal(const HttpRequest& request) {
  if (auto refused = throttled(request)) return refused;
  if (auto refused = hooks_.admin->authorize(request)) {
    key_failed(request);  // a guess at the operator's key counts like one at a customer's
    return refused;
  }
  key_passed(request);
  return std::nullopt;
}

std::optional<HttpResponse> WriteService::authorize(const HttpRequest& head) {
  auto parts = segments(head.path);
  if (!is_api_path(parts)) return std::nullopt;  // /healthz, /metrics, or a 404 to come
  if (AdminRoutes::is_admin_route(head.path)) {
    if (!hooks_.admin) return count(error_response(404, "not_found", "no such endpoint"));
    if (auto refused = admin_refusal(head)) return count(std::move(*refused));
    return std::nullopt;
  }
  try {
    auto who = customer_of(head);
    if (auto* refused = std::get_if<HttpResponse>(&who)) return count(std::move(*refused));
  } catch (...) {
    return count(internal_error());
  }
  return std::nullopt;
}

bool WriteService::answers_from_memory(const HttpRequest& request) {
  return request.path == "/healthz" || request.path == "/metrics";
}

HttpResponse WriteService::route(const HttpRequest& request) {
  auto parts = segments(request.path);
  if (parts.size() == 1 && parts[0] == "healthz") {
    if (request.method != "GET") return method_not_allowed({"GET"});
    return {200, "{\"status\":\"ok\",\"rules_version\":" + json_quote(engine_.program()->rules_version()) + "}"};
  }
  if (!is_api_path(parts)) return error_response(404, "not_found", "no such endpoint");
  if (AdminRoutes::is_admin_route(request.path)) {
    if (!hooks_.admin) return error_response(404, "not_found", "no such endpoint");
    if (auto refused = admin_refusal(request)) return std::move(*refused);
    auto answer = hooks_.admin->handle(request);
    if (!answer) return store_failure(answer.error());
    return std::move(*answer);
  }

  auto who = customer_of(request);
  if (auto* refused = std::get_if<HttpResponse>(&who)) return std::move(*refused);
  const std::string& customer = std::get<std::string>(who);
  // Every answer to a customer says where its limit stands (x-ratelimit-*), as the peer API does.
  int per_minute = hooks_.rate_limit_per_minute ? hooks_.rate_limit_per_minute(customer) : 0;
  RateDecision rate = rate_limiter_.take(customer, per_minute, monotonic_now());
  HttpResponse response = rate.allowed ? customer_route(request, customer, parts)
                                       : error_response(429, "rate_limited",
                                                        "more than " + std::to_string(rate.limit) +
                                                            " requests a minute; try again in " +
                                                            std::to_string(rate.retry_after_seconds) + " s");
  if (rate.limit > 0) {
    response.headers.emplace_back("x-ratelimit-limit", std::to_string(rate.limit));
    response.headers.emplace_back("x-ratelimit-remaining", std::to_string(rate.remaining));
    response.headers.emplace_back("x-ratelimit-reset", std::to_string(rate.reset_seconds));
    if (!rate.allowed) response.headers.emplace_back("Retry-After", std::to_string(rate.retry_after_seconds));
  }
  return response;
}

HttpResponse WriteService::customer_route(const HttpRequest& request, const std::string& customer_id,
                                          const std::vector<std::string>& parts) {
  const std::string* customer = &customer_id;
  if (parts.size() == 4 && parts[1] == "admin" && parts[2] == "write-status") {
    if (request.method != "GET") return method_not_allowed({"GET"});
    return write_status(*customer, parts[3]);
  }
  if (parts.size() == 4 && parts[1] == "meta") {
    if (request.method != "GET") return method_not_allowed({"GET"});
    return meta(request, *customer, parts[2], parts[3]);
  }
  // Everything else is a route of a model in the rules; the snapshot keeps the resolved route's
  // model alive for this request, whatever a reload does meanwhile.
  auto program = engine_.program();
  RouteResolution resolution = resolve_route(*program, request.method, request.path);
  if (!resolution.route) {
    if (!resolution.allowed.empty()) return method_not_allowed(resolution.allowed);
    return error_response(404, "not_found", "no route " + utf8_text(request.method) + " " + quote_bytes(request.path));
  }
  const ResolvedRoute& route = *resolution.route;
  // GET /v1/<resource>?x_id=...: the records a PMS knows by that id (gatehouse's ids name them).
  if (!route.operation && route.record_id.empty()) return records_by_x_id(request, *customer, route.model->name);
  if (!route.operation) return cached_record(*customer, route.model->name, route.record_id);
  return write(request, *customer, *program, route);
}

HttpResponse WriteService::write(const HttpRequest& request, const std::string& customer, const Program& program,
                                 const ResolvedRoute& route) {
  auto type = request.headers.find("content-type");
  if (type == request.headers.end() || !is_json_media_type(type->second))
    return error_response(415, "unsupported_media_type", "send the payload as application/json");
  if (request.body.size() > limits_.max_payload_bytes)
    return error_response(413, "payload_too_large", "the payload is " + std::to_string(request.body.size()) +
                                               " bytes; the limit is " + std::to_string(limits_.max_payload_bytes));
  auto ignore = request.query.find("ignore_unknown_fields");
  bool strip = ignore != request.query.end() && ignore->second == "true";

  // With an Idempotency-Key, a write the key has answered already is answered again as it was,
  // before anything else is looked at: not decided again (the rules may have been reloaded, the
  // record moved), not stored again. Only a write that is stored keeps its key, so a refused one
  // (400, 404, 409, 501, 503 ...) may be sent again, mended, with the same key.
  std::optional<store::IdempotencyKey> key;
  std::string now, keys_live_since;
  if (auto sent = request.headers.find("idempotency-key"); sent != request.headers.end()) {
    if (auto problem = idempotency_key_problem(sent->second))
      return error_response(400, "invalid_idempotency_key", *problem);
    key = store::IdempotencyKey{customer, sent->second, write_fingerprint(request.method, request.path, strip, request.body)};
    now = now_();
    keys_live_since = idempotency_keys_live_since(now);
    auto kept = store_.find_idempotent(*key, keys_live_since);
    if (!kept) return store_failure(kept.error());
    if (*kept) return keyed_answer(**kept, key->key);
  }

  const GenericModel& model = *route.model;
  const ast::Operation op = *route.operation;
  const std::string operation = ast::operation_name(op);
  auto target = write_target(customer, model, op, route.record_id, request.body);
  if (auto* refused = std::get_if<HttpResponse>(&target)) return std::move(*refused);
  auto& [integration, payload, native_id] = std::get<WriteTarget>(target);
  // A per-PMS route is the reference's page of one PMS: a write for another PMS's integration
  // would be decided by rules its PMS does not follow, so it is refused, not redirected.
  if (route.pms && route.pms->id != integration.pms) {
    std::string whose = route.record_id.empty()
                            ? "integration " + quote_bytes(integration.id)
                            : utf8_text(model.name) + " record " + quote_bytes(route.record_id) + " (integration " +
                                  quote_bytes(integration.id) + ")";
    return error_response(409, "wrong_pms", whose + " is on " + integration.pms + ", but this is " + route.pms->id +
                                                 "'s route (use " + route_text(model, op) + ", or the route with '" +
                                                 pms_path_segment(integration.pms) + "')");
  }

  Request decision_request{integration.pms, model.name, op, strip, payload};
  EvaluationContext& context = thread_context(limits_);  // the configured limits, not the defaults
  auto started = std::chrono::steady_clock::now();
  Decision decision = evaluate(program, decision_request, context);
  decision_nanoseconds_.fetch_add(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::steady_clock::now() - started).count()),
                                  std::memory_order_relaxed);
  decisions_[static_cast<int>(decision.verdict)].fetch_add(1, std::memory_order_relaxed);
  if (decision.verdict == Verdict::reject)
    return error_response(decision.status, decision.status == 405 ? "operation_not_supported" : "rejected",
                 decision.status == 405 ? decision.errors.front().message
                                        : "the PMS cannot take this write: see details",
                 issues_json(decision.errors));
  if (hooks_.can_dispatch && !hooks_.can_dispatch(integration.pms, model.name, operation))
    return error_response(501, "no_connector",
                 "the rules allow this write, but no connector carries " + model.name + " " + operation + " to " +
                     integration.pms + " yet");
  // Last before the job is stored: a write that would not be queued anyway (refused by the
  // rules, unknown record) gets that answer, not this one.
  if (auto refused = refuse_past_queue_cap(customer)) return std::move(*refused);
  store::NewJob job;
  job.customer_id = customer;
  job.integration_id = integration.id;
  job.pms = integration.pms;
  job.model = model.name;
  job.operation = op;
  job.record_id = native_id;  // the PMS's id of the record; "" for a create
  job.payload = std::string(*decision.payload);
  job.verdict = decision.verdict;
  job.rules_version = std::string(decision.rules_version);
  // What the unified API's document declares (job_id, data), and gatehouse's own meta beside it.
  auto accepted_body = [&job, stripped = issues_json(decision.stripped)](std::string_view id) {
    return "{\"job_id\":" + json_quote(id) + ",\"data\":" + job.payload + ",\"meta\":{\"job_id\":" + json_quote(id) +
           ",\"verdict\":" + json_quote(verdict_name(job.verdict)) + ",\"stripped\":" + stripped +
           ",\"rules_version\":" + json_quote(job.rules_version) + "}}";
  };
  if (key) {
    // The job and its key in one transaction (durable before the answer); a write that raced
    // this one with the key since the look-up above got there first: its answer is this one's.
    auto keyed = store_.enqueue_idempotent(job, *key, {202, accepted_body}, now, keys_live_since);
    if (!keyed) return store_failure(keyed.error());
    if (keyed->use != store::KeyUse::stored) return keyed_answer(*keyed, key->key);
    if (hooks_.on_enqueued) hooks_.on_enqueued();
    return {keyed->status, std::move(keyed->body)};
  }
  auto enqueued = store_.enqueue(job, now_());  // durable before the answer
  if (!enqueued) return store_failure(enqueued.error());
  const std::string& id = *enqueued;
  if (hooks_.on_enqueued) hooks_.on_enqueued();
  return {202, accepted_body(id)};
}

HttpResponse WriteService::keyed_answer(const store::KeyedWrite& kept, std::string_view key) {
  if (kept.use == store::KeyUse::used_for_other)
    return error_response(422, "idempotency_key_reused",
                          "the Idempotency-Key " + quote_bytes(key) +
                              " was sent with another request (another method, path, ignore_unknown_fields or body)"
                              " in the last " + std::to_string(idempotency_key_lifetime.count()) +
                              " hours; send a new key with a new request");
  idempotent_replays_.fetch_add(1, std::memory_order_relaxed);
  HttpResponse replay(kept.status, kept.body);
  replay.headers.emplace_back("Idempotent-Replayed", "true");
  return replay;
}

std::variant<WriteService::WriteTarget, HttpResponse> WriteService::write_target(const std::string& customer,
                                                                                  const GenericModel& model,
                                                                                  ast::Operation op,
                                                                                  const std::string& record_id,
                                                                                  const std::string& body) {
  // integration_id names the integration; it stays in the payload only where the route's body
  // declares it (the unified API's document lists it in most bodies, and the rules may check it).
  const RecordRules* route_body = model.route(op);
  bool declared = route_body && route_body->index.find("integration_id") != FieldIndex::npos;
  auto named = take_member(body, "integration_id");
  std::string integration_id, payload = named && !declared ? named->second : body;
  if (!record_id.empty()) {
    // gatehouse's record id names the integration, and the PMS's own id of the record.
    auto resolved = resolve_record(store_, customer, model.name, record_id);
    if (!resolved) return store_failure(resolved.error());
    auto& record = *resolved;
    if (!record)
      return error_response(404, "not_found", "no " + utf8_text(model.name) + " record " + quote_bytes(record_id));
    if (named && named->first != record->integration.id)
      return error_response(409, "integration_mismatch",
                            "the " + utf8_text(model.name) + " record " + quote_bytes(record_id) +
                                " belongs to integration " + quote_bytes(record->integration.id) + ", not " +
                                quote_bytes(named->first));
    return WriteTarget{std::move(record->integration), std::move(payload), std::move(record->native_id)};
  } else {
    if (!named)
      return error_response(400, "missing_integration_id", "the body must be a JSON object with a string integration_id");
    integration_id = named->first;
  }
  auto integration = store_.integration(customer, integration_id);
  if (!integration) return store_failure(integration.error());
  if (!*integration) return error_response(404, "not_found", "no integration " + quote_bytes(integration_id));
  return WriteTarget{std::move(**integration), std::move(payload), ""};
}

std::optional<HttpResponse> WriteService::refuse_past_queue_cap(const std::string& customer) {
  const std::size_t cap = hooks_.max_queued_jobs ? hooks_.max_queued_jobs(customer) : 0;
  if (cap == 0) return std::nullopt;
  auto unfinished = store_.unfinished_jobs(customer);
  if (!unfinished) return store_failure(unfinished.error());
  if (*unfinished < cap) return std::nullopt;
  // Counted, then stored by another request: writes handled at the same moment may each see
  // room for one, so the cap holds to within the requests in flight (http.handler_threads).
  queue_full_.fetch_add(1, std::memory_order_relaxed);
  HttpResponse r = error_response(
      429, "queue_full",
      "this customer has " + std::to_string(*unfinished) +
          " jobs queued or in progress (its writes and their follow-up calls), the most it may have is " +
          std::to_string(cap) + "; send this write again once some have finished (write-status shows their progress)");
  // The queue drains at the PMS's pace, which the service cannot promise: a short wait, then
  // ask again (a client that polls write-status can do better).
  r.headers.emplace_back("Retry-After", std::to_string(queue_full_retry_after_seconds));
  return r;
}

HttpResponse WriteService::write_status(const std::string& customer, const std::string& job_id) {
  auto status = store_.write_status(customer, job_id);
  if (!status) return store_failure(status.error());
  if (!*status) {
    // Unknown, another customer's, or deleted by retention: the same answer (an id never tells
    // whether someone else's write exists), and it says that an old id may have expired.
    std::string message = "no write " + quote_bytes(job_id);
    if (hooks_.retention.count() > 0)
      message += ": it does not exist, or it finished more than " + duration_text(hooks_.retention) +
                 " ago and was deleted (the service keeps finished writes that long)";
    return error_response(404, "not_found", message);
  }
  return {200, store::to_json(**status)};
}

HttpResponse WriteService::cached_record(const std::string& customer, const std::string& model, const std::string& id) {
  auto record = store_.record(customer, model, id);
  if (!record) return store_failure(record.error());
  if (!*record) return error_response(404, "not_found", "no " + utf8_text(model) + " record " + quote_bytes(id));
  return {200, record_body(**record)};
}

HttpResponse WriteService::records_by_x_id(const HttpRequest& request, const std::string& customer,
                                           const std::string& model) {
  auto x_id = request.query.find("x_id");
  if (x_id == request.query.end())
    return error_response(400, "missing_x_id", "add ?x_id=<the PMS's id> (and &integration_id=... to pick one)");
  auto records = store_.records_by_native_id(customer, model, x_id->second);
  if (!records) return store_failure(records.error());
  auto integration = request.query.find("integration_id");
  std::string body = "{\"records\":[";
  bool first = true;
  for (const auto& record : *records) {
    if (integration != request.query.end() && record.integration_id != integration->second) continue;
    if (!first) body += ',';
    first = false;
    body += record_body(record);
  }
  return {200, body + "]}"};
}

HttpResponse WriteService::meta(const HttpRequest& request, const std::string& customer, const std::string& model,
                                const std::string& operation) {
  auto id = request.query.find("integration_id");
  if (id == request.query.end()) return error_response(400, "missing_integration_id", "add ?integration_id=...");
  auto found = store_.integration(customer, id->second);
  if (!found) return store_failure(found.error());
  const std::optional<store::Integration>& integration = *found;
  if (!integration) return error_response(404, "not_found", "no integration " + quote_bytes(id->second));
  auto named = ast::operation_from_name(operation);
  if (!named)
    return error_response(404, "not_found", "no operation " + quote_bytes(operation) + "; operations are " + ast::operation_names());
  auto program = engine_.program();
  const PmsRules* pms = program->find_pms(integration->pms);
  if (!pms) return error_response(404, "not_found", "the rules do not cover " + integration->pms);
  auto m = pms->models.find(model);
  if (m == pms->models.end()) return error_response(404, "not_found", "no such model " + quote_bytes(model));
  auto op = *named;
  if (!m->second.operation(op).offered)
    return error_response(405, "operation_not_supported",
                 pms->display_name + " does not offer " + operation + " on " + model + ": " + m->second.operation(op).reason);
  return {200, json_schema(*program, *pms, m->second, op)};
}

}  // namespace gatehouse::service
