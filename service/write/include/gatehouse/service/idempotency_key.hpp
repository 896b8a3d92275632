#pragma once
// The `Idempotency-Key` a client sends with a write, as the service reads it: what a key may be,
// the fingerprint of the request it is sent with, and how long the store keeps it.
//
// A client whose connection dropped cannot know whether its write was taken. Sent again with the
// same key, the same write gets the first answer again (the same job_id) rather than a second
// job; the key sent with another request is refused (422), since answering it with the first
// one's job would tell the client a write it did not send was taken. The store keeps each key
// with its customer (store/idempotency.hpp); this file says what the service hands it.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::service {

/// How long a key holds its answer: a day, as the peer API keeps them. Past it the key is
/// forgotten (the same key is then a new write), and the store's row is purged.
inline constexpr std::chrono::hours idempotency_key_lifetime{24};

/// The most characters a key has (a UUID has 36; the peer API takes up to 255).
inline constexpr std::size_t idempotency_key_max_length = 255;

/// Why `key` is not an idempotency key, or nullopt when it is one: 1 to 255 characters, each
/// printable ASCII (space to `~`). Anything else is the client's mistake, never to be guessed at
/// (a key cut or recoded could match another write's).
std::optional<std::string> idempotency_key_problem(std::string_view key);

/// The SHA-256 (hex) of what decides a write and what it carries: the method, the path (with the
/// record id; a trailing slash taken off, since the route is the same with or without it),
/// whether `ignore_unknown_fields` is set, and the body's bytes as sent. The same request sent
/// again has the same fingerprint; any difference in these, a different one. Each part is
/// length-prefixed, so no two different requests spell the same text.
std::string write_fingerprint(std::string_view method, std::string_view path, bool ignore_unknown_fields,
                              std::string_view body);

/// The oldest time a key kept at `now` counts from: `now` less the lifetime, as the store writes
/// times (clock.hpp). Throws std::invalid_argument when `now` is not such a time.
std::string idempotency_keys_live_since(std::string_view now);

}  // namespace gatehouse::service
