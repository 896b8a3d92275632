#pragma once
// FieldIndex: maps a field name to its position in a RecordRules table.
//
// Built once at compile time as a perfect hash: the hash mixes only the key's length and three
// of its bytes with a multiplier searched for so that no two names of the record share a slot.
// A lookup is then one hash, one slot and one memcmp, and never allocates. Should no multiplier
// separate the names (not seen for real records), collisions fall back to linear probing.
#include <bit>
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

  std::uint32_t find(std::string_view name) const {
    return lookup(name, [](const char* a, const char* b, std::size_t n) { return std::memcmp(a, b, n) == 0; });
  }

  /// The same lookup for a name followed by at least 7 readable bytes (a key read in place from
  /// a simdjson-padded document): the names are compared eight bytes at a time, inline. libc's
  /// memcmp reads short keys with a masked vector load, which stalled on every member here.
  std::uint32_t find_padded(std::string_view name) const { return lookup(name, same_padded); }

 private:
  struct Slot {
    std::uint32_t offset = 0;  // into names_
    std::uint32_t length = 0;
    std::uint32_t position = npos;
  };
  std::vector<Slot> slots_;
  std::string names_;  // the names back to back, then 8 zero bytes so every name can be read as padded
  std::uint64_t multiplier_ = 0x9E3779B97F4A7C15ull;
  std::size_t mask_ = 0;
  bool probing_ = false;

  template <typename Same>
  std::uint32_t lookup(std::string_view name, Same same) const {
    if (slots_.empty()) return npos;
    for (std::size_t i = slot_of(name);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.position == npos) return npos;
      if (s.length == name.size() && same(names_.data() + s.offset, name.data(), name.size()))
        return s.position;
      if (!probing_) return npos;
    }
  }

  /// Whether a[0, n) == b[0, n), both readable up to the next multiple of 8 past n.
  static bool same_padded(const char* a, const char* b, std::size_t n) {
    static_assert(std::endian::native == std::endian::little, "the tail mask keeps the low bytes");
    for (;; a += 8, b += 8) {
      std::uint64_t x, y;
      std::memcpy(&x, a, 8);
      std::memcpy(&y, b, 8);
      if (n <= 8) return n == 0 || ((x ^ y) << (8 * (8 - n))) == 0;  // little-endian: keep n low bytes
      if (x != y) return false;
      n -= 8;
    }
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

}  // namespace gatehouse
