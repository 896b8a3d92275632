// Hostile input, one class per test: each ends in a clear error (or a correct decision) and
// nothing else is affected. Payloads go through the evaluator tests' rules; rules text through
// the parser, compiler and loader.
#include <chrono>
#include <filesystem>
#include <fstream>

#include "gatehouse/rules_loader.hpp"
#include "unit/evaluator_fixture.hpp"

namespace gatehouse::testing {
namespace {

namespace fs = std::filesystem;

std::string message_of(const Decision& d) { return d.errors.empty() ? "" : d.errors.front().message; }

TEST_F(EvaluatorTest, MalformedJsonNamesWhereItBreaks) {
  Decision d = eval(R"({"name":"Ann",})");
  EXPECT_EQ(codes(d.errors), (Pairs{{"", "invalid_json"}}));
  EXPECT_EQ(message_of(d), "invalid JSON: expected a \"key\", found '}' at byte 14") << to_json(d);
}

TEST_F(EvaluatorTest, InvalidAndOverlongUtf8IsInvalidJson) {
  for (const std::string bad : {"\xc3\x28", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff"}) {
    std::string payload = base("\"nickname\":\"x" + bad + "\"");
    Decision value = eval(payload);
    EXPECT_EQ(codes(value.errors), (Pairs{{"", "invalid_json"}})) << to_json(value);
    EXPECT_EQ(message_of(value), "invalid JSON: invalid UTF-8 at byte " + std::to_string(payload.find(bad)));
    Decision key = eval(base("\"x" + bad + "\":1"), /*strip=*/true);
    EXPECT_EQ(codes(key.errors), (Pairs{{"", "invalid_json"}})) << "a stripped key is checked too: " << to_json(key);
  }
}

TEST_F(EvaluatorTest, LoneSurrogateEscapesAreInvalidWhereverTheyAre) {
  for (const std::string member : {R"("nickname":"\ud800")", R"("nickname":"\udc00\ud800")",
                                   R"("nickname":"\ud83dx")", R"("zz\udfff":1)", R"("zz":["\ud800"])"}) {
    Decision d = eval(base(member), /*strip=*/true);
    EXPECT_EQ(codes(d.errors), (Pairs{{"", "invalid_json"}})) << member << "\n" << to_json(d);
    EXPECT_NE(message_of(d).find("lone surrogate \\u"), std::string::npos) << message_of(d);
  }
  Decision pair = eval(base(R"("nickname":"\ud83d\ude00")"));
  EXPECT_EQ(pair.verdict, Verdict::accept) << "a surrogate pair is one character: " << to_json(pair);
}

TEST_F(EvaluatorTest, KeysEqualOnlyAfterUnescapingAreDuplicates) {
  Decision d = eval(R"({"name":"Ann","\u006eame":"Bob","email":"a@b.co"})");
  EXPECT_EQ(codes(d.errors), (Pairs{{"/name", "duplicate_field"}})) << to_json(d);
  Decision unknown = eval(base(R"("zz":1,"z\u007a":2)"), /*strip=*/true);
  EXPECT_EQ(codes(unknown.errors), (Pairs{{"/zz", "duplicate_field"}})) << "unknown keys too: " << to_json(unknown);
}

TEST_F(EvaluatorTest, NumbersOutOfEveryRangeAreNamed) {
  Decision huge = eval(base(R"("count":1e400)"));
  EXPECT_EQ(codes(huge.errors), (Pairs{{"/count", "out_of_range"}}));
  EXPECT_EQ(message_of(huge), "count is too large; got 1e400");
  Decision two_to_64 = eval(base(R"("count":18446744073709551616)"));
  EXPECT_EQ(codes(two_to_64.errors), (Pairs{{"/count", "out_of_range"}}));
  EXPECT_EQ(message_of(two_to_64), "count must fit in a 64-bit signed integer; got 18446744073709551616");
  Decision minus_zero = eval(base(R"("count":-0)"));
  EXPECT_EQ(codes(minus_zero.errors), (Pairs{{"/count", "out_of_range"}}));
  EXPECT_EQ(message_of(minus_zero), "count must be between 1 and 31; got -0");
  Decision decimal = eval(base(R"("ratio":-1e400)"));
  EXPECT_EQ(codes(decimal.errors), (Pairs{{"/ratio", "out_of_range"}})) << to_json(decimal);
  Decision fine = eval(base(R"("ratio":-0)"));
  EXPECT_EQ(fine.verdict, Verdict::accept) << "-0 is within -1.5..2.5: " << to_json(fine);
}

TEST_F(EvaluatorTest, ANestingBombIsNestingTooDeep) {
  Decision d = eval(base("\"zz\":" + std::string(100000, '[') + std::string(100000, ']')), true);
  EXPECT_EQ(codes(d.errors), (Pairs{{"/zz", "nesting_too_deep"}})) << to_json(d).substr(0, 300);
}

// ---- rules ---------------------------------------------------------------------------------

std::string compile_text(const std::string& text) {
  SourceSet sources;
  sources.add("models.rules", "model m { a: string  t: list<string> }\n");
  sources.add("p.rules", text);
  return compile(std::move(sources)).render_diagnostics();
}

TEST(HostileRules, DeepNestingIsAnErrorNotACrash) {
  const std::string message = "error: nesting deeper than 64 levels (parentheses, 'not', nested blocks or list<...>)";
  auto deep = [](const std::string& open, const std::string& inner, const std::string& close, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += open;
    s += inner;
    for (int i = 0; i < n; ++i) s += close;
    return s;
  };
  for (const std::string& text :
       {"pms P \"P\" { m { update { a\n check " + deep("(", "a == \"x\"", ")", 100000) + " else \"m\" } } }\n",
        "pms P \"P\" { m { update { a\n check " + deep("not ", "a == \"x\"", "", 100000) + " else \"m\" } } }\n",
        "model q { t: " + deep("list<", "string", ">", 100000) + " }\n",
        "pms P \"P\" { m { update { a " + deep("{ a ", "", "}", 100000) + " } } }\n"}) {
    std::string d = compile_text(text);
    EXPECT_NE(d.find(message), std::string::npos) << d.substr(0, 400);
  }
  EXPECT_EQ(compile_text("pms P \"P\" { m { update { a\n check " + deep("(", "a == \"x\"", ")", 64) + " else \"m\" } } }\n"),
            "")
      << "64 levels are allowed";
}

TEST(HostileRules, RecursiveTypesCompileAndPayloadsStayBounded) {
  SourceSet sources;
  sources.add("models.rules", "type node { name: string  next: node? }\nmodel m { head: node }\n");
  sources.add("p.rules", "pms P \"P\" { m { update { head { name  next } } } }\n");
  Compilation c = compile(std::move(sources));
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  std::string payload = "{\"head\":";
  for (int i = 0; i < 1000; ++i) payload += "{\"name\":\"n\",\"next\":";
  payload += "null" + std::string(1000, '}') + "}";
  EvaluationContext context;
  Decision d = evaluate(*c.program, Request{"P", "m", ast::Operation::update, false, payload}, context);
  EXPECT_EQ(d.verdict, Verdict::reject);
  ASSERT_FALSE(d.errors.empty());
  EXPECT_EQ(d.errors.front().code, ErrorCode::nesting_too_deep) << to_json(d).substr(0, 300);
}

TEST(HostileRules, PatternsThatWouldBacktrackRunInLinearTime) {
  SourceSet sources;
  sources.add("models.rules", "model m { a: string }\n");
  sources.add("p.rules", "pms P \"P\" { m { update { a pattern /^(a+)+$/ } } }\n");
  Compilation c = compile(std::move(sources));
  ASSERT_TRUE(c.ok()) << c.render_diagnostics();
  // With a backtracking matcher this input takes 2^50000 steps; RE2 answers at once.
  std::string payload = "{\"a\":\"" + std::string(50000, 'a') + "!\"}";
  EvaluationContext context;
  Decision d = evaluate(*c.program, Request{"P", "m", ast::Operation::update, false, payload}, context);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors.front().code, ErrorCode::invalid_format);
  EXPECT_NE(compile_text("pms P \"P\" { m { update { a pattern /^(a)\\1$/ } } }\n").find("invalid pattern"),
            std::string::npos)
      << "backreferences (which need backtracking) are refused at compile time";
}

TEST(HostileRules, AHugeRulesFileIsRefusedByTheLoader) {
  fs::path dir = fs::temp_directory_path() / ("gatehouse_huge_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "huge.rules");
    std::string line = "# " + std::string(1021, 'x') + "\n";
    for (std::uintmax_t written = 0; written <= max_rules_file_bytes; written += line.size()) out << line;
  }
  std::string error;
  auto sources = load_rules_directory(dir, error);
  fs::remove_all(dir);
  EXPECT_FALSE(sources);
  EXPECT_NE(error.find("a rules file may have at most 16777216 (16 MiB)"), std::string::npos) << error;
}

}  // namespace
}  // namespace gatehouse::testing
