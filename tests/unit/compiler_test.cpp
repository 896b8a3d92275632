// Compiler diagnostics (each exact, with caret) and properties of the compiled Program.
#include <gtest/gtest.h>

#include <thread>

#include "gatehouse/compiler.hpp"
#include "gatehouse/evaluator.hpp"

namespace gatehouse {
namespace {

const char* const models = R"(type line_item { description: string  amount: integer }
model residents {
  first_name: string
  last_name: string
  email_1: email
  phone_1: phone
  phone_1_type: enum(HOME, WORK, MOBILE, FAX)
  rent_due_day: integer
  balance: decimal
  date_of_birth: date
  seen_at: datetime
  active: boolean
  items: list<line_item>
  tags: list<string>
  item: line_item
}
)";

Compilation compile_with_models(const std::string& pms_text) {
  SourceSet sources;
  sources.add("models.rules", models);
  sources.add("pms.rules", pms_text);
  return compile(std::move(sources));
}

std::string wrap(const std::string& body) {
  return "pms X \"X\" { residents { update {\n" + body + "\n} } }\n";
}

struct DiagnosticCase {
  const char* name;
  std::string body;  // rule items inside `residents { update { ... } }`, starting at line 2
  std::string expected;
};

// Test names print the case's name, not its bytes.
[[maybe_unused]] void PrintTo(const DiagnosticCase& c, std::ostream* os) { *os << c.name; }

class CompilerDiagnostics : public ::testing::TestWithParam<DiagnosticCase> {};

TEST_P(CompilerDiagnostics, ReportsExactDiagnostics) {
  Compilation c = compile_with_models(wrap(GetParam().body));
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.render_diagnostics(), GetParam().expected);
}

