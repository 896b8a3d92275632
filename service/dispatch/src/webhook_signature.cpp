#include "gatehouse/dispatch/webhook_signature.hpp"

#include "gatehouse/digest.hpp"

namespace gatehouse::service {

std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds, std::string_view delivery_id,
                              std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string signed_text;
  signed_text.reserve(t.size() + delivery_id.size() + body.size() + 2);
  signed_text.append(t).append(1, '.').append(delivery_id).append(1, '.').append(body);
  return "t=" + t + ",v1=" + hmac_sha256_hex(secret, signed_text);
}

}  // namespace gatehouse::service
