#pragma once
// Reading rules from disk.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "gatehouse/compiler.hpp"
#include "gatehouse/grammar/source.hpp"

namespace gatehouse {

/// The largest rules file read (16 MiB): hundreds of times the bundled rules, and a bound on
/// what a stray or hostile file can make the compiler hold.
inline constexpr std::uintmax_t max_rules_file_bytes = 16u << 20;

/// Every `*.rules` file under `dir`, recursively, ordered by path; each named by its path
/// relative to `dir` (e.g. "pms/rentmanager.rules"). On failure (including a file larger than
/// max_rules_file_bytes) returns nullopt and sets `error`.
std::optional<SourceSet> load_rules_directory(const std::filesystem::path& dir, std::string& error);

/// load_rules_directory + compile. A directory that cannot be read is reported as a diagnostic
/// without position.
Compilation compile_directory(const std::filesystem::path& dir);

}  // namespace gatehouse
