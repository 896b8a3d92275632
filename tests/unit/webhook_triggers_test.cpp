// Webhook triggers: the names and the rule by which a finished write fires one (a part failure
// is a failure), the body and header a delivery carries its event in, and the configuration key
// customers[].webhook.triggers (every trigger when absent; an unknown name or an empty list is
// refused at start, naming the key).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gatehouse/dispatch/webhook_event.hpp"
#include "gatehouse/store/webhook_trigger.hpp"
#include "serve_config.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;
using store::WebhookTrigger;
using store::WriteState;

TEST(WebhookTriggers, ThePeersNamesAndOurSuperset) {
  EXPECT_EQ(store::webhook_trigger_name(WebhookTrigger::write_operation_failure), "WRITE_OPERATION_FAILURE");
  EXPECT_EQ(store::webhook_trigger_name(WebhookTrigger::write_operation_success), "WRITE_OPERATION_SUCCESS");
  for (auto t : store::all_webhook_triggers) EXPECT_EQ(store::webhook_trigger_named(store::webhook_trigger_name(t)), t);
  EXPECT_FALSE(store::webhook_trigger_named("write_operation_failure")) << "names are exact, as the peer's";
  EXPECT_FALSE(store::webhook_trigger_named("WRITE_OPERATION_PARTIAL_SUCCESS"));
  EXPECT_FALSE(store::webhook_trigger_named(""));
}

TEST(WebhookTriggers, APartFailureIsAFailure) {
  EXPECT_EQ(store::webhook_trigger_of(WriteState::success), WebhookTrigger::write_operation_success);
  EXPECT_EQ(store::webhook_trigger_of(WriteState::failure), WebhookTrigger::write_operation_failure);
  EXPECT_EQ(store::webhook_trigger_of(WriteState::partial_success), WebhookTrigger::write_operation_failure);
  EXPECT_FALSE(store::webhook_trigger_of(WriteState::pending)) << "an unfinished write fires nothing";
}

TEST(WebhookTriggers, TheBodyIsTheWriteStatusWithItsEventFirst) {
  store::WriteStatus status;
  status.job_id = "j1";
  status.state = WriteState::partial_success;
  status.errors = {"bad phone"};
  status.submitted_at = "2026-11-28T10:00:00Z";
  status.finished_at = "2026-11-28T10:00:01Z";
  status.rules_version = "v1";
  const std::string body = webhook_event_body(status, WebhookTrigger::write_operation_failure);
  EXPECT_EQ(body, "{\"event\":\"WRITE_OPERATION_FAILURE\"," + store::to_json(status).substr(1));
  EXPECT_EQ(body.rfind("{\"event\":\"WRITE_OPERATION_FAILURE\",\"write_status\":\"PARTIAL_SUCCESS\",", 0), 0u) << body;
  EXPECT_EQ(webhook_event_header, "X-Gatehouse-Event");
}

class WebhookTriggersConfig : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("gatehouse_triggers_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }

  /// The configuration of one customer, acme, whose webhook has `more` after its url and secret.
  ServeConfig load(const std::string& more) {
    std::ofstream(dir / "config.yaml")
        << "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38, webhook: {url: 'http://127.0.0.1:1/h', "
           "secret: hook-secret-0123"
        << more << "}}\n";
    return load_serve_config(dir / "config.yaml", dir);
  }
  /// The error loading with `more` gives ("" when it loads).
  std::string error_of(const std::string& more) {
    try {
      load(more);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(WebhookTriggersConfig, AbsentMeansEveryTrigger) {
  ServeConfig c = load("");
  EXPECT_EQ(c.webhook_triggers.at("acme"),
            (std::vector<WebhookTrigger>{WebhookTrigger::write_operation_failure, WebhookTrigger::write_operation_success}));
}

TEST_F(WebhookTriggersConfig, ACustomerChoosesWhich) {
  EXPECT_EQ(load(", triggers: [WRITE_OPERATION_FAILURE]").webhook_triggers.at("acme"),
            std::vector<WebhookTrigger>{WebhookTrigger::write_operation_failure});
  EXPECT_EQ(load(", triggers: [WRITE_OPERATION_SUCCESS]").webhook_triggers.at("acme"),
            std::vector<WebhookTrigger>{WebhookTrigger::write_operation_success});
  EXPECT_EQ(load(", triggers: [WRITE_OPERATION_SUCCESS, WRITE_OPERATION_FAILURE]").webhook_triggers.at("acme").size(), 2u);
}

TEST_F(WebhookTriggersConfig, AnUnknownNameIsRefusedNamingTheKey) {
  std::string error = error_of(", triggers: [WRITE_OPERATION_FAILURE, WRITE_OPERATION_FAIL]");
  EXPECT_NE(error.find("customers.webhook.triggers of customer 'acme': unknown trigger 'WRITE_OPERATION_FAIL' "
                       "(known: WRITE_OPERATION_FAILURE, WRITE_OPERATION_SUCCESS)"),
            std::string::npos)
      << error;
  error = error_of(", triggers: [write_operation_failure]");
  EXPECT_NE(error.find("unknown trigger 'write_operation_failure'"), std::string::npos) << error;
}

TEST_F(WebhookTriggersConfig, AnEmptyListIsRefused) {
  std::string error = error_of(", triggers: []");
  EXPECT_NE(error.find("customers.webhook.triggers of customer 'acme' is empty"), std::string::npos) << error;
  EXPECT_NE(error.find("leave the webhook out"), std::string::npos) << error;
}

TEST_F(WebhookTriggersConfig, TriggersAreAList) {
  for (const std::string more : {", triggers: WRITE_OPERATION_FAILURE", ", triggers: ", ", triggers: {a: b}"}) {
    std::string error = error_of(more);
    EXPECT_NE(error.find("customers.webhook.triggers of customer 'acme': a list of triggers"), std::string::npos)
        << more << ": " << error;
  }
  std::string error = error_of(", triggers: [[WRITE_OPERATION_FAILURE]]");
  EXPECT_NE(error.find("unknown trigger '?'"), std::string::npos) << error;
}

TEST_F(WebhookTriggersConfig, AMisspeltKeyBesideThemIsStillRefused) {
  std::string error = error_of(", trigger: [WRITE_OPERATION_FAILURE]");
  EXPECT_NE(error.find("customers.webhook: unknown key 'trigger' (known: url, secret, triggers)"), std::string::npos)
      << error;
}

}  // namespace
}  // namespace gatehouse::service
