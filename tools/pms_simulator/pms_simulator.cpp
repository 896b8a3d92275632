// gatehouse-pms-simulator: Buildium-like and Rent-Manager-like APIs on loopback, for the tests
// and `make demo`. Each speaks its own native field names and validates writes its own way;
// the dispatcher's connectors (rules/pms/*.connector.yaml) map to them.
//
//   /buildium/v1/leases/tenants[/{id}]   GET, POST (create), PUT (update). Errors: {"UserMessage"}
//   /buildium/v1/leases/tenants/{id}/notes  GET, POST {"Note"} (a tenant's notes)
//   /rentmanager/Tenants[/{id}]          GET; POST a list of tenants (with TenantID: an update).
//                                        Errors: {"Message"}
// Control endpoints (what a test or the demo does to the PMS behind gatehouse's back):
//   PUT  /_sim/{buildium|rentmanager}/tenants/{id}  set a record as if changed in the PMS
//   POST /_sim/faults  {"status": 503, "count": 2, "apply": false, "delay_ms": 0, "retry_after": 1,
//                       "path": "/notes"}
//        the next `count` writes (whose path contains `path`, when given) answer `status` (after
//        applying them when `apply`), or are answered only after `delay_ms` (a timeout for a
//        client that waits less)
//   POST /_sim/latency {"delay_ms": 50, "path": "/buildium"}
//        from now on every write (whose path contains `path`, when given) is answered only after
//        `delay_ms`, on top of any fault: a slow PMS, for as long as it lasts ({"delay_ms": 0} ends it)
//   GET  /_sim/stats   {"requests", "writes_applied", "replayed", "applied_by_key": {key: n}}
// A write with an Idempotency-Key the simulator has applied before is answered as the first
// time, and not applied again; one whose key is still being handled (a client that timed out
// and retried) is answered 429 with Retry-After, so it comes back once the first has finished.
#include <httplib.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <csignal>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace json = rapidjson;

std::string text(const json::Value& v) {
  json::StringBuffer b;
  json::Writer<json::StringBuffer> w(b);
  v.Accept(w);
  return {b.GetString(), b.GetSize()};
}

std::string quote(const std::string& s) {
  json::Value v(s.c_str(), static_cast<json::SizeType>(s.size()));
  return text(v);
}

struct Answer {
  int status = 200;
  std::string body;
};

struct Fault {
  std::string path;  ///< applies to writes whose path contains this ("" = every write)
  int status = 0;
  bool apply = false;
  int delay_ms = 0;
  int retry_after = -1;
};

/// One simulated PMS: its tenants by id, as native JSON.
struct Pms {
  std::string id_member;
  std::map<long, std::string> tenants;
  long next_id;
};

class Simulator {
 public:
  Simulator() {
    pms_["buildium"] = {"Id", {}, 1001};
    pms_["rentmanager"] = {"TenantID", {}, 5001};
  }