const DiagnosticCase diagnostic_cases[] = {
    {"unknown_field_with_suggestion", "  emial_1",
     "pms.rules:2:3: error: unknown field 'emial_1' in 'residents'; did you mean 'email_1'?\n"
     " 2 |   emial_1\n"
     "   |   ^~~~~~~\n"},
    {"misspelled_constraint_on_next_line", "  last_name\n  requird",
     "pms.rules:3:3: error: unknown field 'requird' in 'residents'; did you mean the constraint "
     "'required'? (a field's constraints go on the field's own line)\n"
     " 3 |   requird\n"
     "   |   ^~~~~~~\n"},
    {"contradictory_length", "  last_name length 5..2",
     "pms.rules:2:20: error: contradictory length 5..2: the minimum is greater than the maximum\n"
     " 2 |   last_name length 5..2\n"
     "   |                    ^~~~\n"},
    {"range_on_a_string", "  last_name range 1..5",
     "pms.rules:2:13: error: 'range' applies to integer and decimal fields; 'last_name' is a string\n"
     " 2 |   last_name range 1..5\n"
     "   |             ^~~~~~~~~~\n"},
    {"length_on_an_integer", "  rent_due_day length 1..2",
     "pms.rules:2:16: error: 'length' applies to string, email and phone fields; 'rent_due_day' is an integer\n"
     " 2 |   rent_due_day length 1..2\n"
     "   |                ^~~~~~~~~~~\n"},
    {"decimal_range_on_integer", "  rent_due_day range 1.5..3",
     "pms.rules:2:22: error: 'rent_due_day' is an integer; its range needs whole numbers, not 1.5\n"
     " 2 |   rent_due_day range 1.5..3\n"
     "   |                      ^~~\n"},
    {"one_of_widens_enum", "  phone_1_type one of (HOME, CELL)",
     "pms.rules:2:30: error: 'CELL' is not a value of phone_1_type: enum(HOME, WORK, MOBILE, FAX); "
     "'one of' can only narrow (a PMS whose page lists other values says so with 'pms values')\n"
     " 2 |   phone_1_type one of (HOME, CELL)\n"
     "   |                              ^~~~\n"},
    {"items_on_a_scalar", "  last_name items 1..2",
     "pms.rules:2:13: error: 'items' applies to list fields; 'last_name' is a string\n"
     " 2 |   last_name items 1..2\n"
     "   |             ^~~~~~~~~~\n"},
    {"invalid_pattern", "  last_name pattern /a(b/",
     "pms.rules:2:13: error: invalid pattern /a(b/: missing ): a(b\n"
     " 2 |   last_name pattern /a(b/\n"
     "   |             ^~~~~~~~~~~~~\n"},
    {"constraint_given_twice", "  last_name length 1..5\n  last_name length 1..9",
     "pms.rules:3:13: error: 'length' is already given for field 'last_name'\n"
     " 3 |   last_name length 1..9\n"
     "   |             ^~~~~~~~~~~\n"
     "pms.rules:2:13: note: given here\n"
     " 2 |   last_name length 1..5\n"
     "   |             ^~~~~~~~~~~\n"},
    {"required_field_not_supported", "  require last_name when present(phone_1)\n  phone_1",
     "pms.rules:2:11: error: field 'last_name' is not supported by this operation; list it before "
     "using it in a rule\n"
     " 2 |   require last_name when present(phone_1)\n"
     "   |           ^~~~~~~~~\n"},
    {"check_names_unknown_field", "  rent_due_day\n  check rent_du_day > 1 else \"m\"",
     "pms.rules:3:9: error: unknown field 'rent_du_day' in 'residents'; did you mean 'rent_due_day'?\n"
     " 3 |   check rent_du_day > 1 else \"m\"\n"
     "   |         ^~~~~~~~~~~\n"},
    {"check_compares_incompatible_types", "  rent_due_day\n  last_name\n  check rent_due_day == last_name else \"m\"",
     "pms.rules:4:9: error: cannot compare 'rent_due_day' (a number) with 'last_name' (text)\n"
     " 4 |   check rent_due_day == last_name else \"m\"\n"
     "   |         ^~~~~~~~~~~~~~~~~~~~~~~~~\n"},
    {"check_enum_literal_not_a_member", "  phone_1_type\n  check phone_1_type == \"CELL\" else \"m\"",
     "pms.rules:3:25: error: \"CELL\" is not a value of 'phone_1_type'\n"
     " 3 |   check phone_1_type == \"CELL\" else \"m\"\n"
     "   |                         ^~~~~~\n"},
    {"check_orders_text", "  last_name\n  check last_name < \"M\" else \"m\"",
     "pms.rules:3:9: error: '<', '<=', '>' and '>=' compare numbers, dates and datetimes; 'last_name' is text\n"
     " 3 |   check last_name < \"M\" else \"m\"\n"
     "   |         ^~~~~~~~~~~~~~~\n"},
    {"check_invalid_date_literal", "  date_of_birth\n  check date_of_birth < \"2020-02-30\" else \"m\"",
     "pms.rules:3:25: error: \"2020-02-30\" is not a valid date (YYYY-MM-DD)\n"
     " 3 |   check date_of_birth < \"2020-02-30\" else \"m\"\n"
     "   |                         ^~~~~~~~~~~~\n"},
    {"check_of_two_constants", "  check 1 < 2 else \"m\"",
     "pms.rules:2:9: error: this comparison has no field: it compares two constants\n"
     " 2 |   check 1 < 2 else \"m\"\n"
     "   |         ^~~~~\n"},
    {"block_on_a_scalar", "  last_name { x }",
     "pms.rules:2:3: error: 'last_name' is a string; a { } block describes the fields of a record type\n"
     " 2 |   last_name { x }\n"
     "   |   ^~~~~~~~~\n"},
    {"unknown_field_in_nested_block", "  items { descriptoin required }",
     "pms.rules:2:11: error: unknown field 'descriptoin' in 'line_item'; did you mean 'description'?\n"
     " 2 |   items { descriptoin required }\n"
     "   |           ^~~~~~~~~~~\n"},
    {"unknown_shared_block", "  use contcat",
     "pms.rules:2:7: error: unknown rules block 'contcat'\n"
     " 2 |   use contcat\n"
     "   |       ^~~~~~~\n"},
};

INSTANTIATE_TEST_SUITE_P(Compile, CompilerDiagnostics, ::testing::ValuesIn(diagnostic_cases),
                         [](const auto& test) { return std::string(test.param.name); });

TEST(Compiler, ReportsEveryProblemOfARunAcrossFiles) {
  SourceSet sources;
  sources.add("a.rules", "model m { x: strng }\nmodel m { y: string }\n");
  sources.add("b.rules", "pms P \"P\" { mm { update { x } } }\n");
  sources.add("c.rules", "pms Q \"Q\" { m { update { x length } } }\n");
  Compilation c = compile(std::move(sources));
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.render_diagnostics(),
            "c.rules:1:35: error: expected bounds: 'min..max', 'min..', '..max' or a single number, found '}'\n"
            " 1 | pms Q \"Q\" { m { update { x length } } }\n"
            "   |                                   ^\n"
            "a.rules:2:7: error: duplicate definition of model 'm'\n"
            " 2 | model m { y: string }\n"
            "   |       ^\n"
            "a.rules:1:7: note: previous definition is here\n"
            " 1 | model m { x: strng }\n"
            "   |       ^\n"
            "a.rules:1:14: error: unknown type 'strng'; did you mean 'string'?\n"
            " 1 | model m { x: strng }\n"
            "   |              ^~~~~\n"
            "b.rules:1:13: error: unknown model 'mm'; did you mean 'm'?\n"
            " 1 | pms P \"P\" { mm { update { x } } }\n"
            "   |             ^~\n");
  EXPECT_EQ(c.diagnostics.error_count(), 4u);
}

