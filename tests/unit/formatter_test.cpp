// gatehouse fmt: exact canonical output, idempotence, same AST, every comment kept.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "gatehouse/grammar/formatter.hpp"
#include "gatehouse/grammar/parser.hpp"

namespace gatehouse {
namespace {

std::string format_text(const std::string& text) {
  SourceSet sources;
  auto id = sources.add("f.rules", text);
  Diagnostics d;
  auto out = format_rules(sources, id, d);
  EXPECT_TRUE(out) << d.render(sources);
  return out.value_or("");
}

/// The AST dump without positions: what the text means, not where it is.
std::string meaning(const std::string& text) {
  SourceSet sources;
  auto id = sources.add("f.rules", text);
  Diagnostics d;
  auto file = parse_rules(sources, id, d);
  EXPECT_TRUE(file) << d.render(sources);
  return file ? std::regex_replace(dump_ast(*file), std::regex(" @[0-9]+:[0-9]+"), "") : "";
}

std::vector<std::string> comment_texts(const std::string& text) {
  SourceSet sources;
  auto id = sources.add("f.rules", text);
  std::vector<std::string> out;
  for (const auto& c : collect_comments(sources, id)) out.push_back(c.text);
  return out;
}

TEST(Formatter, CanonicalLayout) {
  const std::string messy =
      "# header\n\n\n"
      "model   residents{first_name:string   # trailing\n"
      "  kind : enum( A ,\"B C\" )?\n\n\n  tags: list< string >}\n"
      "pms X \"X\" { residents { create : unsupported \"no\"\n"
      "  update{ first_name required   length 1..5 kind one of(A)\n"
      "    # about the check\n"
      "    check ((first_name == \"a\") or (not present(kind))) and (kind != \"A\" or (first_name == \"b\" or first_name == \"c\")) else \"m\"\n"
      "    tags items 3..3\n"
      "  } } }\n";
  EXPECT_EQ(format_text(messy),
            "# header\n"
            "\n"
            "model residents {\n"
            "  first_name: string  # trailing\n"
            "  kind: enum(A, \"B C\")?\n"
            "\n"
            "  tags: list<string>\n"
            "}\n"
            "\n"
            "pms X \"X\" {\n"
            "  residents {\n"
            "    create: unsupported \"no\"\n"
            "    update {\n"
            "      first_name required length 1..5\n"
            "      kind one of (A)\n"
            "      # about the check\n"
            "      check (first_name == \"a\" or not present(kind)) and (kind != \"A\" or (first_name == \"b\" or first_name == \"c\")) else \"m\"\n"
            "      tags items 3\n"
            "    }\n"
            "  }\n"
            "}\n");
}

TEST(Formatter, PmsTypeAndPmsValuesKeepTheirWords) {
  EXPECT_EQ(format_text("pms X \"X\" { events { create { occurred  required   pms  type  date_or_datetime\n kind pms values (A,B) } } }\n"),
            "pms X \"X\" {\n  events {\n    create {\n      occurred required pms type date_or_datetime\n"
            "      kind pms values (A, B)\n    }\n  }\n}\n");
}

TEST(Formatter, CommentsBeforeClosingBracesStayInTheBlock) {
  EXPECT_EQ(format_text("rules r {\n  x\n  # last\n}\n# end of file\n"),
            "rules r {\n  x\n  # last\n}\n# end of file\n");
}

TEST(Formatter, RefreshAfterWriteKeepsItsPlace) {
  EXPECT_EQ(format_text("pms X \"X\" { residents { update { a }\n   refresh  after write # why\n } }\n"),
            "pms X \"X\" {\n  residents {\n    update {\n      a\n    }\n    refresh after write  # why\n  }\n}\n");
  EXPECT_EQ(format_text("pms X \"X\" { residents { refresh after write\n update { a } } }\n"),
            "pms X \"X\" {\n  residents {\n    refresh after write\n    update {\n      a\n    }\n  }\n}\n");
  // An operation's own, after `created id ...`.
  EXPECT_EQ(format_text("pms X \"X\" { residents { create { created id returned   refresh after write\n a } } }\n"),
            "pms X \"X\" {\n  residents {\n    create {\n      created id returned\n      refresh after write\n"
            "      a\n    }\n  }\n}\n");
}

std::vector<std::string> bundled_files() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(GATEHOUSE_SOURCE_DIR) + "/rules"))
    if (e.path().extension() == ".rules") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Formatter, BundledFilesRoundTrip) {
  auto files = bundled_files();
  ASSERT_FALSE(files.empty());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string once = format_text(text.str());
    EXPECT_EQ(meaning(once), meaning(text.str())) << path;
    EXPECT_EQ(format_text(once), once) << path << ": formatting is not idempotent";
    EXPECT_EQ(comment_texts(once), comment_texts(text.str())) << path << ": comments changed";
  }
}

}  // namespace
}  // namespace gatehouse

namespace gatehouse {
namespace {

// A model's routes keep their order among the fields and the author's blank lines, also after
// an empty route body (the blank line after `update {}` used to be dropped).
TEST(Formatter, ModelRoutesAndBlankLinesAfterAnEmptyBody) {
  const std::string canonical =
      "model m \"a/b\" {\n"
      "  x: string deprecated\n"
      "  y: date_or_datetime\n"
      "\n"
      "  create {\n"
      "    x required\n"
      "  }\n"
      "\n"
      "  update {\n"
      "  }\n"
      "\n"
      "  cancel {\n"
      "    y\n"
      "  }\n"
      "}\n";
  EXPECT_EQ(format_text(canonical), canonical);
  EXPECT_EQ(format_text("model m \"a/b\" { x: string   deprecated\n y: date_or_datetime\n\n create { x required }\n\n"
                        " update { }\n\n cancel { y } }\n"),
            canonical);
}

}  // namespace
}  // namespace gatehouse
