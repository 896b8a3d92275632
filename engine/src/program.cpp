#include "gatehouse/program.hpp"

#include <re2/re2.h>

namespace gatehouse {

std::string_view value_kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::string: return "string";
    case ValueKind::integer: return "integer";
    case ValueKind::decimal: return "decimal";
    case ValueKind::boolean: return "boolean";
    case ValueKind::date: return "date";
    case ValueKind::datetime: return "datetime";
    case ValueKind::email: return "email";
    case ValueKind::phone: return "phone";
    case ValueKind::uuid: return "uuid";
    case ValueKind::enumeration: return "enum";
    case ValueKind::list: return "list";
    case ValueKind::record: return "record";
    case ValueKind::date_or_datetime: return "date_or_datetime";
    case ValueKind::uri: return "uri";
    case ValueKind::object: return "object";
  }
  return "?";
}

const PmsRules* Program::find_pms(std::string_view id) const { return pms_lookup_.find(id); }

const GenericModel* Program::find_model(std::string_view name_or_resource) const {
  auto it = models_.find(name_or_resource);
  if (it != models_.end()) return &it->second;
  auto by_path = model_by_resource_.find(name_or_resource);
  if (by_path == model_by_resource_.end()) return nullptr;
  return &models_.at(by_path->second);
}

void FieldIndex::build(const std::vector<std::string_view>& names) {
  std::size_t size = 4;
  while (size < names.size() * 2) size *= 2;
  mask_ = size - 1;
  names_.clear();
  std::vector<std::uint32_t> offsets;
  for (auto n : names) {
    offsets.push_back(static_cast<std::uint32_t>(names_.size()));
    names_.append(n);
  }
  auto place = [&](bool probe) {
    slots_.assign(size, Slot{});
    for (std::uint32_t position = 0; position < names.size(); ++position) {
      std::size_t i = slot_of(names[position]);
      while (slots_[i].position != npos) {
        if (!probe) return false;
        i = (i + 1) & mask_;
      }
      slots_[i] = Slot{offsets[position], static_cast<std::uint32_t>(names[position].size()), position};
    }
    return true;
  };
  // Search odd multipliers (a fixed sequence, so builds are reproducible) for a perfect placement;
  // grow the table once if none fits.
  std::uint64_t candidate = 0x9E3779B97F4A7C15ull;
  for (int attempt = 0; attempt < 4096; ++attempt) {
    if (attempt == 2048) {
      size *= 2;
      mask_ = size - 1;
    }
    multiplier_ = candidate | 1;
    if (place(false)) {
      probing_ = false;
      return;
    }
    candidate = candidate * 6364136223846793005ull + 1442695040888963407ull;
  }
  probing_ = true;
  place(true);
}

struct Pattern::Impl {
  explicit Impl(const std::string& source) : re(source, RE2::Quiet) {}
  RE2 re;
};

Pattern::Pattern(const std::string& source)
    : impl_(std::make_unique<Impl>(source)), source_(source) {
  if (!impl_->re.ok()) error_ = impl_->re.error();
}

Pattern::~Pattern() = default;

bool Pattern::search(std::string_view text) const {
  return ok() && RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), impl_->re);
}

}  // namespace gatehouse
