#pragma once
// SHA-256 digests as lowercase hex: API keys are stored and looked up as sha256_hex, webhook
// bodies are signed with hmac_sha256_hex. Both throw std::runtime_error if OpenSSL fails.
#include <string>
#include <string_view>

namespace gatehouse {

/// SHA-256 of `data`, as 64 hex digits.
std::string sha256_hex(std::string_view data);

/// HMAC-SHA256 of `body` under `key`, as 64 hex digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view body);

}  // namespace gatehouse
