// The OpenAPI 3.1 document of `gatehouse serve`, so that a client generated from it works
// against the service.
//
// The write routes and their request bodies are derived from the program: every generic route
// (the method and path come from grammar/src/operations.cpp), with one body schema per PMS that
// offers it. The rest is what the service answers, written down here by hand: the read, admin
// and health routes (service/write/src/write_service.cpp, bindings/cli/serve_command.cpp), the
// statuses with their bodies, bearer security. A change to those answers belongs here too;
// `make test` lints this document with an independent validator (tests/schema/).
#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

#include "gatehouse/json_schema.hpp"
#include "json_text.hpp"

namespace gatehouse {

namespace {

std::string q(std::string_view s) { return json_quote(s); }

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts)
    if (!p.empty()) out += (out.empty() ? "" : ",") + p;
  return out;
}

std::string ref(std::string_view kind, std::string_view name) {
  return "{\"$ref\":" + q("#/components/" + std::string(kind) + "/" + std::string(name)) + "}";
}

// Every status the service answers, each a response component that operations name by $ref.
// The bodies are the service's: a write's 202, and the one error shape (write_service.hpp).
struct Answer {
  const char* status;
  const char* name;
  const char* description;
};

constexpr Answer answers[] = {
    {"202", "WriteAccepted", "The write can go (accepted as sent, or stripped with ignore_unknown_fields) and is "
                             "stored as a job; follow it with GET /v1/admin/write-status/{root_job_id}."},
    {"400", "BadRequest", "Rejected: `rejected` with every error of the decision in details, "
                          "`missing_integration_id`, `invalid_idempotency_key`, or a request that is not valid HTTP "
                          "(`bad_request`)."},
    {"401", "Unauthorized", "No `Authorization: Bearer <key>`, or a key no customer has, or one revoked "
                            "(`unauthorized`)."},
    {"404", "NotFound", "No such endpoint, model, record, integration or write for this customer; another "
                        "customer's are not found either (`not_found`)."},
    {"405", "MethodNotAllowed", "The integration's PMS does not offer this operation on this model "
                                "(`operation_not_supported`, the reason in message), or the path does not take "
                                "this method (`method_not_allowed`)."},
    {"409", "Conflict", "The write conflicts with the record's state or with a write in flight; code says which."},
    {"413", "PayloadTooLarge", "The body is larger than the service's max_payload_bytes (`payload_too_large`)."},
    {"415", "UnsupportedMediaType", "The body is not sent as application/json (`unsupported_media_type`)."},
    {"422", "UnprocessableContent", "The request is well-formed but cannot be carried out; code says why "
                                    "(`idempotency_key_reused`: the Idempotency-Key was sent with another request; "
                                    "`rules_do_not_compile` on a reload, with the diagnostics in message)."},
    {"429", "TooManyRequests", "Too many requests: retry after the Retry-After header's seconds (`rate_limited`: "
                               "the key's requests a minute; `queue_full`: the customer's unfinished jobs are at "
                               "its cap; `too_many_failed_attempts`: failed key checks from the client's address)."},
    {"501", "NotImplemented", "The rules allow the write, but no connector can carry it to the PMS (`no_connector`)."},
    {"503", "ServiceUnavailable", "The service cannot take the request now; retry after the Retry-After "
                                  "header's seconds."},
    {"4XX", "HttpError", "The HTTP layer's own answers to any request: not valid HTTP (400), URI too long "
                         "(414), headers too large (431)."},
};

// docs/service.md, "Idempotency keys".
constexpr const char* idempotency_key_parameter =
    "{\"name\":\"Idempotency-Key\",\"in\":\"header\",\"description\":\"Sent again with the same request "
    "within 24 hours, the write is not stored twice: the first answer comes back (same job_id). The same key "
    "with another request answers 422 idempotency_key_reused. Per customer; 1 to 255 printable ASCII "
    "characters.\",\"schema\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255,"
    "\"pattern\":\"^[ -~]+$\"}}";

const Answer& answer(std::string_view status) {
  for (const auto& a : answers)
    if (status == a.status) return a;
  return answers[0];  // unreachable: callers name statuses of the table
}

