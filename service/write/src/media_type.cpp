#include "gatehouse/service/media_type.hpp"

namespace gatehouse::service {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

bool is_json_media_type(std::string_view content_type) {
  std::size_t semicolon = content_type.find(';');
  if (!equals_ignoring_case(trim(content_type.substr(0, semicolon)), "application/json")) return false;
  std::string_view parameters = semicolon == std::string_view::npos ? "" : content_type.substr(semicolon + 1);
  while (!parameters.empty()) {
    semicolon = parameters.find(';');
    std::string_view parameter = trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? "" : parameters.substr(semicolon + 1);
    if (parameter.empty()) continue;  // `application/json;` and `;;` are harmless
    std::size_t equals = parameter.find('=');
    if (equals == std::string_view::npos) return false;
    std::string_view name = trim(parameter.substr(0, equals)), value = trim(parameter.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (equals_ignoring_case(name, "charset") && !equals_ignoring_case(value, "utf-8") &&
        !equals_ignoring_case(value, "utf8"))
      return false;
  }
  return true;
}

}  // namespace gatehouse::service
