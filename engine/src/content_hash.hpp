#pragma once
#include <string>

#include "gatehouse/grammar/source.hpp"

namespace gatehouse {

/// 16 hex digits identifying the rules: FNV-1a (64-bit) over every file's name and bytes.
/// A version tag, not a security measure.
std::string content_hash(const SourceSet& sources);

}  // namespace gatehouse
