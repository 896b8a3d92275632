#pragma once
// The codes a Decision can carry. Stable: clients match on the names.
#include <cstdint>
#include <string_view>

namespace gatehouse {

enum class ErrorCode : std::uint8_t {
  unknown_pms,              ///< the request names a PMS the rules do not define
  unknown_model,            ///< the request names a model that is not a generic model
  operation_not_supported,  ///< the PMS does not offer this operation on this model (405 alone)
  invalid_json,             ///< not one JSON object: syntax, invalid UTF-8, trailing bytes
  payload_too_large,        ///< the payload is larger than Limits::max_payload_bytes
  nesting_too_deep,         ///< objects/arrays nest deeper than Limits::max_depth
  duplicate_field,          ///< the same key twice in one object (at the repeated key)
  unknown_field,            ///< a key the generic model does not have (strippable)
  unsupported_field,        ///< a generic field this PMS does not take here (strippable)
  missing_required_field,   ///< a required field is absent
  null_not_allowed,         ///< null for a field whose type has no `?`
  type_mismatch,            ///< the JSON type does not match the field type
  too_short,                ///< string shorter than `length`'s minimum (in characters)
  too_long,                 ///< string longer than `length`'s maximum (in characters)
  out_of_range,             ///< number outside `range`, or outside the type's own range
  not_in_enum,              ///< value not among the enum members / `one of` values
  invalid_format,           ///< date, datetime, email, phone, uuid or `pattern` does not match
  too_few_items,            ///< list shorter than `items`'s minimum
  too_many_items,           ///< list longer than `items`'s maximum
  rule_violation,           ///< a cross-field check failed (message from the rule)
  too_many_errors,          ///< more issues than Limits::max_issues: how many were not listed
};

inline constexpr std::size_t error_code_count = 21;

/// The snake_case name used in decisions (`"code": "type_mismatch"`).
std::string_view error_code_name(ErrorCode code);

/// True for the codes `ignore_unknown_fields` turns into stripped fields.
constexpr bool is_strippable(ErrorCode code) {
  return code == ErrorCode::unknown_field || code == ErrorCode::unsupported_field;
}

}  // namespace gatehouse
