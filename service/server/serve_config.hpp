#pragma once
// The service's configuration file, read once at start (docs/service.md describes every key): the
// rules, the store, the HTTP server's limits, the dispatcher, and the customers, integrations and
// records to seed the store with. A misspelt key is an error, not a setting left at its default.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/dispatch/dispatcher.hpp"
#include "gatehouse/evaluator.hpp"
#include "gatehouse/store/postgres_store.hpp"
#include "gatehouse/store/store.hpp"
#include "http_server.hpp"

namespace gatehouse::service {

struct ServeConfig {
  std::filesystem::path rules, store;                        // store: the SQLite file, unless postgres is set
  std::optional<store::PostgresOptions> postgres;
  std::size_t max_payload_bytes = Limits{}.max_payload_bytes;
  std::string admin_key;
  DispatcherOptions dispatcher;
  // The HTTP server's threads, deadlines and limits (service/http_server/http_server.hpp), and
  // where it listens; its body limit is max_payload_bytes.
  http::HttpServerOptions http;
  // How long an API key, an integration or a record's integration is kept in memory (changes made
  // through this instance are seen at once; another instance's, after this).
  int lookup_cache_seconds = 5;
  // Requests a minute per customer (the peer API's 150), this instance's share: with K instances
  // behind one balancer, a customer gets up to K times it. 0: no limit. A customer may set its own.
  int rate_limit_per_minute = 150;
  std::map<std::string, int, std::less<>> customer_rate_limits;
  // Each customer's webhook triggers (customers[].webhook.triggers; every trigger when absent),
  // for the customers that have a webhook.
  std::map<std::string, std::vector<store::WebhookTrigger>, std::less<>> webhook_triggers;
  // Requests a minute without a valid key (none, a wrong one, a wrong admin key) from one client
  // address (an IPv6 one by its /64) before the address is throttled: 429
  // too_many_failed_attempts for its requests but those with a key seen to work
  // (service/write/include/gatehouse/service/failed_auth_throttle.hpp). 0: no throttle.
  int failed_auth_per_minute = 20;
  // The most unfinished jobs (queued or running) a customer may have; a write past it is 429
  // queue_full. 0: no cap. A customer may set its own (customers: [{..., max_queued_jobs: N}]).
  // How long finished writes are kept is dispatcher.retention (the config's retention_days).
  std::size_t max_queued_jobs_per_customer = 10000;
  std::map<std::string, std::size_t, std::less<>> customer_queue_caps;
  YAML::Node root;  // the whole file, for the customers, integrations and records to seed
};

/// Reads `file` (throws std::runtime_error naming the key at fault); `default_rules` is the rules
/// directory when the file names none.
ServeConfig load_serve_config(const std::filesystem::path& file, const std::filesystem::path& default_rules);

/// An estimate of the bits of entropy in an API key: its length times log2 of the alphabet its
/// character classes span (lower case 26, upper case 26, digits 10, anything else 32), and 0 when
/// it has fewer than 10 different characters (a repeated pattern is no random key).
double estimated_key_bits(std::string_view key);
/// The fewest estimated bits a customer's or the admin's key may have (`gatehouse keygen` makes
/// keys of 160 random bits).
inline constexpr double min_key_bits = 128;

/// Puts the configuration's customers, integrations and records into the store, then makes the
/// configuration the source of truth (Store::keep_only): every customer and integration it does
/// not name is disabled (kept with its history, never served), every one it names is enabled,
/// again if it was disabled. Returns what that changed, or the store's error, naming what it was
/// putting, when it failed (a malformed entry throws, as load does).
store::Result<store::TenancyChange> seed_store(const ServeConfig& config, store::Store& store);

}  // namespace gatehouse::service
