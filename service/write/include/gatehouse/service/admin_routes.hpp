#pragma once
// The operator's endpoints, served by the write service like every other route (counted in
// /metrics, answered in the one error shape):
//
//   POST /v1/admin/reload   compile the rules again and swap them in if they compile (and the
//                           connectors still cover them): 200 {"rules_version"}, else 422
//   POST /v1/admin/sync     read every integration's records from its PMS now:
//                           200 {"records": n, "errors": [...]}
//   POST /v1/admin/customers/{id}/revoke      disable the customer and its integrations, at once
//   POST /v1/admin/integrations/{id}/revoke   and across instances (store.hpp, caching_store.hpp):
//                           200 {"revoked": {"customers": [...], "integrations": [...]}} (what this
//                           call disabled: empty lists when it was revoked already), 404 when the
//                           store has no such customer or integration
//
// They take the admin key (`Authorization: Bearer <admin_api_key>`), not a customer's; without
// it, or when no admin key is configured, they do not exist (404), so a customer cannot tell
// them from any unknown path.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/engine.hpp"
#include "gatehouse/service/write_service.hpp"

namespace gatehouse::service {

/// What a sync of every integration read: records, and the errors of those it could not read.
struct SyncSummary {
  std::size_t records = 0;
  std::vector<std::string> errors;
};

class AdminRoutes {
 public:
  /// `engine` must outlive this; `rules` is the directory a reload compiles; `sync` reads every
  /// integration now (the dispatcher's, which this layer does not depend on).
  AdminRoutes(std::string admin_key, Engine& engine, std::filesystem::path rules, std::function<SyncSummary()> sync);

  /// Whether `path` is one of the admin routes (whatever the method or key).
  static bool is_admin_route(std::string_view path);
  /// nullopt when the request carries the admin key; else the 404 it gets (checked from the
  /// head alone, before any body is read).
  std::optional<HttpResponse> authorize(const HttpRequest& head) const;
  /// Serves an admin route; call only with a request authorize() let through.
  HttpResponse handle(const HttpRequest& request);
  /// Where the revoke routes revoke (a CachingStore in front of the store, so this instance's
  /// caches forget at once), and where they say so; without it they are 404. `store` must
  /// outlive this.
  void set_tenancy(store::Store& store, std::function<void(const std::string&)> log = nullptr);

 private:
  std::string admin_key_;
  Engine& engine_;
  std::filesystem::path rules_;
  std::function<SyncSummary()> sync_;
  store::Store* tenancy_ = nullptr;
  std::function<void(const std::string&)> log_;
  HttpResponse revoke(bool customer, const std::string& id);
};

}  // namespace gatehouse::service
