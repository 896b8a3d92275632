#include "gatehouse/error_code.hpp"

namespace gatehouse {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::unknown_pms: return "unknown_pms";
    case ErrorCode::unknown_model: return "unknown_model";
    case ErrorCode::operation_not_supported: return "operation_not_supported";
    case ErrorCode::invalid_json: return "invalid_json";
    case ErrorCode::payload_too_large: return "payload_too_large";
    case ErrorCode::nesting_too_deep: return "nesting_too_deep";
    case ErrorCode::duplicate_field: return "duplicate_field";
    case ErrorCode::unknown_field: return "unknown_field";
    case ErrorCode::unsupported_field: return "unsupported_field";
    case ErrorCode::missing_required_field: return "missing_required_field";
    case ErrorCode::null_not_allowed: return "null_not_allowed";
    case ErrorCode::type_mismatch: return "type_mismatch";
    case ErrorCode::too_short: return "too_short";
    case ErrorCode::too_long: return "too_long";
    case ErrorCode::out_of_range: return "out_of_range";
    case ErrorCode::not_in_enum: return "not_in_enum";
    case ErrorCode::invalid_format: return "invalid_format";
    case ErrorCode::too_few_items: return "too_few_items";
    case ErrorCode::too_many_items: return "too_many_items";
    case ErrorCode::rule_violation: return "rule_violation";
    case ErrorCode::too_many_errors: return "too_many_errors";
  }
  return "unknown";
}

}  // namespace gatehouse