/// `"400":{"$ref":...}` for each status.
std::string responses(std::initializer_list<std::string_view> statuses, std::string first = "") {
  std::vector<std::string> out{std::move(first)};
  for (auto s : statuses) out.push_back(q(s) + ":" + ref("responses", answer(s).name));
  return "\"responses\":{" + join(out) + "}";
}

std::string header(std::string_view name, std::string_view description, std::string_view schema) {
  return q(name) + ":{\"description\":" + q(description) + ",\"schema\":" + std::string(schema) + "}";
}

std::string response_components() {
  const std::string seconds = "{\"type\":\"integer\",\"minimum\":0}";
  const std::string retry_after = header("Retry-After", "Seconds to wait before trying again.", seconds);
  // Every answer to a customer's key carries its rate limit (docs/service.md); these are the ones
  // a client acts on.
  const std::string rate_limit =
      header("x-ratelimit-limit", "The key's requests a minute.", seconds) + "," +
      header("x-ratelimit-remaining", "Requests the key may still make now.", seconds) + "," +
      header("x-ratelimit-reset", "Seconds until the key's bucket is full again.", seconds);
  const std::string replayed = header("Idempotent-Replayed",
                                      "true when this is the answer first given to the same Idempotency-Key and "
                                      "request, sent again; the write was not stored twice.",
                                      "{\"type\":\"string\",\"enum\":[\"true\"]}");
  std::vector<std::string> out;
  for (const auto& a : answers) {
    const std::string_view status = a.status;
    std::string schema = status == "202" ? "WriteAccepted" : "Error";
    std::string headers = status == "202"   ? replayed + "," + rate_limit
                          : status == "429" ? retry_after + "," + rate_limit
                          : status == "503" ? retry_after
                                            : "";
    out.push_back(q(a.name) + ":{\"description\":" + q(a.description) +
                  (headers.empty() ? "" : ",\"headers\":{" + headers + "}") +
                  ",\"content\":{\"application/json\":{\"schema\":" + ref("schemas", schema) + "}}}");
  }
  return join(out);
}