  void routes(httplib::Server& server) {
    server.Get(R"(/buildium/v1/leases/tenants)", [this](const auto&, auto& res) { reply(res, list("buildium")); });
    server.Get(R"(/buildium/v1/leases/tenants/(\d+))",
               [this](const auto& req, auto& res) { reply(res, get("buildium", req.matches[1], "UserMessage")); });
    server.Post(R"(/buildium/v1/leases/tenants)", [this](const auto& req, auto& res) {
      write(req, res, [&] { return buildium_create(req.body); });
    });
    server.Put(R"(/buildium/v1/leases/tenants/(\d+))", [this](const auto& req, auto& res) {
      write(req, res, [&] { return buildium_update(std::stol(req.matches[1]), req.body); });
    });
    server.Get(R"(/buildium/v1/leases/tenants/(\d+)/notes)", [this](const auto& req, auto& res) {
      std::lock_guard lock(mutex_);
      std::string out = "[";
      for (const auto& note : notes_[std::stol(req.matches[1])]) out += (out.size() > 1 ? "," : "") + note;
      reply(res, {200, out + "]"});
    });
    server.Post(R"(/buildium/v1/leases/tenants/(\d+)/notes)", [this](const auto& req, auto& res) {
      write(req, res, [&] { return buildium_note(std::stol(req.matches[1]), req.body); });
    });
    server.Get(R"(/rentmanager/Tenants)", [this](const auto&, auto& res) { reply(res, list("rentmanager")); });
    server.Get(R"(/rentmanager/Tenants/(\d+))",
               [this](const auto& req, auto& res) { reply(res, get("rentmanager", req.matches[1], "Message")); });
    server.Post(R"(/rentmanager/Tenants)", [this](const auto& req, auto& res) {
      write(req, res, [&] { return rent_manager_save(req.body); });
    });

    server.Put(R"(/_sim/(buildium|rentmanager)/tenants/(\d+))", [this](const auto& req, auto& res) {
      json::Document d;
      d.Parse(req.body.c_str());
      if (d.HasParseError() || !d.IsObject()) return reply(res, {400, R"({"error":"a JSON object"})"});
      std::lock_guard lock(mutex_);
      Pms& pms = pms_[req.matches[1]];
      long id = std::stol(req.matches[2]);
      set_member(d, pms.id_member, json::Value(static_cast<int64_t>(id)));
      pms.tenants[id] = text(d);
      pms.next_id = std::max(pms.next_id, id + 1);
      reply(res, {200, pms.tenants[id]});
    });
    server.Post("/_sim/faults", [this](const auto& req, auto& res) {
      json::Document d;
      d.Parse(req.body.c_str());
      if (d.HasParseError() || !d.IsObject()) return reply(res, {400, R"({"error":"a JSON object"})"});
      Fault f;
      if (d.HasMember("status")) f.status = d["status"].GetInt();
      if (d.HasMember("apply")) f.apply = d["apply"].GetBool();
      if (d.HasMember("delay_ms")) f.delay_ms = d["delay_ms"].GetInt();
      if (d.HasMember("retry_after")) f.retry_after = d["retry_after"].GetInt();
      if (d.HasMember("path")) f.path = d["path"].GetString();
      int count = d.HasMember("count") ? d["count"].GetInt() : 1;
      std::lock_guard lock(mutex_);
      for (int i = 0; i < count; ++i) faults_.push_back(f);
      reply(res, {200, "{\"queued\":" + std::to_string(faults_.size()) + "}"});
    });
    server.Post("/_sim/latency", [this](const auto& req, auto& res) {
      json::Document d;
      d.Parse(req.body.c_str());
      if (d.HasParseError() || !d.IsObject() || !d.HasMember("delay_ms") || !d["delay_ms"].IsInt() ||
          d["delay_ms"].GetInt() < 0 || (d.HasMember("path") && !d["path"].IsString()))
        return reply(res, {400, R"({"error":"delay_ms: a whole number of milliseconds, 0 or more; path, if given, a string"})"});
      std::lock_guard lock(mutex_);
      latency_ = {d.HasMember("path") ? d["path"].GetString() : "", 0, false, d["delay_ms"].GetInt(), -1};
      reply(res, {200, "{\"delay_ms\":" + std::to_string(latency_.delay_ms) + "}"});
    });
    server.Get("/_sim/stats", [this](const auto&, auto& res) {
      std::lock_guard lock(mutex_);
      std::string by_key;
      for (const auto& [key, n] : applied_by_key_) by_key += (by_key.empty() ? "" : ",") + quote(key) + ":" + std::to_string(n);
      reply(res, {200, "{\"requests\":" + std::to_string(requests_) + ",\"writes_applied\":" + std::to_string(applied_) +
                           ",\"replayed\":" + std::to_string(replayed_) + ",\"applied_by_key\":{" + by_key + "}}"});
    });
  }

 private:
  static void reply(httplib::Response& res, const Answer& a) {
    res.status = a.status;
    res.set_content(a.body, "application/json");
  }

  static void set_member(json::Document& d, const std::string& name, json::Value value) {
    auto& a = d.GetAllocator();
    if (d.HasMember(name.c_str())) {
      d[name.c_str()] = value;
    } else {
      d.AddMember(json::Value(name.c_str(), a), value, a);
    }
  }

