// The configuration of the shared queue: the cap on a customer's unfinished jobs (a default and a
// customer's own; 0: none) and how long finished writes are kept (retention_days, fractions
// allowed; 0: for good), with a clear error for what cannot be meant.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "serve_config.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class QueueConfig : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("gatehouse_queue_config_" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }

  ServeConfig load(const std::string& yaml) {
    std::ofstream(dir / "config.yaml") << yaml;
    return load_serve_config(dir / "config.yaml", dir);
  }
  /// The message of the error `yaml` is refused with ("" when taken).
  std::string refusal(const std::string& yaml) {
    try {
      load(yaml);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(QueueConfig, TheDefaultsAreTenThousandQueuedJobsAndThirtyDays) {
  ServeConfig c = load("customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\n");
  EXPECT_EQ(c.max_queued_jobs_per_customer, 10000u);
  EXPECT_TRUE(c.customer_queue_caps.empty());
  EXPECT_EQ(c.dispatcher.retention, std::chrono::seconds(30 * 86400));
  EXPECT_EQ(c.dispatcher.retention_interval, 3600s);
}

TEST_F(QueueConfig, ACustomerMayHaveItsOwnCapAndRetentionMayBeAFractionOfADay) {
  ServeConfig c = load(
      "max_queued_jobs_per_customer: 500\nretention_days: 0.5\ndispatcher: {retention_interval_seconds: 60}\n"
      "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\n"
      "  - {id: big, api_key: key-big-7e3a9c1f5d2b8046, max_queued_jobs: 50000}\n"
      "  - {id: free, api_key: key-free-2c8e4a6f0b1d9357, max_queued_jobs: 0}\n");
  EXPECT_EQ(c.max_queued_jobs_per_customer, 500u);
  EXPECT_EQ(c.customer_queue_caps.count("acme"), 0u);
  EXPECT_EQ(c.customer_queue_caps.at("big"), 50000u);
  EXPECT_EQ(c.customer_queue_caps.at("free"), 0u) << "0: no cap for this customer";
  EXPECT_EQ(c.dispatcher.retention, 12h);
  EXPECT_EQ(c.dispatcher.retention_interval, 60s);
  EXPECT_EQ(load("retention_days: 0\n").dispatcher.retention, 0s) << "0: kept for good";
}

TEST_F(QueueConfig, WhatCannotBeMeantIsRefusedWithItsKey) {
  EXPECT_NE(refusal("max_queued_jobs_per_customer: -1\n").find("max_queued_jobs_per_customer must be 0 (no cap) or more"),
            std::string::npos);
  EXPECT_NE(refusal("customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38, max_queued_jobs: -5}\n")
                .find("customers.max_queued_jobs must be 0 (no cap) or more"),
            std::string::npos);
  EXPECT_NE(refusal("retention_days: -1\n").find("retention_days must be between 0"), std::string::npos);
  EXPECT_NE(refusal("retention_days: .nan\n").find("retention_days must be between 0"), std::string::npos);
  EXPECT_NE(refusal("retention_days: 0.000001\n").find("shorter than a second"), std::string::npos);
  EXPECT_NE(refusal("dispatcher: {retention_interval_seconds: 0}\n").find("retention_interval_seconds must be at least 1"),
            std::string::npos);
  EXPECT_NE(refusal("retention: 30\n").find("unknown key 'retention'"), std::string::npos) << "a misspelt key";
}

}  // namespace
}  // namespace gatehouse::service
