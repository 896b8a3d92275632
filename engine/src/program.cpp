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
  }
  return "?";
}

const PmsRules* Program::find_pms(std::string_view id) const {
  auto it = pms_.find(id);
  return it == pms_.end() ? nullptr : &it->second;
}

const RecordRules* Program::find_generic_model(std::string_view name) const {
  auto it = generic_models_.find(name);
  return it == generic_models_.end() ? nullptr : it->second;
}

void FieldIndex::build(const std::vector<std::string_view>& names) {
  std::size_t size = 4;
  while (size < names.size() * 2) size *= 2;
  slots_.assign(size, Slot{});
  for (std::uint32_t position = 0; position < names.size(); ++position) {
    std::size_t i = hash(names[position]) & (size - 1);
    while (slots_[i].position != npos) i = (i + 1) & (size - 1);
    slots_[i] = Slot{std::string(names[position]), position};
  }
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
