#pragma once
// Store: everything the write service keeps, by concern: the job queue (JobQueue, job_store.hpp:
// accepted writes and their attempts), the webhook outbox (WebhookOutbox), the tenancy around
// them (Tenancy: customers with their API keys, kept as SHA-256 hashes, never as sent, and the
// integrations each customer has, a connection to one PMS), and the record cache (RecordCache).
// Every read that serves a customer is scoped to that customer: another customer's integration
// or record does not exist for them. A database failure is thrown as StoreUnavailable, which the
// service answers 503 and its loops retry.
//
// A cached record has two ids. The PMS's own (`native_id`, served as `x_id`) is what the PMS
// knows it by and what a write carries to it; it is unique only within one integration and
// model (two Rent Manager integrations both have tenant 5001). Gatehouse's (`id`) is minted by the
// store the first time it sees (integration, model, native id), random and opaque
// (store/record_id.hpp), and kept for that record ever after: it names exactly one record of one
// integration, and it is the id clients use.
//
// SqliteStore (sqlite_store.hpp) is the embedded default, PostgresStore (postgres_store.hpp) the
// one several instances share; CachingStore (caching_store.hpp) keeps the lookups every request
// makes in memory in front of either.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/digest.hpp"
#include "gatehouse/store/job_store.hpp"
#include "gatehouse/store/result.hpp"
#include "gatehouse/store/webhook_trigger.hpp"

namespace gatehouse::store {

struct Integration {
  std::string id;
  std::string customer_id;
  std::string pms;       ///< the PMS id of the rules, e.g. RENTMANAGER
  std::string base_url;  ///< where the PMS (or its simulator) answers
  int sync_interval_seconds = 0;  ///< its sync window; 0: the service's default
};

struct CachedRecord {
  std::string model;
  std::string native_id;   ///< the PMS's id (`x_id`): unique within its integration and model only
  std::string integration_id;
  std::string json;        ///< the record as the PMS last sent it
  std::string synced_at;   ///< when it was read from the PMS
  std::string id = {};     ///< gatehouse's id; minted by the store (put_record ignores it)
};

/// Where a gatehouse record id points: what a write needs to reach the record in its PMS.
struct RecordKey {
  std::string integration_id;
  std::string model;
  std::string native_id;
};

/// A finished write on its way to the customer's webhook.
struct WebhookDelivery {
  std::string id, root_job_id, customer_id, url, secret;
  int attempts = 0;   ///< deliveries tried before this one
  std::string claim;  ///< this claim's token: what recording the delivery's outcome must show
};

using gatehouse::sha256_hex;  // how API keys are stored and looked up (gatehouse/digest.hpp)

/// What a revocation, or the start's keep_only, changed: the customers and integrations it
/// disabled and (keep_only alone) those it enabled again, each list in id order. Empty lists:
/// nothing changed (revoking what is revoked already).
struct TenancyChange {
  std::vector<std::string> disabled_customers, disabled_integrations;
  std::vector<std::string> enabled_customers, enabled_integrations;
  bool empty() const {
    return disabled_customers.empty() && disabled_integrations.empty() && enabled_customers.empty() &&
           enabled_integrations.empty();
  }
};

/// Who may call: customers and their API keys, the integrations each has, and where its finished
/// writes are reported.
class Tenancy {
 public:
  virtual ~Tenancy() = default;
  /// Adds or replaces a customer and the API key it authenticates with.
  virtual void put_customer(std::string_view customer_id, std::string_view api_key) = 0;
  /// The customer an API key belongs to, or nullopt.
  virtual std::optional<std::string> customer_for_key(std::string_view api_key) = 0;
  /// Where a customer's finished writes are POSTed (signed with `secret`); "" url: none.
  virtual void set_webhook(std::string_view customer_id, std::string_view url, std::string_view secret) = 0;

  virtual void put_integration(const Integration& integration) = 0;
  /// Every integration of every customer (what the sync loop walks).
  virtual std::vector<Integration> integrations() = 0;
  /// The integration, if it exists and belongs to `customer_id`.
  virtual std::optional<Integration> integration(std::string_view customer_id, std::string_view id) = 0;

  /// Which of the customer's finished writes its webhook is told of (webhook_trigger.hpp): a
  /// delivery is queued only for a write whose trigger is among these. Until this is called a
  /// customer has every trigger (all_webhook_triggers), as before triggers existed; none: no
  /// delivery at all. Applies to writes that finish from now on (a delivery already queued is
  /// sent). An invalid_argument error for a customer the store does not have.
  virtual Result<void> set_webhook_triggers(std::string_view customer_id,
                                            const std::vector<WebhookTrigger>& triggers) = 0;

