#pragma once
// Store: everything the write service keeps. Jobs and their attempts (JobStore), and the
// tenancy around them: customers with their API keys (kept as SHA-256 hashes, never as sent),
// the integrations each customer has (a connection to one PMS), and the record cache with its
// id -> integration index. Every read that serves a customer is scoped to that customer: another
// customer's integration or record does not exist for them.
//
// SqliteStore (sqlite_store.hpp) is the embedded default, PostgresStore (postgres_store.hpp) the
// one several instances share; CachingStore (caching_store.hpp) keeps the lookups every request
// makes in memory in front of either.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/digest.hpp"
#include "gatehouse/store/job_store.hpp"

namespace gatehouse::store {

struct Integration {
  std::string id;
  std::string customer_id;
  std::string pms;       ///< the PMS id of the rules, e.g. RENTMANAGER
  std::string base_url;  ///< where the PMS (or its simulator) answers
  int sync_interval_seconds = 0;  ///< its sync window; 0: the service's default
};

struct CachedRecord {
  std::string model, id;
  std::string integration_id;
  std::string json;        ///< the record as the PMS last sent it
  std::string synced_at;   ///< when it was read from the PMS
};

/// A finished write on its way to the customer's webhook.
struct WebhookDelivery {
  std::string id, root_job_id, customer_id, url, secret;
  int attempts = 0;  ///< deliveries tried before this one
};

using gatehouse::sha256_hex;  // how API keys are stored and looked up (gatehouse/digest.hpp)

class Store : public JobStore {
 public:
  /// Adds or replaces a customer and the API key it authenticates with.
  virtual void put_customer(std::string_view customer_id, std::string_view api_key) = 0;
  /// The customer an API key belongs to, or nullopt.
  virtual std::optional<std::string> customer_for_key(std::string_view api_key) = 0;

  /// Where a customer's finished writes are POSTed (signed with `secret`); "" url: none.
  virtual void set_webhook(std::string_view customer_id, std::string_view url, std::string_view secret) = 0;
  /// The oldest webhook delivery due at `now`, now claimed; nullopt when none is due. A delivery
  /// is queued in the same transaction that finishes the last job of a write, so none is lost.
  virtual std::optional<WebhookDelivery> claim_webhook(std::string_view now) = 0;
  /// The outcome of one delivery: delivered, due again at `retry_at`, or failed for good. Like
  /// a job's outcome it applies to a claimed delivery only, so recording it again changes nothing.
  virtual void finish_webhook(const std::string& id, bool delivered, std::string_view error,
                              std::string_view now, const std::optional<std::string>& retry_at) = 0;

  virtual void put_integration(const Integration& integration) = 0;
  /// Every integration of every customer (what the sync loop walks).
  virtual std::vector<Integration> integrations() = 0;
  /// The integration, if it exists and belongs to `customer_id`.
  virtual std::optional<Integration> integration(std::string_view customer_id, std::string_view id) = 0;

  /// Adds or replaces a cached record (what a sync read from the PMS).
  virtual void put_record(const CachedRecord& record) = 0;
  /// The cached record `model`/`id`, if its integration belongs to `customer_id`.
  virtual std::optional<CachedRecord> record(std::string_view customer_id, std::string_view model,
                                             std::string_view id) = 0;
  /// Only the integration of that record (what a write needs to find its PMS); a store may
  /// answer it without reading the record's data.
  virtual std::optional<std::string> record_integration(std::string_view customer_id, std::string_view model,
                                                        std::string_view id) {
    auto r = record(customer_id, model, id);
    if (!r) return std::nullopt;
    return std::move(r->integration_id);
  }
};

}  // namespace gatehouse::store
