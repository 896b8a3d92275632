// Reloading rules under load: no request fails, none sees a mixed program, a broken reload keeps
// the old rules.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "gatehouse/engine.hpp"

namespace gatehouse {
namespace {

SourceSet rules(bool takes_notes) {
  SourceSet s;
  s.add("models.rules", "model residents { last_name: string  notes: string }\n");
  s.add("pms.rules", std::string("pms P \"P\" { residents { update { last_name required ") +
                         (takes_notes ? " notes" : "") + " } } }\n");
  return s;
}

TEST(EngineReload, ReloadUnderLoadNeverMixesPrograms) {
  Compilation a = compile(rules(false)), b = compile(rules(true));
  ASSERT_TRUE(a.ok() && b.ok());
  const std::string version_a = a.program->rules_version(), version_b = b.program->rules_version();
  Engine engine(a.program);
  std::atomic<bool> stop{false};
  std::atomic<long> decisions{0}, wrong{0}, seen_a{0}, seen_b{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 3; ++t) {
    workers.emplace_back([&] {
      EvaluationContext context;
      const std::string payload = R"({"last_name":"Lee","notes":"x"})";
      while (!stop) {
        EngineDecision d = engine.evaluate({"P", "residents", ast::Operation::update, false, payload}, context);
        ++decisions;
        // With A's rules notes is unsupported (reject); with B's it is taken (accept).
        if (d.decision.rules_version == version_a) {
          ++seen_a;
          if (d.decision.verdict != Verdict::reject) ++wrong;
        } else if (d.decision.rules_version == version_b) {
          ++seen_b;
          if (d.decision.verdict != Verdict::accept) ++wrong;
        } else {
          ++wrong;
        }
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    Compilation c = engine.reload(rules(i % 2 == 0));
    ASSERT_TRUE(c.ok());
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  stop = true;
  for (auto& w : workers) w.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(decisions.load(), 1000);
  EXPECT_GT(seen_a.load(), 0);
  EXPECT_GT(seen_b.load(), 0);
}

TEST(EngineReload, AReloadCheckCanRefuseRulesThatCompile) {
  Compilation a = compile(rules(false));
  Engine engine(a.program);
  engine.set_reload_check([](const Program& p) {
    std::vector<std::string> problems;
    if (p.find_pms("P")->models.at("residents").operation(gatehouse::ast::Operation::update).record->fields.at(1).supported)
      problems.push_back("nothing can carry notes");
    return problems;
  });
  Compilation refused = engine.reload(rules(true));
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.render_diagnostics().find("error: nothing can carry notes"), std::string::npos)
      << refused.render_diagnostics();
  EXPECT_EQ(engine.program()->rules_version(), a.program->rules_version()) << "the old rules stay";
  EXPECT_TRUE(engine.reload(rules(false)).ok());
}

TEST(EngineReload, BrokenRulesKeepTheOldProgram) {
  Compilation a = compile(rules(false));
  Engine engine(a.program);
  SourceSet broken;
  broken.add("models.rules", "model residents { last_name: strng }\n");
  Compilation c = engine.reload(std::move(broken));
  EXPECT_FALSE(c.ok());
  EXPECT_NE(c.render_diagnostics().find("unknown type 'strng'"), std::string::npos);
  EXPECT_EQ(engine.program()->rules_version(), a.program->rules_version());
}

}  // namespace
}  // namespace gatehouse
