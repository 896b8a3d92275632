#include "serve_config.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gatehouse/dispatch/webhook_signature.hpp"
#include "gatehouse/store/clock.hpp"

namespace gatehouse::service {

namespace fs = std::filesystem;

namespace {

std::string required(const YAML::Node& node, const char* key, const std::string& where) {
  if (!node[key] || !node[key].IsScalar())
    throw std::runtime_error(where + ": missing '" + key + "'");
  return node[key].Scalar();
}

/// A mapping's keys must be among `known`: a misspelt key would otherwise be a setting silently
/// left at its default.
void only_known_keys(const YAML::Node& node, std::initializer_list<std::string_view> known, const std::string& where) {
  if (!node || !node.IsMap()) return;
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    throw std::runtime_error(where + ": unknown key '" + key + "' (known: " + list + ")");
  }
}

/// customers[].webhook.triggers: which finished writes the webhook is told of
/// (store/webhook_trigger.hpp), a list of trigger names. An empty list is refused rather than
/// taken to mean none: a webhook that is never called is a mistake more often than a wish, and
/// leaving the webhook out says "none" plainly.
std::vector<store::WebhookTrigger> webhook_triggers(const YAML::Node& node, const std::string& customer) {
  std::string known;
  for (auto t : store::all_webhook_triggers) known += (known.empty() ? "" : ", ") + std::string(store::webhook_trigger_name(t));
  const std::string where = "customers.webhook.triggers of customer '" + customer + "'";
  if (!node.IsSequence()) throw std::runtime_error(where + ": a list of triggers (known: " + known + ")");
  if (node.size() == 0)
    throw std::runtime_error(where + " is empty: the webhook would never be called; name its triggers (known: " +
                             known + "), or leave the webhook out");
  std::vector<store::WebhookTrigger> triggers;
  for (const auto& entry : node) {
    auto trigger = entry.IsScalar() ? store::webhook_trigger_named(entry.Scalar()) : std::nullopt;
    if (!trigger)
      throw std::runtime_error(where + ": unknown trigger '" + (entry.IsScalar() ? entry.Scalar() : std::string("?")) +
                               "' (known: " + known + ")");
    triggers.push_back(*trigger);
  }
  return triggers;
}

/// Reads the config file (once).
/// A cap on a customer's unfinished jobs: 0 (no cap) or more.
std::size_t queue_cap(const YAML::Node& node, const std::string& key) {
  long long n = node.as<long long>();
  if (n < 0) throw std::runtime_error(key + " must be 0 (no cap) or more");
  return static_cast<std::size_t>(n);
}

/// retention_days: a number of days, fractions allowed (0.5: twelve hours), as whole seconds; 0
/// keeps finished writes for good.
std::chrono::seconds retention_of(const YAML::Node& node) {
  double days = node.as<double>();
  if (!(days >= 0) || days > 36500)
    throw std::runtime_error("retention_days must be between 0 (keep finished writes for good) and 36500");
  auto seconds = std::chrono::seconds(std::llround(days * 86400));
  if (days > 0 && seconds.count() < 1) throw std::runtime_error("retention_days is shorter than a second");
  return seconds;
}

}  // namespace

