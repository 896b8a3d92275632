// What a PMS's own route may say that the generic route does not: its own values of an enum
// (`pms values`), a date where the generic route takes only a datetime (`pms type`), and
// route-required fields it does not take at all (`without`). Also models at a
// whole path (the CRM API's `/crm/v1/...`) and the CRM operations' routes.
#include <gtest/gtest.h>

#include "gatehouse/compiler.hpp"
#include "gatehouse/evaluator.hpp"
#include "gatehouse/json_schema.hpp"

namespace gatehouse {
namespace {

const char* const models = R"(model events_leads "events/leads" {
  integration_id: string
  lead_id: string
  event_name: enum(CallToProspect, WalkIn, Email)
  notes: string
  event_datetime: datetime
  follow_up_on: date?
  create { integration_id required  lead_id  event_name  notes  event_datetime  follow_up_on }
}
model amenities_units "amenities/units" {
  integration_id: string
  amenity: string
  vendor: string
  create { integration_id required  amenity required  vendor required }
}
model crm_communications "/crm/v1/communications" {
  integration_id: string
  body: string
  send { integration_id required  body }
  send_push_notification { integration_id required }
}
)";

Compilation compile_with(const std::string& pms_text) {
  SourceSet sources;
  sources.add("models.rules", models);
  sources.add("pms.rules", pms_text);
  return compile(std::move(sources));
}

const char* const pms_rules = R"(pms P "P" {
  events_leads {
    create {
      lead_id required
      event_name required pms values (CALL, EMAIL, VISIT, NOTE)
      notes
    }
  }
  amenities_units {
    create {
      without amenity, vendor
      extra unit_id: string required
      extra name: string required
    }
  }
  crm_communications {
    send { body required }
    send_push_notification { }
  }
}
)";

std::vector<std::string> codes(const Program& p, std::string_view model, ast::Operation op, std::string_view payload) {
  EvaluationContext context;
  Decision d = evaluate(p, Request{"P", model, op, false, payload}, context);
  std::vector<std::string> out{std::string(verdict_name(d.verdict))};
  for (const auto& e : d.errors) out.push_back(e.path + " " + std::string(error_code_name(e.code)));
  return out;
}

using Codes = std::vector<std::string>;

TEST(PmsValues, ThePmssOwnValuesReplaceTheGenericEnum) {
  Compilation c = compile_with(pms_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const Program& p = *c.program;
  const auto create = ast::Operation::create;
  EXPECT_EQ(codes(p, "events_leads", create, R"({"integration_id":"i","lead_id":"l","event_name":"VISIT"})"),
            Codes{"accept"});
  // A generic value this PMS's page does not list is refused, as any value outside the set.
  EXPECT_EQ(codes(p, "events_leads", create, R"({"integration_id":"i","lead_id":"l","event_name":"WalkIn"})"),
            (Codes{"reject", "/event_name not_in_enum"}));
  EXPECT_EQ(codes(p, "events_leads", create, R"({"integration_id":"i","lead_id":"l","event_name":"call"})"),
            (Codes{"reject", "/event_name not_in_enum"}));
}

TEST(PmsValues, TheSchemaMarksThem) {
  Compilation c = compile_with(pms_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const PmsRules& pms = *c.program->find_pms("P");
  std::string schema = json_schema(*c.program, pms, *pms.find_model("events_leads"), ast::Operation::create);
  EXPECT_NE(schema.find(R"("enum":["CALL","EMAIL","VISIT","NOTE"])"), std::string::npos) << schema;
  EXPECT_NE(schema.find(R"("x-gatehouse-pms-values":true)"), std::string::npos) << schema;
}

const char* const pms_type_rules = R"(pms P "P" {
  events_leads {
    create {
      lead_id
      event_datetime required pms type date_or_datetime
      follow_up_on pms type date_or_datetime
    }
  }
}
pms Q "Q" {
  events_leads {
    create { event_datetime required }
  }
}
)";

std::vector<std::string> codes_of(const Program& p, std::string_view pms, std::string_view payload) {
  EvaluationContext context;
  Decision d = evaluate(p, Request{pms, "events_leads", ast::Operation::create, false, payload}, context);
  std::vector<std::string> out{std::string(verdict_name(d.verdict))};
  for (const auto& e : d.errors) out.push_back(e.path + " " + std::string(error_code_name(e.code)));
  return out;
}

