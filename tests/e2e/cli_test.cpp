// End-to-end: the real `gatehouse` binary, its output and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code;
  std::string out;  // stdout and stderr together, in order written by the shell redirection
};

Result run(const std::string& args, const std::string& input = "") {
  fs::path in = fs::temp_directory_path() / ("gatehouse_cli_in_" + std::to_string(::getpid()));
  std::ofstream(in) << input;
  // The CLI is tested on the service test rules (tests/fixtures/rules), which stay put while the
  // bundled rules follow the reference; tests of the bundled rules name them with --rules.
  std::string cmd = std::string("GATEHOUSE_RULES='") + GATEHOUSE_SOURCE_DIR + "/tests/fixtures/rules' '" +
                    GATEHOUSE_BINARY + "' " + args + " < '" + in.string() + "' 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = ::pclose(pipe);
  fs::remove(in);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

fs::path write_rules(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("gatehouse_cli_rules_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return dir;
}

/// `gatehouse serve` on a config file holding `yaml` (removed after the run).
Result serve_with_config(const std::string& yaml) {
  fs::path config = fs::temp_directory_path() / ("gatehouse_cli_serve_" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(config) << yaml;
  Result r = run("serve --config '" + config.string() + "'");
  fs::remove(config);
  return r;
}

const std::string rm = "eval --pms RENTMANAGER --model residents --op update";

const std::string bundled = std::string("--rules '") + GATEHOUSE_SOURCE_DIR + "/rules'";

TEST(Cli, CheckBundledRules) {
  Result r = run("check " + bundled);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("ok: "), std::string::npos) << r.out;
}

TEST(Cli, CheckPointsAtEveryMistakeAndExits2) {
  fs::path dir = write_rules("broken.rules",
                             "model residents {\n  last_name: string\n  rent: integr\n}\n"
                             "pms X \"X\" {\n  residents {\n    update {\n      last_nam required\n"
                             "      last_name length 5..2\n    }\n  }\n}\n");
  Result r = run("check --rules '" + dir.string() + "'");
  fs::remove_all(dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out,
            "broken.rules:3:9: error: unknown type 'integr'; did you mean 'integer'?\n"
            " 3 |   rent: integr\n"
            "   |         ^~~~~~\n"
            "broken.rules:8:7: error: unknown field 'last_nam' in 'residents'; did you mean 'last_name'?\n"
            " 8 |       last_nam required\n"
            "   |       ^~~~~~~~\n"
            "broken.rules:9:24: error: contradictory length 5..2: the minimum is greater than the maximum\n"
            " 9 |       last_name length 5..2\n"
            "   |                        ^~~~\n"
            "3 errors in " + dir.string() + "\n");
}

TEST(Cli, EvalAccept) {
  Result r = run(rm + " -", R"({"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1})");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind("{\"verdict\":\"accept\",\"status\":200,\"pms\":\"RENTMANAGER\"", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(R"("payload":{"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1}})"),
            std::string::npos) << r.out;
}

TEST(Cli, EvalStripWithTheFlag) {
  Result r = run(rm + " --ignore-unknown-fields",
              R"({"last_name":"Lee","notes":"x","rent_period":"MONTHLY","rent_due_day":1})");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"verdict\":\"strip\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("stripped":[{"path":"/notes","code":"unsupported_field")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("payload":{"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1}})"),
            std::string::npos) << r.out;
}

TEST(Cli, EvalRejectExits1) {
  Result r = run(rm, R"({"last_name":"Lee","notes":"x","rent_period":"MONTHLY","rent_due_day":1})");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(R"("errors":[{"path":"/notes","code":"unsupported_field")"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"payload\""), std::string::npos) << r.out;
}

TEST(Cli, EvalReadsAFile) {
  fs::path file = fs::temp_directory_path() / ("gatehouse_cli_payload_" + std::to_string(::getpid()));
  std::ofstream(file) << R"({"unit_number":"1"})";
  Result r = run("eval --pms RENTMANAGER --model units --op create '" + file.string() + "'");
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("\"status\":405"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("operation_not_supported"), std::string::npos) << r.out;
}

TEST(Cli, EvalUsageErrorsExit2) {
  EXPECT_EQ(run("eval --pms RENTMANAGER --model residents").exit_code, 2);
  EXPECT_EQ(run(rm.substr(0, rm.size() - 6) + "delete").exit_code, 2);
  EXPECT_EQ(run(rm + " /nonexistent/payload.json").exit_code, 2);
  EXPECT_EQ(run("frobnicate").exit_code, 2);
  EXPECT_EQ(run(rm + " --rules /nonexistent", "{}").exit_code, 2);
}

