#pragma once
// The write service, running: the configuration read, the store opened and seeded, the rules and
// their connectors checked, then the HTTP server and the dispatcher until SIGINT or SIGTERM
// (SIGHUP reloads the rules, kept if the new ones do not compile). On start, jobs a crash left
// running are queued again. What `gatehouse serve --config FILE` runs.
#include <filesystem>

namespace gatehouse::service {

/// Serves until stopped. Returns 0, or 2 when the configuration, the store, the rules or the
/// connectors are not usable (the reason on stderr). Prints "listening on HOST:PORT (...)" once
/// it listens.
int run_service(const std::filesystem::path& config_file, const std::filesystem::path& default_rules);

}  // namespace gatehouse::service
