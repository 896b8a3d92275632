#include "content_hash.hpp"

#include <cstdint>
#include <cstdio>

namespace gatehouse {

std::string content_hash(const SourceSet& sources) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view bytes) {
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    // A separator that cannot be confused with content: the length, so "ab"+"c" != "a"+"bc".
    std::uint64_t n = bytes.size();
    for (int i = 0; i < 8; ++i) h = (h ^ ((n >> (8 * i)) & 0xff)) * 1099511628211ull;
  };
  for (const auto& f : sources.files()) {
    mix(f.name);
    mix(f.text);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace gatehouse
