#include "gatehouse/service/idempotency_key.hpp"

#include <stdexcept>

#include "gatehouse/digest.hpp"
#include "gatehouse/store/clock.hpp"

namespace gatehouse::service {

std::optional<std::string> idempotency_key_problem(std::string_view key) {
  if (key.empty()) return "the Idempotency-Key is empty; send 1 to 255 printable ASCII characters";
  if (key.size() > idempotency_key_max_length)
    return "the Idempotency-Key has " + std::to_string(key.size()) + " characters; the most is " +
           std::to_string(idempotency_key_max_length);
  for (std::size_t i = 0; i < key.size(); ++i) {
    auto byte = static_cast<unsigned char>(key[i]);
    if (byte < 0x20 || byte > 0x7e)
      return "the Idempotency-Key has a character that is not printable ASCII at offset " + std::to_string(i);
  }
  return std::nullopt;
}

std::string write_fingerprint(std::string_view method, std::string_view path, bool ignore_unknown_fields,
                              std::string_view body) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  std::string text = "gatehouse write v1\n";
  for (std::string_view part : {method, path, std::string_view(ignore_unknown_fields ? "strip" : "no-strip"), body}) {
    text += std::to_string(part.size());
    text += ':';
    text += part;
    text += '\n';
  }
  return sha256_hex(text);
}

std::string idempotency_keys_live_since(std::string_view now) {
  auto at = parse_utc_time(now);
  if (!at) throw std::invalid_argument("the clock gave '" + std::string(now) + "', not an RFC 3339 UTC time");
  return utc_time(*at - idempotency_key_lifetime);
}

}  // namespace gatehouse::service
