// gatehouse serve --config FILE: the write service over HTTP (cpp-httplib).
//
// SIGHUP reloads the rules (kept if the new ones do not compile); SIGINT and SIGTERM stop the
// server after the requests in flight, then the dispatcher after its calls in flight. On start,
// jobs a crash left running are queued again. The connectors (*.connector.yaml next to the rules)
// are read and checked against the rules once, at start.
#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli_support.hpp"
#include "commands.hpp"
#include "gatehouse/rules_loader.hpp"
#include "gatehouse/json_string.hpp"
#include "gatehouse/dispatch/dispatcher.hpp"
#include "gatehouse/store/caching_store.hpp"
#include "gatehouse/store/postgres_store.hpp"
#include "gatehouse/store/sqlite_store.hpp"
#include "gatehouse/service/write_service.hpp"

namespace gatehouse::cli {

namespace fs = std::filesystem;

namespace {

struct ServeConfig {
  fs::path rules, store;                        // store: the SQLite file, unless postgres is set
  std::optional<store::PostgresOptions> postgres;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::size_t max_payload_bytes = Limits{}.max_payload_bytes;
  std::string admin_key;
  service::DispatcherOptions dispatcher;
  // The HTTP server's defences against slow or hostile clients.
  int http_threads = 32;            // connections served at once (a pool: more wait in line)
  int read_timeout_ms = 5000;       // a request (headers and body) must arrive within this
  int write_timeout_ms = 5000;      // an answer must be taken within this
  int keep_alive_timeout_s = 5;     // an idle kept-alive connection is closed after this
  // A kept-alive connection holds one of the threads, so it is closed after this many requests:
  // clients waiting for a thread get their turn. cpp-httplib's own default (5) made every fifth
  // request pay for a new TCP connection.
  int keep_alive_max_requests = 100;
  // How long an API key, an integration or a record's integration is kept in memory (changes made
  // through this instance are seen at once; another instance's, after this).
  int lookup_cache_seconds = 5;
  YAML::Node root;  // the whole file, for the customers, integrations and records to seed
};

std::string required(const YAML::Node& node, const char* key, const std::string& where) {
  if (!node[key] || !node[key].IsScalar())
    throw std::runtime_error(where + ": missing '" + key + "'");
  return node[key].Scalar();
}

/// A mapping's keys must be among `known`: a misspelt key would otherwise be a setting silently
/// left at its default.
void only_known_keys(const YAML::Node& node, std::initializer_list<std::string_view> known, const std::string& where) {
  if (!node || !node.IsMap()) return;
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    throw std::runtime_error(where + ": unknown key '" + key + "' (known: " + list + ")");
  }
}

/// Reads the config file (once).
ServeConfig load_config(const fs::path& file, const std::string& default_rules) {
  ServeConfig c;
  c.root = YAML::LoadFile(file.string());
  const YAML::Node& root = c.root;
  only_known_keys(root, {"rules", "store", "listen", "max_payload_bytes", "admin_api_key", "http", "dispatcher",
                         "lookup_cache_seconds", "customers", "integrations", "records"},
                  "the configuration");
  only_known_keys(root["http"], {"threads", "read_timeout_ms", "write_timeout_ms", "keep_alive_timeout_seconds",
                                  "keep_alive_max_requests"},
                  "http");
  only_known_keys(root["dispatcher"], {"workers", "max_attempts", "backoff_ms", "max_backoff_ms", "pms_timeout_ms",
                                       "idle_poll_ms", "webhook_max_attempts", "sync_interval_seconds"},
                  "dispatcher");
  if (root["store"] && root["store"].IsMap())
    only_known_keys(root["store"], {"postgres", "schema", "connections", "lease_seconds"}, "store");
  for (const auto& customer : root["customers"]) {
    only_known_keys(customer, {"id", "api_key", "webhook"}, "customers");
    only_known_keys(customer["webhook"], {"url", "secret"}, "customers.webhook");
  }
  for (const auto& i : root["integrations"])
    only_known_keys(i, {"id", "customer", "pms", "base_url", "sync_interval_seconds"}, "integrations");
  for (const auto& r : root["records"]) only_known_keys(r, {"model", "id", "integration", "data"}, "records");
  fs::path dir = file.parent_path();
  c.rules = root["rules"] ? dir / root["rules"].Scalar() : fs::path(default_rules);
  if (root["store"] && root["store"].IsMap()) {
    // store: {postgres: "host=... dbname=...", schema: gatehouse, connections: 4, lease_seconds: 300}
    const YAML::Node& st = root["store"];
    store::PostgresOptions pg;
    pg.conninfo = required(st, "postgres", "store");
    if (st["schema"]) pg.schema = st["schema"].Scalar();
    if (st["connections"]) pg.connections = st["connections"].as<int>();
    if (st["lease_seconds"]) pg.lease_seconds = st["lease_seconds"].as<int>();
    c.postgres = pg;
  } else {
    c.store = dir / (root["store"] ? root["store"].Scalar() : std::string("gatehouse.db"));
  }
  if (root["listen"]) {
    std::string listen = root["listen"].Scalar();
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("listen must be HOST:PORT");
    c.host = listen.substr(0, colon);
    c.port = std::stoi(listen.substr(colon + 1));
  }
  if (root["max_payload_bytes"]) c.max_payload_bytes = root["max_payload_bytes"].as<std::size_t>();
  if (root["admin_api_key"]) c.admin_key = root["admin_api_key"].Scalar();
  if (root["lookup_cache_seconds"]) c.lookup_cache_seconds = root["lookup_cache_seconds"].as<int>();
  if (c.lookup_cache_seconds < 0) throw std::runtime_error("lookup_cache_seconds must be 0 (off) or more");
  if (const YAML::Node& h = root["http"]) {
    if (h["threads"]) c.http_threads = h["threads"].as<int>();
    if (h["read_timeout_ms"]) c.read_timeout_ms = h["read_timeout_ms"].as<int>();
    if (h["write_timeout_ms"]) c.write_timeout_ms = h["write_timeout_ms"].as<int>();
    if (h["keep_alive_timeout_seconds"]) c.keep_alive_timeout_s = h["keep_alive_timeout_seconds"].as<int>();
    if (h["keep_alive_max_requests"]) c.keep_alive_max_requests = h["keep_alive_max_requests"].as<int>();
    if (c.http_threads < 1 || c.read_timeout_ms < 1 || c.write_timeout_ms < 1 || c.keep_alive_timeout_s < 1 ||
        c.keep_alive_max_requests < 1)
      throw std::runtime_error("http: threads, timeouts and keep_alive_max_requests must be at least 1");
  }
  if (const YAML::Node& d = root["dispatcher"]) {
    auto& o = c.dispatcher;
    using ms = std::chrono::milliseconds;
    if (d["workers"]) o.workers = d["workers"].as<int>();
    if (d["max_attempts"]) o.max_attempts = d["max_attempts"].as<int>();
    if (d["backoff_ms"]) o.backoff = ms(d["backoff_ms"].as<long>());
    if (d["max_backoff_ms"]) o.max_backoff = ms(d["max_backoff_ms"].as<long>());
    if (d["pms_timeout_ms"]) o.pms_timeout = ms(d["pms_timeout_ms"].as<long>());
    if (d["idle_poll_ms"]) o.idle_poll = ms(d["idle_poll_ms"].as<long>());
    if (d["webhook_max_attempts"]) o.webhook_max_attempts = d["webhook_max_attempts"].as<int>();
    if (d["sync_interval_seconds"]) o.sync_interval = std::chrono::seconds(d["sync_interval_seconds"].as<long>());
    if (o.workers < 0 || o.max_attempts < 1 || o.webhook_max_attempts < 1 || o.backoff.count() < 1 ||
        o.pms_timeout.count() < 1 || o.idle_poll.count() < 1)
      throw std::runtime_error("dispatcher: workers >= 0, attempts >= 1 and times >= 1 ms");
  }
  return c;
}

/// Puts the config's customers, integrations and records into the store.
void seed(const ServeConfig& c, store::Store& store) {
  for (const auto& customer : c.root["customers"]) {
    std::string id = required(customer, "id", "customers");
    store.put_customer(id, required(customer, "api_key", "customers"));
    if (const YAML::Node& hook = customer["webhook"])
      store.set_webhook(id, required(hook, "url", "customers.webhook"), required(hook, "secret", "customers.webhook"));
  }
  for (const auto& i : c.root["integrations"])
    store.put_integration({required(i, "id", "integrations"), required(i, "customer", "integrations"),
                           required(i, "pms", "integrations"), required(i, "base_url", "integrations"),
                           i["sync_interval_seconds"] ? i["sync_interval_seconds"].as<int>() : 0});
  // A seed's `id` is the PMS's id; the store mints gatehouse's (found with GET /v1/{model}?x_id=).
  for (const auto& r : c.root["records"])
    store.put_record({required(r, "model", "records"), required(r, "id", "records"),
                      required(r, "integration", "records"), required(r, "data", "records"), service::utc_now()});
}

}  // namespace

