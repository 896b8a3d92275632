// Generic routes of a model (`create { ... }` inside `model`), named operations, resource paths,
// deprecated fields and the types the unified API's document needs (date_or_datetime, uri,
// object): their diagnostics and how requests are decided through them.
#include <gtest/gtest.h>

#include "gatehouse/compiler.hpp"
#include "gatehouse/evaluator.hpp"
#include "gatehouse/json_schema.hpp"

namespace gatehouse {
namespace {

const char* const models = R"(model residents {
  integration_id: string
  resident_id: string
  first_name: string
  last_name: string
  notes: string deprecated
  website: uri
  date_of_birth: date_or_datetime
  custom_data: object
  create { integration_id required  first_name  last_name  notes  website  date_of_birth  custom_data }
  update { resident_id  first_name  last_name  notes  date_of_birth }
  upload_file { integration_id required  notes }
}
model lead_appointments "events/appointments/leads" {
  integration_id: string
  event_id: string
  create { integration_id required  event_id }
  cancel { integration_id required  event_id required }
}
)";

Compilation compile_with(const std::string& pms_text) {
  SourceSet sources;
  sources.add("models.rules", models);
  sources.add("pms.rules", pms_text);
  return compile(std::move(sources));
}

const char* const pms_rules = R"(pms P "P" {
  residents {
    create { first_name  last_name required  notes  website  date_of_birth  custom_data }
    update { last_name }
    upload_file { notes }
  }
  lead_appointments {
    cancel { event_id }
    create: unsupported "P books no appointments"
  }
}
)";

struct Decided {
  Decision decision;
  std::string json;
  std::vector<std::string> codes;  // "pointer code", errors then stripped
};

Decided decide(const Program& p, std::string_view model, ast::Operation op, std::string_view payload,
               bool strip = false) {
  EvaluationContext context;
  Decided out;
  out.decision = evaluate(p, Request{"P", model, op, strip, payload}, context);
  for (const auto& e : out.decision.errors)
    out.codes.push_back(e.path + " " + std::string(error_code_name(e.code)));
  for (const auto& e : out.decision.stripped)
    out.codes.push_back("stripped " + e.path + " " + std::string(error_code_name(e.code)));
  return out;
}

using Codes = std::vector<std::string>;