TEST(Cli, EvalLimitsAreConfigurable) {
  Result r = run(rm + " --max-payload-bytes 10", R"({"last_name":"Lee"})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("payload_too_large"), std::string::npos) << r.out;
}

TEST(Cli, ListShowsPmsModelsAndOperations) {
  Result r = run("list");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("RENTMANAGER (Rent Manager)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  units: create (not offered) update (not offered)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("BUILDIUM (Buildium)"), std::string::npos) << r.out;
}

TEST(Cli, DumpsAndHelp) {
  Result ast = run("check --dump-ast");
  EXPECT_EQ(ast.exit_code, 0);
  EXPECT_NE(ast.out.find("pms RENTMANAGER \"Rent Manager\""), std::string::npos);
  Result program = run("check --dump-program");
  EXPECT_EQ(program.exit_code, 0);
  EXPECT_NE(program.out.find("rules_version "), std::string::npos);
  for (const char* cmd : {"--help", "check --help", "eval --help", "list --help"}) {
    Result help = run(cmd);
    EXPECT_EQ(help.exit_code, 0) << cmd;
    EXPECT_NE(help.out.find("usage: gatehouse"), std::string::npos) << cmd << help.out;
  }
}

}  // namespace

namespace {

TEST(Cli, TestRunsTheBundledCasesAndSummarizes) {
  Result r = run("test " + bundled);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(" passed, 0 failed\n"), std::string::npos) << r.out;
}

TEST(Cli, TestReportsAFailingCaseWithItsLineAndDifference) {
  fs::path dir = fs::temp_directory_path() / ("gatehouse_cli_cases_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "x.yaml") << "cases:\n"
                                   "  - name: passes\n    pms: RENTMANAGER\n    model: units\n    op: create\n"
                                   "    payload: '{}'\n    expect: {verdict: reject, errors: [operation_not_supported]}\n"
                                   "  - name: wrong on purpose\n    pms: RENTMANAGER\n    model: residents\n    op: update\n"
                                   "    payload: '{\"notes\": \"x\"}'\n    expect:\n      verdict: accept\n";
  Result r = run("test --cases '" + dir.string() + "'");
  Result filtered = run("test --cases '" + dir.string() + "' 'x/pass'");
  fs::remove_all(dir);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("FAIL " + (dir / "x.yaml").string() + ":8: wrong on purpose\n"
                       "    verdict: expected accept, got reject\n"
                       "    errors: expected [], got [/notes unsupported_field, /last_name missing_required_field, "
                       "/rent_period missing_required_field, /rent_due_day missing_required_field]\n"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n1 passed, 1 failed\n"), std::string::npos) << r.out;
  EXPECT_EQ(filtered.exit_code, 0) << filtered.out;
  EXPECT_NE(filtered.out.find("1 passed, 0 failed"), std::string::npos) << filtered.out;
}

TEST(Cli, TestCoverageListsUnexercisedRules) {
  Result r = run("test --coverage");
  EXPECT_NE(r.out.find("coverage: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(": not exercised: field "), std::string::npos) << r.out;
}

TEST(Cli, ExplainNamesTheRuleOfEveryStep) {
  Result r = run("explain --pms RENTMANAGER --model residents --op update",
                 R"({"last_name":"Lee","notes":"x","rent_period":"MONTHLY","rent_due_day":40})");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("  /last_name     ok           pms/rentmanager.rules:11:3  string length 1..50 required\n"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  /rent_due_day  FAILED       pms/rentmanager.rules:21:3  integer range 1..31 required\n"
                       "      /rent_due_day out_of_range: rent_due_day must be between 1 and 31; got 40\n"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  /notes         rejected     pms/rentmanager.rules:35:5\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verdict: reject (status 400)"), std::string::npos) << r.out;
}

}  // namespace

namespace {

TEST(Cli, SchemaForOneOperation) {
  Result r = run("schema --pms RENTMANAGER --model residents --op update");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\""), std::string::npos);
  EXPECT_NE(r.out.find("\"required\": [\n    \"last_name\",\n    \"rent_period\",\n    \"rent_due_day\"\n  ]"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"additionalProperties\": false"), std::string::npos);
  EXPECT_EQ(r.out.find("\"notes\""), std::string::npos) << "notes is not supported by Rent Manager";
}

TEST(Cli, SchemaRefusesAnOperationNotOffered) {
  Result r = run("schema --pms RENTMANAGER --model units --op create");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("Rent Manager does not offer create on units"), std::string::npos) << r.out;
  EXPECT_EQ(run("schema --pms RENTMANAGER").exit_code, 2);
}

TEST(Cli, SchemaAllAndOpenApi) {
  fs::path dir = fs::temp_directory_path() / ("gatehouse_cli_schema_" + std::to_string(::getpid()));
  Result r = run("schema --all --out '" + dir.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir / "BUILDIUM" / "residents.update.schema.json"));
  EXPECT_FALSE(fs::exists(dir / "RENTMANAGER" / "units.create.schema.json"));
  EXPECT_TRUE(fs::exists(dir / "openapi.json"));
  fs::remove_all(dir);
  Result api = run("schema --openapi");
  EXPECT_EQ(api.exit_code, 0);
  EXPECT_NE(api.out.find("\"openapi\": \"3.1.0\""), std::string::npos);
  EXPECT_NE(api.out.find("\"/v1/residents/{id}\""), std::string::npos);
  EXPECT_NE(api.out.find("\"$ref\": \"#/components/schemas/RENTMANAGER.residents.update\""), std::string::npos);
  EXPECT_NE(api.out.find("\"servers\": [\n    {\n      \"url\": \"/\""), std::string::npos) << api.out.substr(0, 600);
}

TEST(Cli, OpenApiNamesItsServerAndGivesEachOperationOneId) {
  Result api = run("schema --openapi " + bundled + " --server-url https://gatehouse.example/api");
  ASSERT_EQ(api.exit_code, 0) << api.out.substr(0, 2000);
  EXPECT_NE(api.out.find("\"url\": \"https://gatehouse.example/api\""), std::string::npos);
  EXPECT_NE(api.out.find("\"security\": [\n    {\n      \"bearerAuth\": []"), std::string::npos);
  std::set<std::string> ids;
  std::size_t count = 0;
  const std::string key = "\"operationId\": \"";
  for (std::size_t at = api.out.find(key); at != std::string::npos; at = api.out.find(key, at + 1)) {
    std::size_t begin = at + key.size();
    std::string id = api.out.substr(begin, api.out.find('"', begin) - begin);
    EXPECT_TRUE(ids.insert(id).second) << "operationId " << id << " twice";
    ++count;
  }
  EXPECT_GT(count, 100u);
  for (const char* id : {"residents_create", "residents_update", "residents_create_note", "events_appointments_leads_cancel",
                         "residents_get", "get_write_status", "get_health"})
    EXPECT_EQ(ids.count(id), 1u) << id;
  // The server belongs to the OpenAPI document only.
  EXPECT_EQ(run("schema --model residents --op update --server-url /x").exit_code, 2);
}

}  // namespace

namespace {

TEST(Cli, FmtPrintsChecksAndWrites) {
  fs::path dir = write_rules("messy.rules", "model   m {x:string   # why\n}\n");
  fs::path file = dir / "messy.rules";
  Result printed = run("fmt '" + file.string() + "'");
  EXPECT_EQ(printed.exit_code, 0);
  EXPECT_EQ(printed.out, "model m {\n  x: string  # why\n}\n");
  Result check = run("fmt --check '" + dir.string() + "'");
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_EQ(check.out, "not formatted: " + file.string() + "\n");
  EXPECT_EQ(run("fmt -w '" + file.string() + "'").exit_code, 0);
  EXPECT_EQ(run("fmt --check '" + file.string() + "'").exit_code, 0);
  std::ofstream(file) << "model m {\n  x string\n}\n";
  Result broken = run("fmt '" + file.string() + "'");
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.out.find("error: expected ':' and a type after the field name"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace

namespace {

TEST(Cli, EvalBatchWritesOneDecisionPerRequest) {
  fs::path file = fs::temp_directory_path() / ("gatehouse_cli_batch_" + std::to_string(::getpid()));
  std::ofstream(file)
      << R"({"pms":"RENTMANAGER","model":"residents","op":"update","payload":{"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1}})"
      << "\n"
      << R"({"pms":"RENTMANAGER","model":"units","op":"create","payload":{}})" << "\n";
  Result r = run("eval --batch '" + file.string() + "'");
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("{\"verdict\":\"accept\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"status\":405"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 requests: 1 accepted, 0 stripped, 1 rejected"), std::string::npos) << r.out;
}

}  // namespace

namespace {

TEST(Cli, TestUsesTheRulesACaseFileNames) {
  Result r = run(std::string("test --cases '") + GATEHOUSE_SOURCE_DIR + "/tests/cases'");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("6 passed, 0 failed"), std::string::npos) << r.out;
}

TEST(Cli, ServeRefusesANegativeLookupCacheTime) {
  Result r = serve_with_config("store: ':memory:'\nlookup_cache_seconds: -1\n");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("lookup_cache_seconds must be 0 (off) or more"), std::string::npos) << r.out;
}

TEST(Cli, ServeRefusesAMisspeltConfigKey) {
  Result r = serve_with_config("store: ':memory:'\ndispatcher: {workers: 1, max_atempts: 3}\n");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("dispatcher: unknown key 'max_atempts' (known: workers, max_attempts,"), std::string::npos) << r.out;
}

}  // namespace

namespace {

// A field the unified API marks deprecated is still decided as its rules say, and explain says so.
TEST(Cli, ExplainMarksDeprecatedFields) {
  Result r = run("explain " + bundled + " --pms BUILDIUM --model applicants --op create",
                 R"({"integration_id":"i","first_name":"A","last_name":"B","custom_data":{}})");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("  /custom_data     ok "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("object (deprecated)\n"), std::string::npos) << r.out;
}

// The generic contract of a route, without --pms: the route's body as the unified API declares it.
TEST(Cli, SchemaOfAGenericRoute) {
  Result r = run("schema " + bundled + " --model service-requests --op update");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"title\": \"PUT /v1/service-requests/{id}\""), std::string::npos) << r.out;
  Result none = run("schema " + bundled + " --model service-requests --op cancel");
  EXPECT_EQ(none.exit_code, 1) << none.out;
  EXPECT_NE(none.out.find("the unified API has no cancel route for service_requests"), std::string::npos) << none.out;
}

}  // namespace