  // Revocation. A customer or an integration is never deleted: it is disabled (its row keeps
  // `disabled_at`), with its records and its jobs' history. A disabled customer's key is not
  // found (customer_for_key); an integration that is disabled, or whose customer is, is neither
  // listed (integrations(), so not synced) nor found (integration()), and neither are its records
  // (record(), record_key(), records_by_native_id()). Its jobs stay in the queue: the dispatcher
  // asks is_revoked() of each job it claims, from the database itself, never from a cache, and
  // fails a revoked one (code `revoked`) without calling the PMS. Every change here counts one
  // revocation (revocations()), which is how another instance's caches learn of it.

  /// Disables the customer and every integration of it; nullopt when there is no such customer.
  virtual Result<std::optional<TenancyChange>> revoke_customer(std::string_view customer_id, std::string_view now) = 0;
  /// Disables the integration; nullopt when there is no such integration.
  virtual Result<std::optional<TenancyChange>> revoke_integration(std::string_view integration_id,
                                                                  std::string_view now) = 0;
  /// What a start does after seeding, the configuration being the source of truth: every
  /// customer and integration it does not name is disabled, every one it names is enabled (again).
  virtual Result<TenancyChange> keep_only(const std::vector<std::string>& customer_ids,
                                          const std::vector<std::string>& integration_ids, std::string_view now) = 0;
  /// Whether the customer is disabled, or the integration (when not empty) is: what the dispatcher
  /// asks before it carries a job. A customer or integration the store does not have is not revoked.
  virtual Result<bool> is_revoked(std::string_view customer_id, std::string_view integration_id) = 0;
  /// How many changes revocation has made to this store so far (a counter in the database that
  /// each revoke and each keep_only that changed something adds one to): an instance whose
  /// lookup caches were filled before the count it reads now drops them (caching_store.hpp).
  virtual Result<std::int64_t> revocations() = 0;
};

/// Finished writes on their way to the customers' webhooks.
class WebhookOutbox {
 public:
  virtual ~WebhookOutbox() = default;
  /// The oldest webhook delivery due at `now`, now claimed; nullopt when none is due. A delivery
  /// is queued in the same transaction that finishes the last job of a write, so none is lost.
  virtual std::optional<WebhookDelivery> claim_webhook(std::string_view now) = 0;
  /// The outcome of one delivery: delivered, due again at `retry_at`, or failed for good. Like
  /// a job's outcome it applies to a delivery that `claim` holds only, so recording it again
  /// changes nothing, and a claim that was lost cannot record it.
  virtual OutcomeRecorded finish_webhook(const std::string& id, std::string_view claim, bool delivered,
                                         std::string_view error, std::string_view now,
                                         const std::optional<std::string>& retry_at) = 0;
};

/// The records as the PMSs last sent them, each under gatehouse's id.
class RecordCache {
 public:
  virtual ~RecordCache() = default;
  /// Adds or replaces the cached record (integration, model, native id) (what a sync read from
  /// the PMS); returns its gatehouse id, minted the first time and the same on every later put.
  virtual std::string put_record(const CachedRecord& record) = 0;
  /// The cached record with gatehouse id `id`, if it is a `model` record, its integration belongs
  /// to `customer_id` and the PMS has sent its data (a record a write created is known by its id
  /// before the next sync brings it).
  virtual std::optional<CachedRecord> record(std::string_view customer_id, std::string_view model,
                                             std::string_view id) = 0;
  /// Where gatehouse id `id` points, under the same conditions but the last: what a write needs,
  /// without the record's data (so a record a write created can be written to before it is synced).
  virtual std::optional<RecordKey> record_key(std::string_view customer_id, std::string_view model,
                                              std::string_view id) = 0;
  /// The customer's cached `model` records whose PMS id is `native_id`, one per integration that
  /// has one (how a client finds gatehouse's id for an id it knows from the PMS).
  virtual std::vector<CachedRecord> records_by_native_id(std::string_view customer_id, std::string_view model,
                                                         std::string_view native_id) = 0;
};

/// Everything the service keeps, by concern: the job queue (job_store.hpp), the webhook outbox,
/// the tenancy and the record cache. One database holds them all, so one class implements them
/// (SqliteStore, PostgresStore); a part of the service that needs one concern takes that one.
class Store : public JobQueue, public WebhookOutbox, public Tenancy, public RecordCache {};

}  // namespace gatehouse::store