// The bodies of the service's answers (JSON Schema 2020-12). WriteAccepted is the shape the
// generic API answers a write with (job_id and data, as Propexo's document has them), and
// gatehouse's meta.
const char* const answer_schemas = R"("Issue":{"type":"object","description":"One problem of a decision, or one member taken out by ignore_unknown_fields.","required":["path","code","message","rule"],"properties":{"path":{"type":"string","description":"A JSON Pointer into the request body; the empty string is the whole body."},"code":{"type":"string","description":"What is wrong (docs/decision.md lists the codes)."},"message":{"type":"string"},"rule":{"type":["string","null"],"description":"file:line:col of the rule that decided, or null."}}},)"
R"("Error":{"type":"object","description":"Every error the service answers has this shape.","required":["error"],"properties":{"error":{"type":"object","required":["code","message","details"],"properties":{"status":{"type":"integer","description":"The HTTP status, repeated."},"code":{"type":"string","description":"A stable, machine-readable name of the error."},"message":{"type":"string"},"details":{"type":"array","description":"On a rejected write, every error of the decision; else empty.","items":{"$ref":"#/components/schemas/Issue"}}}}}},)"
R"("WriteAccepted":{"type":"object","required":["job_id","data","meta"],"properties":{"job_id":{"type":"string","description":"The write's root job: GET /v1/admin/write-status/{root_job_id}."},"data":{"type":"object","description":"The write's data."},"meta":{"type":"object","required":["verdict","stripped","rules_version"],"properties":{"verdict":{"type":"string","enum":["accept","strip"]},"stripped":{"type":"array","description":"The members taken out before the write went on (with ignore_unknown_fields).","items":{"$ref":"#/components/schemas/Issue"}},"rules_version":{"type":"string","description":"The rules that decided (a content hash)."}}}}},)"
R"("WriteStatus":{"type":"object","required":["write_status","errors","created_record_id","job_id","created","attempts","submitted_at","finished_at","rules_version"],"properties":{"write_status":{"type":"string","enum":["PENDING","SUCCESS","PARTIAL_SUCCESS","FAILURE"]},"errors":{"type":"array","description":"The PMS's errors of the jobs that failed.","items":{"type":"string"}},"created_record_id":{"type":["string","null"]},"job_id":{"type":"string"},"created":{"type":"array","items":{"type":"object","required":["model","id"],"properties":{"model":{"type":"string"},"id":{"type":["string","null"]},"note":{"type":"string"}}}},"attempts":{"type":"array","items":{"type":"object","required":["job_id","at","pms_status","code","message"],"properties":{"job_id":{"type":"string"},"at":{"type":"string","format":"date-time"},"pms_status":{"type":"integer"},"code":{"type":"string","enum":["ok","pms_rejected","pms_unavailable","rate_limited","timeout","unreachable","mapping_failed","no_connector"]},"message":{"type":"string"}}}},"submitted_at":{"type":"string","format":"date-time"},"finished_at":{"type":["string","null"],"format":"date-time"},"rules_version":{"type":"string"}}},)"
R"("CachedRecord":{"type":"object","required":["data","integration_id","synced_at"],"properties":{"data":{"type":"object","description":"The record as the PMS last sent it (a write does not change it)."},"integration_id":{"type":"string"},"synced_at":{"type":"string","format":"date-time"}}},)"
R"("Health":{"type":"object","required":["status","rules_version"],"properties":{"status":{"type":"string","enum":["ok"]},"rules_version":{"type":"string"}}},)"
R"("Reloaded":{"type":"object","required":["rules_version"],"properties":{"rules_version":{"type":"string","description":"The rules now in use."}}},)"
R"("Synced":{"type":"object","required":["records","errors"],"properties":{"records":{"type":"integer","minimum":0},"errors":{"type":"array","items":{"type":"string"}}}},)"
R"("Revoked":{"type":"object","required":["revoked"],"properties":{"revoked":{"type":"object","description":"What this call disabled (empty lists: it was revoked already).","required":["customers","integrations"],"properties":{"customers":{"type":"array","items":{"type":"string"}},"integrations":{"type":"array","items":{"type":"string"}}}}}})";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string ok_json(std::string_view description, const std::string& schema) {
  return "\"200\":{\"description\":" + q(description) + ",\"content\":{\"application/json\":{\"schema\":" + schema + "}}}";
}

const char* const id_parameter =
    "{\"name\":\"id\",\"in\":\"path\",\"required\":true,\"description\":\"The record's id.\","
    "\"schema\":{\"type\":\"string\"}}";

/// Collects path items (several operations per path) and the request body schemas.
class Document {
 public:
  explicit Document(const Program& program) : program_(program) {}

  void write_routes() {
    for (const auto& [model_name, generic] : program_.models()) {
      for (auto op : ast::all_operations())
        if (generic.route(op)) write_route(generic, op);
      read_route(generic);
    }
  }

