#include "random_bytes.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

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

}  // namespace gatehouse::store
