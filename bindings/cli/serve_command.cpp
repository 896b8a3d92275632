// gatehouse serve --config FILE: the write service over HTTP (service/server/run_service.hpp).
#include "cli_support.hpp"
#include "commands.hpp"
#include "run_service.hpp"

namespace gatehouse::cli {

int serve(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->required()->value_name("FILE"), "the service's YAML configuration");
  po::variables_map vm;
  if (auto code = parse(args, "usage: gatehouse serve --config FILE", options, {}, vm)) return *code;
  return service::run_service(vm["config"].as<std::string>(), default_rules_dir());
}

}  // namespace gatehouse::cli