  void service_routes() {
    std::string models, operations;
    for (const auto& [name, model] : program_.models()) models += (models.empty() ? "" : ",") + q(name);
    for (auto op : ast::all_operations()) operations += (operations.empty() ? "" : ",") + q(ast::operation_name(op));
    add("/v1/admin/write-status/{root_job_id}", "get",
        "\"operationId\":\"get_write_status\",\"summary\":\"What became of a write\",\"tags\":[\"service\"],"
        "\"parameters\":[{\"name\":\"root_job_id\",\"in\":\"path\",\"required\":true,\"description\":\"The job_id "
        "a write was answered with.\",\"schema\":{\"type\":\"string\"}}]," +
            responses({"401", "404", "4XX"}, ok_json("The write's status, attempts and created records.",
                                                      ref("schemas", "WriteStatus"))));
    add("/v1/meta/{model}/{operation}", "get",
        "\"operationId\":\"get_request_schema\",\"summary\":\"The JSON Schema an integration takes for a write\","
        "\"tags\":[\"service\"],\"parameters\":[{\"name\":\"model\",\"in\":\"path\",\"required\":true,"
        "\"schema\":{\"type\":\"string\",\"enum\":[" + models + "]}},{\"name\":\"operation\",\"in\":\"path\","
        "\"required\":true,\"schema\":{\"type\":\"string\",\"enum\":[" + operations + "]}},"
        "{\"name\":\"integration_id\",\"in\":\"query\",\"required\":true,\"schema\":{\"type\":\"string\"}}]," +
            responses({"400", "401", "404", "405", "4XX"},
                      ok_json("A JSON Schema (draft 2020-12) of what the integration's PMS accepts.",
                              "{\"type\":\"object\"}")));
    // The admin routes take the admin_api_key as their bearer token; without it they do not exist.
    add("/v1/admin/reload", "post",
        "\"operationId\":\"reload_rules\",\"summary\":\"Compile the rules again and use them if they compile\","
        "\"description\":\"Needs the admin key as the bearer token; without it the route answers 404.\","
        "\"tags\":[\"service\"]," +
            responses({"404", "422", "4XX"}, ok_json("The new rules are in use.", ref("schemas", "Reloaded"))));
    add("/v1/admin/sync", "post",
        "\"operationId\":\"sync_records\",\"summary\":\"Read every integration's records from its PMS now\","
        "\"description\":\"Needs the admin key as the bearer token; without it the route answers 404.\","
        "\"tags\":[\"service\"]," +
            responses({"404", "4XX"}, ok_json("Records read, and the errors met.", ref("schemas", "Synced"))));
    // docs/service.md, "Revocation".
    for (const auto& [what, one] : {std::pair{"customers", "customer"}, std::pair{"integrations", "integration"}})
      add(std::string("/v1/admin/") + what + "/{id}/revoke", "post",
          "\"operationId\":" + q(std::string("revoke_") + one) + ",\"summary\":" +
              q(std::string("Disable a ") + one + (std::string_view(one) == "customer" ? " and its integrations" : "") +
                ", on every instance within 0.2 s") +
              ",\"description\":\"Needs the admin key as the bearer token; without it the route answers 404. "
              "Kept for its history, never served again until the configuration names it at a start.\","
              "\"tags\":[\"service\"],\"parameters\":[{\"name\":\"id\",\"in\":\"path\",\"required\":true,"
              "\"schema\":{\"type\":\"string\"}}]," +
              responses({"404", "503", "4XX"}, ok_json("Revoked.", ref("schemas", "Revoked"))));
    add("/healthz", "get",
        "\"operationId\":\"get_health\",\"summary\":\"Whether the service is up, and its rules\","
        "\"tags\":[\"service\"],\"security\":[]," +
            responses({"4XX"}, ok_json("Up.", ref("schemas", "Health"))));
    add("/metrics", "get",
        "\"operationId\":\"get_metrics\",\"summary\":\"Prometheus metrics\",\"tags\":[\"service\"],\"security\":[],"
        "\"responses\":{\"200\":{\"description\":\"Prometheus text format 0.0.4.\",\"content\":{\"text/plain\":"
        "{\"schema\":{\"type\":\"string\"}}}}," +
            q("4XX") + ":" + ref("responses", answer("4XX").name) + "}");
  }

  std::string text(std::string_view server_url) const {
    std::string paths, tags;
    for (const auto& [path, item] : paths_) paths += (paths.empty() ? "" : ",") + q(path) + ":{" + item + "}";
    for (const auto& [name, generic] : program_.models())
      tags += "{\"name\":" + q(name) + ",\"description\":" + q("The " + name + " model, under " + generic.path + ".") + "},";
    tags += "{\"name\":\"service\",\"description\":\"Write status, request schemas, administration, health and metrics.\"}";
    return "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"gatehouse write service\",\"version\":" +
           q(program_.rules_version()) +
           ",\"description\":\"The generic write routes of a unified property-management API, each write decided "
           "with the rules of the integration's PMS; info.version is the rules_version.\"},"
           "\"jsonSchemaDialect\":\"https://json-schema.org/draft/2020-12/schema\",\"servers\":[{\"url\":" +
           q(server_url) + ",\"description\":" +
           q(server_url == "/" ? "The host this document is served from." : "gatehouse serve") +
           "}],\"security\":[{\"bearerAuth\":[]}],\"tags\":[" + tags + "],\"paths\":{" + paths +
           "},\"components\":{\"securitySchemes\":{\"bearerAuth\":{\"type\":\"http\",\"scheme\":\"bearer\","
           "\"description\":\"The customer's API key (the admin routes: the admin_api_key).\"}},"
           "\"responses\":{" + response_components() + "},\"schemas\":{" + answer_schemas +
           (bodies_.empty() ? "" : "," + bodies_) + "}}}";
  }

