#pragma once
// FieldIndex: maps a field name to its position in a RecordRules table.
//
// Built once at compile time as a perfect hash: the hash mixes only the key's length and three
// of its bytes with a multiplier searched for so that no two names of the record share a slot.
// A lookup is then one hash, one slot and one comparison, and never allocates. Should no multiplier
// separate the names (not seen for real records), collisions fall back to linear probing.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse {

class FieldIndex {
 public:
  static constexpr std::uint32_t npos = 0xffffffffu;

  /// `names[i]` gets position i. Names must be distinct.
  void build(const std::vector<std::string_view>& names);

  // Inlined into the evaluator's member loop, where GCC would otherwise call it once per member.
  [[gnu::always_inline]] std::uint32_t find(std::string_view name) const {
    if (slots_.empty()) return npos;
    for (std::size_t i = slot_of(name);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.position == npos) return npos;
      if (s.length == name.size() && same_bytes(names_.data() + s.offset, name.data(), name.size()))
        return s.position;
      if (!probing_) return npos;
    }
  }

 private:
  struct Slot {
    std::uint32_t offset = 0;  // into names_
    std::uint32_t length = 0;
    std::uint32_t position = npos;
  };
  std::vector<Slot> slots_;
  std::string names_;  // the names back to back
  std::uint64_t multiplier_ = 0x9E3779B97F4A7C15ull;
  std::size_t mask_ = 0;
  bool probing_ = false;

  /// a[0, n) == b[0, n), read in words, never past n: a word from each end, overlapping in the
  /// middle. Inline rather than libc's memcmp, which reads short names with a masked vector
  /// load; that load waits for the stores to the name to retire, and the keys and strings
  /// compared here were just written (the padded payload copy, simdjson's string buffer).
  static bool same_bytes(const char* a, const char* b, std::size_t n) {
    auto load64 = [](const char* p) { std::uint64_t v; std::memcpy(&v, p, 8); return v; };
    auto load32 = [](const char* p) { std::uint32_t v; std::memcpy(&v, p, 4); return v; };
    if (n >= 8) {
      for (std::size_t i = 0; i + 8 < n; i += 8)
        if (load64(a + i) != load64(b + i)) return false;
      return load64(a + n - 8) == load64(b + n - 8);
    }
    if (n >= 4) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
    for (std::size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }

  std::size_t slot_of(std::string_view s) const {
    std::uint64_t n = s.size();
    std::uint64_t key = n;
    if (n > 0) {
      key |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[0])) << 8;
      key |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[n - 1])) << 16;
      key |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[n / 2])) << 24;
      key |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[n > 1 ? n - 2 : 0])) << 32;
    }
    return static_cast<std::size_t>((key * multiplier_) >> 40) & mask_;
  }
};

/// Items held elsewhere, found by name in one probe of a FieldIndex: what a decision uses to
/// find its PMS and its model. Holds pointers, so the items must stay where they are (map nodes).
template <typename T>
class NameLookup {
 public:
  /// From a map (or any range of name-item pairs) whose items do not move afterwards.
  template <typename Map>
  void build(const Map& items) {
    std::vector<std::string_view> names;
    by_position_.clear();
    for (const auto& [name, item] : items) {
      names.push_back(name);
      by_position_.push_back(&item);
    }
    index_.build(names);
  }
  const T* find(std::string_view name) const {
    std::uint32_t i = index_.find(name);
    return i == FieldIndex::npos ? nullptr : by_position_[i];
  }

 private:
  FieldIndex index_;
  std::vector<const T*> by_position_;
};

}  // namespace gatehouse
