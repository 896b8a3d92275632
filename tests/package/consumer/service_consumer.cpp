// gatehouse::service from the installed package: the unified API's request handling, without a
// transport, answers its health check over the installed rules.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "gatehouse/rules_loader.hpp"
#include "gatehouse/service/write_service.hpp"
#include "gatehouse/store/sqlite_store.hpp"

int main() {
  gatehouse::Compilation rules = gatehouse::compile_directory(RULES_DIR);
  if (!rules.ok()) return std::cerr << rules.render_diagnostics(), 2;
  gatehouse::Engine engine(rules.program);
  std::string file = "/tmp/gatehouse_service_consumer_" + std::to_string(::getpid()) + ".db";
  int status = 0;
  {
    gatehouse::store::SqliteStore store(file);
    gatehouse::service::WriteService service(engine, store);
    gatehouse::service::HttpRequest request;
    request.method = "GET";
    request.path = "/healthz";
    status = service.handle(request).status;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((file + suffix).c_str());
  std::cout << "service: /healthz answered " << status << '\n';
  return status == 200 ? 0 : 1;
}
