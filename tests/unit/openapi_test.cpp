// The OpenAPI document of `gatehouse serve` (openapi_document): what a generated client relies
// on. Each route the program has, a unique operationId, bearer security, a server, the
// integration_id a create body carries, every status with its body. Redocly lints the whole
// document of the bundled rules (tests/schema/openapi_lint_test.cjs); these tests say what it
// must hold.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>

#include "gatehouse/compiler.hpp"
#include "gatehouse/json_schema.hpp"

namespace gatehouse {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Routes as the bundled models write them, integration_id listed in the bodies that need it.
const char* const models_with_routes = R"(model residents {
  integration_id: string
  first_name: string
  last_name: string
  create { integration_id required  first_name  last_name }
  update { first_name  last_name }
  create_note { integration_id required  last_name }
}
model lead_appointments "events/appointments/leads" {
  integration_id: string
  event_id: string
  create { integration_id required  event_id }
  cancel { integration_id required  event_id required }
}
)";

// Models without routes (the service tests' rules): create and update take every field, and the
// rules know nothing of integration_id.
const char* const models_without_routes = R"(model residents {
  first_name: string
  last_name: string
}
)";

const char* const pms_text = R"(pms P "P" {
  residents {
    create { first_name  last_name required }
    update { last_name }
  }
}
)";

const char* const pms_with_appointments = R"(pms P "P" {
  residents {
    create { first_name  last_name required }
    update { last_name }
    create_note { last_name }
  }
  lead_appointments {
    cancel { event_id }
    create: unsupported "P books no appointments"
  }
}
)";

struct Document {
  std::shared_ptr<const Program> program;
  std::string text;
  simdjson::dom::parser parser;
  element root;
};

std::unique_ptr<Document> document(const char* models, const char* pms, std::string_view server = "/") {
  SourceSet sources;
  sources.add("models.rules", models);
  sources.add("pms.rules", pms);
  Compilation c = compile(std::move(sources));
  EXPECT_TRUE(c.ok()) << c.render_diagnostics();
  auto d = std::make_unique<Document>();
  d->program = c.program;
  d->text = openapi_document(*c.program, server);
  EXPECT_EQ(d->parser.parse(d->text).get(d->root), simdjson::SUCCESS) << d->text;
  return d;
}

// Values are copied out of simdjson's results before use: a range-for over `x.value()` of a
// temporary result would iterate a destroyed object.
// An element, or simdjson's result of a lookup (an element or an error).
template <class Element>
object obj(Element e) {
  object out;
  EXPECT_EQ(e.get(out), simdjson::SUCCESS);
  return out;
}

template <class Element>
simdjson::dom::array arr(Element e) {
  simdjson::dom::array out;
  EXPECT_EQ(e.get(out), simdjson::SUCCESS);
  return out;
}

template <class Element>
std::string text(Element e) {
  std::string_view out;
  EXPECT_EQ(e.get(out), simdjson::SUCCESS);
  return std::string(out);
}

/// Every operation of the document as "METHOD path".
std::vector<std::pair<std::string, object>> operations(const Document& d) {
  std::vector<std::pair<std::string, object>> out;
  object paths = obj(d.root["paths"]);
  for (auto [path, item] : paths) {
    object methods = obj(item);
    for (auto [method, operation] : methods) out.emplace_back(std::string(method) + " " + std::string(path), obj(operation));
  }
  return out;
}

object component(const Document& d, std::string_view kind, std::string_view name) {
  return obj(d.root["components"][kind][name]);
}

/// The component a {"$ref": "#/components/<kind>/<name>"} names.
template <class Element>
object follow(const Document& d, Element ref) {
  std::string target = text(ref["$ref"]);
  std::string prefix = "#/components/";
  EXPECT_EQ(target.rfind(prefix, 0), 0u) << target;
  std::string rest = target.substr(prefix.size());
  return component(d, rest.substr(0, rest.find('/')), rest.substr(rest.find('/') + 1));
}