TEST(PmsType, APmsThatTakesADateToo) {
  Compilation c = compile_with(pms_type_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const Program& p = *c.program;
  EXPECT_EQ(codes_of(p, "P", R"({"integration_id":"i","event_datetime":"2026-03-01"})"), Codes{"accept"});
  EXPECT_EQ(codes_of(p, "P", R"({"integration_id":"i","event_datetime":"2026-03-01T09:30:00Z"})"), Codes{"accept"});
  EXPECT_EQ(codes_of(p, "P", R"({"integration_id":"i","event_datetime":"03/01/2026"})"),
            (Codes{"reject", "/event_datetime invalid_format"}));
  // A generic date widened keeps its null.
  EXPECT_EQ(codes_of(p, "P", R"({"integration_id":"i","event_datetime":"2026-03-01","follow_up_on":null})"),
            Codes{"accept"});
  EXPECT_EQ(codes_of(p, "P", R"({"integration_id":"i","event_datetime":"2026-03-01","follow_up_on":"2026-03-02T08:00:00Z"})"),
            Codes{"accept"});
  // Another PMS keeps the generic type.
  EXPECT_EQ(codes_of(p, "Q", R"({"integration_id":"i","event_datetime":"2026-03-01"})"),
            (Codes{"reject", "/event_datetime invalid_format"}));
}

TEST(PmsType, TheSchemaAndTheDumpSayIt) {
  Compilation c = compile_with(pms_type_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const PmsRules& pms = *c.program->find_pms("P");
  std::string schema = json_schema(*c.program, pms, *pms.find_model("events_leads"), ast::Operation::create);
  EXPECT_NE(schema.find(R"("x-gatehouse-pms-type":true)"), std::string::npos) << schema;
  EXPECT_NE(schema.find(R"("format":"date")"), std::string::npos) << schema;
  const PmsRules& other = *c.program->find_pms("Q");
  std::string generic = json_schema(*c.program, other, *other.find_model("events_leads"), ast::Operation::create);
  EXPECT_EQ(generic.find("x-gatehouse-pms-type"), std::string::npos) << generic;
  // The dump (and `explain`, the capability docs) name the type and say whose it is.
  std::string dump = dump_program(*c.program);
  EXPECT_NE(dump.find("event_datetime: date_or_datetime (pms type) required"), std::string::npos) << dump;
  EXPECT_NE(dump.find("follow_up_on: date_or_datetime? (pms type)"), std::string::npos) << dump;
}

TEST(Without, ARouteRequiredFieldThePmsLacksIsUnsupportedNotRequired) {
  Compilation c = compile_with(pms_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const Program& p = *c.program;
  const auto create = ast::Operation::create;
  EXPECT_EQ(codes(p, "amenities_units", create, R"({"integration_id":"i","unit_id":"u","name":"Pool"})"),
            Codes{"accept"});
  EXPECT_EQ(codes(p, "amenities_units", create, R"({"integration_id":"i","unit_id":"u","name":"Pool","vendor":"v"})"),
            (Codes{"reject", "/vendor unsupported_field"}));
  // integration_id, which the route also requires and `without` does not name, still is.
  EXPECT_EQ(codes(p, "amenities_units", create, R"({"unit_id":"u","name":"Pool"})"),
            (Codes{"reject", "/integration_id missing_required_field"}));
}

TEST(WholePaths, AModelMayLiveOutsideV1) {
  Compilation c = compile_with(pms_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const Program& p = *c.program;
  const GenericModel* crm = p.find_model("/crm/v1/communications");
  ASSERT_NE(crm, nullptr);
  EXPECT_EQ(crm->name, "crm_communications");
  EXPECT_EQ(crm->path, "/crm/v1/communications");
  EXPECT_EQ(crm->path_segments, (std::vector<std::string>{"crm", "v1", "communications"}));
  EXPECT_EQ(p.find_model("events/leads")->path, "/v1/events/leads");
  EXPECT_EQ(route_path(*crm, ast::Operation::send), "/crm/v1/communications/send");
  EXPECT_EQ(route_path(*crm, ast::Operation::send_push_notification), "/crm/v1/communications/push-notification");
  EXPECT_EQ(codes(p, "crm_communications", ast::Operation::send, R"({"integration_id":"i","body":"Hello"})"),
            Codes{"accept"});
  EXPECT_EQ(codes(p, "crm_communications", ast::Operation::send_push_notification, R"({"integration_id":"i"})"),
            Codes{"accept"});
}

struct Diagnostic {
  const char* name;
  std::string pms;
  std::string expected;
};

[[maybe_unused]] void PrintTo(const Diagnostic& c, std::ostream* os) { *os << c.name; }

class PmsOwnRouteDiagnostics : public ::testing::TestWithParam<Diagnostic> {};

TEST_P(PmsOwnRouteDiagnostics, ReportsExactDiagnostics) {
  Compilation c = compile_with(GetParam().pms);
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.render_diagnostics(), GetParam().expected);
}

const Diagnostic diagnostics[] = {
    {"one_of_outside_the_enum_points_at_pms_values",
     "pms P \"P\" { events_leads { create { event_name one of (CALL) } } }\n",
     "pms.rules:1:56: error: 'CALL' is not a value of event_name: enum(CallToProspect, WalkIn, Email); 'one of' can "
     "only narrow (a PMS whose page lists other values says so with 'pms values')\n"
     " 1 | pms P \"P\" { events_leads { create { event_name one of (CALL) } } }\n"
     "   |                                                        ^~~~\n"},
    {"pms_values_on_a_string",
     "pms P \"P\" { events_leads { create { notes pms values (A) } } }\n",
     "pms.rules:1:43: error: 'pms values' applies to enum fields (a string field narrows with 'one of'); 'notes' is a "
     "string\n"
     " 1 | pms P \"P\" { events_leads { create { notes pms values (A) } } }\n"
     "   |                                           ^~~~~~~~~~~~~~\n"},
    {"pms_values_and_one_of",
     "pms P \"P\" { events_leads { create { event_name one of (Email) pms values (A) } } }\n",
     "pms.rules:1:63: error: 'one of' or 'pms values' is already given for field 'event_name'\n"
     " 1 | pms P \"P\" { events_leads { create { event_name one of (Email) pms values (A) } } }\n"
     "   |                                                               ^~~~~~~~~~~~~~\n"
     "pms.rules:1:48: note: given here\n"
     " 1 | pms P \"P\" { events_leads { create { event_name one of (Email) pms values (A) } } }\n"
     "   |                                                ^~~~~~~~~~~~~~\n"},
    {"pms_type_on_a_string",
     "pms P \"P\" { events_leads { create { notes pms type date_or_datetime } } }\n",
     "pms.rules:1:43: error: 'pms type' applies to date and datetime fields; 'notes' is a string\n"
     " 1 | pms P \"P\" { events_leads { create { notes pms type date_or_datetime } } }\n"
     "   |                                           ^~~~~~~~~~~~~~~~~~~~~~~~~\n"},
    {"pms_type_other_than_date_or_datetime",
     "pms P \"P\" { events_leads { create { event_datetime pms type string } } }\n",
     "pms.rules:1:61: error: 'pms type' takes date_or_datetime (a PMS whose page takes both a date-time and a "
     "YYYY-MM-DD date), not string\n"
     " 1 | pms P \"P\" { events_leads { create { event_datetime pms type string } } }\n"
     "   |                                                             ^~~~~~\n"},
    {"pms_type_twice",
     "pms P \"P\" { events_leads { create { event_datetime pms type date_or_datetime pms type date_or_datetime } } }\n",
     "pms.rules:1:78: error: 'pms type' is already given for field 'event_datetime'\n"
     " 1 | pms P \"P\" { events_leads { create { event_datetime pms type date_or_datetime pms type date_or_datetime } } }\n"
     "   |                                                                              ^~~~~~~~~~~~~~~~~~~~~~~~~\n"
     "pms.rules:1:52: note: given here\n"
     " 1 | pms P \"P\" { events_leads { create { event_datetime pms type date_or_datetime pms type date_or_datetime } } }\n"
     "   |                                                    ^~~~~~~~~~~~~~~~~~~~~~~~~\n"},
    {"without_a_field_the_route_does_not_require",
     "pms P \"P\" { events_leads { create { without notes } } }\n",
     "pms.rules:1:45: error: 'notes' is not a field the generic route requires; a field the PMS does not take is "
     "simply not listed\n"
     " 1 | pms P \"P\" { events_leads { create { without notes } } }\n"
     "   |                                             ^~~~~\n"},
    {"without_a_listed_field",
     "pms P \"P\" { amenities_units { create { vendor  without vendor, amenity } } }\n",
     "pms.rules:1:56: error: 'vendor' is listed in this operation and named by 'without'\n"
     " 1 | pms P \"P\" { amenities_units { create { vendor  without vendor, amenity } } }\n"
     "   |                                                        ^~~~~~\n"},
};

INSTANTIATE_TEST_SUITE_P(Compile, PmsOwnRouteDiagnostics, ::testing::ValuesIn(diagnostics),
                         [](const auto& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace gatehouse