 private:
  void add(const std::string& path, const std::string& method, const std::string& operation) {
    std::string& item = paths_[path];
    item += (item.empty() ? "" : ",") + q(method) + ":{" + operation + "}";
  }

  void write_route(const GenericModel& generic, ast::Operation op) {
    bool in_body = body_names_integration(op);
    std::string refs;
    for (const auto& [id, pms] : program_.pms()) {
      const ModelRules& m = pms.models.at(generic.name);
      if (!m.operation(op).offered) continue;
      refs += (refs.empty() ? "" : ",") + body(id + "." + generic.name + "." + ast::operation_name(op),
                                               json_schema(program_, pms, m, op, in_body));
    }
    // No PMS offers it: every integration answers 405, and the route's own body is what it takes.
    if (refs.empty())
      refs = body("generic." + generic.name + "." + ast::operation_name(op),
                  generic_json_schema(program_, generic, op, in_body));
    // A create's route ends in a slash (`POST /v1/residents/`, as Propexo writes it); the service
    // takes it with or without, and linters and client generators want it without.
    std::string path = route_path(generic, op);
    if (path.size() > 1 && path.back() == '/') path.pop_back();
    bool has_id = path.find("{id}") != std::string::npos;
    std::string name = ast::operation_name(op);
    std::string operation =
        "\"operationId\":" + q(generic.name + "_" + name) + ",\"summary\":" + q(name + " " + generic.name) +
        ",\"description\":" +
        q(std::string("Decided with the rules of the integration's PMS: the body must match that PMS's schema. ") +
          (in_body ? "integration_id names the integration (and is taken out before the decision)."
                   : "The integration is the record's.")) +
        ",\"tags\":[" + q(generic.name) + "],\"parameters\":[" + (has_id ? std::string(id_parameter) + "," : "") +
        idempotency_key_parameter + ",{\"name\":\"ignore_unknown_fields\",\"in\":\"query\",\"description\":\"Take out the fields the PMS does "
        "not take (listed in meta.stripped) instead of rejecting the write.\",\"schema\":{\"type\":\"boolean\","
        "\"default\":false}}],\"requestBody\":{\"required\":true,\"content\":{\"application/json\":{\"schema\":"
        "{\"anyOf\":[" + refs + "]}}}}," +
        responses({"202", "400", "401", "404", "405", "409", "413", "415", "422", "429", "501", "503", "4XX"});
    add(path, lower(ast::operation_route(op).method), operation);
  }

  /// GET of a cached record, on the path of the model's records.
  void read_route(const GenericModel& generic) {
    add(generic.path + "/{id}", "get",
        "\"operationId\":" + q(generic.name + "_get") + ",\"summary\":" + q("read a cached " + generic.name + " record") +
            ",\"description\":\"The record as the PMS last sent it: a write does not change it, the PMS does.\","
            "\"tags\":[" + q(generic.name) + "],\"parameters\":[" + id_parameter + "]," +
            responses({"401", "404", "4XX"}, ok_json("The cached record.", ref("schemas", "CachedRecord"))));
  }

  std::string body(const std::string& key, const std::string& schema) {
    bodies_ += (bodies_.empty() ? "" : ",") + q(key) + ":" + schema;
    return ref("schemas", key);
  }

  const Program& program_;
  std::map<std::string, std::string> paths_;  // path -> its operations
  std::string bodies_;
};

}  // namespace

std::string openapi_document(const Program& program, std::string_view server_url) {
  Document d(program);
  d.write_routes();
  d.service_routes();
  return d.text(server_url);
}

}  // namespace gatehouse