TEST(Routes, CompileAndKnowTheirResourcePaths) {
  Compilation c = compile_with(pms_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const Program& p = *c.program;
  const GenericModel* appointments = p.find_model("events/appointments/leads");
  ASSERT_NE(appointments, nullptr);
  EXPECT_EQ(appointments->name, "lead_appointments");
  EXPECT_EQ(p.find_model("lead_appointments"), appointments);
  EXPECT_EQ(p.find_model("residents")->resource, "residents");
  EXPECT_EQ(route_text(*appointments, ast::Operation::cancel), "POST /v1/events/appointments/leads/cancel");
  EXPECT_EQ(route_text(*p.find_model("residents"), ast::Operation::update), "PUT /v1/residents/{id}");
  EXPECT_EQ(route_text(*p.find_model("residents"), ast::Operation::upload_file),
            "POST /v1/residents/{id}/file-upload");
  EXPECT_EQ(appointments->route(ast::Operation::update), nullptr);
}

TEST(Routes, WhatTheRouteRequiresEveryPmsRequires) {
  Compilation c = compile_with(pms_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  auto d = decide(*c.program, "residents", ast::Operation::create, R"({"last_name":"Lee"})");
  EXPECT_EQ(d.codes, Codes({"/integration_id missing_required_field"}));
  d = decide(*c.program, "residents", ast::Operation::create, R"({"integration_id":"i","last_name":"Lee"})");
  EXPECT_EQ(d.decision.verdict, Verdict::accept);
}

TEST(Routes, AFieldOutsideTheRoutesBodyIsUnknownNotUnsupported) {
  Compilation c = compile_with(pms_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  // website is a field of residents, but the update route's body does not have it.
  auto d = decide(*c.program, "residents", ast::Operation::update, R"({"last_name":"Lee","website":"https://x.y"})");
  EXPECT_EQ(d.codes, Codes({"/website unknown_field"}));
  // first_name is in the update body, and P does not take it.
  d = decide(*c.program, "residents", ast::Operation::update, R"({"last_name":"Lee","first_name":"A"})");
  EXPECT_EQ(d.codes, Codes({"/first_name unsupported_field"}));
}

TEST(Routes, NamedOperationsAreDecidedAndRefusedByName) {
  Compilation c = compile_with(pms_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  auto d = decide(*c.program, "events/appointments/leads", ast::Operation::cancel,
                  R"({"integration_id":"i","event_id":"e"})");
  EXPECT_EQ(d.decision.verdict, Verdict::accept);
  d = decide(*c.program, "lead_appointments", ast::Operation::cancel, R"({"integration_id":"i"})");
  EXPECT_EQ(d.codes, Codes({"/event_id missing_required_field"}));
  d = decide(*c.program, "lead_appointments", ast::Operation::create, R"({"integration_id":"i"})");
  EXPECT_EQ(d.decision.status, 405);
  EXPECT_EQ(d.codes, Codes({" operation_not_supported"}));
  // No such route at all: refused, with the reason saying the unified API has none.
  d = decide(*c.program, "lead_appointments", ast::Operation::update, "{}");
  ASSERT_EQ(d.decision.errors.size(), 1u);
  EXPECT_NE(d.decision.errors[0].message.find("the unified API has no update route for lead_appointments"),
            std::string::npos);
  d = decide(*c.program, "residents", ast::Operation::upload_file, R"({"integration_id":"i","notes":"n"})");
  EXPECT_EQ(d.decision.verdict, Verdict::accept);
}

TEST(Routes, OperationsAreResolvedFromRouteShapedNames) {
  std::string model = "residents/file-upload";
  EXPECT_EQ(ast::resolve_operation(model, "create"), ast::Operation::upload_file);
  EXPECT_EQ(model, "residents");
  model = "units/custom-data";
  EXPECT_EQ(ast::resolve_operation(model, "update"), ast::Operation::update_custom_data);
  EXPECT_EQ(model, "units");
  model = "units/custom-data";
  EXPECT_EQ(ast::resolve_operation(model, "create"), ast::Operation::create_custom_data);
  model = "resident-charges/batch";
  EXPECT_EQ(ast::resolve_operation(model, "create"), ast::Operation::batch_create);
  model = "residents/notes";
  EXPECT_EQ(ast::resolve_operation(model, "create"), ast::Operation::create_note);
  model = "events/appointments/leads";
  EXPECT_EQ(ast::resolve_operation(model, "cancel"), ast::Operation::cancel);
  EXPECT_EQ(model, "events/appointments/leads");
  model = "residents";
  EXPECT_EQ(ast::resolve_operation(model, "create"), ast::Operation::create);
  EXPECT_EQ(ast::resolve_operation(model, "delete"), std::nullopt);
  for (auto op : ast::all_operations()) EXPECT_EQ(ast::operation_from_name(ast::operation_name(op)), op);
}

TEST(Routes, NewTypesCheckTheirValues) {
  Compilation c = compile_with(pms_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  auto ok = [&](std::string_view body) {
    return decide(*c.program, "residents", ast::Operation::create, body).decision.verdict == Verdict::accept;
  };
  EXPECT_TRUE(ok(R"({"integration_id":"i","last_name":"L","date_of_birth":"1990-02-03"})"));
  EXPECT_TRUE(ok(R"({"integration_id":"i","last_name":"L","date_of_birth":"1990-02-03T00:00:00Z"})"));
  EXPECT_FALSE(ok(R"({"integration_id":"i","last_name":"L","date_of_birth":"1990-02-30"})"));
  EXPECT_FALSE(ok(R"({"integration_id":"i","last_name":"L","date_of_birth":"03/02/1990"})"));
  EXPECT_TRUE(ok(R"({"integration_id":"i","last_name":"L","website":"https://example.com/a?b=c"})"));
  EXPECT_FALSE(ok(R"({"integration_id":"i","last_name":"L","website":"example.com"})"));
  EXPECT_FALSE(ok(R"({"integration_id":"i","last_name":"L","website":"https://exa mple.com"})"));
  EXPECT_TRUE(ok(R"({"integration_id":"i","last_name":"L","custom_data":{"a":[1,{"b":null}],"c":"d"}})"));
  EXPECT_TRUE(ok(R"({"integration_id":"i","last_name":"L","custom_data":{}})"));
  EXPECT_FALSE(ok(R"({"integration_id":"i","last_name":"L","custom_data":[1]})"));
  EXPECT_FALSE(ok(R"({"integration_id":"i","last_name":"L","custom_data":"x"})"));
}

TEST(Routes, DatesOrDatetimesOrderAsInstants) {
  SourceSet sources;
  sources.add("m.rules", "model m { a: date_or_datetime  b: date_or_datetime }\n"
                         "pms P \"P\" { m { create {\n  a\n  b\n"
                         "  check a < b else \"a before b\"\n"
                         "  check a >= \"2020-01-01\" else \"from 2020\"\n} } }\n");
  Compilation c = compile(std::move(sources));
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  auto verdict = [&](std::string_view body) {
    return decide(*c.program, "m", ast::Operation::create, body).decision.verdict;
  };
  EXPECT_EQ(verdict(R"({"a":"2021-03-04","b":"2021-03-04T00:00:01Z"})"), Verdict::accept);
  EXPECT_EQ(verdict(R"({"a":"2021-03-04T12:00:00Z","b":"2021-03-04"})"), Verdict::reject);
  EXPECT_EQ(verdict(R"({"a":"2021-03-04T12:00:00+02:00","b":"2021-03-05"})"), Verdict::accept);
  EXPECT_EQ(verdict(R"({"a":"2019-12-31T23:59:59Z"})"), Verdict::reject);
  EXPECT_EQ(verdict(R"({"a":"2020-01-01"})"), Verdict::accept);
}

TEST(Routes, DeprecatedFieldsAreDecidedAsUsualAndMarked) {
  Compilation c = compile_with(pms_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const Program& p = *c.program;
  const OperationRules& create = p.find_pms("P")->find_model("residents")->operation(ast::Operation::create);
  const FieldRules& notes = create.record->fields[create.record->index.find("notes")];
  EXPECT_TRUE(notes.deprecated);
  EXPECT_TRUE(notes.supported);
  auto d = decide(p, "residents", ast::Operation::create, R"({"integration_id":"i","last_name":"L","notes":"n"})");
  EXPECT_EQ(d.decision.verdict, Verdict::accept);
  std::string schema = json_schema(p, *p.find_pms("P"), *p.find_pms("P")->find_model("residents"), ast::Operation::create);
  EXPECT_NE(schema.find(R"("notes":{"type":"string","deprecated":true})"), std::string::npos) << schema;
}

TEST(Routes, GenericSchemaHoldsTheRoutesBody) {
  Compilation c = compile_with(pms_rules);
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  std::string schema = generic_json_schema(*c.program, *c.program->find_model("residents"), ast::Operation::update);
  EXPECT_NE(schema.find(R"("resident_id":{"type":"string"})"), std::string::npos) << schema;
  EXPECT_EQ(schema.find("website"), std::string::npos) << schema;
  EXPECT_NE(schema.find(R"("anyOf":[{"type":"string","format":"date-time")"), std::string::npos) << schema;
}

TEST(Routes, AnOperationSaysWhetherTheCreatedIdComesBack) {
  Compilation c = compile_with(R"(pms P "P" {
  residents {
    create {
      created id returned
      last_name
    }
    upload_file {
      created id not returned
      notes
    }
    update { last_name }
  }
}
)");
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const ModelRules& m = *c.program->find_pms("P")->find_model("residents");
  EXPECT_EQ(m.operation(ast::Operation::create).created_id_returned, std::optional<bool>(true));
  EXPECT_EQ(m.operation(ast::Operation::upload_file).created_id_returned, std::optional<bool>(false));
  EXPECT_EQ(m.operation(ast::Operation::update).created_id_returned, std::nullopt);
  EXPECT_NE(dump_program(*c.program).find("residents upload_file @pms.rules:7:5 created id not returned"),
            std::string::npos) << dump_program(*c.program);

  SourceSet sources;
  sources.add("m.rules", "model m {\n  a: string\n  create {\n    created id returned\n    a\n  }\n}\n");
  Compilation in_model = compile(std::move(sources));
  EXPECT_EQ(in_model.render_diagnostics(),
            "m.rules:4:5: error: whether the created record's id comes back is a fact of a PMS; say it in the PMS's "
            "operation, not in the generic model\n"
            " 4 |     created id returned\n"
            "   |     ^~~~~~~~~~~~~~~~~~~\n");
}

TEST(Routes, ExtraFieldsAreThePmssOwn) {
  Compilation c = compile_with(R"(pms P "P" {
  residents {
    update {
      last_name
      extra short_description: string required length ..50
      extra square_feet: integer range 0..
      extra fax: string deprecated
      check square_feet >= 10 else "at least 10 square feet"
    }
  }
}
)");
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  auto d = decide(*c.program, "residents", ast::Operation::update, R"({"last_name":"L","short_description":"s","square_feet":12})");
  EXPECT_EQ(d.decision.verdict, Verdict::accept) << to_json(d.decision);
  d = decide(*c.program, "residents", ast::Operation::update, R"({"last_name":"L","square_feet":5})");
  EXPECT_EQ(d.codes, Codes({"/short_description missing_required_field", "/square_feet rule_violation"}));
  // Another PMS (or the generic route) does not know the field.
  std::string schema = json_schema(*c.program, *c.program->find_pms("P"), *c.program->find_pms("P")->find_model("residents"),
                                   ast::Operation::update);
  EXPECT_NE(schema.find(R"("short_description":{"type":"string","maxLength":50})"), std::string::npos) << schema;
  EXPECT_EQ(generic_json_schema(*c.program, *c.program->find_model("residents"), ast::Operation::update).find("short_description"),
            std::string::npos);
  EXPECT_NE(schema.find(R"("fax":{"type":"string","deprecated":true})"), std::string::npos) << schema;

  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"extra last_name: string", "pms.rules:1:40: error: 'last_name' is a field of this route already; list it without 'extra'"},
           {"extra website: string", "pms.rules:1:49: error: 'website' is a uri in the generic model 'residents'; an extra field keeps that type"},
       }) {
    Compilation bad = compile_with("pms P \"P\" { residents { update { " + text + " } } }\n");
    EXPECT_NE(bad.render_diagnostics().find(message), std::string::npos) << bad.render_diagnostics();
  }
}

struct RouteDiagnostic {
  const char* name;
  std::string pms;
  std::string expected;
};

[[maybe_unused]] void PrintTo(const RouteDiagnostic& c, std::ostream* os) { *os << c.name; }

class RouteDiagnostics : public ::testing::TestWithParam<RouteDiagnostic> {};

TEST_P(RouteDiagnostics, ReportsExactDiagnostics) {
  Compilation c = compile_with(GetParam().pms);
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.render_diagnostics(), GetParam().expected);
}

const RouteDiagnostic route_diagnostics[] = {
    {"field_not_in_the_route",
     "pms P \"P\" { residents { update {\n  website\n} } }\n",
     "pms.rules:2:3: error: field 'website' of 'residents' is not in this route's request body\n"
     " 2 |   website\n"
     "   |   ^~~~~~~\n"},
    {"operation_the_model_has_no_route_for",
     "pms P \"P\" { lead_appointments { update {\n  event_id\n} } }\n",
     "pms.rules:1:33: error: model 'lead_appointments' has no 'update' route; its routes are create, cancel\n"
     " 1 | pms P \"P\" { lead_appointments { update {\n"
     "   |                                 ^~~~~~\n"
     "models.rules:14:7: note: the model is declared here\n"
     " 14 | model lead_appointments \"events/appointments/leads\" {\n"
     "    |       ^~~~~~~~~~~~~~~~~\n"},
};

INSTANTIATE_TEST_SUITE_P(Compile, RouteDiagnostics, ::testing::ValuesIn(route_diagnostics),
                         [](const auto& test) { return std::string(test.param.name); });

TEST(RouteDiagnostics, ModelsListRoutesTheyHaveAndPathsOnce) {
  SourceSet sources;
  sources.add("m.rules",
              "model a \"x/y\" {\n  f: string\n  cancel: unsupported \"no\"\n}\n"
              "model b \"x/y\" {\n  f: string\n}\n"
              "model c \"X Y\" {\n  f: string\n}\n"
              "type t {\n  f: string\n}\n");
  Compilation c = compile(std::move(sources));
  std::string text = c.render_diagnostics();
  // A model lists the routes it has; `unsupported` belongs to PMS rules only.
  EXPECT_NE(text.find("m.rules:3:23: error: expected '}' or another item of this block, found '\"no\"'"),
            std::string::npos) << text;
  SourceSet sources2;
  sources2.add("m.rules",
               "model a \"x/y\" {\n  f: string\n}\n"
               "model b \"x/y\" {\n  f: string\n}\n"
               "model c \"X Y\" {\n  f: string\n}\n");
  Compilation c2 = compile(std::move(sources2));
  text = c2.render_diagnostics();
  EXPECT_NE(text.find("m.rules:4:9: error: duplicate definition of resource path 'x/y'"), std::string::npos) << text;
  EXPECT_NE(text.find("m.rules:7:9: error: resource path 'X Y' must be lower-case words"), std::string::npos) << text;
}

}  // namespace
}  // namespace gatehouse
