#pragma once
// Random bytes from the operating system's CSPRNG (getrandom): what every id a client sees takes
// its random part from, so that one id says nothing of the next.
#include <cstddef>
#include <string>

namespace gatehouse::store {

/// Fills `out` with `n` random bytes; throws StoreUnavailable if the system has none to give.
void random_bytes(unsigned char* out, std::size_t n);
/// `n` random bytes as 2n lowercase hex digits.
std::string random_hex(std::size_t n);

}  // namespace gatehouse::store
