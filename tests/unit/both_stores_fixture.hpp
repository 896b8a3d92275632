#pragma once
// A suite of store tests run against both Store implementations: SQLite, on a file of each test's
// own, and PostgreSQL, on a schema of each test's own on the server the ctest fixture `postgres`
// starts (tests/postgres_fixture.sh). A suite derives from BothStoresTest and is instantiated with
// the parameters "sqlite" and "postgres".
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>

#include <libpq-fe.h>

#include "gatehouse/store/postgres_store.hpp"
#include "gatehouse/store/sqlite_store.hpp"

namespace gatehouse::store::testing {

class BothStoresTest : public ::testing::TestWithParam<std::string> {
 protected:
  /// `file_tag` and `schema_tag` keep one suite's files and schemas apart from another's (tests of
  /// two suites may share a name); a PostgreSQL store opens with `pool_size` connections and
  /// claims leased for `lease_seconds`.
  BothStoresTest(const std::string& file_tag, const std::string& schema_tag, int pool_size, int lease_seconds)
      : file(std::filesystem::temp_directory_path() /
             ("gatehouse_" + file_tag + "_" + std::regex_replace(name, std::regex("/"), "_") + ".db")),
        schema(schema_tag + std::regex_replace(name, std::regex("[^A-Za-z0-9_]"), "_")),
        pool_size_(pool_size),
        lease_seconds_(lease_seconds) {}

  void SetUp() override {
    if (GetParam() == "postgres") drop_schema();
  }
  void TearDown() override {
    if (GetParam() == "postgres") {
      drop_schema();
    } else {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
    }
  }

  /// A store over the test's data: a second call is the service restarting on the same data (or,
  /// for PostgreSQL, another instance beside it).
  std::unique_ptr<Store> open() {
    if (GetParam() == "sqlite") return std::make_unique<SqliteStore>(file.string());
    return std::make_unique<PostgresStore>(PostgresOptions{postgres_conninfo(), schema, pool_size_, lease_seconds_});
  }

  static std::string postgres_conninfo() {
    std::ifstream in(GATEHOUSE_TEST_POSTGRES_FILE);
    std::string conninfo;
    std::getline(in, conninfo);
    if (conninfo.empty()) throw std::runtime_error("no PostgreSQL for the tests: " GATEHOUSE_TEST_POSTGRES_FILE);
    return conninfo;
  }

  void drop_schema() {
    PGconn* c = PQconnectdb(postgres_conninfo().c_str());
    ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    PQclear(PQexec(c, "SET client_min_messages TO warning"));
    PQclear(PQexec(c, ("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE").c_str()));  // quoted, as the store names it
    PQfinish(c);
  }

  // Declared first: `file` and `schema` are made from it.
  std::string name = std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::filesystem::path file;
  std::string schema;

 private:
  int pool_size_;
  int lease_seconds_;
};

}  // namespace gatehouse::store::testing
