// gatehouse_bench: the decision engine beside the validators a user would otherwise pick, on the
// same payload bytes and the same rules, and beside the floor of just reading the JSON.
//
// Benchmarks are named BM_<case>/<engine>, engines `gatehouse` (the whole decision from raw
// bytes, output JSON included), `rapidjson_schema`, `valijson` and `simdjson_floor`. After the
// usual table, the ratios gatehouse/peer and gatehouse/floor per case are printed; ratios from
// one run are what to compare on a shared, noisy machine.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <valgrind/callgrind.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>

#include "bench_case.hpp"
#include "gatehouse/batch.hpp"
#include "gatehouse/evaluator.hpp"
#include "peers.hpp"
#include "scale.hpp"

namespace {

const char* const case_names[] = {"small", "typical", "large", "strip", "reject"};

void gatehouse_engine(benchmark::State& state, const std::string& name) {
  const bench::Case& c = bench::load_case(name);
  gatehouse::EvaluationContext context;
  gatehouse::Request request = c.request();
  std::string out;
  for (auto _ : state) {
    gatehouse::Decision d = gatehouse::evaluate(*c.program, request, context);
    out.clear();
    gatehouse::append_json(d, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.payload.size()));
}

void peer_engine(benchmark::State& state, const std::string& name, bool valijson) {
  const bench::Case& c = bench::load_case(name);
  auto peer = valijson ? bench::make_valijson(c.schema) : bench::make_rapidjson_schema(c.schema);
  bool expect_valid = c.expected == gatehouse::Verdict::accept;
  if (peer->validate(c.payload) != expect_valid) {
    // Not an error: the peer checks what its schema dialect lets it (see peers.hpp).
    state.SetLabel(expect_valid ? "peer rejects what gatehouse accepts" : "peer accepts what gatehouse does not");
  }
  for (auto _ : state) benchmark::DoNotOptimize(peer->validate(c.payload));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.payload.size()));
}

// Reads every value without checking anything: the cost of just reading the JSON.
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

/// The floor's work for one payload: every key and value read, nothing checked.
std::size_t read_everything(simdjson::ondemand::parser& parser, simdjson::padded_string& padded) {
  std::size_t n = 0;
  auto doc = parser.iterate(padded).value_unsafe();
  for (auto field : doc.get_object().value_unsafe()) {
    n += field.unescaped_key().value_unsafe().size();
    visit(field.value().value_unsafe(), n);
  }
  return n;
}

void simdjson_floor(benchmark::State& state, const std::string& name) {
  const bench::Case& c = bench::load_case(name);
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(c.payload);
  for (auto _ : state) benchmark::DoNotOptimize(read_everything(parser, padded));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.payload.size()));
}

/// `gatehouse eval --batch` over NDJSON made of the cases that use the bundled rules (a line per
/// request, each case in turn, about 1 MB in all); bytes_per_second is the input rate.
void batch(benchmark::State& state) {
  std::string input;
  const bench::Case* first = nullptr;
  while (input.size() < (1u << 20)) {
    for (const char* name : {"small", "typical", "strip", "reject"}) {
      const bench::Case& c = bench::load_case(name);
      first = &c;
      std::string payload = c.payload;
      while (!payload.empty() && payload.back() == '\n') payload.pop_back();
      input += "{\"pms\":\"" + c.pms + "\",\"model\":\"" + c.model + "\",\"op\":\"" +
               gatehouse::ast::operation_name(c.op) + "\",\"ignore_unknown_fields\":" +
               (c.ignore_unknown_fields ? "true" : "false") + ",\"payload\":" + payload + "}\n";
    }
  }
  gatehouse::BatchRunner runner(*first->program);
  std::string output;
  for (auto _ : state) {
    output.clear();
    benchmark::DoNotOptimize(runner.run(input, output).requests);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
}

/// Keeps every run's time so that main() can print ratios after the table.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> ns;  // "BM_case/engine" -> ns per iteration
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs)
      if (!r.error_occurred && r.run_type == Run::RT_Iteration) ns[r.benchmark_name()] = r.GetAdjustedRealTime();
    ConsoleReporter::ReportRuns(runs);
  }
};

}  // namespace

/// `gatehouse_bench --count CASE ENGINE N`: N iterations of one engine with callgrind's
/// collection switched on around them only (run under `valgrind --tool=callgrind
/// --collect-atstart=no`; bench/callgrind.sh does). Instruction counts do not drift with the
/// machine's load the way times do.
int count(const std::string& name, const std::string& engine, int n) {
  const bench::Case& c = bench::load_case(name);
  gatehouse::EvaluationContext context;
  gatehouse::Request request = c.request();
  std::string out;
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(c.payload);
  auto once = [&] {
    if (engine == "gatehouse") {
      gatehouse::Decision d = gatehouse::evaluate(*c.program, request, context);
      out.clear();
      gatehouse::append_json(d, out);
    } else {
      benchmark::DoNotOptimize(read_everything(parser, padded));
    }
  };
  for (int i = 0; i < 10; ++i) once();  // warm up: buffers grown, caches filled
  CALLGRIND_TOGGLE_COLLECT;
  for (int i = 0; i < n; ++i) once();
  CALLGRIND_TOGGLE_COLLECT;
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 5 && std::strcmp(argv[1], "--count") == 0) return count(argv[2], argv[3], std::atoi(argv[4]));
  if (argc == 2 && std::strcmp(argv[1], "--scale") == 0) return bench::scale(GATEHOUSE_RULES_DIR);
  for (const char* name : case_names) {
    std::string n = name;
    benchmark::RegisterBenchmark(("BM_" + n + "/gatehouse").c_str(), gatehouse_engine, n);
    benchmark::RegisterBenchmark(("BM_" + n + "/rapidjson_schema").c_str(), peer_engine, n, false);
    benchmark::RegisterBenchmark(("BM_" + n + "/valijson").c_str(), peer_engine, n, true);
    benchmark::RegisterBenchmark(("BM_" + n + "/simdjson_floor").c_str(), simdjson_floor, n);
  }
  benchmark::RegisterBenchmark("BM_batch/gatehouse", batch)->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  auto time = [&](const std::string& c, const char* engine) {
    auto it = reporter.ns.find("BM_" + c + "/" + engine);
    return it == reporter.ns.end() ? 0.0 : it->second;
  };
  std::printf("\n%-8s %14s %14s %14s %14s\n", "case", "rapidjson/gh", "valijson/gh", "gh/floor", "gh/typical");
  double typical = time("typical", "gatehouse");
  for (const char* name : case_names) {
    double g = time(name, "gatehouse");
    if (g == 0) continue;
    auto ratio = [&](double peer) { return peer == 0 ? std::string("-") : std::to_string(peer / g).substr(0, 6) + "x"; };
    double floor = time(name, "simdjson_floor");
    std::printf("%-8s %14s %14s %14s %14s\n", name, ratio(time(name, "rapidjson_schema")).c_str(),
                ratio(time(name, "valijson")).c_str(),
                floor == 0 ? "-" : (std::to_string(g / floor).substr(0, 5) + "x").c_str(),
                typical == 0 ? "-" : (std::to_string(g / typical).substr(0, 5) + "x").c_str());
  }
  if (double b = time("batch", "gatehouse"); b > 0) std::printf("batch: see bytes_per_second of BM_batch/gatehouse above\n");
  std::printf("(rapidjson/gh and valijson/gh: how many times faster gatehouse is; gh/floor: gatehouse's\n"
              " time over reading the JSON with simdjson; gh/typical: this case over the typical accept)\n");
  return 0;
}
