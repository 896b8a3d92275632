#include "record_id.hpp"

#include "random_bytes.hpp"

namespace gatehouse::store {

std::string new_record_id() {
  unsigned char bytes[16];
  random_bytes(bytes, sizeof bytes);
  static const char* hex = "0123456789abcdef";
  std::string id = "rec_";
  for (unsigned char b : bytes) {
    id += hex[b >> 4];
    id += hex[b & 15];
  }
  return id;
}

}  // namespace gatehouse::store
