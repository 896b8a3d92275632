// gatehouse::store from the installed package: a SQLite store keeps a customer's key, and says so
// in Results (the store's errors are values).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "gatehouse/store/sqlite_store.hpp"

int main() {
  std::string file = "/tmp/gatehouse_store_consumer_" + std::to_string(::getpid()) + ".db";
  std::string problem;
  {
    gatehouse::store::SqliteStore store(file);
    auto put = store.put_customer("acme", "key-acme-0123456789abcdef");
    auto found = store.customer_for_key("key-acme-0123456789abcdef");
    if (!put) {
      problem = "the customer was not kept: " + put.error().message;
    } else if (!found) {
      problem = "the key could not be looked up: " + found.error().message;
    } else if (*found != std::optional<std::string>("acme")) {
      problem = "the key was not found";
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((file + suffix).c_str());
  std::cout << (problem.empty() ? "store: ok" : "store: " + problem) << '\n';
  return problem.empty() ? 0 : 1;
}
