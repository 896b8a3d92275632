#pragma once
#include <benchmark/benchmark.h>

#include <string>

namespace bench {

template <typename T>
void benchmark_do_not_optimize(T&& value) {
  benchmark::DoNotOptimize(value);
}

/// Prints compile times, memory and decision time against program size (see scale.cpp).
int scale(const std::string& rules_dir);

}  // namespace bench
