// gatehouse schema: the rules as JSON Schema (draft 2020-12) and OpenAPI 3.1.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli_support.hpp"
#include "commands.hpp"
#include "gatehouse/json_schema.hpp"

namespace gatehouse::cli {

namespace fs = std::filesystem;

int schema(const std::vector<std::string>& args) {
  po::options_description options = base_options();
  options.add_options()
      ("pms", po::value<std::string>()->value_name("PMS"), "the PMS (without it: the generic route's body)")
      ("model", po::value<std::string>()->value_name("MODEL"), "the generic model, by name or resource path")
      ("op", po::value<std::string>()->value_name("OP"), "the operation")
      ("openapi", "print the OpenAPI 3.1 document of the write service")
      ("server-url", po::value<std::string>()->value_name("URL"),
       "the server the OpenAPI document names (default: /, the host it is served from)")
      ("all", "write every offered PMS x model x operation schema, and openapi.json, under --out")
      ("out", po::value<std::string>()->value_name("DIR"), "output folder for --all");
  po::variables_map vm;
  const char* synopsis =
      "usage: gatehouse schema [--rules DIR] [--pms PMS] --model MODEL --op OP\n"
      "       gatehouse schema [--rules DIR] --openapi [--server-url URL]\n"
      "       gatehouse schema [--rules DIR] --all --out DIR [--server-url URL]";
  if (auto code = parse(args, synopsis, options, {}, vm)) return *code;
  bool one = vm.count("pms") || vm.count("model") || vm.count("op");
  int modes = (one ? 1 : 0) + (vm.count("openapi") ? 1 : 0) + (vm.count("all") ? 1 : 0);
  if (modes != 1 || (vm.count("all") && !vm.count("out")) || (one && vm.count("server-url")) ||
      (one && !(vm.count("model") && vm.count("op")))) {
    std::cerr << "gatehouse: choose one of [--pms] --model --op, --openapi, or --all --out DIR\n\n"
              << synopsis << '\n';
    return usage_error;
  }
  Compilation c = load(vm);
  if (!c.ok()) return usage_error;
  const Program& program = *c.program;
  const std::string server_url = vm.count("server-url") ? vm["server-url"].as<std::string>() : "/";

  if (vm.count("openapi")) {
    std::cout << pretty_json(openapi_document(program, server_url)) << '\n';
    return ok;
  }
  if (vm.count("all")) {
    fs::path out = vm["out"].as<std::string>();
    std::size_t written = 0;
    for (const auto& [id, pms] : program.pms()) {
      for (const auto& [name, model] : pms.models) {
        for (auto op : ast::all_operations()) {
          if (!model.operation(op).offered) continue;
          fs::path file = out / id / (name + "." + ast::operation_name(op) + ".schema.json");
          if (!write_file(file, pretty_json(json_schema(program, pms, model, op)) + "\n")) return usage_error;
          ++written;
        }
      }
    }
    if (!write_file(out / "openapi.json", pretty_json(openapi_document(program, server_url)) + "\n")) return usage_error;
    std::cerr << "wrote " << written << " schemas and openapi.json under " << out.string() << '\n';
    return ok;
  }
  std::string model_name = vm["model"].as<std::string>();
  const std::string op_name = vm["op"].as<std::string>();
  auto operation = ast::resolve_operation(model_name, op_name);
  if (!operation) {
    std::cerr << "gatehouse: --op must be one of " << ast::operation_names() << ", not '" << op_name << "'\n";
    return usage_error;
  }
  const auto op = *operation;
  const GenericModel* generic = program.find_model(model_name);
  if (!generic) {
    std::cerr << "gatehouse: unknown model '" << model_name << "'\n";
    return usage_error;
  }
  if (!generic->route(op)) {
    std::cerr << "gatehouse: the unified API has no " << ast::operation_name(op) << " route for "
              << generic->name << '\n';
    return rejected;
  }
  if (!vm.count("pms")) {
    std::cout << pretty_json(generic_json_schema(program, *generic, op)) << '\n';
    return ok;
  }
  const std::string pms_id = vm["pms"].as<std::string>();
  const PmsRules* pms = program.find_pms(pms_id);
  if (!pms) {
    std::cerr << "gatehouse: unknown PMS '" << pms_id << "'\n";
    return usage_error;
  }
  auto model = pms->models.find(generic->name);
  const OperationRules& rules = model->second.operation(op);
  if (!rules.offered) {
    std::cerr << "gatehouse: " << pms->display_name << " does not offer " << op_name << " on "
              << model_name << ": " << rules.reason << '\n';
    return rejected;
  }
  std::cout << pretty_json(json_schema(program, *pms, model->second, op)) << '\n';
  return ok;
}

}  // namespace gatehouse::cli
