#include "gatehouse/grammar/diagnostic.hpp"

#include <algorithm>

namespace gatehouse {

void Diagnostics::error(const SourceRef& at, std::string message) {
  items_.push_back({Severity::error, at, std::move(message)});
  ++error_count_;
}

void Diagnostics::note(const SourceRef& at, std::string message) {
  items_.push_back({Severity::note, at, std::move(message)});
}

std::string render_diagnostic(const Diagnostic& d, const SourceSet& sources) {
  std::string out;
  std::string where = sources.location(d.at);
  if (!where.empty()) out += where + ": ";
  out += d.severity == Severity::error ? "error: " : "note: ";
  out += d.message;
  out += '\n';
  if (!d.at.valid()) return out;

  std::string_view line = sources.line_text(d.at);
  std::string number = std::to_string(d.at.line);
  std::string gutter(number.size() + 2, ' ');
  out += ' ' + number + " | ";
  out += line;
  out += '\n';
  // Tabs in the source are kept in the caret line so the caret lines up in any terminal.
  std::string caret;
  std::size_t col = d.at.column > 0 ? d.at.column - 1 : 0;
  for (std::size_t i = 0; i < col && i < line.size(); ++i) caret += line[i] == '\t' ? '\t' : ' ';
  if (col > line.size()) caret.append(col - line.size(), ' ');
  caret += '^';
  std::size_t room = col < line.size() ? line.size() - col : 0;
  std::size_t underline = std::min<std::size_t>(d.at.length > 1 ? d.at.length - 1 : 0,
                                                room > 0 ? room - 1 : 0);
  caret.append(underline, '~');
  out += gutter + "| " + caret + '\n';
  return out;
}

std::string Diagnostics::render(const SourceSet& sources) const {
  std::string out;
  for (const auto& d : items_) out += render_diagnostic(d, sources);
  return out;
}

}  // namespace gatehouse
