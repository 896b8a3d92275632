#pragma once
// Values of a record's fields as the evaluator read them, and the three-valued evaluation of
// compiled conditions over them.
//
// A comparison that names an absent, null or invalid field is neither true nor false but
// `unknown`: `not` keeps it unknown, `and`/`or` follow Kleene's logic. A check fails only when
// its condition is definitely false; a `when` applies only when definitely true. So a check on
// an optional field does not fire when the field is not sent.
#include <cstdint>
#include <string_view>
#include <vector>

#include "gatehouse/program.hpp"

namespace gatehouse {

struct FieldValue {
  enum State : std::uint8_t { absent, null, valid, invalid };
  enum Kind : std::uint8_t { none, integer, decimal, text, boolean, instant };
  State state = absent;
  Kind kind = none;
  bool b = false;
  std::uint32_t nanos = 0;  ///< instant: datetime fraction
  std::int64_t i = 0;       ///< integer; instant: days (date) or seconds (datetime)
  double d = 0;             ///< decimal (and integer, as double)
  std::string_view s;       ///< text: views the parser's string buffer for this call
};

enum class Truth : std::uint8_t { no, yes, unknown };

Truth evaluate_condition(const Condition& condition, const std::vector<FieldValue>& values);

}  // namespace gatehouse
