// Connectors: generic payloads become native requests and native records generic ones; the
// bundled connectors map every field their PMS's rules offer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gatehouse/dispatch/connector.hpp"
#include "gatehouse/rules_loader.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;

const fs::path rules_dir = fs::path(GATEHOUSE_SOURCE_DIR) / "tests" / "fixtures" / "rules";

const Connector& bundled(const std::string& pms) {
  static const auto connectors = load_connectors(rules_dir);
  return connectors.at(pms);
}

TEST(Connector, BundledConnectorsMapEveryFieldTheirRulesOffer) {
  Compilation c = compile_directory(rules_dir);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  auto connectors = load_connectors(rules_dir);
  EXPECT_EQ(connectors.size(), 2u);
  for (const auto& [pms, connector] : connectors) {
    auto problems = check_connector(*c.program, connector);
    EXPECT_TRUE(problems.empty()) << pms << ": " << (problems.empty() ? "" : problems.front());
  }
}

// The product rules' connectors (the demo carries writes with them) map every field those rules
// offer too, integration_id aside.
TEST(Connector, TheProductRulesConnectorsMapEveryFieldTheirRulesOffer) {
  const fs::path product = fs::path(GATEHOUSE_SOURCE_DIR) / "rules";
  Compilation c = compile_directory(product);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  auto connectors = load_connectors(product);
  EXPECT_EQ(connectors.size(), 2u);
  for (const auto& [pms, connector] : connectors) {
    auto problems = check_connector(*c.program, connector);
    EXPECT_TRUE(problems.empty()) << pms << ": " << (problems.empty() ? "" : problems.front());
  }
}

TEST(Connector, AFieldTheRulesOfferButTheConnectorMissesIsReported) {
  fs::path dir = fs::temp_directory_path() / ("gatehouse_connector_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "x.connector.yaml")
      << "pms: BUILDIUM\nmodels:\n  residents:\n    id: Id\n    update: {path: '/t/{id}'}\n"
         "    fields: {first_name: FirstName}\n  leases:\n    id: Id\n    update: {path: '/l/{id}'}\n";
  Compilation c = compile_directory(rules_dir);
  auto connectors = load_connectors(dir);
  auto problems = check_connector(*c.program, connectors.at("BUILDIUM"));
  fs::remove_all(dir);
  auto has = [&](const std::string& text) {
    for (const auto& p : problems)
      if (p.find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("residents update offers 'last_name', which the connector does not map"));
  EXPECT_FALSE(has("'first_name'"));
  EXPECT_TRUE(has("routes leases update, which Buildium does not offer"));
}

TEST(Connector, BuildiumNestsAddressesAndPhonesAndPutsTheIdInThePath) {
  NativeRequest r = bundled("BUILDIUM").write_request(
      "residents", "update", "1001",
      R"({"first_name":"Ann","phone_1":"+15555550100","phone_1_type":"mobile","address_1":"1 Main St","zip":"02139"})");
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.path, "/v1/leases/tenants/1001");
  EXPECT_EQ(r.body,
            R"({"FirstName":"Ann","PhoneNumbers":[{"Number":"+15555550100","Type":"mobile"}],)"
            R"("PrimaryAddress":{"AddressLine1":"1 Main St","PostalCode":"02139"}})");
}

TEST(Connector, FieldsThePmsKeepsApartFanOutIntoCallsOfTheirOwn) {
  const Connector& c = bundled("BUILDIUM");
  auto calls = c.calls("residents", R"({"first_name":"Ann","notes":"call first","last_name":"Lee"})");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], R"({"first_name":"Ann","last_name":"Lee"})");
  EXPECT_EQ(calls[1], R"({"notes":"call first"})");
  NativeRequest note = c.write_request("residents", "update", "1001", calls[1]);
  EXPECT_EQ(note.method, "POST");
  EXPECT_EQ(note.path, "/v1/leases/tenants/1001/notes");
  EXPECT_EQ(note.body, R"({"Note":"call first"})");
  EXPECT_EQ(c.calls("residents", R"({"notes":"only"})").size(), 1u) << "nothing else to send: one call";
  EXPECT_THROW(c.write_request("residents", "update", "1", R"({"first_name":"A","notes":"n"})"), std::runtime_error)
      << "a separate field never rides along in the record's own call";
}

TEST(Connector, RentManagerSavesAListAndCarriesTheIdInTheBody) {
  NativeRequest r = bundled("RENTMANAGER").write_request("residents", "update", "5001",
                                                          R"({"last_name":"Park","rent_due_day":3})");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/Tenants");
  EXPECT_EQ(r.body, R"([{"LastName":"Park","RentDueDay":3,"TenantID":"5001"}])");
}

