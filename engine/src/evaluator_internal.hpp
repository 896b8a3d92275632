#pragma once
// For callers inside the engine that already hold the payload as a parsed simdjson object (the
// batch runner walks each line once): the same decision as evaluate(), without a second parse.
#include <simdjson.h>

#include "gatehouse/evaluator.hpp"

namespace gatehouse::internal {

/// `request.payload` must view exactly the bytes of `payload`, inside the padded buffer the
/// object's document was iterated from.
Decision evaluate_parsed(const Program& program, const Request& request, EvaluationContext& context,
                         simdjson::ondemand::object payload);

}  // namespace gatehouse::internal
