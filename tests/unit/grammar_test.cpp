// Grammar tables: .rules text -> AST dump, and bad text -> the exact diagnostic with its caret.
#include <gtest/gtest.h>

#include "gatehouse/grammar/parser.hpp"

namespace gatehouse {
namespace {

/// The AST dump of `text`, or the rendered diagnostics when it does not parse.
std::string parse_text(const std::string& text) {
  SourceSet sources;
  auto id = sources.add("test.rules", text);
  Diagnostics diagnostics;
  auto file = parse_rules(sources, id, diagnostics);
  if (!file) return diagnostics.render(sources);
  return dump_ast(*file);
}

struct GrammarCase {
  const char* name;
  const char* input;
  const char* expected;
};

// Test names print the case's name, not its bytes.
[[maybe_unused]] void PrintTo(const GrammarCase& c, std::ostream* os) { *os << c.name; }

class GrammarTable : public ::testing::TestWithParam<GrammarCase> {};

TEST_P(GrammarTable, ParsesToExpectedTree) {
  EXPECT_EQ(parse_text(GetParam().input), GetParam().expected);
}

const GrammarCase parse_cases[] = {
    {"empty_file", "", ""},
    {"comments_only", "# nothing here\n   # still nothing\n", ""},
    {"model_with_builtin_types",
     "model residents {\n  first_name: string\n  rent_due_day: integer\n  balance: decimal\n"
     "  active: boolean\n  date_of_birth: date\n  seen_at: datetime\n  email_1: email\n"
     "  phone_1: phone\n  id: uuid\n}\n",
     "model residents @1:7\n"
     "  field first_name: string @2:3\n"
     "  field rent_due_day: integer @3:3\n"
     "  field balance: decimal @4:3\n"
     "  field active: boolean @5:3\n"
     "  field date_of_birth: date @6:3\n"
     "  field seen_at: datetime @7:3\n"
     "  field email_1: email @8:3\n"
     "  field phone_1: phone @9:3\n"
     "  field id: uuid @10:3\n"},
    {"nullable_enum_list_and_record_types",
     "type line_item { description: string  amount: integer }\n"
     "model work_orders { kind: enum(HOME, \"WORK ORDER\", 1BR)?  items: list<line_item>  "
     "tags: list<string?>?  item: line_item }\n",
     "type line_item @1:6\n"
     "  field description: string @1:18\n"
     "  field amount: integer @1:39\n"
     "model work_orders @2:7\n"
     "  field kind: enum(HOME, WORK ORDER, 1BR)? @2:21\n"
     "  field items: list<line_item> @2:59\n"
     "  field tags: list<string?>? @2:83\n"
     "  field item: line_item @2:105\n"},
    {"pms_with_operations_and_constraints",
     "pms RENTMANAGER \"Rent Manager\" {\n"
     "  residents {\n"
     "    create: unsupported \"lease workflow only\"\n"
     "    update {\n"
     "      last_name required length 1..50\n"
     "      email_1 length ..80 pattern /@example\\.com$/\n"
     "      rent_due_day required range 1..31\n"
     "      balance range -10.5..\n"
     "      code length 3\n"
     "      phone_1_type required when present(phone_1)\n"
     "      kind one of (HOME, \"WORK\")\n"
     "      tags items 1..5\n"
     "    }\n"
     "  }\n"
     "}\n",
     "pms RENTMANAGER \"Rent Manager\" @1:5\n"
     "  model residents @2:3\n"
     "    create unsupported \"lease workflow only\" @3:5\n"
     "    update @4:5\n"
     "      field last_name @5:7\n"
     "        required @5:17\n"
     "        length 1..50 @5:26\n"
     "      field email_1 @6:7\n"
     "        length ..80 @6:15\n"
     "        pattern /@example\\.com$/ @6:27\n"
     "      field rent_due_day @7:7\n"
     "        required @7:20\n"
     "        range 1..31 @7:29\n"
     "      field balance @8:7\n"
     "        range -10.5.. @8:15\n"
     "      field code @9:7\n"
     "        length 3..3 @9:12\n"
     "      field phone_1_type @10:7\n"
     "        required when present(phone_1) @10:20\n"
     "      field kind @11:7\n"
     "        one of (HOME, WORK) @11:12\n"
     "      field tags @12:7\n"
     "        items 1..5 @12:12\n"},
    {"shared_operations_and_use",
     "rules contact { phone_1 }\n"
     "pms X \"X\" { leads { create, update { use contact } } }\n",
     "rules contact @1:7\n"
     "  field phone_1 @1:17\n"
     "pms X \"X\" @2:5\n"
     "  model leads @2:13\n"
     "    create, update @2:21\n"
     "      use contact @2:42\n"},
    {"nested_record_block",
     "pms X \"X\" { work_orders { create {\n"
     "  line_items items ..10 { description required  amount_in_cents range 0.. }\n"
     "} } }\n",
     "pms X \"X\" @1:5\n"
     "  model work_orders @1:13\n"
     "    create @1:27\n"
     "      field line_items @2:3\n"
     "        items ..10 @2:14\n"
     "        block\n"
     "          field description @2:27\n"
     "            required @2:39\n"
     "          field amount_in_cents @2:49\n"
     "            range 0.. @2:65\n"},
    {"cross_field_rules_and_precedence",
     "pms X \"X\" { residents { update {\n"
     "  check a < 5 or b == \"X\" and not present(c) else \"msg\"\n"
     "  check (a < 5 or b != true) and d >= \"2020-01-01\" else \"two\"\n"
     "  require x, y when a > -1.5 else \"why\"\n"
     "  require z when present(a)\n"
     "  at least one of (email_1, phone_1)\n"
     "  at least one of (a) else \"m\"\n"
     "} } }\n",
     "pms X \"X\" @1:5\n"
     "  model residents @1:13\n"
     "    update @1:25\n"
     "      check ((a < 5) or ((b == \"X\") and not present(c))) else \"msg\" @2:3\n"
     "      check (((a < 5) or (b != true)) and (d >= \"2020-01-01\")) else \"two\" @3:3\n"
     "      require x, y when (a > -1.5) else \"why\" @4:3\n"
     "      require z when present(a) @5:3\n"
     "      at least one of (email_1, phone_1) @6:3\n"
     "      at least one of (a) else \"m\" @7:3\n"},
    {"constraint_keyword_on_next_line_starts_a_new_field",
     "pms X \"X\" { units { update {\n  notes\n  items\n} } }\n",
     "pms X \"X\" @1:5\n"
     "  model units @1:13\n"
     "    update @1:21\n"
     "      field notes @2:3\n"
     "      field items @3:3\n"},
    {"string_escapes", "pms X \"say \\\"hi\\\"\" { }\n", "pms X \"say \\\"hi\\\"\" @1:5\n"},
    {"model_with_resource_routes_and_deprecated_field",
     "model lead_appointments \"events/appointments/leads\" {\n"
     "  lead_id: string\n"
     "  notes: string deprecated\n"
     "  create { lead_id required  notes }\n"
     "  cancel { lead_id }\n"
     "}\n",
     "model lead_appointments \"events/appointments/leads\" @1:7\n"
     "  field lead_id: string @2:3\n"
     "  field notes: string deprecated @3:3\n"
     "  create @4:3\n"
     "    field lead_id @4:12\n"
     "      required @4:20\n"
     "    field notes @4:30\n"
     "  cancel @5:3\n"
     "    field lead_id @5:12\n"},
    {"named_operations_in_a_pms",
     "pms X \"X\" { residents { upload_file, create_note { notes } cancel: unsupported \"no\" } }\n",
     "pms X \"X\" @1:5\n"
     "  model residents @1:13\n"
     "    upload_file, create_note @1:25\n"
     "      field notes @1:52\n"
     "    cancel unsupported \"no\" @1:60\n"},
    {"created_id_clauses",
     "pms X \"X\" { residents { create { created id not returned\n last_name } update { created id returned } "
     "upload_file { created required } } }\n",
     "pms X \"X\" @1:5\n"
     "  model residents @1:13\n"
     "    create @1:25\n"
     "      created id not returned @1:34\n"
     "      field last_name @2:2\n"
     "    update @2:14\n"
     "      created id returned @2:23\n"
     "    upload_file @2:45\n"
     "      field created @2:59\n"
     "        required @2:67\n"},
    {"operation_refresh_after_write",
     "pms X \"X\" { residents { create { created id returned refresh after write\n last_name }\n"
     " update { refresh after write } } }\n",
     "pms X \"X\" @1:5\n"
     "  model residents @1:13\n"
     "    create @1:25\n"
     "      created id returned @1:34\n"
     "      refresh after write @1:54\n"
     "      field last_name @2:2\n"
     "    update @3:2\n"
     "      refresh after write @3:11\n"},
    {"extra_field",
     "pms X \"X\" { units { update { extra short_description: string required length ..50\n extra required\n extra old: object deprecated } } }\n",
     "pms X \"X\" @1:5\n"
     "  model units @1:13\n"
     "    update @1:21\n"
     "      extra field short_description: string @1:36\n"
     "        required @1:62\n"
     "        length ..50 @1:71\n"
     "      field extra @2:2\n"
     "        required @2:8\n"
     "      extra field old: object deprecated @3:8\n"},
    {"a_field_named_like_an_operation",
     "model m { create: string  send: boolean }\n",
     "model m @1:7\n"
     "  field create: string @1:11\n"
     "  field send: boolean @1:27\n"},
};

INSTANTIATE_TEST_SUITE_P(Parse, GrammarTable, ::testing::ValuesIn(parse_cases),
                         [](const auto& test) { return std::string(test.param.name); });

const GrammarCase error_cases[] = {
    {"missing_colon_in_model",
     "model residents {\n  first_name string\n}\n",
     "test.rules:2:14: error: expected ':' and a type after the field name, found 'string'\n"
     " 2 |   first_name string\n"
     "   |              ^~~~~~\n"},
    {"unknown_top_level_word",
     "modle residents {}\n",
     "test.rules:1:1: error: expected a declaration: 'model', 'type', 'pms' or 'rules', found 'modle'\n"
     " 1 | modle residents {}\n"
     "   | ^~~~~\n"},
    {"missing_type",
     "model r {\n  a:\n}\n",
     "test.rules:3:1: error: expected a type (string, integer, decimal, boolean, date, datetime, "
     "date_or_datetime, email, phone, uuid, uri, object, enum(...), list<...> or a type name), found '}'\n"
     " 3 | }\n"
     "   | ^\n"},
    {"pms_without_values_or_type",
     "pms X \"X\" { residents { update { kind pms valeus (A) } } }\n",
     "test.rules:1:43: error: expected 'values' or 'type' after 'pms' (pms values (A, B): the PMS's own values of an "
     "enum field; pms type date_or_datetime: the PMS also takes a date where the generic field is a datetime), found "
     "'valeus'\n"
     " 1 | pms X \"X\" { residents { update { kind pms valeus (A) } } }\n"
     "   |                                           ^~~~~~\n"},
    {"unknown_operation",
     "pms X \"X\" { residents { cancle { a } } }\n",
     "test.rules:1:25: error: unknown operation: expected create, update, cancel, assign, batch_create, "
     "query_availability, send, upload_file, create_note, create_custom_data, update_custom_data, "
     "send_push_notification, or 'refresh after write', found 'cancle'\n"
     " 1 | pms X \"X\" { residents { cancle { a } } }\n"
     "   |                         ^~~~~~\n"},
    {"unterminated_string",
     "pms X \"Rent\n",
     "test.rules:1:12: error: unterminated string: expected '\"' before the end of the line, found end of line\n"
     " 1 | pms X \"Rent\n"
     "   |            ^\n"},
    {"bad_bounds",
     "pms X \"X\" { residents { update {\n  last_name length a..b\n} } }\n",
     "test.rules:2:20: error: expected bounds: 'min..max', 'min..', '..max' or a single number, found 'a..b'\n"
     " 2 |   last_name length a..b\n"
     "   |                    ^~~~\n"},
    {"check_without_message",
     "pms X \"X\" { residents { update {\n  check a > 1\n} } }\n",
     "test.rules:3:1: error: expected 'else \"message\"' after the check's condition, found '}'\n"
     " 3 | } } }\n"
     "   | ^\n"},
    {"comparison_without_right_side",
     "pms X \"X\" { residents { update {\n  check a > else \"m\"\n} } }\n",
     "test.rules:2:13: error: expected a field name, number, \"string\", true or false after the operator, found 'else'\n"
     " 2 |   check a > else \"m\"\n"
     "   |             ^~~~\n"},
    {"operation_without_body",
     "pms X \"X\" { residents { update } }\n",
     "test.rules:1:32: error: expected '{' with the operation's rules, or ': unsupported \"reason\"', found '}'\n"
     " 1 | pms X \"X\" { residents { update } }\n"
     "   |                                ^\n"},
    {"unsupported_without_reason",
     "pms X \"X\" { residents { create: unsupported } }\n",
     "test.rules:1:45: error: expected a \"quoted string\", found '}'\n"
     " 1 | pms X \"X\" { residents { create: unsupported } }\n"
     "   |                                             ^\n"},
    {"unclosed_block",
     "pms X \"X\" { residents { update {\n  last_name required\n",
     "test.rules:3:1: error: expected '}' or another item of this block, found end of file\n"
     " 3 | \n"
     "   | ^\n"},
    {"refresh_without_write",
     "pms X \"X\" { residents { refresh after } }\n",
     "test.rules:1:39: error: expected 'write' (as in 'refresh after write'), found '}'\n"
     " 1 | pms X \"X\" { residents { refresh after } }\n"
     "   |                                       ^\n"},
    {"unterminated_pattern",
     "pms X \"X\" { residents { update {\n  zip pattern /^[0-9]{5}\n} } }\n",
     "test.rules:2:25: error: unterminated pattern: expected '/' before the end of the line, found end of line\n"
     " 2 |   zip pattern /^[0-9]{5}\n"
     "   |                         ^\n"},
};

class GrammarErrors : public ::testing::TestWithParam<GrammarCase> {};

TEST_P(GrammarErrors, ReportsExactDiagnostic) {
  EXPECT_EQ(parse_text(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Diagnose, GrammarErrors, ::testing::ValuesIn(error_cases),
                         [](const auto& test) { return std::string(test.param.name); });

TEST(Grammar, RefreshAfterWriteInAModelBlock) {
  EXPECT_EQ(parse_text("pms X \"X\" {\n  residents {\n    update { a }\n    refresh   after\n write\n  }\n}\n"),
            "pms X \"X\" @1:5\n"
            "  model residents @2:3\n"
            "    refresh after write @4:5\n"
            "    update @3:5\n"
            "      field a @3:14\n");
}

TEST(Grammar, EveryParsedNodeKeepsItsPosition) {
  SourceSet sources;
  auto id = sources.add("p.rules", "\n\n   model   m {\n\tx: string }\n");
  Diagnostics d;
  auto file = parse_rules(sources, id, d);
  ASSERT_TRUE(file);
  const auto& model = std::get<ast::RecordDecl>(file->declarations.at(0));
  EXPECT_EQ(model.name.at.line, 3u);
  EXPECT_EQ(model.name.at.column, 12u);
  EXPECT_EQ(model.fields.at(0).name.at.line, 4u);
  EXPECT_EQ(model.fields.at(0).name.at.column, 2u);
  EXPECT_EQ(sources.location(model.fields.at(0).name.at), "p.rules:4:2");
}

}  // namespace
}  // namespace gatehouse
