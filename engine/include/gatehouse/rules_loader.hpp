#pragma once
// Reading rules from disk.
#include <filesystem>
#include <optional>
#include <string>

#include "gatehouse/compiler.hpp"
#include "gatehouse/grammar/source.hpp"

namespace gatehouse {

/// Every `*.rules` file under `dir`, recursively, ordered by path; each named by its path
/// relative to `dir` (e.g. "pms/rent_manager.rules"). On failure returns nullopt and sets `error`.
std::optional<SourceSet> load_rules_directory(const std::filesystem::path& dir, std::string& error);

/// load_rules_directory + compile. A directory that cannot be read is reported as a diagnostic
/// without position.
Compilation compile_directory(const std::filesystem::path& dir);

}  // namespace gatehouse