// Connectors route create and update (and reads); a named operation has no route, so the
// service refuses it (501) instead of queueing a job that could only fail.
TEST(Connector, NamedOperationsHaveNoRoute) {
  const ModelConnector* residents = bundled("RENTMANAGER").model("residents");
  ASSERT_NE(residents, nullptr);
  EXPECT_TRUE(residents->route("create").has_value());
  EXPECT_TRUE(residents->route("list").has_value());
  for (const char* op : {"cancel", "assign", "batch_create", "upload_file", "create_note", "update_custom_data"})
    EXPECT_FALSE(residents->route(op).has_value()) << op;
}

TEST(Connector, NativeRecordsComeBackAsGenericOnes) {
  const Connector& c = bundled("BUILDIUM");
  auto records = c.generic_records(
      "residents", R"([{"Id":1001,"FirstName":"Ann","PrimaryAddress":{"City":"Boston"},"Status":"Active"},)"
                   R"({"FirstName":"no id"},{"Id":"1002"}])");
  ASSERT_EQ(records.size(), 2u) << "the record without an id is left out";
  EXPECT_EQ(records[0].first, "1001");
  EXPECT_EQ(records[0].second, R"({"id":"1001","first_name":"Ann","city":"Boston"})")
      << "fields the connector does not map (Status) are not part of the generic record";
  EXPECT_EQ(records[1].first, "1002");
  EXPECT_EQ(c.generic_records("residents", R"({"Id":7,"FirstName":"One"})").size(), 1u)
      << "an answer that is one record, not a list";
  EXPECT_TRUE(c.generic_records("no_such_model", R"([{"Id":1}])").empty());
  EXPECT_THROW(c.generic_records("residents", "<html>"), std::runtime_error);
  auto one = c.to_generic("residents", R"({"Id":1001,"FirstName":"Ann"})");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->second, R"({"id":"1001","first_name":"Ann"})");
  EXPECT_FALSE(c.to_generic("residents", R"({"FirstName":"no id"})"));
}

TEST(Connector, ThePmsOwnErrorMessageIsRead) {
  EXPECT_EQ(bundled("BUILDIUM").error_message(R"({"UserMessage":"resident already moved to another lease"})"),
            "resident already moved to another lease");
  EXPECT_EQ(bundled("RENTMANAGER").error_message("plain text"), "plain text");
  // Stored and shown as text: bytes that are not UTF-8, and a cut inside a character, become \xhh.
  EXPECT_EQ(bundled("BUILDIUM").error_message("{\"UserMessage\":\"bad \xc3(\"}"), "bad \\xc3(");
  EXPECT_EQ(bundled("RENTMANAGER").error_message(std::string(499, 'x') + "\xc3\xa9"), std::string(499, 'x') + "\\xc3");
}

TEST(Connector, AFieldWithoutAMappingIsAClearError) {
  try {
    bundled("BUILDIUM").write_request("residents", "update", "1", R"({"shoe_size":9})");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("maps no native field for 'shoe_size' of residents"), std::string::npos) << e.what();
  }
}

TEST(Connector, ABadFileNamesItselfAndTheProblem) {
  fs::path file = fs::temp_directory_path() / ("gatehouse_bad_" + std::to_string(::getpid()) + ".connector.yaml");
  std::ofstream(file) << "pms: X\nmodels:\n  residents:\n    id: Id\n    update: {method: DELETE, path: /t}\n";
  try {
    Connector::load(file);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), file.string() + ": models.residents.update: unknown method 'DELETE'");
  }
  fs::remove(file);
}

}  // namespace
}  // namespace gatehouse::service

namespace gatehouse::service {
namespace {

// The unified API's create bodies carry integration_id (the rules may require it): it says
// where the write goes, so a connector neither maps it nor sends it to the PMS.
TEST(Connector, TheIntegrationIdIsRoutingNotAPmsField) {
  const Connector& c = bundled("BUILDIUM");
  NativeRequest r = c.write_request("residents", "create", "", R"({"integration_id":"int-bd","first_name":"Di","lease_id":"77"})");
  EXPECT_EQ(r.body.find("int-bd"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("FirstName":"Di")"), std::string::npos) << r.body;
  EXPECT_TRUE(is_routing_field("integration_id"));
  EXPECT_FALSE(is_routing_field("lease_id"));
}

}  // namespace
}  // namespace gatehouse::service
