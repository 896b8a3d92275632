#include "gatehouse/store/random_bytes.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "gatehouse/store/store.hpp"

namespace gatehouse::store {

void random_bytes(unsigned char* out, std::size_t n) {
  std::size_t filled = 0;
  while (filled < n) {
    // Flags 0: the urandom pool, blocking only until it is first seeded at boot.
    ssize_t got = getrandom(out + filled, n - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw StoreUnavailable(std::string("store: no randomness for an id: ") + std::strerror(errno));
    }
    filled += static_cast<std::size_t>(got);
  }
}

std::string random_hex(std::size_t n) {
  std::vector<unsigned char> bytes(n);
  random_bytes(bytes.data(), n);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

}  // namespace gatehouse::store
