#pragma once
// FieldIndex: maps a field name to its position in a RecordRules table.
//
// Open addressing over a power-of-two table at most half full, built once at compile time;
// lookups hash the key once and compare at most a few names, and never allocate.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse {

class FieldIndex {
 public:
  static constexpr std::uint32_t npos = 0xffffffffu;

  /// `names[i]` gets position i. Names must be distinct.
  void build(const std::vector<std::string_view>& names);
  std::uint32_t find(std::string_view name) const {
    if (slots_.empty()) return npos;
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(name) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.position == npos) return npos;
      if (s.name == name) return s.position;
    }
  }

  static std::uint64_t hash(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
  }

 private:
  struct Slot {
    std::string name;
    std::uint32_t position = npos;
  };
  std::vector<Slot> slots_;
};

}  // namespace gatehouse
