#include "gatehouse/store/idempotency.hpp"

namespace gatehouse::store {

std::string_view key_use_name(KeyUse use) {
  switch (use) {
    case KeyUse::stored: return "stored";
    case KeyUse::replayed: return "replayed";
    case KeyUse::used_for_other: return "used_for_other";
  }
  return "?";
}

}  // namespace gatehouse::store
