// Every ```rules example in docs/language.md must parse; examples marked
// ```rules compile``` are also compiled together with the bundled generic models.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "gatehouse/compiler.hpp"
#include "gatehouse/grammar/parser.hpp"
#include "gatehouse/rules_loader.hpp"

namespace gatehouse {
namespace {

struct Example {
  int line;
  bool compile;
  std::string text;
};

std::vector<Example> examples() {
  std::ifstream in(std::string(GATEHOUSE_SOURCE_DIR) + "/docs/language.md");
  std::vector<Example> out;
  std::string line;
  int number = 0;
  Example* current = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (current == nullptr && line.rfind("```rules", 0) == 0) {
      out.push_back({number, line.find("compile") != std::string::npos, ""});
      current = &out.back();
    } else if (current != nullptr && line.rfind("```", 0) == 0) {
      current = nullptr;
    } else if (current != nullptr) {
      current->text += line + "\n";
    }
  }
  return out;
}

TEST(LanguageDocs, HasExamples) { EXPECT_GE(examples().size(), 10u); }

TEST(LanguageDocs, EveryExampleParses) {
  for (const auto& e : examples()) {
    SourceSet sources;
    auto id = sources.add("docs/language.md:" + std::to_string(e.line), e.text);
    Diagnostics d;
    EXPECT_TRUE(parse_rules(sources, id, d).has_value())
        << "example at docs/language.md:" << e.line << "\n" << d.render(sources);
  }
}

TEST(LanguageDocs, CompilableExamplesCompileWithTheBundledModels) {
  std::string error;
  auto bundled = load_rules_directory(std::string(GATEHOUSE_SOURCE_DIR) + "/rules", error);
  ASSERT_TRUE(bundled) << error;
  for (const auto& e : examples()) {
    if (!e.compile) continue;
    SourceSet sources;
    for (const auto& f : bundled->files())
      if (f.name.rfind("models/", 0) == 0) sources.add(f.name, f.text);  // the generic models
    sources.add("example.rules", e.text);
    Compilation c = compile(std::move(sources));
    EXPECT_TRUE(c.ok()) << "example at docs/language.md:" << e.line << "\n"
                        << c.render_diagnostics();
  }
}

}  // namespace
}  // namespace gatehouse