ServeConfig load_serve_config(const fs::path& file, const fs::path& default_rules) {
  ServeConfig c;
  c.root = YAML::LoadFile(file.string());
  const YAML::Node& root = c.root;
  only_known_keys(root, {"rules", "store", "listen", "max_payload_bytes", "admin_api_key", "http", "dispatcher",
                         "lookup_cache_seconds", "rate_limit_per_minute", "failed_auth_per_minute",
                         "max_queued_jobs_per_customer", "retention_days", "customers", "integrations", "records"},
                  "the configuration");
  only_known_keys(root["http"], {"threads", "handler_threads", "request_timeout_ms", "write_timeout_ms",
                                  "keep_alive_timeout_seconds", "keep_alive_max_requests", "max_header_bytes",
                                  "max_header_count", "max_uri_bytes"},
                  "http");
  only_known_keys(root["dispatcher"], {"workers", "max_attempts", "backoff_ms", "max_backoff_ms", "pms_timeout_ms",
                                       "idle_poll_ms", "webhook_max_attempts", "sync_interval_seconds",
                                       "max_response_bytes", "retention_interval_seconds"},
                  "dispatcher");
  if (root["store"] && root["store"].IsMap())
    only_known_keys(root["store"], {"postgres", "schema", "connections", "lease_seconds"}, "store");
  for (const auto& customer : root["customers"]) {
    only_known_keys(customer, {"id", "api_key", "webhook", "rate_limit_per_minute", "max_queued_jobs"}, "customers");
    if (customer["rate_limit_per_minute"]) {
      int n = customer["rate_limit_per_minute"].as<int>();
      if (n < 0) throw std::runtime_error("customers.rate_limit_per_minute must be 0 (no limit) or more");
      c.customer_rate_limits[required(customer, "id", "customers")] = n;
    }
    only_known_keys(customer["webhook"], {"url", "secret", "triggers"}, "customers.webhook");
    // Absent: every trigger, as before triggers existed (a customer's webhook set up then keeps
    // hearing of successes too); the peer API's customers, who only have failures, say so.
    if (const YAML::Node& hook = customer["webhook"]; hook && hook.IsMap()) {
      std::string id = customer["id"] ? customer["id"].Scalar() : std::string("?");
      c.webhook_triggers[id] = hook["triggers"] ? webhook_triggers(hook["triggers"], id)
                                                : std::vector<store::WebhookTrigger>(std::begin(store::all_webhook_triggers),
                                                                                     std::end(store::all_webhook_triggers));
    }
    if (customer["max_queued_jobs"])
      c.customer_queue_caps[required(customer, "id", "customers")] =
          queue_cap(customer["max_queued_jobs"], "customers.max_queued_jobs");
    // A short secret is guessed offline from one captured delivery: refused, as the peer API does.
    if (const YAML::Node& hook = customer["webhook"]; hook && hook["secret"] && hook["secret"].IsScalar() &&
        hook["secret"].Scalar().size() < min_webhook_secret_length)
      throw std::runtime_error("customers.webhook: the secret of customer '" +
                               (customer["id"] ? customer["id"].Scalar() : std::string("?")) + "' has " +
                               std::to_string(hook["secret"].Scalar().size()) + " characters; it needs at least " +
                               std::to_string(min_webhook_secret_length));
  }
  for (const auto& i : root["integrations"])
    only_known_keys(i, {"id", "customer", "pms", "base_url", "sync_interval_seconds"}, "integrations");
  for (const auto& r : root["records"]) only_known_keys(r, {"model", "id", "integration", "data"}, "records");
  // The configuration is the source of truth at start (seed_store): what it does not name is
  // disabled. An integration of a customer it does not name, or a record of such an integration,
  // would be seeded only to be disabled (or serve a disabled customer): a mistake, said so.
  auto names = [&](const char* list, const std::string& id) {
    for (const auto& entry : root[list])
      if (entry["id"] && entry["id"].IsScalar() && entry["id"].Scalar() == id) return true;
    return false;
  };
  for (const auto& i : root["integrations"])
    if (i["customer"] && i["customer"].IsScalar() && !names("customers", i["customer"].Scalar()))
      throw std::runtime_error("integrations: integration '" + (i["id"] ? i["id"].Scalar() : std::string("?")) +
                               "' names customer '" + i["customer"].Scalar() + "', which customers: does not list");
  for (const auto& r : root["records"])
    if (r["integration"] && r["integration"].IsScalar() && !names("integrations", r["integration"].Scalar()))
      throw std::runtime_error("records: a record names integration '" + r["integration"].Scalar() +
                               "', which integrations: does not list");
  fs::path dir = file.parent_path();
  c.rules = root["rules"] ? dir / root["rules"].Scalar() : fs::path(default_rules);
  if (root["store"] && root["store"].IsMap()) {
    // store: {postgres: "host=... dbname=...", schema: gatehouse, connections: 4, lease_seconds: 300}
    const YAML::Node& st = root["store"];
    store::PostgresOptions pg;
    pg.conninfo = required(st, "postgres", "store");
    if (st["schema"]) pg.schema = st["schema"].Scalar();
    if (st["connections"]) pg.connections = st["connections"].as<int>();
    if (st["lease_seconds"]) pg.lease_seconds = st["lease_seconds"].as<int>();
    c.postgres = pg;
  } else {
    c.store = dir / (root["store"] ? root["store"].Scalar() : std::string("gatehouse.db"));
  }
  auto& http = c.http;
  if (root["listen"]) {
    std::string listen = root["listen"].Scalar();
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("listen must be HOST:PORT");
    http.host = listen.substr(0, colon);
    http.port = std::stoi(listen.substr(colon + 1));
  }
  if (root["max_payload_bytes"]) c.max_payload_bytes = root["max_payload_bytes"].as<std::size_t>();
  if (root["admin_api_key"]) c.admin_key = root["admin_api_key"].Scalar();
  // The operator's key opens every customer's admin routes: one that is also a customer's key
  // would make that customer the operator.
  for (const auto& customer : root["customers"])
    if (!c.admin_key.empty() && customer["api_key"] && customer["api_key"].IsScalar() &&
        customer["api_key"].Scalar() == c.admin_key)
      throw std::runtime_error("admin_api_key: it is also the API key of customer '" +
                               (customer["id"] ? customer["id"].Scalar() : std::string("?")) +
                               "'; give the operator a key of its own");
  if (root["lookup_cache_seconds"]) c.lookup_cache_seconds = root["lookup_cache_seconds"].as<int>();
  if (c.lookup_cache_seconds < 0) throw std::runtime_error("lookup_cache_seconds must be 0 (off) or more");
  if (root["rate_limit_per_minute"]) c.rate_limit_per_minute = root["rate_limit_per_minute"].as<int>();
  if (c.rate_limit_per_minute < 0) throw std::runtime_error("rate_limit_per_minute must be 0 (no limit) or more");
  if (root["failed_auth_per_minute"]) c.failed_auth_per_minute = root["failed_auth_per_minute"].as<int>();
  if (c.failed_auth_per_minute < 0) throw std::runtime_error("failed_auth_per_minute must be 0 (no throttle) or more");
  if (root["max_queued_jobs_per_customer"])
    c.max_queued_jobs_per_customer = queue_cap(root["max_queued_jobs_per_customer"], "max_queued_jobs_per_customer");
  if (root["retention_days"]) c.dispatcher.retention = retention_of(root["retention_days"]);
  // Two io threads carry thousands of connections (none waits on the store); one if the
  // machine has one core. The other defaults are HttpServerOptions'.
  http.io_threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 2u));
  if (const YAML::Node& h = root["http"]) {
    using ms = std::chrono::milliseconds;
    if (h["threads"]) http.io_threads = h["threads"].as<int>();
    if (h["handler_threads"]) http.handler_threads = h["handler_threads"].as<int>();
    if (h["request_timeout_ms"]) http.request_timeout = ms(h["request_timeout_ms"].as<long>());
    if (h["write_timeout_ms"]) http.write_timeout = ms(h["write_timeout_ms"].as<long>());
    if (h["keep_alive_timeout_seconds"]) http.keep_alive_timeout = std::chrono::seconds(h["keep_alive_timeout_seconds"].as<long>());
    if (h["keep_alive_max_requests"]) http.keep_alive_max_requests = h["keep_alive_max_requests"].as<int>();
    if (h["max_header_bytes"]) http.limits.max_header_bytes = h["max_header_bytes"].as<std::size_t>();
    if (h["max_header_count"]) http.limits.max_header_count = h["max_header_count"].as<std::size_t>();
    if (h["max_uri_bytes"]) http.limits.max_target_bytes = h["max_uri_bytes"].as<std::size_t>();
    if (http.io_threads < 1 || http.handler_threads < 1 || http.request_timeout.count() < 1 ||
        http.write_timeout.count() < 1 || http.keep_alive_timeout.count() < 1 || http.keep_alive_max_requests < 1 ||
        http.limits.max_header_bytes < 1 || http.limits.max_header_count < 1 || http.limits.max_target_bytes < 1)
      throw std::runtime_error("http: threads, timeouts, keep_alive_max_requests and the limits must be at least 1");
  }
  http.limits.max_body_bytes = c.max_payload_bytes;
  if (const YAML::Node& d = root["dispatcher"]) {
    auto& o = c.dispatcher;
    using ms = std::chrono::milliseconds;
    if (d["workers"]) o.workers = d["workers"].as<int>();
    if (d["max_attempts"]) o.max_attempts = d["max_attempts"].as<int>();
    if (d["backoff_ms"]) o.backoff = ms(d["backoff_ms"].as<long>());
    if (d["max_backoff_ms"]) o.max_backoff = ms(d["max_backoff_ms"].as<long>());
    if (d["pms_timeout_ms"]) o.pms_timeout = ms(d["pms_timeout_ms"].as<long>());
    if (d["idle_poll_ms"]) o.idle_poll = ms(d["idle_poll_ms"].as<long>());
    if (d["webhook_max_attempts"]) o.webhook_max_attempts = d["webhook_max_attempts"].as<int>();
    if (d["sync_interval_seconds"]) o.sync_interval = std::chrono::seconds(d["sync_interval_seconds"].as<long>());
    if (d["max_response_bytes"]) {
      long n = d["max_response_bytes"].as<long>();
      if (n < 1) throw std::runtime_error("dispatcher: max_response_bytes must be at least 1");
      o.max_response_bytes = static_cast<std::size_t>(n);
    }
    if (d["retention_interval_seconds"]) {
      long n = d["retention_interval_seconds"].as<long>();
      if (n < 1) throw std::runtime_error("dispatcher: retention_interval_seconds must be at least 1");
      o.retention_interval = std::chrono::seconds(n);
    }
    if (o.workers < 0 || o.max_attempts < 1 || o.webhook_max_attempts < 1 || o.backoff.count() < 1 ||
        o.pms_timeout.count() < 1 || o.idle_poll.count() < 1)
      throw std::runtime_error("dispatcher: workers >= 0, attempts >= 1 and times >= 1 ms");
  }
  // Keys are the only thing between the internet and a customer's PMS: guessable ones are
  // refused before anything listens.
  auto strong_enough = [](const std::string& key, const std::string& whose) {
    double bits = estimated_key_bits(key);
    if (bits < min_key_bits)
      throw std::runtime_error(whose + " is too weak to guess-proof (about " + std::to_string(static_cast<int>(bits)) +
                               " bits; at least " + std::to_string(static_cast<int>(min_key_bits)) +
                               "): `gatehouse keygen` makes one");
  };
  if (!c.admin_key.empty()) strong_enough(c.admin_key, "admin_api_key");
  for (const auto& customer : root["customers"])
    if (customer["api_key"] && customer["api_key"].IsScalar())
      strong_enough(customer["api_key"].Scalar(), "the API key of customer '" +
                                                      (customer["id"] ? customer["id"].Scalar() : std::string("?")) + "'");
  return c;
}

