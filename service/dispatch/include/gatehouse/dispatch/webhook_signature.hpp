#pragma once
// How a webhook delivery is signed, so that a receiver can tell it came from this service, whole
// and recent (docs/webhooks.md shows a receiver that checks it):
//
//   X-Gatehouse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<delivery id>.<body>">
//   X-Gatehouse-Delivery:  <delivery id>
//
// The timestamp and the delivery id are under the HMAC: a captured delivery replayed later (the
// receiver refuses one older than five minutes) or under another delivery id no longer verifies.
#include <cstdint>
#include <string>
#include <string_view>

namespace gatehouse::service {

/// The X-Gatehouse-Signature value for `body` delivered as `delivery_id` at `unix_seconds`.
std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds, std::string_view delivery_id,
                              std::string_view body);

/// The fewest characters a webhook secret may have (the peer API refuses shorter ones too).
inline constexpr std::size_t min_webhook_secret_length = 10;

}  // namespace gatehouse::service