int serve(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->required()->value_name("FILE"), "the service's YAML configuration");
  po::variables_map vm;
  if (auto code = parse(args, "usage: gatehouse serve --config FILE", options, {}, vm)) return *code;

  fs::path config_file = vm["config"].as<std::string>();
  ServeConfig config;
  std::unique_ptr<store::Store> store;
  try {
    config = load_config(config_file, default_rules_dir());
    if (config.postgres) {
      store = std::make_unique<store::PostgresStore>(*config.postgres);
    } else {
      store = std::make_unique<store::SqliteStore>(config.store.string());
    }
    seed(config, *store);
  } catch (const std::exception& e) {
    std::cerr << "gatehouse serve: " << config_file.string() << ": " << e.what() << '\n';
    return usage_error;
  }
  Compilation rules = compile_directory(config.rules);
  if (!rules.ok()) {
    std::cerr << rules.render_diagnostics();
    return usage_error;
  }
  Engine engine(rules.program);
  service::Dispatcher::Connectors connectors;
  try {
    connectors = service::load_connectors(config.rules);
  } catch (const std::exception& e) {
    std::cerr << "gatehouse serve: " << e.what() << '\n';
    return usage_error;
  }
  // The connectors must cover the rules at start and after every reload (a reload that would
  // accept writes no connector can carry is refused like rules that do not compile).
  auto connector_problems = [&connectors](const Program& program) {
    std::vector<std::string> problems;
    for (const auto& [pms, connector] : connectors)
      for (auto& p : service::check_connector(program, connector)) problems.push_back(std::move(p));
    return problems;
  };
  engine.set_reload_check(connector_problems);
  std::vector<std::string> problems = connector_problems(*engine.program());
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << p << '\n';
    return usage_error;
  }
  std::size_t resumed = store->resume_interrupted(service::utc_now());
  // Everything from here on goes through the cache, so its own changes (a sync's records) are
  // seen at once.
  store::CachingStore cached_store(*store, std::chrono::seconds(config.lookup_cache_seconds));
  service::WriteService write_service(engine, cached_store, Limits{config.max_payload_bytes, Limits{}.max_depth});
  service::Dispatcher dispatcher(engine, cached_store, connectors, config.dispatcher);
  write_service.set_hooks({[&](std::string_view pms, std::string_view model, std::string_view op) {
                             return dispatcher.can_dispatch(pms, model, op);
                           },
                           [&] { dispatcher.wake(); }, [&](std::string& out) { dispatcher.append_metrics(out); },
                           [](const std::string& line) { std::cerr << "gatehouse serve: " << line << '\n'; }});

  // Signals go to one thread that waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  httplib::Server server;
  server.set_payload_max_length(config.max_payload_bytes + 1);  // the service answers 413 itself
  server.new_task_queue = [n = config.http_threads] { return new httplib::ThreadPool(static_cast<std::size_t>(n)); };
  server.set_read_timeout(std::chrono::milliseconds(config.read_timeout_ms));
  server.set_write_timeout(std::chrono::milliseconds(config.write_timeout_ms));
  server.set_keep_alive_timeout(config.keep_alive_timeout_s);
  server.set_keep_alive_max_count(static_cast<std::size_t>(config.keep_alive_max_requests));
  // Errors the HTTP layer answers itself (a malformed request, a body past the limit, headers or
  // a URI too long) get the service's one error shape too.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [limit = config.max_payload_bytes](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string code = "bad_request", message = "the request is not valid HTTP";
        if (res.status == 413) {
          code = "payload_too_large";
          message = "the body is larger than the limit of " + std::to_string(limit) + " bytes";
        } else if (res.status == 414) {
          code = "uri_too_long";
          message = "the request URI is too long";
        } else if (res.status == 431) {
          code = "headers_too_large";
          message = "the request headers are too large";
        } else if (res.status == 404) {
          code = "not_found";
          message = "no such endpoint";
        }
        res.set_content(service::error_response(res.status, code, message).body, "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));
  auto handler = [&](const httplib::Request& req, httplib::Response& res) {
    service::HttpRequest r;
    r.method = req.method;
    r.path = req.path;
    for (const auto& [k, v] : req.params) r.query[k] = v;
    for (const auto& [k, v] : req.headers) {
      std::string name = k;
      for (auto& ch : name)  // header names are ASCII; std::tolower would consult the locale per character
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      r.headers[name] = v;
    }
    r.body = req.body;
    // The admin endpoints (reload the rules, sync now) have their own key; without it they do not exist.
    auto answer = [&res](const service::HttpResponse& out) {
      res.status = out.status;
      for (const auto& [name, value] : out.headers) res.set_header(name, value);
      res.set_content(out.body, out.content_type.c_str());
    };
    if (r.path == "/v1/admin/reload" || r.path == "/v1/admin/sync") {
      auto auth = r.headers.find("authorization");
      if (config.admin_key.empty() || auth == r.headers.end() || auth->second != "Bearer " + config.admin_key)
        return answer(service::error_response(404, "not_found", "no such endpoint"));
      if (r.method != "POST") return answer(service::method_not_allowed({"POST"}));
      if (r.path == "/v1/admin/sync") {
        service::SyncReport report = dispatcher.sync_now();
        std::string errors;
        for (const auto& e : report.errors) errors += (errors.empty() ? "" : ",") + json_quote(e);
        res.set_content("{\"records\":" + std::to_string(report.records) + ",\"errors\":[" + errors + "]}",
                        "application/json");
        return;
      }
      Compilation c = engine.reload(config.rules);
      if (!c.ok()) return answer(service::error_response(422, "rules_do_not_compile", c.render_diagnostics()));
      return answer({200, "{\"rules_version\":" + json_quote(c.program->rules_version()) + "}"});
    }
    answer(write_service.handle(r));
  };
  for (auto method : {&httplib::Server::Get, &httplib::Server::Put, &httplib::Server::Post,
                      &httplib::Server::Delete, &httplib::Server::Patch})
    (server.*method)(".*", handler);

  // cpp-httplib listens with a backlog of 5 (compiled into Debian's library): a burst of clients
  // then sees dropped connects, retried by TCP only after a second or more. The listening socket
  // is caught here and given the system's backlog once bound (listen() again only resizes it).
  int listening_socket = -1;
  server.set_socket_options([&](int sock) {
    listening_socket = sock;
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    // Accepted connections inherit this: without it, an answer written as headers then body
    // waits for the client's delayed ACK (Nagle), 40 ms per request on a kept-alive connection.
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  });
  int port = config.port == 0 ? server.bind_to_any_port(config.host) : (server.bind_to_port(config.host, config.port) ? config.port : -1);
  if (port < 0) {
    std::cerr << "gatehouse serve: cannot listen on " << config.host << ":" << config.port << '\n';
    return usage_error;
  }
  if (listening_socket >= 0) ::listen(listening_socket, SOMAXCONN);
  std::thread signal_thread([&] {
    for (;;) {
      int s = 0;
      sigwait(&signals, &s);
      if (s == SIGHUP) {
        Compilation c = engine.reload(config.rules);
        std::cerr << (c.ok() ? "rules reloaded: " + c.program->rules_version() + "\n"
                             : "rules not reloaded (the old rules stay):\n" + c.render_diagnostics());
        continue;
      }
      server.stop();
      return;
    }
  });
  std::cout << "listening on " << config.host << ":" << port << " (rules_version "
            << engine.program()->rules_version() << ", " << resumed << " interrupted jobs resumed)" << std::endl;
  dispatcher.start();
  server.listen_after_bind();
  signal_thread.join();
  dispatcher.stop();
  return ok;
}

}  // namespace gatehouse::cli
