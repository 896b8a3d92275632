// gatehouse_bench: the decision engine beside the validators a user would otherwise pick, on the
// same payload bytes and the same rules, and beside the floor of just reading the JSON.
//
// Benchmarks are named BM_<case>/<engine>, engines `gatehouse` (the whole decision from raw
// bytes, output JSON included), `rapidjson_schema`, `valijson` and `simdjson_floor`. After the
// usual table, the ratios gatehouse/peer and gatehouse/floor per case are printed; ratios from
// one run are what to compare on a shared, noisy machine. Each benchmark runs five times,
// interleaved with the others, and the table shows the fastest repetition (`_min`).
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <valgrind/callgrind.h>

#include <algorithm>
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
}

std::size_t batch_input_bytes = 0;  // set by batch(), for the rate printed after the table

/// `gatehouse eval --batch` over NDJSON made of the cases that use the bundled rules (a line per
/// request, each case in turn, about 1 MB in all); main() prints the input rate.
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
  batch_input_bytes = input.size();
}

/// Keeps each benchmark's time so that main() can print ratios after the table. With
/// repetitions (the default, see main) that is the fastest repetition: on a shared machine
/// other load only ever adds time, so the minimum is the figure least disturbed by it; and with
/// the repetitions interleaved, a quiet or busy spell falls on every engine alike.
/// The rows are held back and printed at the end in the order the benchmarks were registered,
/// which interleaving would otherwise shuffle.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(std::vector<std::string> order) : order_(std::move(order)) {}
  std::map<std::string, double> ns;  // "BM_case/engine" -> time per iteration (ns; BM_batch ms)

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      const std::string name = r.run_name.str();
      const bool single = r.run_type == Run::RT_Iteration && r.repetitions <= 1;
      const bool fastest = r.run_type == Run::RT_Aggregate && r.aggregate_name == "min";
      if (r.error_occurred || (!single && !fastest)) continue;
      ns[name] = r.GetAdjustedRealTime();
      rows_.push_back(r);
    }
  }
  void Finalize() override {
    auto rank = [&](const Run& r) {
      return std::find(order_.begin(), order_.end(), r.run_name.str()) - order_.begin();
    };
    std::stable_sort(rows_.begin(), rows_.end(), [&](const Run& a, const Run& b) { return rank(a) < rank(b); });
    ConsoleReporter::ReportRuns(rows_);
    ConsoleReporter::Finalize();
  }

 private:
  std::vector<std::string> order_;
  std::vector<Run> rows_;
};

double fastest(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

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
  std::vector<std::string> order;
  auto add = [&](const std::string& name, auto... fn_and_args) {
    order.push_back(name);
    return benchmark::RegisterBenchmark(name.c_str(), fn_and_args...)->ComputeStatistics("min", fastest);
  };
  for (const char* name : case_names) {
    std::string n = name;
    add("BM_" + n + "/gatehouse", gatehouse_engine, n);
    add("BM_" + n + "/rapidjson_schema", peer_engine, n, false);
    add("BM_" + n + "/valijson", peer_engine, n, true);
    add("BM_" + n + "/simdjson_floor", simdjson_floor, n);
  }
  add("BM_batch/gatehouse", batch)->Unit(benchmark::kMillisecond);
  // Unless told otherwise: five repetitions of each, interleaved at random, reported by the
  // fastest (see RatioReporter). Flags given on the command line come later and win.
  std::vector<char*> args(argv, argv + argc);
  std::string repetitions = "--benchmark_repetitions=5", interleave = "--benchmark_enable_random_interleaving=true";
  args.insert(args.begin() + 1, {repetitions.data(), interleave.data()});
  argc = static_cast<int>(args.size());
  argv = args.data();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter(order);
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
  // The rate from the fastest repetition's time: Google Benchmark's own bytes_per_second would
  // take its "min" over the repetitions' rates, which is the slowest.
  if (double ms = time("batch", "gatehouse"); ms > 0)  // BM_batch reports milliseconds
    std::printf("batch: %.0f MB/s of NDJSON input (%zu bytes in %.2f ms)\n", batch_input_bytes / ms / 1e3,
                batch_input_bytes, ms);
  std::printf("(rapidjson/gh and valijson/gh: how many times faster gatehouse is; gh/floor: gatehouse's\n"
              " time over reading the JSON with simdjson; gh/typical: this case over the typical accept)\n");
  return 0;
}
