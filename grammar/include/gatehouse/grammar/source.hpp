#pragma once
// Source text and positions.
//
// Every AST node and every compiled rule keeps a SourceRef so that diagnostics and decisions can
// point back to `file:line:col`. A SourceSet owns the texts; SourceRefs index into it and stay
// valid for as long as the set lives. Lines and columns are 1-based; columns count bytes, as
// compilers and editors expect.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse {

struct SourceRef {
  std::uint32_t file = 0;    ///< index into SourceSet
  std::uint32_t line = 0;    ///< 1-based; 0 means "no position"
  std::uint32_t column = 0;  ///< 1-based byte column
  std::uint32_t offset = 0;  ///< byte offset into the file's text
  std::uint32_t length = 0;  ///< bytes covered (for the caret underline), at least 1 when shown

  bool valid() const { return line != 0; }
  bool operator==(const SourceRef&) const = default;
};

struct SourceFile {
  std::string name;  ///< as shown in diagnostics and decisions (relative to the rules directory)
  std::string text;
};

class SourceSet {
 public:
  std::uint32_t add(std::string name, std::string text);
  const SourceFile& file(std::uint32_t index) const { return files_.at(index); }
  std::size_t size() const { return files_.size(); }
  const std::vector<SourceFile>& files() const { return files_; }

  /// "name:line:col" — the form used in decisions (`rule`) and diagnostics.
  std::string location(const SourceRef& ref) const;
  /// The full text of the line that `ref` points into, without its line break.
  std::string_view line_text(const SourceRef& ref) const;

 private:
  std::vector<SourceFile> files_;
};

}  // namespace gatehouse
