// gatehouse keygen: a new API key, 160 bits from the operating system's CSPRNG, as "gh_" and 40
// hex digits (the service refuses keys it estimates under 128 bits: serve_config.hpp).
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli_support.hpp"
#include "commands.hpp"

namespace gatehouse::cli {

int keygen(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("help,h", "show this help");
  po::variables_map vm;
  if (auto code = parse(args, "usage: gatehouse keygen", options, {}, vm)) return *code;
  unsigned char bytes[20];
  for (std::size_t filled = 0; filled < sizeof bytes;) {
    ssize_t n = getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::cerr << "gatehouse keygen: no randomness: " << std::strerror(errno) << '\n';
      return usage_error;
    }
    filled += static_cast<std::size_t>(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string key = "gh_";
  for (unsigned char b : bytes) {
    key += hex[b >> 4];
    key += hex[b & 15];
  }
  std::cout << key << '\n';
  return ok;
}

}  // namespace gatehouse::cli
