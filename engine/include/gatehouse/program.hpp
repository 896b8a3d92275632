#pragma once
// The compiled, immutable program.
//
// A Program is built once by compile() and never changes; share it as
// std::shared_ptr<const Program> between any number of threads. It holds, per PMS, per model
// and per operation, a RecordRules table: every field of the generic model with its type, whether
// this PMS takes it, and the narrowing constraints; plus the cross-field rules. Nested records
// and list elements point to RecordRules of their own. Every rule keeps the SourceRef of the text
// it came from, so a decision can name `file:line:col`.
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gatehouse/field_index.hpp"
#include "gatehouse/grammar/ast.hpp"
#include "gatehouse/grammar/source.hpp"

namespace gatehouse {

enum class ValueKind : std::uint8_t {
  string, integer, decimal, boolean, date, datetime, email, phone, uuid, enumeration, list, record,
  date_or_datetime,  ///< either an RFC 3339 datetime or a YYYY-MM-DD date (the document's anyOf)
  uri,               ///< an absolute URI: scheme ":" then no spaces
  object,            ///< any JSON object (free-form data such as `custom_data`)
};
std::string_view value_kind_name(ValueKind kind);

/// A bound of `range`: integers stay exact; decimals compare as double.
struct Numeric {
  bool integer = true;
  std::int64_t i = 0;
  double d = 0;
  std::string text;  ///< as written, for messages
};

/// An RE2 matcher, kept opaque so that users of this header need not see RE2.
class Pattern {
 public:
  /// Compiles `source`; on failure `error` is set and the Pattern matches nothing.
  explicit Pattern(const std::string& source);
  ~Pattern();
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& source() const { return source_; }
  /// True if the pattern matches somewhere in `text` (use ^...$ to anchor).
  bool search(std::string_view text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string source_;
  std::string error_;
};

struct RecordRules;

/// What a value must be: its type and the constraints that narrow it.
struct ValueRules {
  ValueKind kind = ValueKind::string;
  bool nullable = false;
  std::string type_name;  ///< as a rule author wrote it, e.g. "date", "list<line_item>"

  std::optional<std::uint64_t> min_length, max_length;  ///< characters (code points)
  std::optional<Numeric> min, max;                      ///< range
  std::optional<std::uint64_t> min_items, max_items;    ///< lists
  std::vector<std::string> allowed;  ///< enum members, narrowed by `one of`; empty = any string
  FieldIndex allowed_index;          ///< `allowed`, hashed: a member is found in one probe
  bool allowed_is_narrowed = false;  ///< `one of` was written (message says so)
  bool pms_values = false;           ///< `pms values`: `allowed` is the PMS's own set, not the generic enum's
  bool pms_type = false;             ///< `pms type`: `kind` is the PMS's own, wider than the generic type
  std::shared_ptr<const Pattern> pattern;

