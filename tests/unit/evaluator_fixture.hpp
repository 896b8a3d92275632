#pragma once
// Rules written for the evaluator tests: every type, every constraint kind, nested records and
// lists of records, and every kind of cross-field rule.
#include <gtest/gtest.h>

#include "gatehouse/compiler.hpp"
#include "gatehouse/evaluator.hpp"

namespace gatehouse::testing {

inline const char* const evaluator_models = R"(type address {
  street: string
  city: string
  country: enum(US, CA)
}
type line_item {
  description: string
  amount_in_cents: integer
  address: address?
}
model things {
  name: string
  nickname: string?
  code: string
  email: email
  phone: phone
  kind: enum(A, B, C)
  count: integer
  ratio: decimal
  active: boolean
  born: date
  seen_at: datetime
  starts: date
  ends: date
  id: uuid
  tags: list<string>
  address: address
  items: list<line_item>
  notes: string
}
)";

inline const char* const evaluator_pms = R"(pms TEST "Test PMS" {
  things {
    create: unsupported "things are created elsewhere"
    update {
      name required length 2..10
      nickname
      code pattern /^[A-Z]{3}-[0-9]+$/
      email
      phone
      kind one of (A, B)
      count range 1..31
      ratio range -1.5..2.5
      active
      born
      seen_at
      starts
      ends
      id
      tags items 1..3 length ..5
      address { street required length ..20  city  country }
      items items ..2 { description required  amount_in_cents range 0..  address { city required } }
      require email when active == true
      at least one of (email, phone) else "give an email or a phone"
      check ends >= starts else "ends must not be before starts"
      check not (kind == "B" and count > 10) else "kind B allows at most 10"
    }
  }
}
)";

class EvaluatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SourceSet sources;
    sources.add("models.rules", evaluator_models);
    sources.add("test.rules", evaluator_pms);
    Compilation c = compile(std::move(sources));
    ASSERT_TRUE(c.ok()) << c.render_diagnostics();
    program_ = c.program;
  }

  Decision eval(const std::string& payload, bool strip = false,
                ast::Operation op = ast::Operation::update, std::string_view pms = "TEST",
                std::string_view model = "things") {
    payload_ = payload;
    Request r{pms, model, op, strip, payload_};
    return evaluate(*program_, r, context_);
  }

  /// A valid base payload with `extra` members appended ("" for none).
  static std::string base(const std::string& extra = "") {
    return R"({"name":"Ann","email":"ann@example.com")" + (extra.empty() ? "" : "," + extra) + "}";
  }

  static std::vector<std::pair<std::string, std::string>> codes(const std::vector<Issue>& issues) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& i : issues) out.emplace_back(i.path, std::string(error_code_name(i.code)));
    return out;
  }

  using Pairs = std::vector<std::pair<std::string, std::string>>;

  static inline std::shared_ptr<const Program> program_;
  EvaluationContext context_;
  std::string payload_;
};

}  // namespace gatehouse::testing
