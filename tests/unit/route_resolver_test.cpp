// Route resolution: which model, operation, record id and PMS a request path names, derived from
// the compiled program (route_resolver.hpp). A table of {method, path, expected}, then every
// route of the bundled rules resolved back to itself.
#include <gtest/gtest.h>

#include <filesystem>

#include "gatehouse/compiler.hpp"
#include "gatehouse/json_schema.hpp"
#include "gatehouse/rules_loader.hpp"
#include "gatehouse/service/route_resolver.hpp"

namespace gatehouse::service {
namespace {

const char* const models = R"(model residents {
  integration_id: string
  first_name: string
  last_name: string
  notes: string
  create { integration_id required  first_name  last_name }
  update { first_name  last_name }
  upload_file { integration_id required  notes }
}
model events_appointments_leads "events/appointments/leads" {
  integration_id: string
  event_id: string
  create { integration_id required  event_id }
  cancel { integration_id required  event_id }
}
model amenities {
  integration_id: string
  name: string
  create { integration_id required  name }
  update { name }
}
model amenities_units "amenities/units" {
  integration_id: string
  name: string
  create { integration_id required  name }
  update { name }
}
model resident_charges {
  integration_id: string
  amount: integer
  create { integration_id required  amount }
  batch_create { integration_id required  amount }
}
model crm_communications "/crm/v1/communications" {
  integration_id: string
  body: string
  create { integration_id required  body }
  send { integration_id required  body }
  send_push_notification { integration_id required }
}
model crm_listings "/crm/v1/listings" {
  integration_id: string
  create { integration_id required }
}
model listings {
  integration_id: string
  create { integration_id required }
}
)";

const char* const pms_rules = R"(pms BUILDIUM "Buildium" {
  residents {
    update { last_name }
  }
}
pms RENTMANAGER "Rent Manager" {
  residents {
    create { last_name }
  }
}
pms YARDI "Yardi" {
  events_appointments_leads {
    cancel { event_id }
  }
}
pms YARDI_REST "Yardi REST" {
  residents {
    update { last_name }
  }
}
pms FUNNEL "Funnel" {
  crm_communications {
    send { body }
  }
}
)";

/// "model operation[ id=..][ pms=...]", "405 GET, PUT" or "404".
std::string describe(const RouteResolution& r) {
  if (!r.route) {
    if (r.allowed.empty()) return "404";
    std::string out = "405";
    for (std::size_t i = 0; i < r.allowed.size(); ++i) out += (i ? ", " : " ") + r.allowed[i];
    return out;
  }
  std::string out = r.route->model->name + " " + (r.route->operation ? ast::operation_name(*r.route->operation) : "read");
  if (!r.route->record_id.empty()) out += " id=" + r.route->record_id;
  if (r.route->pms) out += " pms=" + r.route->pms->id;
  return out;
}

struct Row {
  const char* method;
  const char* path;
  const char* expected;
};

