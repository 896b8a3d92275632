// End to end: every write route of the OpenAPI document that `gatehouse schema --openapi` exports
// for the product rules (rules/) is served by a real `gatehouse serve` on those rules.
//
// The document is what clients are generated from, and the service's routes are derived from the
// same compiled rules by other code (service/write/src/route_resolver.cpp): this walk is what keeps
// the two in agreement. One request per route and method, with a body that means nothing in
// particular (`{"integration_id": ...}`, or `{}` on a record's route): what it checks is that the
// route is served, not what a PMS takes, so any answer of a served route will do (202, a
// rejection, an operation the PMS does not offer, no connector yet, ...), and a 404 never does.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "e2e/child_process.hpp"
#include "gatehouse/rules_loader.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path product_rules = fs::path(GATEHOUSE_SOURCE_DIR) / "rules";

/// A running `gatehouse serve`.
class Service : public gatehouse::testing::ChildProcess {
 public:
  explicit Service(const fs::path& config) : ChildProcess({GATEHOUSE_BINARY, "serve", "--config", config.string()}) {}
};

/// `gatehouse schema --rules rules/ --openapi`, as a client generator gets it; "" if it fails.
std::string export_openapi() {
  std::string command =
      std::string("'") + GATEHOUSE_BINARY + "' schema --rules '" + product_rules.string() + "' --openapi";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return "";
  std::string out;
  char buffer[65536];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  return pclose(pipe) == 0 ? out : "";
}

