#include "gatehouse/service/admin_routes.hpp"

#include "gatehouse/json_string.hpp"
#include "gatehouse/store/clock.hpp"

namespace gatehouse::service {

namespace {
constexpr std::string_view reload_path = "/v1/admin/reload";
constexpr std::string_view sync_path = "/v1/admin/sync";
// Everything under these is the operator's (an unknown path there is 404 past the admin key).
constexpr std::string_view customers_prefix = "/v1/admin/customers/";
constexpr std::string_view integrations_prefix = "/v1/admin/integrations/";

/// The `{id}` of `<prefix>{id}/revoke` (with or without a trailing slash), or nullopt.
std::optional<std::string> revoke_target(std::string_view path, std::string_view prefix) {
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view rest = path.substr(prefix.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  constexpr std::string_view suffix = "/revoke";
  if (rest.size() <= suffix.size() || rest.substr(rest.size() - suffix.size()) != suffix) return std::nullopt;
  rest.remove_suffix(suffix.size());
  if (rest.find('/') != std::string_view::npos) return std::nullopt;
  return std::string(rest);
}

std::string json_list(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (const auto& id : ids) out += (out.size() > 1 ? "," : "") + json_quote(id);
  return out + "]";
}
}  // namespace

AdminRoutes::AdminRoutes(std::string admin_key, Engine& engine, std::filesystem::path rules,
                         std::function<SyncSummary()> sync)
    : admin_key_(std::move(admin_key)), engine_(engine), rules_(std::move(rules)), sync_(std::move(sync)) {}

bool AdminRoutes::is_admin_route(std::string_view path) {
  return path == reload_path || path == sync_path || path.substr(0, customers_prefix.size()) == customers_prefix ||
         path.substr(0, integrations_prefix.size()) == integrations_prefix;
}

void AdminRoutes::set_tenancy(store::Store& store, std::function<void(const std::string&)> log) {
  tenancy_ = &store;
  log_ = std::move(log);
}

namespace {
/// Equal, in a time that depends on the lengths only: how long a wrong key takes to refuse says
/// nothing of how much of it was right.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char differ = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) differ |= static_cast<unsigned char>(a[i] ^ b[i % (b.size() ? b.size() : 1)]);
  return b.size() > 0 && differ == 0;
}
}  // namespace

std::optional<HttpResponse> AdminRoutes::authorize(const HttpRequest& head) const {
  auto auth = head.headers.find("authorization");
  if (admin_key_.empty() || auth == head.headers.end() || !same_secret(auth->second, "Bearer " + admin_key_))
    return error_response(404, "not_found", "no such endpoint");
  return std::nullopt;
}

HttpResponse AdminRoutes::handle(const HttpRequest& request) {
  auto customer = revoke_target(request.path, customers_prefix);
  auto integration = customer ? std::nullopt : revoke_target(request.path, integrations_prefix);
  if (!customer && !integration && request.path != reload_path && request.path != sync_path)
    return error_response(404, "not_found", "no such endpoint");
  if (request.method != "POST") return method_not_allowed({"POST"});
  if (customer) return revoke(true, *customer);
  if (integration) return revoke(false, *integration);
  if (request.path == sync_path) {
    SyncSummary report = sync_ ? sync_() : SyncSummary{};
    std::string errors;
    for (const auto& e : report.errors) errors += (errors.empty() ? "" : ",") + json_quote(e);
    return {200, "{\"records\":" + std::to_string(report.records) + ",\"errors\":[" + errors + "]}"};
  }
  Compilation c = engine_.reload(rules_);
  if (!c.ok()) return error_response(422, "rules_do_not_compile", c.render_diagnostics());
  return {200, "{\"rules_version\":" + json_quote(c.program->rules_version()) + "}"};
}

HttpResponse AdminRoutes::revoke(bool customer, const std::string& id) {
  if (!tenancy_) return error_response(404, "not_found", "no such endpoint");
  const std::string what = customer ? "customer" : "integration";
  auto change = customer ? tenancy_->revoke_customer(id, utc_now()) : tenancy_->revoke_integration(id, utc_now());
  // A store that failed goes to the service's one answer for it (WriteService::failure_answer,
  // around every route: 503 store_unavailable with Retry-After, counted in /metrics, the
  // database's own words in the operator's log), as the error it is.
  if (!change) change.error().raise();
  if (!*change) return error_response(404, "not_found", "no " + what + " " + quote_bytes(id));
  const store::TenancyChange& done = **change;
  if (log_ && !done.empty())
    log_("revoked through the admin route: customers " + json_list(done.disabled_customers) + ", integrations " +
         json_list(done.disabled_integrations) + " (remove them from the configuration too: a start enables again "
         "what it names)");
  return {200, "{\"revoked\":{\"customers\":" + json_list(done.disabled_customers) +
                   ",\"integrations\":" + json_list(done.disabled_integrations) + "}}"};
}

}  // namespace gatehouse::service