const Row rows[] = {
    // Generic routes, with and without the trailing slash.
    {"POST", "/v1/residents", "residents create"},
    {"POST", "/v1/residents/", "residents create"},
    {"PUT", "/v1/residents/r1", "residents update id=r1"},
    {"PUT", "/v1/residents/r1/", "residents update id=r1"},
    {"GET", "/v1/residents/r1", "residents read id=r1"},
    {"GET", "/v1/residents", "residents read"},
    {"GET", "/v1/residents/", "residents read"},
    // The records by the PMS's id are at every model's collection, not only where a create is:
    // amenities_units' collection has two fixed segments, the amenities record 'units' one.
    {"GET", "/v1/amenities/units", "amenities_units read"},
    {"GET", "/v1/amenities/units/u1", "amenities_units read id=u1"},
    {"GET", "/v1/amenities/u1", "amenities read id=u1"},
    {"POST", "/v1/residents/r1/file-upload", "residents upload_file id=r1"},
    {"POST", "/v1/residents/r1/file-upload/", "residents upload_file id=r1"},
    {"POST", "/v1/events/appointments/leads/", "events_appointments_leads create"},
    {"POST", "/v1/events/appointments/leads/cancel", "events_appointments_leads cancel"},
    {"POST", "/v1/resident-charges/batch", "resident_charges batch_create"},
    {"PUT", "/v1/amenities/units/u1", "amenities_units update id=u1"},
    {"PUT", "/v1/amenities/a1", "amenities update id=a1"},
    // Per-PMS routes: the PMS segment stands where the reference puts it.
    {"PUT", "/v1/residents/buildium/r1", "residents update id=r1 pms=BUILDIUM"},
    {"POST", "/v1/residents/rentmanager/", "residents create pms=RENTMANAGER"},
    {"POST", "/v1/events/appointments/leads/cancel/yardi", "events_appointments_leads cancel pms=YARDI"},
    {"POST", "/v1/resident-charges/batch/rentmanager/", "resident_charges batch_create pms=RENTMANAGER"},
    {"POST", "/v1/residents/rentmanager/r1/file-upload/", "residents upload_file id=r1 pms=RENTMANAGER"},
    {"PUT", "/v1/amenities/buildium/units/u1", "amenities_units update id=u1 pms=BUILDIUM"},
    {"PUT", "/v1/residents/yardi_rest/r1", "residents update id=r1 pms=YARDI_REST"},
    // An id may spell a PMS: the reading with the most fixed segments wins, else the generic one.
    {"POST", "/v1/residents/buildium", "residents create pms=BUILDIUM"},
    {"PUT", "/v1/residents/buildium", "residents update id=buildium"},
    {"PUT", "/v1/amenities/units", "amenities update id=units"},
    // A PMS segment is the lower-case id, and only one is taken out.
    {"PUT", "/v1/residents/Buildium/r1", "404"},
    {"PUT", "/v1/residents/buildium/yardi/r1", "404"},
    // Known paths, other methods: 405 with what the path takes.
    {"DELETE", "/v1/residents/r1", "405 GET, PUT"},
    {"PATCH", "/v1/residents/", "405 GET, POST"},
    {"GET", "/v1/residents/buildium/r1", "405 PUT"},
    {"GET", "/v1/residents/buildium", "residents read id=buildium"},
    {"PUT", "/v1/events/appointments/leads/cancel", "405 GET, POST"},
    // A model whose resource path starts with '/' lives at that whole path: the CRM API's, under
    // /crm/v1/, beside a /v1/ model of the same last segment.
    {"POST", "/crm/v1/communications/", "crm_communications create"},
    {"POST", "/crm/v1/communications/send", "crm_communications send"},
    {"POST", "/crm/v1/communications/funnel/send", "crm_communications send pms=FUNNEL"},
    {"POST", "/crm/v1/communications/funnel/push-notification", "crm_communications send_push_notification pms=FUNNEL"},
    {"POST", "/crm/v1/listings", "crm_listings create"},
    {"POST", "/v1/listings", "listings create"},
    {"GET", "/crm/v1/listings/l1", "crm_listings read id=l1"},
    {"POST", "/v1/crm/v1/listings", "404"},
    {"POST", "/crm/listings", "404"},
    {"POST", "/v1/communications/send", "404"},
    // Unknown paths.
    {"POST", "/v1/nothing", "404"},
    {"POST", "/v1/residents/r1/notes", "404"},
    {"PUT", "/v1/residents//r1", "404"},
    {"POST", "/v1/residents//", "404"},
    {"POST", "/v1/", "404"},
    {"POST", "/v1", "404"},
    {"POST", "/v2/residents", "404"},
    {"POST", "/v1/events/leads/cancel", "404"},
};

TEST(RouteResolver, Table) {
  SourceSet sources;
  sources.add("models.rules", models);
  sources.add("pms.rules", pms_rules);
  Compilation c = compile(std::move(sources));
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  for (const auto& row : rows)
    EXPECT_EQ(describe(resolve_route(*c.program, row.method, row.path)), row.expected) << row.method << " " << row.path;
}

TEST(RouteResolver, PmsSegmentsAreLowerCaseIds) {
  EXPECT_EQ(pms_path_segment("YARDI_REST"), "yardi_rest");
  EXPECT_EQ(pms_path_segment("BUILDIUM"), "buildium");
}

// Every route of every model of the bundled rules, as route_path() writes it (the document's
// form), resolves to that model and route: with and without the trailing slash, and with a PMS
// segment after the resource path.
TEST(RouteResolver, EveryRouteOfTheBundledRulesResolvesToItself) {
  Compilation c = compile_directory(std::filesystem::path(GATEHOUSE_SOURCE_DIR) / "rules");
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const Program& p = *c.program;
  const PmsRules* buildium = p.find_pms("BUILDIUM");
  ASSERT_NE(buildium, nullptr);
  std::size_t routes = 0;
  for (const auto& [name, model] : p.models()) {
    for (ast::Operation op : ast::all_operations()) {
      if (!model.route(op)) continue;
      ++routes;
      std::string path = route_path(model, op);
      std::string expected = name + " " + ast::operation_name(op);
      if (auto at = path.find("{id}"); at != std::string::npos) {
        path.replace(at, 4, "x1");
        expected += " id=x1";
      }
      std::string method = ast::operation_route(op).method;
      std::string bare = path.back() == '/' ? path.substr(0, path.size() - 1) : path;
      EXPECT_EQ(describe(resolve_route(p, method, bare)), expected) << method << " " << bare;
      EXPECT_EQ(describe(resolve_route(p, method, bare + "/")), expected) << method << " " << bare << "/";
      std::string per_pms = model.path + "/buildium" + bare.substr(model.path.size());
      EXPECT_EQ(describe(resolve_route(p, method, per_pms)), expected + " pms=BUILDIUM") << method << " " << per_pms;
    }
  }
  EXPECT_GT(routes, 60u);
}

}  // namespace
}  // namespace gatehouse::service