TEST(Compiler, DuplicatePmsOperationAndSharedBlock) {
  SourceSet sources;
  sources.add("models.rules", "model m { x: string }\n");
  sources.add("p.rules",
              "rules r { x }\nrules r { x }\n"
              "pms P \"P\" { m { update { x } update { x } } }\npms P \"P2\" { }\n");
  Compilation c = compile(std::move(sources));
  std::string d = c.render_diagnostics();
  EXPECT_NE(d.find("p.rules:2:7: error: duplicate definition of rules block 'r'"), std::string::npos) << d;
  EXPECT_NE(d.find("p.rules:3:30: error: duplicate definition of operation 'update' of 'm'"), std::string::npos) << d;
  EXPECT_NE(d.find("p.rules:4:5: error: duplicate definition of pms 'P'"), std::string::npos) << d;
}

TEST(Compiler, RefreshAfterWriteIsKeptPerPmsModel) {
  SourceSet sources;
  sources.add("models.rules", "model m { x: string }\nmodel n { x: string }\n");
  sources.add("p.rules", "pms P \"P\" { m { refresh after write update { x } } n { update { x } } }\n");
  Compilation c = compile(std::move(sources));
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  EXPECT_TRUE(c.program->find_pms("P")->models.at("m").refresh_after_write);
  EXPECT_FALSE(c.program->find_pms("P")->models.at("n").refresh_after_write);
}

TEST(Compiler, RefreshAfterWriteOfAModelBlockHoldsForEachOperation) {
  SourceSet sources;
  sources.add("models.rules", "model m { x: string }\n");
  sources.add("p.rules", "pms P \"P\" { m { refresh after write create { x } update { x } } }\n");
  Compilation c = compile(std::move(sources));
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const ModelRules& m = c.program->find_pms("P")->models.at("m");
  EXPECT_TRUE(m.operation(ast::Operation::create).refresh_after_write);
  EXPECT_TRUE(m.operation(ast::Operation::update).refresh_after_write);
}

TEST(Compiler, RefreshAfterWriteOfOneOperation) {
  SourceSet sources;
  sources.add("models.rules", "model m { x: string }\n");
  sources.add("p.rules",
              "pms P \"P\" { m {\n create { created id returned refresh after write x }\n update { x } } }\n");
  Compilation c = compile(std::move(sources));
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const ModelRules& m = c.program->find_pms("P")->models.at("m");
  EXPECT_TRUE(m.operation(ast::Operation::create).refresh_after_write);
  EXPECT_FALSE(m.operation(ast::Operation::update).refresh_after_write);
  EXPECT_TRUE(m.any_refresh_after_write());
  EXPECT_NE(dump_program(*c.program).find("m create @p.rules:2:2 created id returned refresh after write"),
            std::string::npos)
      << dump_program(*c.program);
}

TEST(Compiler, RefreshAfterWriteOfAnOperationIsCheckedAgainstItsBlockAndItsId) {
  SourceSet sources;
  sources.add("models.rules", "model m { x: string }\n");
  sources.add("p.rules",
              "pms P \"P\" { m {\n refresh after write\n update { refresh after write x } } }\n"
              "pms Q \"Q\" { m {\n create { created id not returned refresh after write x } } }\n");
  Compilation c = compile(std::move(sources));
  std::string d = c.render_diagnostics();
  EXPECT_NE(d.find("p.rules:3:11: error: 'refresh after write' is already said for all of 'm'"), std::string::npos) << d;
  EXPECT_NE(d.find("p.rules:2:2: note: said here, for the whole model"), std::string::npos) << d;
  EXPECT_NE(d.find("p.rules:5:35: error: a created record whose id does not come back cannot be read back"),
            std::string::npos)
      << d;
}

TEST(Compiler, RefreshAfterWriteInAGenericRouteIsReported) {
  SourceSet sources;
  sources.add("models.rules", "model m {\n x: string\n create { refresh after write x }\n}\n");
  Compilation c = compile(std::move(sources));
  EXPECT_NE(c.render_diagnostics().find("models.rules:3:11: error: whether a record is read back after a write is a "
                                        "fact of a PMS"),
            std::string::npos)
      << c.render_diagnostics();
}

TEST(Compiler, RefreshAfterWriteTwiceIsReported) {
  SourceSet sources;
  sources.add("models.rules", "model m { x: string }\n");
  sources.add("p.rules", "pms P \"P\" { m {\n refresh after write\n refresh after write\n} }\n");
  Compilation c = compile(std::move(sources));
  EXPECT_NE(c.render_diagnostics().find("p.rules:3:2: error: duplicate definition of 'refresh after write' of 'm'"),
            std::string::npos)
      << c.render_diagnostics();
}

