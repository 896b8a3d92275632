#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse {

/// The candidate closest to `name` by edit distance, if close enough to be a likely typo
/// (distance at most a third of the name's length, and at least 1); "" otherwise.
std::string closest_match(std::string_view name, const std::vector<std::string>& candidates);

/// "; did you mean 'x'?" or "".
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace gatehouse
