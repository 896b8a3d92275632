// The operation vocabulary, named once: how each operation is written in rules, the CLI and the
// bindings, and which route of the unified API carries it (the method, and what follows the
// model's resource path). Everything else derives names and routes from this table.
#include <string>

#include "gatehouse/grammar/ast.hpp"

namespace gatehouse::ast {

namespace {

struct OperationInfo {
  Operation op;
  const char* name;
  OperationRoute route;
};

// In the order of the enum, so an operation's entry is at its own index.
constexpr OperationInfo operations[operation_count] = {
    {Operation::create, "create", {"POST", ""}},
    {Operation::update, "update", {"PUT", "{id}"}},
    {Operation::cancel, "cancel", {"POST", "cancel"}},
    {Operation::assign, "assign", {"POST", "assign"}},
    {Operation::batch_create, "batch_create", {"POST", "batch"}},
    {Operation::query_availability, "query_availability", {"POST", ""}},
    {Operation::send, "send", {"POST", "send"}},
    {Operation::upload_file, "upload_file", {"POST", "{id}/file-upload"}},
    {Operation::create_note, "create_note", {"POST", "{id}/notes"}},
    {Operation::create_custom_data, "create_custom_data", {"POST", "{id}/custom-data"}},
    {Operation::update_custom_data, "update_custom_data", {"PUT", "{id}/custom-data"}},
    {Operation::send_push_notification, "send_push_notification", {"POST", "push-notification"}},
};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < operation_count; ++i)
    if (static_cast<std::size_t>(operations[i].op) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "operations[] must list every Operation in enum order");

}  // namespace

const char* operation_name(Operation op) { return operations[static_cast<std::size_t>(op)].name; }

OperationRoute operation_route(Operation op) { return operations[static_cast<std::size_t>(op)].route; }

std::optional<Operation> operation_from_name(std::string_view name) {
  for (const auto& info : operations)
    if (name == info.name) return info.op;
  return std::nullopt;
}

const std::array<Operation, operation_count>& all_operations() {
  static const std::array<Operation, operation_count> all = [] {
    std::array<Operation, operation_count> out{};
    for (std::size_t i = 0; i < operation_count; ++i) out[i] = operations[i].op;
    return out;
  }();
  return all;
}

std::optional<Operation> resolve_operation(std::string& model, std::string_view op_name) {
  auto named = operation_from_name(op_name);
  if (!named) return std::nullopt;
  std::string_view method = operation_route(*named).method;
  if (*named != Operation::create && *named != Operation::update) return named;
  for (const auto& info : operations) {
    std::string_view suffix = info.route.suffix;
    if (suffix.substr(0, 5) == "{id}/") suffix.remove_prefix(5);
    if (suffix.empty() || suffix == "{id}" || method != info.route.method) continue;
    std::string tail = "/" + std::string(suffix);
    if (model.size() > tail.size() && model.compare(model.size() - tail.size(), tail.size(), tail) == 0) {
      model.resize(model.size() - tail.size());
      return info.op;
    }
  }
  return named;
}

const std::string& operation_names() {
  static const std::string names = [] {
    std::string out;
    for (std::size_t i = 0; i < operation_count; ++i)
      out += std::string(i == 0 ? "" : i + 1 == operation_count ? " or " : ", ") + operations[i].name;
    return out;
  }();
  return names;
}

}  // namespace gatehouse::ast
