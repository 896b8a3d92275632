// Benchmarks, side by side with the floor they are measured against (same run, same bytes).
//
// For now one case, `typical` (a ~750-byte Buildium residents update, accepted), against
// `simdjson_floor`: simdjson on-demand reading every value of the payload without checking it.
// The peers (RapidJSON SchemaValidator, valijson) and the other cases come with the
// benchmark issue; names follow BM_<case>/<engine> so filters and scripts can read them.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "gatehouse/evaluator.hpp"
#include "gatehouse/rules_loader.hpp"

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string bench_dir = GATEHOUSE_BENCH_DIR;

struct Case {
  std::string pms, model, payload;
  gatehouse::ast::Operation op = gatehouse::ast::Operation::update;
};

Case load_case(const std::string& name) {
  Case c;
  std::istringstream meta(read(bench_dir + "/cases/" + name + "/case.txt"));
  std::string key, value;
  while (meta >> key >> value) {
    if (key == "pms") c.pms = value;
    if (key == "model") c.model = value;
    if (key == "op") c.op = value == "create" ? gatehouse::ast::Operation::create : gatehouse::ast::Operation::update;
  }
  c.payload = read(bench_dir + "/cases/" + name + "/request.json");
  return c;
}

const gatehouse::Program& program() {
  static gatehouse::Compilation c = gatehouse::compile_directory(GATEHOUSE_RULES_DIR);
  if (!c.ok()) {
    std::cerr << c.render_diagnostics();
    std::abort();
  }
  return *c.program;
}

void gatehouse_decision(benchmark::State& state, const std::string& name) {
  Case c = load_case(name);
  gatehouse::EvaluationContext context;
  gatehouse::Request request{c.pms, c.model, c.op, false, c.payload};
  gatehouse::Decision first = gatehouse::evaluate(program(), request, context);
  if (first.verdict != gatehouse::Verdict::accept) {
    state.SkipWithError(("case " + name + " is not accepted: " + gatehouse::to_json(first)).c_str());
    return;
  }
  for (auto _ : state) {
    gatehouse::Decision d = gatehouse::evaluate(program(), request, context);
    benchmark::DoNotOptimize(d.verdict);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.payload.size()));
}

// Visits every value without checking anything: the cost of just reading the JSON.
void visit(simdjson::ondemand::value v, std::size_t& n) {
  switch (v.type().value_unsafe()) {
    case simdjson::ondemand::json_type::object:
      for (auto field : v.get_object().value_unsafe()) {
        n += field.unescaped_key().value_unsafe().size();
        visit(field.value().value_unsafe(), n);
      }
      break;
    case simdjson::ondemand::json_type::array:
      for (auto element : v.get_array().value_unsafe()) visit(element.value_unsafe(), n);
      break;
    case simdjson::ondemand::json_type::string: n += v.get_string().value_unsafe().size(); break;
    case simdjson::ondemand::json_type::number: n += static_cast<std::size_t>(v.get_double().value_unsafe()); break;
    case simdjson::ondemand::json_type::boolean: n += v.get_bool().value_unsafe(); break;
    case simdjson::ondemand::json_type::null: n += v.is_null().value_unsafe(); break;
  }
}

void simdjson_floor(benchmark::State& state, const std::string& name) {
  Case c = load_case(name);
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(c.payload);
  for (auto _ : state) {
    std::size_t n = 0;
    auto doc = parser.iterate(padded).value_unsafe();
    for (auto field : doc.get_object().value_unsafe()) {
      n += field.unescaped_key().value_unsafe().size();
      visit(field.value().value_unsafe(), n);
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.payload.size()));
}

}  // namespace

BENCHMARK_CAPTURE(gatehouse_decision, typical, std::string("typical"))->Name("BM_typical/gatehouse");
BENCHMARK_CAPTURE(simdjson_floor, typical, std::string("typical"))->Name("BM_typical/simdjson_floor");

BENCHMARK_MAIN();