TEST(OpenApi, EveryRouteOfTheProgramAndOfTheServiceHasAUniqueOperationId) {
  auto d = document(models_with_routes, pms_with_appointments);
  std::map<std::string, std::string> ids;  // operation -> operationId
  std::set<std::string> seen;
  for (auto& [name, operation] : operations(*d)) {
    std::string id = text(operation["operationId"]);
    EXPECT_TRUE(seen.insert(id).second) << "duplicate operationId " << id;
    ids[name] = id;
  }
  std::map<std::string, std::string> expected = {
      {"post /v1/residents", "residents_create"},
      {"put /v1/residents/{id}", "residents_update"},
      {"post /v1/residents/{id}/notes", "residents_create_note"},
      {"get /v1/residents/{id}", "residents_get"},
      {"post /v1/events/appointments/leads", "lead_appointments_create"},
      {"post /v1/events/appointments/leads/cancel", "lead_appointments_cancel"},
      {"get /v1/events/appointments/leads/{id}", "lead_appointments_get"},
      {"get /v1/admin/write-status/{root_job_id}", "get_write_status"},
      {"get /v1/meta/{model}/{operation}", "get_request_schema"},
      {"post /v1/admin/reload", "reload_rules"},
      {"post /v1/admin/customers/{id}/revoke", "revoke_customer"},
      {"post /v1/admin/integrations/{id}/revoke", "revoke_integration"},
      {"post /v1/admin/sync", "sync_records"},
      {"get /healthz", "get_health"},
      {"get /metrics", "get_metrics"},
  };
  EXPECT_EQ(ids, expected);
}

TEST(OpenApi, BearerSecurityEverywhereButHealthAndMetrics) {
  auto d = document(models_with_routes, pms_with_appointments);
  object scheme = component(*d, "securitySchemes", "bearerAuth");
  EXPECT_EQ(text(scheme["type"]), "http");
  EXPECT_EQ(text(scheme["scheme"]), "bearer");
  simdjson::dom::array global = arr(d->root["security"]);
  ASSERT_EQ(global.size(), 1u);
  EXPECT_EQ(arr(global.at(0)["bearerAuth"]).size(), 0u);
  for (auto& [name, operation] : operations(*d)) {
    bool open = name == "get /healthz" || name == "get /metrics";
    element own;
    bool has_own = operation["security"].get(own) == simdjson::SUCCESS;
    EXPECT_EQ(has_own, open) << name;
    if (has_own) {
      EXPECT_EQ(arr(own).size(), 0u) << name;
    }
  }
}

TEST(OpenApi, ServersAreRelativeUnlessNamed) {
  auto d = document(models_with_routes, pms_with_appointments);
  EXPECT_EQ(text(d->root["servers"].at(0)["url"]), "/");
  auto named = document(models_with_routes, pms_with_appointments, "https://gatehouse.example/api");
  EXPECT_EQ(arr(named->root["servers"]).size(), 1u);
  EXPECT_EQ(text(named->root["servers"].at(0)["url"]), "https://gatehouse.example/api");
}

