#pragma once
// The abstract syntax tree of a .rules file.
//
// The AST is what the text says, with every node's position, and nothing resolved: names of
// models, types, fields and shared blocks are plain identifiers here; the compiler
// (engine/compiler) resolves them and reports what does not exist. `dump_ast()` prints a tree
// that tests compare against.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gatehouse/grammar/source.hpp"

namespace gatehouse::ast {

struct Identifier {
  std::string text;
  SourceRef at;
};

/// `string`, `list<line_item>`, `enum(HOME, WORK)?` ...
struct TypeExpr {
  enum class Kind { named, list, enumeration };
  Kind kind = Kind::named;
  SourceRef at;
  std::string name;                     ///< named: a built-in type or a `type`/`model` name
  std::vector<Identifier> enum_values;  ///< enumeration
  std::vector<TypeExpr> element;        ///< list: exactly one element type
  bool nullable = false;                ///< written with a trailing `?`
};

struct FieldDecl {
  Identifier name;
  TypeExpr type;
  /// Written with `deprecated` after the type: still decided as usual, and reported as
  /// deprecated by `explain`, the docs and the JSON Schema export.
  std::optional<SourceRef> deprecated;
};

/// A number as written (`-3`, `1.5`); kept as text so the compiler decides integer vs decimal.
struct Number {
  std::string text;
  SourceRef at;
  bool is_integer() const { return text.find('.') == std::string::npos; }
};

/// `a..b`, `a..`, `..b` or a single `a` (exactly a).
struct Bounds {
  std::optional<Number> min;
  std::optional<Number> max;
  SourceRef at;
};

struct Operand {
  enum class Kind { field, number, string, boolean };
  Kind kind = Kind::field;
  std::string text;  ///< field name, number as written, unescaped string, `true`/`false`
  SourceRef at;
};

enum class CompareOp { eq, ne, lt, le, gt, ge };

struct Expr {
  enum class Kind { logical_and, logical_or, logical_not, present, compare };
  Kind kind = Kind::compare;
  SourceRef at;
  std::vector<Expr> children;  ///< and / or (two or more), not (one)
  Operand lhs;                 ///< compare; present (the field)
  Operand rhs;                 ///< compare
  CompareOp op = CompareOp::eq;
};

struct Constraint {
  enum class Kind { required, length, range, items, one_of, pattern, pms_type };
  Kind kind = Kind::required;
  SourceRef at;
  Bounds bounds;                   ///< length, range, items
  std::vector<Identifier> values;  ///< one_of
  /// one_of written `pms values (...)`: the PMS's own set of values, which replaces the generic
  /// enum's rather than narrowing it (Rent Manager's lead events are CALL, EMAIL, VISIT, NOTE).
  bool pms_values = false;
  std::string pattern;             ///< pattern, without the slashes
  /// pms_type, `pms type date_or_datetime`: the type the PMS's own route takes, wider than the
  /// generic field's (a page that takes "a date-time or a YYYY-MM-DD date" where the generic
  /// route takes only a date-time).
  std::optional<TypeExpr> pms_type;
  std::optional<Expr> when;        ///< required when <expr>
};

struct RuleItem;

/// `last_name required length 1..50`, optionally with `{ ... }` rules for a nested record.
struct FieldRule {
  Identifier name;
  /// `extra name: type ...`: a field this PMS's own route takes that the generic route does not
  /// have (its per-PMS reference page documents it); the type is given here.
  std::optional<TypeExpr> extra_type;
  /// `extra name: type deprecated`: the PMS's page marks its own field deprecated.
  std::optional<SourceRef> extra_deprecated;
  std::vector<Constraint> constraints;
  bool has_block = false;
  std::vector<RuleItem> block;
  SourceRef end;  ///< just past the rule (the block's closing brace, if any)
};

/// `check <expr> else "message"`
struct CheckRule {
  Expr condition;
  std::string message;
  SourceRef at;
};

/// `require a, b when <expr> [else "message"]`
struct RequireRule {
  std::vector<Identifier> fields;
  Expr condition;
  std::optional<std::string> message;
  SourceRef at;
};

/// `at least one of (a, b) [else "message"]`
struct AtLeastOneRule {
  std::vector<Identifier> fields;
  std::optional<std::string> message;
  SourceRef at;
};

/// `use <shared rules block>`
struct UseRule {
  Identifier name;
};

/// `without a, b`: fields the generic route requires that this PMS's own route does not take at
/// all (Rent Manager's amenity create has neither `amenity` nor `vendor`).
struct WithoutRule {
  std::vector<Identifier> fields;
  SourceRef at;
};

struct RuleItem {
  std::variant<FieldRule, CheckRule, RequireRule, AtLeastOneRule, UseRule, WithoutRule> node;
};

/// Every operation a model can have: the generic create and update, and the named actions of
/// the unified API (`POST /v1/events/appointments/leads/cancel`, `.../{id}/file-upload/`, ...).
/// operations.cpp says, once, how each is named in rules and which HTTP route carries it.
enum class Operation : std::uint8_t {
  create,
  update,
  cancel,
  assign,
  batch_create,
  query_availability,
  send,
  upload_file,
  create_note,
  create_custom_data,
  update_custom_data,
  send_push_notification,
};
inline constexpr std::size_t operation_count = 12;
const char* operation_name(Operation op);
/// The operation named `name` in rules, the CLI and the bindings; nullopt if there is none.
std::optional<Operation> operation_from_name(std::string_view name);
/// Every operation, in declaration order.
const std::array<Operation, operation_count>& all_operations();
/// How the unified API routes an operation: the method, and what follows the model's resource
/// path (`""`, `"{id}"`, `"cancel"`, `"{id}/file-upload"`, ...).
struct OperationRoute {
  const char* method;
  const char* suffix;
};
OperationRoute operation_route(Operation op);
/// Every operation name, comma-separated, for messages.
const std::string& operation_names();
/// An operation named by its name, or by the route that carries it: `residents/file-upload`
/// with `create` (a POST) is `upload_file` on `residents`, `units/custom-data` with `update` is
/// `update_custom_data`. On success `model` is left naming the model alone.
std::optional<Operation> resolve_operation(std::string& model, std::string_view op_name);

/// `update { ... }`, `create, update { ... }` or `create: unsupported "reason"`.
struct OperationDecl {
  std::vector<std::pair<Operation, SourceRef>> operations;
  /// `created id returned` (true) / `created id not returned` (false) at the top of the body.
  std::optional<bool> created_id_returned;
  SourceRef created_id_at;
  /// `refresh after write` at the top of the body (after `created id ...`): the PMS gives the
  /// record back right after this operation, so the service reads it then.
  std::optional<SourceRef> refresh_after_write;
  bool unsupported = false;
  std::string reason;
  std::vector<RuleItem> body;
  SourceRef at;
  SourceRef end;
};

/// `model residents { ... }` or `type address { ... }`.
struct RecordDecl {
  enum class Kind { model, type };
  Kind kind = Kind::model;
  Identifier name;
  /// `model lead_appointments "events/appointments/leads" { ... }`: the resource path of the
  /// model's routes (under /v1/), when it is not the name with '_' written as '-'.
  std::optional<Identifier> resource;
  std::vector<FieldDecl> fields;
  /// Models only: the generic routes the model has (`create { ... }`), each listing the fields
  /// of that route's request body. A model with none has create and update over every field.
  std::vector<OperationDecl> operations;
  SourceRef at;
  SourceRef end;  ///< just past the closing brace
};

/// `residents { <operations> }` inside a `pms` block.
struct PmsModelBlock {
  Identifier model;
  std::vector<OperationDecl> operations;
  /// Each `refresh after write` line (the compiler allows one): after a successful write the
  /// service fetches the record from the PMS instead of waiting for the next sync.
  std::vector<SourceRef> refresh_after_write;
  SourceRef at;
  SourceRef end;
};

/// `pms RENTMANAGER "Rent Manager" { ... }`
struct PmsDecl {
  Identifier id;
  std::string display_name;
  std::vector<PmsModelBlock> models;
  SourceRef at;
  SourceRef end;
};

/// `rules contact_fields { ... }`: field rules and checks shared with `use`.
struct SharedRulesDecl {
  Identifier name;
  std::vector<RuleItem> body;
  SourceRef at;
  SourceRef end;
};

using Declaration = std::variant<RecordDecl, PmsDecl, SharedRulesDecl>;

struct File {
  std::uint32_t source = 0;  ///< index into the SourceSet it was parsed from
  std::vector<Declaration> declarations;
};

}  // namespace gatehouse::ast