double estimated_key_bits(std::string_view key) {
  bool lower = false, upper = false, digit = false, other = false;
  bool seen[256] = {};
  int distinct = 0;
  for (unsigned char ch : key) {
    lower |= ch >= 'a' && ch <= 'z';
    upper |= ch >= 'A' && ch <= 'Z';
    digit |= ch >= '0' && ch <= '9';
    other |= !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'));
    if (!seen[ch]) distinct += (seen[ch] = true);
  }
  if (distinct < 10) return 0;
  int alphabet = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (other ? 32 : 0);
  return static_cast<double>(key.size()) * std::log2(static_cast<double>(alphabet));
}

namespace {

/// `put`'s error, if any, with what was being put in front of its message.
template <class T>
std::optional<store::StoreError> failed(const store::Result<T>& put, const std::string& what) {
  if (put) return std::nullopt;
  store::StoreError error = put.error();
  error.message = "seeding " + what + ": " + error.message;
  return error;
}

}  // namespace

store::Result<store::TenancyChange> seed_store(const ServeConfig& c, store::Store& store) {
  for (const auto& customer : c.root["customers"]) {
    std::string id = required(customer, "id", "customers");
    const std::string what = "customer '" + id + "'";
    if (auto error = failed(store.put_customer(id, required(customer, "api_key", "customers")), what)) return *error;
    if (const YAML::Node& hook = customer["webhook"]) {
      if (auto error = failed(store.set_webhook(id, required(hook, "url", "customers.webhook"),
                                                required(hook, "secret", "customers.webhook")),
                              what + "'s webhook"))
        return *error;
      // Every start sets them, so a list taken out of the file is the default again, not the
      // list of the last start that had one.
      auto triggers = c.webhook_triggers.find(id);
      if (triggers == c.webhook_triggers.end())
        throw std::runtime_error("customers.webhook: the triggers of customer '" + id + "' were not read");
      if (auto error = failed(store.set_webhook_triggers(id, triggers->second), what + "'s webhook triggers"))
        return *error;
    }
  }
  for (const auto& i : c.root["integrations"]) {
    store::Integration integration{required(i, "id", "integrations"), required(i, "customer", "integrations"),
                                   required(i, "pms", "integrations"), required(i, "base_url", "integrations"),
                                   i["sync_interval_seconds"] ? i["sync_interval_seconds"].as<int>() : 0};
    if (auto error = failed(store.put_integration(integration), "integration '" + integration.id + "'")) return *error;
  }
  // A seed's `id` is the PMS's id; the store mints gatehouse's (found with GET /v1/{model}?x_id=).
  for (const auto& r : c.root["records"]) {
    store::CachedRecord record{required(r, "model", "records"), required(r, "id", "records"),
                               required(r, "integration", "records"), required(r, "data", "records"), utc_now()};
    if (auto error = failed(store.put_record(record), record.model + " record '" + record.native_id + "'")) return *error;
  }
  // Then the configuration is the source of truth: a customer or integration it no longer names
  // is disabled (a removed customer's key and its integration's syncs and writes stop); one it
  // names again is enabled again.
  std::vector<std::string> customers, integrations;
  for (const auto& customer : c.root["customers"]) customers.push_back(required(customer, "id", "customers"));
  for (const auto& i : c.root["integrations"]) integrations.push_back(required(i, "id", "integrations"));
  auto kept = store.keep_only(customers, integrations, utc_now());
  if (!kept)
    return store::StoreError{kept.error().kind, "disabling what the configuration does not name: " + kept.error().message};
  return *kept;
}

}  // namespace gatehouse::service