/// The request body schemas an operation takes (its anyOf, one per PMS).
std::vector<object> bodies(const Document& d, std::string_view path, std::string_view method) {
  std::vector<object> out;
  simdjson::dom::array any = arr(d.root["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["anyOf"]);
  for (element ref : any) out.push_back(follow(d, ref));
  return out;
}

bool has_required(object schema, std::string_view field) {
  simdjson::dom::array required;
  if (schema["required"].get(required)) return false;
  for (element name : required)
    if (name.is_string() && name.get_string().value_unsafe() == field) return true;
  return false;
}

TEST(OpenApi, CreateBodiesCarryARequiredIntegrationId) {
  // Where the rules list it (the route requires it) and where they do not (the service takes it
  // out of the body before deciding): required either way, in a schema closed to other members.
  for (const char* models : {models_with_routes, models_without_routes}) {
    auto d = document(models, pms_text);
    auto create = bodies(*d, "/v1/residents", "post");
    ASSERT_EQ(create.size(), 1u);
    EXPECT_TRUE(has_required(create[0], "integration_id")) << d->text;
    EXPECT_EQ(text(create[0]["properties"]["integration_id"]["type"]), "string");
    bool open = true;
    EXPECT_EQ(create[0]["additionalProperties"].get(open), simdjson::SUCCESS);
    EXPECT_FALSE(open);
    // An update's integration is its record's: no integration_id in its body.
    auto update = bodies(*d, "/v1/residents/{id}", "put");
    ASSERT_EQ(update.size(), 1u);
    EXPECT_EQ(update[0]["properties"]["integration_id"].error(), simdjson::NO_SUCH_FIELD);
  }
}

TEST(OpenApi, ARouteNoPmsOffersStillHasItsBody) {
  auto d = document(models_with_routes, pms_with_appointments);
  auto create = bodies(*d, "/v1/events/appointments/leads", "post");
  ASSERT_EQ(create.size(), 1u);
  EXPECT_EQ(text(create[0]["$id"]), "urn:gatehouse:generic:lead_appointments:create:request-body");
  EXPECT_TRUE(has_required(create[0], "integration_id"));
}

TEST(OpenApi, WritesAnswerEveryStatusOfTheServiceEachWithItsBody) {
  auto d = document(models_with_routes, pms_with_appointments);
  const std::vector<std::string> statuses = {"202", "400", "401", "404", "405", "409", "413",
                                             "415", "422", "429", "501", "503"};
  std::size_t writes = 0;
  for (auto& [name, operation] : operations(*d)) {
    if (operation["requestBody"].error() == simdjson::NO_SUCH_FIELD || name.find("/admin/") != std::string::npos) continue;
    ++writes;
    for (const auto& status : statuses) {
      element ref;
      ASSERT_EQ(operation["responses"][status].get(ref), simdjson::SUCCESS) << name << " has no " << status;
      object response = follow(*d, ref);
      EXPECT_EQ(text(response["content"]["application/json"]["schema"]["$ref"]), status == "202" ? "#/components/schemas/WriteAccepted"
                                                      : "#/components/schemas/Error") << name << " " << status;
    }
    simdjson::dom::array parameters = arr(operation["parameters"]);
    EXPECT_EQ(text(parameters.at(parameters.size() - 1)["name"]), "ignore_unknown_fields") << name;
    object key = obj(parameters.at(parameters.size() - 2));
    EXPECT_EQ(text(key["name"]), "Idempotency-Key") << name;
    EXPECT_EQ(text(key["in"]), "header") << name;
  }
  EXPECT_EQ(writes, 5u);
  // The error shape, and the 202 answer: job_id, data, meta {verdict, stripped, rules_version}.
  object error = obj(component(*d, "schemas", "Error")["properties"]["error"]);
  EXPECT_TRUE(has_required(error, "code") && has_required(error, "message") && has_required(error, "details"));
  object accepted = component(*d, "schemas", "WriteAccepted");
  EXPECT_TRUE(has_required(accepted, "job_id") && has_required(accepted, "data") && has_required(accepted, "meta"));
  object meta = obj(accepted["properties"]["meta"]);
  EXPECT_TRUE(has_required(meta, "verdict") && has_required(meta, "stripped") && has_required(meta, "rules_version"));
  EXPECT_TRUE(component(*d, "responses", "TooManyRequests")["headers"]["Retry-After"].error() == simdjson::SUCCESS);
  EXPECT_TRUE(component(*d, "responses", "TooManyRequests")["headers"]["x-ratelimit-reset"].error() == simdjson::SUCCESS);
  EXPECT_TRUE(component(*d, "responses", "WriteAccepted")["headers"]["Idempotent-Replayed"].error() == simdjson::SUCCESS);
}

TEST(OpenApi, ReadRoutesAnswerWithTheirBodies) {
  auto d = document(models_with_routes, pms_with_appointments);
  auto ok_schema = [&](std::string_view path, std::string_view method) {
    return text(d->root["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]);
  };
  EXPECT_EQ(ok_schema("/v1/admin/write-status/{root_job_id}", "get"), "#/components/schemas/WriteStatus");
  EXPECT_EQ(ok_schema("/v1/residents/{id}", "get"), "#/components/schemas/CachedRecord");
  EXPECT_EQ(ok_schema("/healthz", "get"), "#/components/schemas/Health");
  EXPECT_EQ(ok_schema("/v1/admin/reload", "post"), "#/components/schemas/Reloaded");
  EXPECT_EQ(ok_schema("/v1/admin/sync", "post"), "#/components/schemas/Synced");
  EXPECT_EQ(ok_schema("/v1/admin/customers/{id}/revoke", "post"), "#/components/schemas/Revoked");
  EXPECT_EQ(ok_schema("/v1/admin/integrations/{id}/revoke", "post"), "#/components/schemas/Revoked");
  EXPECT_EQ(d->root["paths"]["/metrics"]["get"]["responses"]["200"]["content"]["text/plain"].error(), simdjson::SUCCESS);
  object status = component(*d, "schemas", "WriteStatus");
  for (auto field : {"write_status", "errors", "created_record_id", "job_id", "created", "attempts", "submitted_at",
                     "finished_at", "rules_version"})
    EXPECT_TRUE(has_required(status, field)) << field;
}

}  // namespace
}  // namespace gatehouse
