// Fuzz target: random requests into the write service's handling, no network. The input is a
// request in a small text form: "METHOD PATH?QUERY\n", header lines "name: value\n", a blank
// line, then the body. Every answer must be an HTTP status with a JSON body of the one error
// shape (or a success), and nothing may crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "gatehouse/rules_loader.hpp"
#include "gatehouse/store/sqlite_store.hpp"
#include "gatehouse/service/write_service.hpp"

namespace {

struct Fixture {
  Fixture() : store(":memory:") {
    auto c = gatehouse::compile_directory(std::filesystem::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules");
    if (!c.ok()) std::abort();
    engine = std::make_unique<gatehouse::Engine>(c.program);
    store.put_customer("acme", "key-acme").value();
    store.put_customer("globex", "key-globex").value();
    store.put_integration({"int-rm", "acme", "RENTMANAGER", "http://127.0.0.1:1"}).value();
    store.put_integration({"int-bd", "acme", "BUILDIUM", "http://127.0.0.1:1"}).value();
    res_rm = store.put_record({"residents", "res-rm", "int-rm", R"({"last_name":"Lee"})", "2026-11-28T09:00:00.000Z"}).value();
    res_bd = store.put_record({"residents", "res-bd", "int-bd", R"({"last_name":"Lee"})", "2026-11-28T09:00:00.000Z"}).value();
    service = std::make_unique<gatehouse::service::WriteService>(
        *engine, store, gatehouse::Limits{}, [] { return std::string("2026-11-28T10:00:00.000Z"); });
  }
  gatehouse::store::SqliteStore store;
  std::string res_rm, res_bd;  // gatehouse's ids of the two records (minted: random per run)
  std::unique_ptr<gatehouse::Engine> engine;
  std::unique_ptr<gatehouse::service::WriteService> service;
};

std::string next_line(std::string_view& in) {
  auto end = in.find('\n');
  std::string line(in.substr(0, end));
  in.remove_prefix(end == std::string_view::npos ? in.size() : end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  gatehouse::service::HttpRequest request;
  std::string first = next_line(in);
  auto space = first.find(' ');
  request.method = first.substr(0, space);
  std::string target = space == std::string::npos ? "" : first.substr(space + 1);
  auto question = target.find('?');
  request.path = target.substr(0, question);
  // The corpus names the records by their PMS ids; their gatehouse ids are new in every run, so
  // a path segment that is one of those stands for the record's id (else no input reaches a write).
  for (const auto& [native, id] : {std::pair{std::string("/res-rm"), fixture.res_rm}, {std::string("/res-bd"), fixture.res_bd}})
    if (request.path.size() >= native.size() && request.path.compare(request.path.size() - native.size(), native.size(), native) == 0)
      request.path.replace(request.path.size() - native.size(), native.size(), "/" + id);
  if (question != std::string::npos) {
    std::string query = target.substr(question + 1);
    for (std::size_t at = 0; at <= query.size();) {
      auto amp = query.find('&', at);
      std::string pair = query.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
      auto eq = pair.find('=');
      request.query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
      if (amp == std::string::npos) break;
      at = amp + 1;
    }
  }
  for (std::string line = next_line(in); !line.empty(); line = next_line(in)) {
    auto colon = line.find(": ");
    if (colon == std::string::npos) break;
    request.headers[line.substr(0, colon)] = line.substr(colon + 2);
  }
  request.body = std::string(in);
  gatehouse::service::HttpResponse response = fixture.service->handle(request);
  if (response.status < 200 || response.status > 599) std::abort();
  if (response.status >= 400 && response.body.rfind("{\"error\":{\"status\":", 0) != 0) std::abort();
  return 0;
}