  std::shared_ptr<const ValueRules> element;  ///< list element
  const RecordRules* record = nullptr;        ///< record fields (owned by the Program)
  SourceRef type_at;                          ///< the generic field's type
};

/// One generic field of a record, as this PMS operation sees it.
struct FieldRules {
  std::string name;
  std::string pointer_token;  ///< "/" + name escaped per RFC 6901 (~0, ~1)
  bool supported = false;     ///< listed under the PMS operation
  bool required = false;
  bool deprecated = false;    ///< the generic field is marked `deprecated`
  bool extra = false;         ///< `extra`: this PMS's own field, not in the generic route
  ValueRules value;           ///< generic type only when unsupported
  SourceRef rule;             ///< the PMS rule; the generic field when unsupported
};

/// A compiled condition (checks, `required when`, `require ... when`).
struct Operand {
  enum class Kind : std::uint8_t { field, number, string, boolean };
  Kind kind = Kind::field;
  std::uint32_t field = 0;  ///< index into RecordRules::fields
  Numeric number;
  std::string text;         ///< string literal, or field name for field operands
  bool boolean = false;
  ValueKind value_kind = ValueKind::string;  ///< of the field, for field operands
};

struct Condition {
  enum class Kind : std::uint8_t { logical_and, logical_or, logical_not, present, compare };
  Kind kind = Kind::compare;
  ast::CompareOp op = ast::CompareOp::eq;
  std::vector<Condition> children;
  Operand lhs, rhs;  ///< compare; present uses lhs
};

struct ConditionalRequirement {
  std::vector<std::uint32_t> fields;
  Condition when;
  std::string message;
  SourceRef rule;
};

struct AtLeastOne {
  std::vector<std::uint32_t> fields;
  std::string message;
  SourceRef rule;
};

struct Check {
  Condition condition;
  std::string message;
  std::uint32_t path_field = 0;  ///< the first field the check names: where its error points
  SourceRef rule;
};

struct RecordRules {
  std::string name;                 ///< model or type name
  std::vector<FieldRules> fields;   ///< every generic field, in declaration order
  FieldIndex index;                 ///< name -> position in `fields`
  std::vector<std::string> names;   ///< the fields' names, for "did you mean" (made once)
  std::vector<std::uint32_t> required;  ///< positions of unconditionally required fields
  std::vector<ConditionalRequirement> conditional_requirements;
  std::vector<AtLeastOne> at_least_one;
  std::vector<Check> checks;
  SourceRef unsupported_rule;  ///< shown on unsupported_field: the PMS operation (or block)
  SourceRef generic_rule;      ///< shown on unknown_field: the generic model or type
  bool has_cross_field_rules() const {
    return !conditional_requirements.empty() || !at_least_one.empty() || !checks.empty();
  }
};

struct OperationRules {
  bool offered = false;
  /// Not offered because the rules say the PMS refuses it (`create: unsupported "..."`), as
  /// opposed to an operation the rules do not cover at all.
  bool refused = false;
  /// `created id returned` / `created id not returned`: whether the PMS gives back the id of the
  /// record the write creates (when it does not, write-status has none until the next sync).
  /// Unset where the rules do not say.
  std::optional<bool> created_id_returned;
  /// `refresh after write`, in the operation or for its whole model: the PMS serves the record
  /// right after this write, so the service fetches it then instead of at the next sync.
  bool refresh_after_write = false;
  std::string reason;                   ///< why not, when not offered
  SourceRef rule;                       ///< the operation's rule
  const RecordRules* record = nullptr;  ///< offered: PMS rules; not offered: generic model
};

struct ModelRules {
  std::string name;
  /// Per operation (ast::Operation as the index); an operation the generic model has no route
  /// for is never offered.
  std::array<OperationRules, ast::operation_count> operations;
  /// `refresh after write` for the whole model block: every offered operation has it (see
  /// OperationRules::refresh_after_write, which is what the service reads).
  bool refresh_after_write = false;
  /// Whether any operation is read back after its write (a connector then needs a fetch route).
  bool any_refresh_after_write() const {
    for (const auto& op : operations)
      if (op.refresh_after_write) return true;
    return false;
  }
  const OperationRules& operation(ast::Operation op) const {
    return operations[static_cast<std::size_t>(op)];
  }
  OperationRules& operation(ast::Operation op) { return operations[static_cast<std::size_t>(op)]; }
};

/// A generic model of the unified API: its fields, where its routes live, and which routes it has.
struct GenericModel {
  std::string name;                ///< as in rules: `service_requests`
  /// As the rules name it: a path under /v1/ (`service-requests`, `events/appointments/leads`),
  /// or a whole path for another API (`/crm/v1/prospects`).
  std::string resource;
  std::string path;  ///< the collection's whole path: `/v1/service-requests`, `/crm/v1/prospects`
  std::vector<std::string> path_segments;  ///< `path` split at '/' ({v1, service-requests}), made once for routing
  const RecordRules* record = nullptr;  ///< every field of the model
  /// Each route's request body (only the fields that route takes, with its own `required`);
  /// nullptr where the model has no such route.
  std::array<const RecordRules*, ast::operation_count> routes{};
  const RecordRules* route(ast::Operation op) const { return routes[static_cast<std::size_t>(op)]; }
  SourceRef at;
};

struct PmsRules {
  PmsRules() = default;
  PmsRules(PmsRules&&) = default;  // the map's nodes, which model_lookup points to, move along
  PmsRules& operator=(PmsRules&&) = default;
  PmsRules(const PmsRules&) = delete;  // a copy would point into the original
  PmsRules& operator=(const PmsRules&) = delete;

  std::string id;
  std::string display_name;
  SourceRef at;
  std::map<std::string, ModelRules, std::less<>> models;  ///< every generic model

  /// `models` looked up through a perfect hash (a decision does this once), or nullptr.
  const ModelRules* find_model(std::string_view name) const { return model_lookup.find(name); }
  NameLookup<ModelRules> model_lookup;  ///< built when the program is complete
};

class Program {
 public:
  const PmsRules* find_pms(std::string_view id) const;
  /// A generic model by its rules name (`service_requests`) or its resource path
  /// (`service-requests`), or nullptr.
  const GenericModel* find_model(std::string_view name_or_resource) const;
  const std::map<std::string, GenericModel, std::less<>>& models() const { return models_; }
  const std::map<std::string, PmsRules, std::less<>>& pms() const { return pms_; }
  /// Content hash of every rules file (names and bytes): identifies the program in decisions.
  const std::string& rules_version() const { return rules_version_; }
  const SourceSet& sources() const { return sources_; }
  /// "file:line:col" of a rule, or "" for no position.
  std::string location(const SourceRef& ref) const { return sources_.location(ref); }
  /// The same for any rule of the program, without building a string: the texts are made once
  /// when the program is compiled and live as long as it does.
  std::string_view rule_text(const SourceRef& ref) const {
    auto it = rule_texts_.find(key(ref));
    return it == rule_texts_.end() ? std::string_view() : std::string_view(it->second);
  }

 private:
  friend class ProgramBuilder;
  SourceSet sources_;
  std::deque<RecordRules> records_;  // deque: stable addresses for RecordRules pointers
  std::map<std::string, PmsRules, std::less<>> pms_;
  NameLookup<PmsRules> pms_lookup_;  // pms_ through a perfect hash: find_pms runs once per decision
  std::map<std::string, GenericModel, std::less<>> models_;
  std::map<std::string, std::string, std::less<>> model_by_resource_;  ///< resource path -> name
  std::string rules_version_;
  std::unordered_map<std::uint64_t, std::string> rule_texts_;
  static std::uint64_t key(const SourceRef& ref) {
    return (static_cast<std::uint64_t>(ref.file) << 32) | ref.offset;
  }
};

/// A value's type and constraints in rules syntax, e.g. "string length 1..50".
std::string describe_value_rules(const ValueRules& value);

/// A stable text form of the compiled program, for tests and `--dump-program`.
std::string dump_program(const Program& program);

}  // namespace gatehouse
