// gatehouse::store from the installed package: a SQLite store keeps a customer's key.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "gatehouse/store/sqlite_store.hpp"

int main() {
  std::string file = "/tmp/gatehouse_store_consumer_" + std::to_string(::getpid()) + ".db";
  bool found = false;
  {
    gatehouse::store::SqliteStore store(file);
    store.put_customer("acme", "key-acme-0123456789abcdef");
    found = store.customer_for_key("key-acme-0123456789abcdef") == std::optional<std::string>("acme");
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((file + suffix).c_str());
  std::cout << (found ? "store: ok" : "store: the key was not found") << '\n';
  return found ? 0 : 1;
}
