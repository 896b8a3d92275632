// gatehouse keygen: a new API key, 160 bits from the operating system's CSPRNG, as "gh_" and 40
// hex digits (the service refuses keys it estimates under 128 bits: serve_config.hpp).
#include <iostream>

#include "cli_support.hpp"
#include "commands.hpp"
#include "gatehouse/store/random_bytes.hpp"

namespace gatehouse::cli {

int keygen(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("help,h", "show this help");
  po::variables_map vm;
  if (auto code = parse(args, "usage: gatehouse keygen", options, {}, vm)) return *code;
  try {
    std::cout << "gh_" << store::random_hex(20) << '\n';
  } catch (const std::exception& e) {
    std::cerr << "gatehouse keygen: " << e.what() << '\n';
    return usage_error;
  }
  return ok;
}

}  // namespace gatehouse::cli
