#include "gatehouse/rules_loader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace gatehouse {

namespace fs = std::filesystem;

std::optional<SourceSet> load_rules_directory(const fs::path& dir, std::string& error) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    error = "rules directory '" + dir.string() + "' does not exist or is not a directory";
    return std::nullopt;
  }
  std::vector<fs::path> paths;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".rules") paths.push_back(it->path());
  }
  if (ec) {
    error = "cannot read rules directory '" + dir.string() + "': " + ec.message();
    return std::nullopt;
  }
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) {
    error = "no .rules files under '" + dir.string() + "'";
    return std::nullopt;
  }
  SourceSet sources;
  for (const auto& p : paths) {
    auto size = fs::file_size(p, ec);
    if (!ec && size > max_rules_file_bytes) {
      error = "'" + p.string() + "' is " + std::to_string(size) + " bytes; a rules file may have at most " +
              std::to_string(max_rules_file_bytes) + " (16 MiB)";
      return std::nullopt;
    }
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      error = "cannot open '" + p.string() + "'";
      return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    sources.add(fs::relative(p, dir).generic_string(), text.str());
  }
  return sources;
}

Compilation compile_directory(const fs::path& dir) {
  std::string error;
  auto sources = load_rules_directory(dir, error);
  if (!sources) {
    Compilation c;
    c.diagnostics.error(SourceRef{}, error);
    return c;
  }
  return compile(std::move(*sources));
}

}  // namespace gatehouse
