#pragma once
// Compiling the cross-field rules of one record: checks, `require ... when`, `required when`
// and `at least one of`. Conditions are resolved against the record's fields (which must be
// supported there) and type-checked: what may be compared with what, enum members and date
// constants that exist.
#include <cstdint>
#include <utility>
#include <vector>

#include "gatehouse/grammar/ast.hpp"
#include "gatehouse/grammar/diagnostic.hpp"
#include "gatehouse/program.hpp"

namespace gatehouse {

/// Appends to `record` the compiled form of the check, require and at-least-one items among
/// `items`, and of the `required when` constraints in `required_when` (field position and
/// constraint). Problems are reported to `diagnostics`; `sources` gives the conditions' text for
/// generated messages.
void compile_cross_field_rules(Diagnostics& diagnostics, const SourceSet& sources, RecordRules& record,
                               const std::vector<const ast::RuleItem*>& items,
                               const std::vector<std::pair<std::uint32_t, const ast::Constraint*>>& required_when);

}  // namespace gatehouse
