#include "gatehouse/grammar/source.hpp"

namespace gatehouse {

std::uint32_t SourceSet::add(std::string name, std::string text) {
  files_.push_back(SourceFile{std::move(name), std::move(text)});
  return static_cast<std::uint32_t>(files_.size() - 1);
}

std::string SourceSet::location(const SourceRef& ref) const {
  if (!ref.valid() || ref.file >= files_.size()) return {};
  return files_[ref.file].name + ":" + std::to_string(ref.line) + ":" + std::to_string(ref.column);
}

std::string_view SourceSet::line_text(const SourceRef& ref) const {
  if (!ref.valid() || ref.file >= files_.size()) return {};
  std::string_view text = files_[ref.file].text;
  std::size_t offset = ref.offset <= text.size() ? ref.offset : text.size();
  std::size_t begin = 0;
  if (offset > 0) {
    std::size_t newline = text.rfind('\n', offset - 1);
    if (newline != std::string_view::npos) begin = newline + 1;
  }
  std::size_t end = text.find('\n', offset);
  if (end == std::string_view::npos) end = text.size();
  std::string_view line = text.substr(begin, end - begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace gatehouse