  /// A write: faults first, then the idempotency key, then the PMS's own handling.
  template <typename Apply>
  void write(const httplib::Request& req, httplib::Response& res, Apply apply) {
    std::string key = req.get_header_value("Idempotency-Key");
    Fault fault;
    int slow_ms = 0;
    {
      std::lock_guard lock(mutex_);
      ++requests_;
      if (!key.empty() && !in_flight_.insert(key).second) {
        res.set_header("Retry-After", "1");
        return reply(res, {429, R"({"UserMessage":"a request with this Idempotency-Key is in progress","Message":"a request with this Idempotency-Key is in progress"})"});
      }
      for (auto it = faults_.begin(); it != faults_.end(); ++it) {
        if (req.path.find(it->path) == std::string::npos) continue;
        fault = *it;
        faults_.erase(it);
        break;
      }
      if (req.path.find(latency_.path) != std::string::npos) slow_ms = latency_.delay_ms;
    }
    struct Done {  // the key is no longer in flight, however this ends
      Simulator* self;
      std::string key;
      ~Done() {
        std::lock_guard lock(self->mutex_);
        self->in_flight_.erase(key);
      }
    } done{this, key};
    if (fault.delay_ms + slow_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(fault.delay_ms + slow_ms));
    if (fault.status && !fault.apply) return answer_fault(res, fault);
    Answer answer;
    {
      std::lock_guard lock(mutex_);
      auto seen = key.empty() ? answers_.end() : answers_.find(key);
      if (seen != answers_.end()) {
        ++replayed_;
        answer = seen->second;
      } else {
        answer = apply();
        if (answer.status < 300) {
          ++applied_;
          ++applied_by_key_[key];
          if (!key.empty()) answers_[key] = answer;
        }
      }
    }
    if (fault.status) return answer_fault(res, fault);  // applied, but the answer is lost
    reply(res, answer);
  }

  static void answer_fault(httplib::Response& res, const Fault& f) {
    if (f.retry_after >= 0) res.set_header("Retry-After", std::to_string(f.retry_after));
    reply(res, {f.status, R"({"UserMessage":"simulated fault","Message":"simulated fault"})"});
  }

  Answer list(const std::string& name) {
    std::lock_guard lock(mutex_);
    std::string out = "[";
    for (const auto& [id, record] : pms_[name].tenants) out += (out.size() > 1 ? "," : "") + record;
    return {200, out + "]"};
  }

  Answer get(const std::string& name, const std::string& id, const char* error_member) {
    std::lock_guard lock(mutex_);
    auto& tenants = pms_[name].tenants;
    auto it = tenants.find(std::stol(id));
    if (it == tenants.end()) return {404, std::string("{\"") + error_member + "\":\"tenant " + id + " does not exist\"}"};
    return {200, it->second};
  }

  static void merge(json::Document& into, const json::Value& from) {
    for (const auto& m : from.GetObject()) {
      json::Value value(m.value, into.GetAllocator());
      set_member(into, m.name.GetString(), std::move(value));
    }
  }

  // ---- Buildium-like ----
  Answer buildium_create(const std::string& body) {
    json::Document d;
    d.Parse(body.c_str());
    if (d.HasParseError() || !d.IsObject()) return {400, R"({"UserMessage":"The request body is not valid JSON."})"};
    std::string missing;
    for (const char* required : {"FirstName", "LastName", "LeaseId"})
      if (!d.HasMember(required)) missing += (missing.empty() ? "" : ", ") + std::string(required);
    if (!missing.empty()) return {400, "{\"UserMessage\":\"Validation failed: " + missing + " required\"}"};
    Pms& pms = pms_["buildium"];
    long id = pms.next_id++;
    set_member(d, "Id", json::Value(static_cast<int64_t>(id)));
    set_member(d, "Status", json::Value("Active"));
    pms.tenants[id] = text(d);
    return {201, pms.tenants[id]};
  }

  Answer buildium_update(long id, const std::string& body) {
    json::Document change;
    change.Parse(body.c_str());
    if (change.HasParseError() || !change.IsObject()) return {400, R"({"UserMessage":"The request body is not valid JSON."})"};
    Pms& pms = pms_["buildium"];
    auto it = pms.tenants.find(id);
    if (it == pms.tenants.end()) return {404, "{\"UserMessage\":\"tenant " + std::to_string(id) + " does not exist\"}"};
    json::Document record;
    record.Parse(it->second.c_str());
    if (record.HasMember("Status") && record["Status"] == "Past")
      return {409, R"({"UserMessage":"resident already moved to another lease"})"};
    merge(record, change);
    it->second = text(record);
    return {200, it->second};
  }

  Answer buildium_note(long tenant, const std::string& body) {
    json::Document d;
    d.Parse(body.c_str());
    if (d.HasParseError() || !d.IsObject()) return {400, R"({"UserMessage":"The request body is not valid JSON."})"};
    if (!pms_["buildium"].tenants.count(tenant))
      return {404, "{\"UserMessage\":\"tenant " + std::to_string(tenant) + " does not exist\"}"};
    if (!d.HasMember("Note") || !d["Note"].IsString() || d["Note"].GetStringLength() == 0)
      return {400, R"({"UserMessage":"Validation failed: Note required"})"};
    auto& notes = notes_[tenant];
    std::string note = "{\"Id\":" + std::to_string(next_note_id_++) + ",\"TenantId\":" + std::to_string(tenant) +
                       ",\"Note\":" + text(d["Note"]) + "}";
    notes.push_back(note);
    return {201, note};
  }

