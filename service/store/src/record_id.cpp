#include "record_id.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gatehouse::store {

std::string new_record_id() {
  unsigned char bytes[16];
  std::size_t filled = 0;
  while (filled < sizeof bytes) {
    // Flags 0: the urandom pool, blocking only until it is first seeded at boot.
    ssize_t n = getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("store: no randomness for a record id: ") + std::strerror(errno));
    }
    filled += static_cast<std::size_t>(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string id = "rec_";
  for (unsigned char b : bytes) {
    id += hex[b >> 4];
    id += hex[b & 15];
  }
  return id;
}

}  // namespace gatehouse::store
