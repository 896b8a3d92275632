// Webhook signatures: what gatehouse sends verifies with the receiver that docs/webhooks.md shows
// (its Python block is run here, as written), and a replay, an altered body, another delivery id
// or an old timestamp does not; the receiver reads a delivery's event from its signed body; a
// configuration with a short webhook secret is refused at start.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gatehouse/dispatch/webhook_event.hpp"
#include "gatehouse/dispatch/webhook_signature.hpp"
#include "serve_config.hpp"

namespace gatehouse::service {
namespace {

namespace fs = std::filesystem;

/// The receiver's code block of docs/webhooks.md.
std::string receiver_code() {
  std::ifstream in(fs::path(GATEHOUSE_SOURCE_DIR) / "docs" / "webhooks.md");
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  const std::string open = "```python webhook-receiver\n";
  auto from = doc.find(open);
  if (from == std::string::npos) return "";
  from += open.size();
  return doc.substr(from, doc.find("```", from) - from);
}

/// Runs the docs' verify() on one delivery in python3; "True" or "False" (or an error).
std::string python_verify(const std::string& secret, const std::string& header, const std::string& delivery,
                          const std::string& body, long long now) {
  fs::path script = fs::temp_directory_path() / ("gatehouse_receiver_" + std::to_string(::getpid()) + ".py");
  std::ofstream(script) << receiver_code() << "\nimport sys\nprint(verify(sys.argv[1], sys.argv[2], sys.argv[3], "
                                               "sys.argv[4].encode(), float(sys.argv[5])))\n";
  auto quote = [](const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  };
  std::string command = "python3 " + script.string() + " " + quote(secret) + " " + quote(header) + " " +
                        quote(delivery) + " " + quote(body) + " " + std::to_string(now) + " 2>&1";
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    std::array<char, 256> buffer{};
    while (fgets(buffer.data(), buffer.size(), p)) out += buffer.data();
    pclose(p);
  }
  fs::remove(script);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

/// Runs the docs' event() on a delivery's body and X-Gatehouse-Event header in python3: the event,
/// or "ValueError" (or an error).
std::string python_event(const std::string& body, const std::string& header) {
  fs::path script = fs::temp_directory_path() / ("gatehouse_receiver_event_" + std::to_string(::getpid()) + ".py");
  std::ofstream(script) << receiver_code()
                        << "\nimport sys\ntry:\n    print(event(sys.argv[1].encode(), sys.argv[2]))\n"
                           "except ValueError:\n    print('ValueError')\n";
  auto quote = [](const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  };
  std::string out;
  if (FILE* p = popen(("python3 " + script.string() + " " + quote(body) + " " + quote(header) + " 2>&1").c_str(), "r")) {
    std::array<char, 256> buffer{};
    while (fgets(buffer.data(), buffer.size(), p)) out += buffer.data();
    pclose(p);
  }
  fs::remove(script);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(WebhookSignature, TheDocumentedReceiverVerifiesWhatIsSentAndNothingElse) {
  ASSERT_FALSE(receiver_code().empty()) << "docs/webhooks.md has no ```python webhook-receiver block";
  const std::string secret = "hook-secret-0123";
  const std::string body = R"({"write_status":"SUCCESS","job_id":"j1"})";
  const long long t = 1767225600;  // 2026-01-01T00:00:00Z
  const std::string header = webhook_signature(secret, t, "d1", body);
  EXPECT_EQ(header.substr(0, 13), "t=1767225600,");
  EXPECT_EQ(python_verify(secret, header, "d1", body, t + 10), "True");
  EXPECT_EQ(python_verify(secret, header, "d1", body + " ", t + 10), "False") << "an altered body";
  EXPECT_EQ(python_verify(secret, header, "d2", body, t + 10), "False") << "another delivery's id";
  EXPECT_EQ(python_verify("another-secret", header, "d1", body, t + 10), "False") << "another secret";
  EXPECT_EQ(python_verify(secret, header, "d1", body, t + 301), "False") << "a replay after five minutes";
  EXPECT_EQ(python_verify(secret, "sha256=00", "d1", body, t), "False") << "the old body-only form";
}

TEST(WebhookSignature, TheDocumentedReceiverReadsTheEventFromTheSignedBody) {
  store::WriteStatus status;
  status.job_id = "j1";
  status.state = store::WriteState::partial_success;
  status.errors = {"bad phone"};
  status.submitted_at = "2026-11-28T10:00:00Z";
  status.finished_at = "2026-11-28T10:00:01Z";
  status.rules_version = "v1";
  // What the dispatcher sends for a part failure: its body, signed, and its event header.
  const auto trigger = store::webhook_trigger_of(status.state);
  ASSERT_TRUE(trigger);
  const std::string body = webhook_event_body(status, *trigger);
  const std::string header = std::string(store::webhook_trigger_name(*trigger));
  const std::string secret = "hook-secret-0123";
  const long long t = 1767225600;
  EXPECT_EQ(python_verify(secret, webhook_signature(secret, t, "d1", body), "d1", body, t + 1), "True");
  EXPECT_EQ(python_event(body, header), "WRITE_OPERATION_FAILURE");
  EXPECT_EQ(python_event(body, "WRITE_OPERATION_SUCCESS"), "ValueError") << "a header changed in transit";
}

TEST(WebhookSignature, TheTimestampAndTheIdAreSigned) {
  EXPECT_NE(webhook_signature("hook-secret-0123", 1, "d1", "{}"), webhook_signature("hook-secret-0123", 2, "d1", "{}"));
  EXPECT_NE(webhook_signature("hook-secret-0123", 1, "d1", "{}").substr(4),
            webhook_signature("hook-secret-0123", 1, "d2", "{}").substr(4));
}

TEST(WebhookSignature, AShortSecretIsRefusedAtStart) {
  fs::path dir = fs::temp_directory_path() / ("gatehouse_short_secret_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "config.yaml") << "customers:\n"
                                        "  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38, webhook: {url: 'http://127.0.0.1:1/h', secret: s3cret}}\n";
  try {
    load_serve_config(dir / "config.yaml", dir);
    ADD_FAILURE() << "a 6-character webhook secret was taken";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("the secret of customer 'acme' has 6 characters; it needs at least 10"),
              std::string::npos)
        << e.what();
  }
  std::ofstream(dir / "config.yaml") << "customers:\n"
                                        "  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38, webhook: {url: 'http://127.0.0.1:1/h', secret: 0123456789}}\n";
  EXPECT_NO_THROW(load_serve_config(dir / "config.yaml", dir));
  fs::remove_all(dir);
}

TEST(KeyHygiene, AnAdminKeyThatIsAlsoACustomersKeyIsRefusedAtStart) {
  fs::path dir = fs::temp_directory_path() / ("gatehouse_admin_key_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "config.yaml") << "admin_api_key: shared-key-0123456789abcdef\n"
                                        "customers:\n  - {id: acme, api_key: shared-key-0123456789abcdef}\n";
  try {
    load_serve_config(dir / "config.yaml", dir);
    ADD_FAILURE() << "an admin key equal to a customer's was taken";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("also the API key of customer 'acme'"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(RateLimits, ThePeersDefaultUnlessTheConfigurationSaysOtherwise) {
  fs::path dir = fs::temp_directory_path() / ("gatehouse_rate_config_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "config.yaml") << "customers:\n  - {id: acme, api_key: key-acme-5b1f0c9e2d7a4f38}\n"
                                        "  - {id: big, api_key: key-big-7e3a9c1f5d2b8046, rate_limit_per_minute: 600}\n";
  ServeConfig c = load_serve_config(dir / "config.yaml", dir);
  EXPECT_EQ(c.rate_limit_per_minute, 150);
  EXPECT_EQ(c.customer_rate_limits.count("acme"), 0u);
  EXPECT_EQ(c.customer_rate_limits.at("big"), 600);
  std::ofstream(dir / "config.yaml") << "rate_limit_per_minute: -1\n";
  EXPECT_THROW(load_serve_config(dir / "config.yaml", dir), std::runtime_error);
  fs::remove_all(dir);
}

TEST(KeyHygiene, WeakKeysAreRefusedAtStart) {
  EXPECT_LT(estimated_key_bits("key-acme"), min_key_bits);
  EXPECT_LT(estimated_key_bits("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), min_key_bits) << "one character, repeated";
  EXPECT_GE(estimated_key_bits("gh_5cadb975df36f175e6d1237448528ad092251096"), min_key_bits);  // gatehouse keygen's
  fs::path dir = fs::temp_directory_path() / ("gatehouse_weak_key_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const std::string& config : {std::string("customers:\n  - {id: acme, api_key: key-acme}\n"),
                                    std::string("admin_api_key: admin\n")}) {
    std::ofstream(dir / "config.yaml") << config;
    try {
      load_serve_config(dir / "config.yaml", dir);
      ADD_FAILURE() << "a weak key was taken: " << config;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("too weak"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("gatehouse keygen"), std::string::npos) << e.what();
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gatehouse::service
