#include "gatehouse/service/route_resolver.hpp"

#include <algorithm>

namespace gatehouse::service {

namespace {

using Segments = std::vector<std::string_view>;

/// `a/b/c` as {a, b, c}; nullopt when a segment is empty (`a//b`): no route has one.
std::optional<Segments> split(std::string_view text) {
  Segments out;
  if (text.empty()) return out;
  for (;;) {
    std::size_t slash = text.find('/');
    std::string_view segment = text.substr(0, slash);
    if (segment.empty()) return std::nullopt;
    out.push_back(segment);
    if (slash == std::string_view::npos) return out;
    text.remove_prefix(slash + 1);
  }
}

struct Candidate {
  ResolvedRoute route;
  std::string_view method;
  std::size_t fixed = 0;  // segments matched literally: the more, the more specific the reading
};

/// Each operation's route suffix as segments (`{id}/file-upload` as {"{id}", "file-upload"}),
/// split once rather than on every request.
const std::vector<Segments>& suffix_segments() {
  static const std::vector<Segments> all = [] {
    std::vector<Segments> out;
    for (ast::Operation op : ast::all_operations()) out.push_back(split(ast::operation_route(op).suffix).value_or(Segments{}));
    return out;
  }();
  return all;
}

/// Every route of every model that `segments` (the whole path, `v1` first, perhaps without its
/// PMS segment) matches, whatever the method.
void match(const Program& program, const Segments& segments, const PmsRules* pms, std::vector<Candidate>& out) {
  for (const auto& [name, model] : program.models()) {
    const auto& resource = model.path_segments;  // split when the rules were compiled
    if (resource.empty() || segments.size() < resource.size() ||
        !std::equal(resource.begin(), resource.end(), segments.begin()))
      continue;
    Segments rest(segments.begin() + static_cast<std::ptrdiff_t>(resource.size()), segments.end());
    std::size_t base = resource.size() + (pms ? 1 : 0);
    for (ast::Operation op : ast::all_operations()) {
      if (!model.route(op)) continue;
      ast::OperationRoute route = ast::operation_route(op);
      const Segments* suffix = &suffix_segments()[static_cast<std::size_t>(op)];
      if (suffix->size() != rest.size()) continue;
      Candidate c{{&model, op, "", pms}, route.method, base};
      bool matched = true;
      for (std::size_t k = 0; k < rest.size() && matched; ++k) {
        if ((*suffix)[k] == "{id}") {
          c.route.record_id = std::string(rest[k]);
        } else if ((*suffix)[k] == rest[k]) {
          ++c.fixed;
        } else {
          matched = false;
        }
      }
      if (matched) out.push_back(std::move(c));
    }
    // The cached record, and the model's records by the PMS's id (`GET /v1/<resource>?x_id=`):
    // reads of the generic API only (the reference has no per-PMS reads). The collection is a
    // route of every model, whatever writes it has: a model with updates only (deposit-summaries)
    // has records to find all the same, and `GET /v1/amenities/units` is amenities_units'
    // collection (two fixed segments), not the amenities record 'units' (one).
    if (!pms && rest.size() == 1) out.push_back({{&model, std::nullopt, std::string(rest[0]), nullptr}, "GET", base});
    if (!pms && rest.empty()) out.push_back({{&model, std::nullopt, "", nullptr}, "GET", base});
  }
}

}  // namespace

std::string pms_path_segment(std::string_view pms_id) {
  std::string out(pms_id);
  for (auto& ch : out)  // ids are ASCII; std::tolower would consult the locale
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return out;
}

RouteResolution resolve_route(const Program& program, std::string_view method, std::string_view path) {
  if (path.empty() || path.front() != '/') return {};
  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);  // `/v1/residents/` is `/v1/residents`
  auto segments = split(path);
  if (!segments || segments->size() < 2) return {};  // a model's path has an API segment and a resource

  std::vector<Candidate> candidates;
  match(program, *segments, nullptr, candidates);
  // The per-PMS readings: the one segment that names a PMS taken out.
  for (const auto& [id, pms] : program.pms()) {
    std::string name = pms_path_segment(id);
    for (std::size_t i = 0; i < segments->size(); ++i) {
      if ((*segments)[i] != name) continue;
      Segments without = *segments;
      without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
      match(program, without, &pms, candidates);
    }
  }

  RouteResolution out;
  const Candidate* best = nullptr;
  for (const auto& c : candidates) {
    if (c.method != method) {
      out.allowed.emplace_back(c.method);
      continue;
    }
    bool better = !best || c.fixed > best->fixed || (c.fixed == best->fixed && !c.route.pms && best->route.pms);
    if (better) best = &c;
  }
  if (best) return {best->route, {}};
  std::sort(out.allowed.begin(), out.allowed.end());
  out.allowed.erase(std::unique(out.allowed.begin(), out.allowed.end()), out.allowed.end());
  return out;
}

}  // namespace gatehouse::service