/// The lower-case PMS id, as per-PMS paths spell it: the integrations are int-buildium, ...
std::string lower(std::string s) {
  for (auto& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return s;
}

std::string integration_of(const std::string& pms) { return "int-" + lower(pms); }

/// The PMS's id of the record seeded for `model` (the same in every integration: gatehouse's
/// ids are what tell them apart).
std::string seed_id(const std::string& model) { return "seed-" + model; }

/// One write route of the document: a path and method whose operation takes a request body.
struct WriteRoute {
  std::string method;                   // POST or PUT
  std::string path;                     // as the document writes it: /v1/residents/{id}/file-upload
  std::string model;                    // the operation's tag: the model's rules name
  std::vector<std::string> offered_by;  // PMSs with a body schema for it (none: every PMS answers 405)
};

/// The document's write routes. The admin routes (POST /v1/admin/reload, /sync) take no body:
/// they are the service's own, and answer 404 without the admin key by design.
std::vector<WriteRoute> write_routes(simdjson::dom::element document) {
  std::vector<WriteRoute> out;
  simdjson::dom::object paths;
  if (document["paths"].get(paths)) return out;
  for (auto [path, item] : paths) {
    simdjson::dom::object operations;
    if (item.get(operations)) continue;
    for (auto [method, operation] : operations) {
      simdjson::dom::array bodies;
      if (operation["requestBody"]["content"]["application/json"]["schema"]["anyOf"].get(bodies)) continue;
      std::string_view tag;
      if (operation["tags"].at(0).get(tag)) continue;
      WriteRoute route{method == "post" ? "POST" : method == "put" ? "PUT" : std::string(method), std::string(path),
                       std::string(tag), {}};
      // Each body is `#/components/schemas/<PMS>.<model>.<operation>`, or `generic.` when no PMS
      // offers the route.
      for (auto body : bodies) {
        std::string_view ref;
        if (body["$ref"].get(ref)) continue;
        std::string key(ref.substr(ref.rfind('/') + 1));
        std::string pms = key.substr(0, key.find('.'));
        if (pms != "generic") route.offered_by.push_back(pms);
      }
      out.push_back(std::move(route));
    }
  }
  return out;
}

/// The integration a route's request goes to: one whose PMS offers the route, so the request gets
/// past "not offered" where it can; else any.
std::string integration_for(const WriteRoute& route, const std::vector<std::string>& pms_ids) {
  return integration_of(route.offered_by.empty() ? pms_ids.front() : route.offered_by.front());
}

httplib::Headers auth() { return {{"Authorization", "Bearer key-acme-5b1f0c9e2d7a4f38"}}; }

/// What a non-202 answer must look like: the one error shape, and never "no such thing".
void expect_error_shape(const std::string& what, int status, const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  ASSERT_EQ(parser.parse(body).get(parsed), simdjson::SUCCESS) << what << ": not JSON: " << body;
  std::string_view code, message;
  simdjson::dom::array details;
  EXPECT_EQ(parsed["error"]["code"].get(code), simdjson::SUCCESS) << what << ": " << body;
  EXPECT_EQ(parsed["error"]["message"].get(message), simdjson::SUCCESS) << what << ": " << body;
  EXPECT_EQ(parsed["error"]["details"].get(details), simdjson::SUCCESS) << what << ": " << body;
  EXPECT_NE(code, "not_found") << what << " (" << status << "): " << body;
  EXPECT_NE(code, "unknown_model") << what << " (" << status << "): " << body;
}

TEST(OpenApiWalk, EveryWriteRouteOfTheDocumentIsServed) {
  gatehouse::Compilation rules = gatehouse::compile_directory(product_rules);
  ASSERT_TRUE(rules.ok()) << rules.render_diagnostics();
  std::vector<std::string> pms_ids;
  for (const auto& [id, pms] : rules.program->pms()) pms_ids.push_back(id);
  ASSERT_FALSE(pms_ids.empty());

  const std::string text = export_openapi();
  ASSERT_FALSE(text.empty()) << "gatehouse schema --openapi failed";
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  ASSERT_EQ(parser.parse(text).get(document), simdjson::SUCCESS);
  const std::vector<WriteRoute> routes = write_routes(document);
  // A document without write routes would make the walk pass while proving nothing.
  ASSERT_GT(routes.size(), rules.program->models().size()) << "the document has too few write routes";

  // One customer, one integration per PMS on a closed port (nothing here waits for a delivery,
  // and no worker tries one), and one cached record per model in each integration, for the
  // routes that name a record. No sync: it would ask the closed port for records.
  fs::path dir = fs::temp_directory_path() / ("gatehouse_openapi_walk_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Remove {  // also when an assertion ends the test early
    fs::path dir;
    ~Remove() { fs::remove_all(dir); }
  } remove{dir};
  fs::path config = dir / "config.yaml";
  {
    std::ofstream out(config);
    out << "rules: '" << product_rules.string() << "'\nstore: jobs.db\nlisten: 127.0.0.1:0\nrate_limit_per_minute: 0\n"
        << "dispatcher: {workers: 0, sync_interval_seconds: 0}\n"
        << "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\nintegrations:\n";
    for (const auto& pms : pms_ids)
      out << "  - {id: " << integration_of(pms) << ", customer: acme, pms: " << pms
          << ", base_url: 'http://127.0.0.1:1'}\n";
    out << "records:\n";
    for (const auto& [model, generic] : rules.program->models())
      for (const auto& pms : pms_ids)
        out << "  - {model: " << model << ", id: " << seed_id(model) << ", integration: " << integration_of(pms)
            << ", data: '{}'}\n";
  }

  std::map<int, int> statuses;
  std::map<std::string, int> codes;
  std::size_t walked = 0, requests = 0;
  {
    Service service(config);
    auto c = service.client();
    for (const auto& route : routes) {
      SCOPED_TRACE(route.method + " " + route.path);
      const std::string integration = integration_for(route, pms_ids);
      std::string path = route.path, body = "{\"integration_id\":\"" + integration + "\"}";
      if (auto at = path.find("{id}"); at != std::string::npos) {
        // The record is named by gatehouse's id, found from the PMS's (the seed's) by the model's
        // collection: GET /v1/<resource>?x_id=...&integration_id=...
        const std::string collection = path.substr(0, at - 1);
        auto found = c.Get(collection + "?x_id=" + seed_id(route.model) + "&integration_id=" + integration, auth());
        ASSERT_TRUE(found);
        simdjson::dom::parser p;
        simdjson::dom::element records;
        std::string_view id;
        EXPECT_EQ(found->status, 200) << "GET " << collection << "?x_id=: " << found->body;
        if (found->status != 200 || p.parse(found->body).get(records) ||
            records["records"].at(0)["data"]["id"].get(id)) {
          ADD_FAILURE() << "no gatehouse id for " << route.model << " record " << seed_id(route.model) << " of "
                        << integration << ": " << found->body;
          continue;
        }
        path.replace(at, 4, std::string(id));
        body = "{}";  // the record names the integration
      }
      ++walked;
      int first = 0;
      for (const std::string& variant : {path, path + "/"}) {
        auto r = route.method == "PUT" ? c.Put(variant, auth(), body, "application/json")
                                       : c.Post(variant, auth(), body, "application/json");
        ASSERT_TRUE(r) << route.method << " " << variant << ": no answer";
        ++requests;
        const std::string what = route.method + " " + variant;
        static const std::set<int> served = {202, 400, 405, 409, 413, 415, 422, 501};
        EXPECT_NE(r->status, 404) << what << " is in the document but not served: " << r->body;
        EXPECT_TRUE(served.count(r->status)) << what << " answered " << r->status << ": " << r->body;
        if (r->status != 202) expect_error_shape(what, r->status, r->body);
        if (variant == path) {
          first = r->status;
          ++statuses[r->status];
          auto at = r->body.find("\"code\":\"");
          if (at != std::string::npos) ++codes[r->body.substr(at + 8, r->body.find('"', at + 8) - at - 8)];
        } else {
          EXPECT_EQ(r->status, first) << what << ": the trailing slash changed the answer: " << r->body;
        }
      }
    }
  }

  EXPECT_EQ(walked, routes.size()) << "every write route of the document is walked";
  std::cout << "openapi walk: " << walked << " of the document's " << routes.size() << " write routes, " << requests
            << " requests (each with and without the trailing slash); statuses:";
  for (const auto& [status, n] : statuses) std::cout << ' ' << status << " x" << n;
  std::cout << "; codes:";
  for (const auto& [code, n] : codes) std::cout << ' ' << code << " x" << n;
  std::cout << std::endl;
}

}  // namespace
