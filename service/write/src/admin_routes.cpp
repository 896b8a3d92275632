#include "gatehouse/service/admin_routes.hpp"

#include "gatehouse/json_string.hpp"

namespace gatehouse::service {

namespace {
constexpr std::string_view reload_path = "/v1/admin/reload";
constexpr std::string_view sync_path = "/v1/admin/sync";
}  // namespace

AdminRoutes::AdminRoutes(std::string admin_key, Engine& engine, std::filesystem::path rules,
                         std::function<store::Result<SyncSummary>()> sync)
    : admin_key_(std::move(admin_key)), engine_(engine), rules_(std::move(rules)), sync_(std::move(sync)) {}

bool AdminRoutes::is_admin_route(std::string_view path) { return path == reload_path || path == sync_path; }

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

store::Result<HttpResponse> AdminRoutes::handle(const HttpRequest& request) {
  if (request.method != "POST") return method_not_allowed({"POST"});
  if (request.path == sync_path) {
    store::Result<SyncSummary> synced = sync_ ? sync_() : SyncSummary{};
    if (!synced) return synced.error();
    const SyncSummary& report = *synced;
    std::string errors;
    for (const auto& e : report.errors) errors += (errors.empty() ? "" : ",") + json_quote(e);
    return HttpResponse{200, "{\"records\":" + std::to_string(report.records) + ",\"errors\":[" + errors + "]}"};
  }
  Compilation c = engine_.reload(rules_);
  if (!c.ok()) return error_response(422, "rules_do_not_compile", c.render_diagnostics());
  return HttpResponse{200, "{\"rules_version\":" + json_quote(c.program->rules_version()) + "}"};
}

}  // namespace gatehouse::service
