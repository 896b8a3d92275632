// `gatehouse_bench --scale`: compile time and memory of the bundled rules, compile time of a
// generated ruleset of 100 PMSs x 20 models x 50 fields, and decision time against programs of
// 1 and of 100 PMSs (the same request: its time should not grow with the number of PMSs).
#include "scale.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "gatehouse/compiler.hpp"
#include "gatehouse/evaluator.hpp"
#include "gatehouse/rules_loader.hpp"

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

const char* const types[] = {"string", "integer", "decimal", "boolean", "date", "email", "phone",
                             "enum(A, B, C, D)"};

gatehouse::SourceSet generated(int pms_count, int models, int fields) {
  gatehouse::SourceSet s;
  std::string m;
  for (int i = 0; i < models; ++i) {
    m += "model model_" + std::to_string(i) + " {\n";
    for (int f = 0; f < fields; ++f)
      m += "  field_" + std::to_string(f) + ": " + types[f % 8] + "\n";
    m += "}\n";
  }
  s.add("models.rules", m);
  for (int p = 0; p < pms_count; ++p) {
    std::string t = "pms PMS_" + std::to_string(p) + " \"PMS " + std::to_string(p) + "\" {\n";
    for (int i = 0; i < models; ++i) {
      t += "  model_" + std::to_string(i) + " {\n    create: unsupported \"generated\"\n    update {\n";
      for (int f = 0; f < fields; ++f) {
        if ((f + p) % 10 == 9) continue;  // each PMS leaves out a different tenth of the fields
        t += "      field_" + std::to_string(f);
        switch (f % 8) {
          case 0: t += " length 1.." + std::to_string(20 + p % 50); break;
          case 1: t += " range 0.." + std::to_string(1000 + p); break;
          case 7: t += " one of (A, B)"; break;
          default: break;
        }
        if (f == 0) t += " required";
        t += "\n";
      }
      t += "    }\n  }\n";
    }
    s.add("pms_" + std::to_string(p) + ".rules", t + "}\n");
  }
  return s;
}

std::string generated_payload() {
  // field_0..field_19 of model_0 with valid values (PMS_0 leaves out field_9 and field_19).
  std::string p = "{";
  for (int f = 0; f < 20; ++f) {
    if (f % 10 == 9) continue;
    if (p.size() > 1) p += ',';
    p += "\"field_" + std::to_string(f) + "\":";
    switch (f % 8) {
      case 0: p += "\"value " + std::to_string(f) + "\""; break;
      case 1: p += std::to_string(f * 10); break;
      case 2: p += "12.5"; break;
      case 3: p += "true"; break;
      case 4: p += "\"2026-11-28\""; break;
      case 5: p += "\"someone@example.com\""; break;
      case 6: p += "\"+1 555 123 4567\""; break;
      default: p += "\"A\""; break;
    }
  }
  return p + "}";
}

double decision_ns(const gatehouse::Program& program, const std::string& payload) {
  gatehouse::EvaluationContext context;
  gatehouse::Request r{"PMS_0", "model_0", gatehouse::ast::Operation::update, false, payload};
  if (gatehouse::evaluate(program, r, context).verdict != gatehouse::Verdict::accept) {
    std::printf("generated request is not accepted\n");
    return 0;
  }
  std::vector<double> samples;
  for (int round = 0; round < 7; ++round) {
    auto start = Clock::now();
    for (int i = 0; i < 20000; ++i) benchmark_do_not_optimize(gatehouse::evaluate(program, r, context).verdict);
    samples.push_back(ms_since(start) * 1e6 / 20000);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace

int scale(const std::string& rules_dir) {
  // Bundled rules: median of 21 compiles, and the heap the compiled program holds.
  std::vector<double> times;
  std::size_t heap = 0;
  for (int i = 0; i < 21; ++i) {
    std::size_t before = mallinfo2().uordblks;
    auto start = Clock::now();
    gatehouse::Compilation c = gatehouse::compile_directory(rules_dir);
    times.push_back(ms_since(start));
    if (!c.ok()) return 2;
    c.files.clear();
    c.files.shrink_to_fit();
    heap = mallinfo2().uordblks - before;
  }
  std::sort(times.begin(), times.end());
  std::printf("bundled rules: compile %.2f ms (median of 21, reading files included); program and sources hold %.0f KiB of heap\n",
              times[10], heap / 1024.0);

  auto start = Clock::now();
  gatehouse::Compilation big = gatehouse::compile(generated(100, 20, 50));
  double big_ms = ms_since(start);
  if (!big.ok()) {
    std::printf("%s", big.render_diagnostics().c_str());
    return 2;
  }
  std::printf("generated 100 PMSs x 20 models x 50 fields (%zu bytes of rules): compile %.0f ms\n",
              [&] { std::size_t n = 0; for (const auto& f : big.sources.files()) n += f.text.size(); return n; }(), big_ms);
  gatehouse::Compilation one = gatehouse::compile(generated(1, 20, 50));
  std::string payload = generated_payload();
  double t1 = decision_ns(*one.program, payload), t100 = decision_ns(*big.program, payload);
  std::printf("decision on PMS_0 model_0 (%zu-byte payload): %.0f ns with 1 PMS, %.0f ns with 100 PMSs (ratio %.2f)\n",
              payload.size(), t1, t100, t100 / t1);
  return 0;
}

}  // namespace bench
