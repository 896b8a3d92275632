#include "record_id.hpp"

#include "gatehouse/store/random_bytes.hpp"

namespace gatehouse::store {

std::string new_record_id() { return "rec_" + random_hex(16); }

}  // namespace gatehouse::store
