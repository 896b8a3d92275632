#pragma once
// Which generic route a request path names, derived from the compiled program: there is no
// hand-written list of paths, so a model or a route added to the rules is served at once.
//
// For every model and every route it has (GenericModel::route), the unified API answers
// `METHOD /v1/<resource>/<suffix>`, with or without a trailing slash (ast::operation_route gives
// the method and the suffix: "" for create, "{id}" for update, "cancel", "{id}/file-upload", ...).
// The per-PMS routes of the unified API's reference put a lower-case PMS id somewhere in such a
// path (`PUT /v1/residents/buildium/{id}`, `POST /v1/events/appointments/leads/cancel/yardi`,
// `PUT /v1/amenities/buildium/units/{id}`), so a path is also read with the one segment that
// names a PMS of the program taken out. `GET /v1/<resource>/{id}` reads the cached record, and
// `GET /v1/<resource>` (with `?x_id=`) lists the records a PMS knows by its own id.
//
// When several readings match (an `{id}` may spell anything, a PMS name too), the one with the
// most fixed segments wins (a PMS segment counts as fixed), and on a tie the reading without a
// PMS segment: `POST /v1/residents/buildium` creates a Buildium resident, `PUT
// /v1/residents/buildium` updates the record whose id is "buildium".
//
// Thread-safety: a pure function of its arguments; the result points into `program`, which the
// caller keeps alive (an Engine snapshot) while it uses the result.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/program.hpp"

namespace gatehouse::service {

struct ResolvedRoute {
  const GenericModel* model = nullptr;
  /// The write the route carries; nullopt for the reads: `GET /v1/<resource>/{id}` (the cached
  /// record) and `GET /v1/<resource>` (the records by the PMS's id, record_id "").
  std::optional<ast::Operation> operation;
  std::string record_id;          ///< the `{id}` segment, or "" when the route has none
  const PmsRules* pms = nullptr;  ///< a per-PMS route: the PMS its path names; else nullptr
};

struct RouteResolution {
  /// The route the method and path name, if any.
  std::optional<ResolvedRoute> route;
  /// Without a route: the methods the path does take, sorted ("GET", "PUT"); empty when no
  /// route has this path at all (404 rather than 405).
  std::vector<std::string> allowed;
};

/// Resolves `method` and `path` (the whole path, `/v1/...`, without the query string).
RouteResolution resolve_route(const Program& program, std::string_view method, std::string_view path);

/// The lower-case PMS id used in per-PMS paths (`YARDI_REST` -> `yardi_rest`).
std::string pms_path_segment(std::string_view pms_id);

}  // namespace gatehouse::service
