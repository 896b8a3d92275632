#pragma once
// The service's one timestamp format: RFC 3339 UTC with milliseconds, `2026-11-28T12:00:00.250Z`.
// The store compares times as strings (due jobs, the last job to finish), so every time it keeps
// must be written here, in this one fixed-width format.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::service {

/// `at` as RFC 3339 UTC with milliseconds.
std::string utc_time(std::chrono::system_clock::time_point at);

/// The system clock now, as utc_time writes it.
std::string utc_now();

/// The instant `text` names: RFC 3339 UTC as utc_time writes it, or with whole seconds only
/// (`2026-11-28T12:00:00Z`, as tests write their clocks); nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_utc_time(std::string_view text);

}  // namespace gatehouse::service
