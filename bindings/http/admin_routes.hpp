#pragma once
// The operator's endpoints, served by the write service like every other route (counted in
// /metrics, answered in the one error shape):
//
//   POST /v1/admin/reload   compile the rules again and swap them in if they compile (and the
//                           connectors still cover them): 200 {"rules_version"}, else 422
//   POST /v1/admin/sync     read every integration's records from its PMS now:
//                           200 {"records": n, "errors": [...]}
//
// They take the admin key (`Authorization: Bearer <admin_api_key>`), not a customer's; without
// it, or when no admin key is configured, they do not exist (404), so a customer cannot tell
// them from any unknown path.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/engine.hpp"
#include "write_service.hpp"

namespace gatehouse::service {

class Dispatcher;

class AdminRoutes {
 public:
  /// `engine` and `dispatcher` must outlive this; `rules` is the directory a reload compiles.
  AdminRoutes(std::string admin_key, Engine& engine, std::filesystem::path rules, Dispatcher& dispatcher);

  /// Whether `path` is one of the admin routes (whatever the method or key).
  static bool is_admin_route(std::string_view path);
  /// nullopt when the request carries the admin key; else the 404 it gets (checked from the
  /// head alone, before any body is read).
  std::optional<HttpResponse> authorize(const HttpRequest& head) const;
  /// Serves an admin route; call only with a request authorize() let through.
  HttpResponse handle(const HttpRequest& request);

 private:
  std::string admin_key_;
  Engine& engine_;
  std::filesystem::path rules_;
  Dispatcher& dispatcher_;
};

}  // namespace gatehouse::service