  // ---- Rent-Manager-like ----
  Answer rent_manager_save(const std::string& body) {
    json::Document d;
    d.Parse(body.c_str());
    if (d.HasParseError() || !d.IsArray()) return {400, R"({"Message":"Expected a list of tenants."})"};
    Pms& pms = pms_["rentmanager"];
    // Validate every tenant before saving any: a save is all or nothing.
    for (const auto& t : d.GetArray()) {
      if (!t.IsObject()) return {400, R"({"Message":"Expected a list of tenants."})"};
      if (t.HasMember("RentDueDay") && (!t["RentDueDay"].IsInt() || t["RentDueDay"].GetInt() < 1 || t["RentDueDay"].GetInt() > 31))
        return {400, R"({"Message":"RentDueDay must be between 1 and 31."})"};
      if (t.HasMember("TenantID")) {
        if (!t["TenantID"].IsString() && !t["TenantID"].IsInt64())
          return {400, R"({"Message":"TenantID must be a number."})"};
        long id = t["TenantID"].IsString() ? std::stol(t["TenantID"].GetString()) : static_cast<long>(t["TenantID"].GetInt64());
        if (!pms.tenants.count(id)) return {404, "{\"Message\":\"Tenant " + std::to_string(id) + " does not exist.\"}"};
      } else if (!t.HasMember("LastName") || !t.HasMember("PropertyID")) {
        return {400, R"({"Message":"A new tenant needs a LastName and a PropertyID."})"};
      }
    }
    std::string out = "[";
    for (const auto& t : d.GetArray()) {
      long id;
      json::Document record;
      if (t.HasMember("TenantID")) {
        id = t["TenantID"].IsString() ? std::stol(t["TenantID"].GetString()) : static_cast<long>(t["TenantID"].GetInt64());
        record.Parse(pms.tenants[id].c_str());
      } else {
        id = pms.next_id++;
        record.SetObject();
      }
      merge(record, t);
      set_member(record, "TenantID", json::Value(static_cast<int64_t>(id)));
      pms.tenants[id] = text(record);
      out += (out.size() > 1 ? "," : "") + pms.tenants[id];
    }
    return {200, out + "]"};
  }

  std::mutex mutex_;
  std::map<std::string, Pms> pms_;
  std::deque<Fault> faults_;
  Fault latency_;  // every write's delay (its path and delay_ms only): POST /_sim/latency
  std::map<std::string, Answer> answers_;  // by Idempotency-Key
  std::map<std::string, int> applied_by_key_;
  std::set<std::string> in_flight_;
  std::map<long, std::vector<std::string>> notes_;  // Buildium tenant notes, by tenant
  long next_note_id_ = 1;
  std::uint64_t requests_ = 0, applied_ = 0, replayed_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--listen" && i + 1 < argc) {
      listen = argv[++i];
    } else {
      std::cerr << "usage: gatehouse-pms-simulator [--listen HOST:PORT]\n";
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "gatehouse-pms-simulator: --listen takes HOST:PORT\n";
    return 2;
  }
  std::string host = listen.substr(0, colon);
  int port = std::stoi(listen.substr(colon + 1));

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Simulator simulator;
  httplib::Server server;
  simulator.routes(server);
  int listening_socket = -1;  // httplib's backlog is 5: widened once bound (see gatehouse serve)
  server.set_socket_options([&](int sock) {
    listening_socket = sock;
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    // Accepted connections inherit this: without it, an answer written as headers then body
    // waits for the client's delayed ACK (Nagle), 40 ms per request on a kept-alive connection.
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  });
  int bound = port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    std::cerr << "gatehouse-pms-simulator: cannot listen on " << listen << '\n';
    return 1;
  }
  if (listening_socket >= 0) ::listen(listening_socket, SOMAXCONN);
  std::thread stopper([&] {
    int s = 0;
    sigwait(&signals, &s);
    server.stop();
  });
  std::cout << "listening on " << host << ":" << bound << std::endl;
  server.listen_after_bind();
  stopper.join();
  return 0;
}