TEST(Compiler, SharedBlockCycleIsReported) {
  SourceSet sources;
  sources.add("models.rules", "model m { x: string }\n");
  sources.add("p.rules", "rules a { use b }\nrules b { use a }\npms P \"P\" { m { update { use a } } }\n");
  Compilation c = compile(std::move(sources));
  EXPECT_NE(c.render_diagnostics().find("error: rules block 'a' uses itself"), std::string::npos)
      << c.render_diagnostics();
}

TEST(Compiler, NestedTypeMustBeAType) {
  SourceSet sources;
  sources.add("models.rules", "model a { x: string }\nmodel b { y: a }\n");
  Compilation c = compile(std::move(sources));
  EXPECT_NE(c.render_diagnostics().find("'a' is a model; a nested record must be declared with 'type'"),
            std::string::npos);
}

TEST(Compiler, SharedBlocksAddConstraintsAndOperationsShareBodies) {
  Compilation c = compile_with_models(
      "rules contact { phone_1  phone_1_type required when present(phone_1)  last_name length 1..9 }\n"
      "pms X \"X\" { residents { create, update { use contact\n  last_name required } } }\n");
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const auto& model = c.program->find_pms("X")->models.at("residents");
  EXPECT_TRUE(model.operation(ast::Operation::create).offered);
  EXPECT_EQ(model.operation(ast::Operation::create).record, model.operation(ast::Operation::update).record);
  const RecordRules& r = *model.operation(ast::Operation::update).record;
  const FieldRules& last = r.fields[r.index.find("last_name")];
  EXPECT_TRUE(last.supported);
  EXPECT_TRUE(last.required);
  EXPECT_EQ(last.value.max_length, 9u);
  EXPECT_EQ(r.conditional_requirements.size(), 1u);
  EXPECT_FALSE(r.fields[r.index.find("first_name")].supported);
}

TEST(Compiler, UnlistedModelsAndOperationsAreNotOffered) {
  Compilation c = compile_with_models("pms X \"X\" { residents { update { last_name } } }\n");
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  const auto& model = c.program->find_pms("X")->models.at("residents");
  EXPECT_FALSE(model.operation(ast::Operation::create).offered);
  EXPECT_EQ(model.operation(ast::Operation::create).reason, "X rules list no create for residents");
  EXPECT_TRUE(model.operation(ast::Operation::update).offered);
}

TEST(Compiler, RulesVersionIsAContentHash) {
  auto version = [](const std::string& text) {
    SourceSet s;
    s.add("m.rules", text);
    return compile(std::move(s)).program->rules_version();
  };
  EXPECT_EQ(version("model m { x: string }"), version("model m { x: string }"));
  EXPECT_NE(version("model m { x: string }"), version("model m { x: string }\n"));
  EXPECT_EQ(version("model m { x: string }").size(), 16u);
}

TEST(Compiler, DumpProgramShowsNarrowedRules) {
  Compilation c = compile_with_models(
      "pms X \"X\" { residents { update {\n  last_name required length 1..50\n"
      "  tags items ..3 length ..5\n  items { amount range 0.. }\n} } }\n");
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  std::string dump = dump_program(*c.program);
  EXPECT_NE(dump.find("    last_name: string length 1..50 required @pms.rules:2:3"), std::string::npos) << dump;
  EXPECT_NE(dump.find("    tags: list<string> items ..3 each(string length ..5) @pms.rules:3:3"), std::string::npos) << dump;
  EXPECT_NE(dump.find("      amount: integer range 0.. @pms.rules:4:11"), std::string::npos) << dump;
  EXPECT_NE(dump.find("    first_name: unsupported"), std::string::npos) << dump;
  EXPECT_NE(dump.find("  residents create not offered: \"X rules list no create for residents\""), std::string::npos) << dump;
}

TEST(Compiler, ProgramIsSharedSafelyAcrossThreads) {
  Compilation c = compile_with_models(
      "pms X \"X\" { residents { update { last_name required length 1..5  rent_due_day range 1..31 } } }\n");
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  std::shared_ptr<const Program> program = c.program;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      EvaluationContext context;
      for (int i = 0; i < 2000; ++i) {
        bool good = (i + t) % 2 == 0;
        std::string payload = good ? R"({"last_name":"Lee","rent_due_day":3})"
                                   : R"({"last_name":"Leeeeeeeee","rent_due_day":40})";
        Request r{"X", "residents", ast::Operation::update, false, payload};
        Decision d = evaluate(*program, r, context);
        if ((d.verdict == Verdict::accept) != good || (!good && d.errors.size() != 2)) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace gatehouse
