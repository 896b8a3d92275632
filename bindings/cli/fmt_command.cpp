// gatehouse fmt: rules in the canonical layout.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli_support.hpp"
#include "commands.hpp"
#include "gatehouse/grammar/formatter.hpp"

namespace gatehouse::cli {

namespace fs = std::filesystem;

int fmt(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("help,h", "show this help")
      ("check", "change nothing; list the files that are not formatted and exit 1 if any")
      ("write,w", "rewrite the files in place")
      ("files", po::value<std::vector<std::string>>()->value_name("FILE|DIR"),
       ".rules files, or folders to search for them");
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm;
  const char* synopsis = "usage: gatehouse fmt [--check | -w] FILE|DIR...";
  if (auto code = parse(args, synopsis, options, positional, vm)) return *code;
  if (!vm.count("files")) {
    std::cerr << "gatehouse: fmt needs files or folders\n\n" << synopsis << '\n' << options;
    return usage_error;
  }
  std::vector<fs::path> paths;
  for (const auto& arg : vm["files"].as<std::vector<std::string>>()) {
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> found;
      for (fs::recursive_directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".rules") found.push_back(it->path());
      std::sort(found.begin(), found.end());
      paths.insert(paths.end(), found.begin(), found.end());
    } else {
      paths.emplace_back(arg);
    }
  }
  bool check_only = vm.count("check") > 0, write = vm.count("write") > 0;
  int status = ok;
  for (const auto& path : paths) {
    auto text = read_input(path.string());
    if (!text) return usage_error;
    SourceSet sources;
    auto id = sources.add(path.string(), *text);
    Diagnostics diagnostics;
    auto formatted = format_rules(sources, id, diagnostics);
    if (!formatted) {
      std::cerr << diagnostics.render(sources);
      return usage_error;
    }
    if (check_only) {
      if (*formatted != *text) {
        std::cout << "not formatted: " << path.string() << '\n';
        status = rejected;
      }
    } else if (write) {
      if (*formatted != *text) std::ofstream(path, std::ios::binary) << *formatted;
    } else {
      std::cout << *formatted;
    }
  }
  return status;
}

}  // namespace gatehouse::cli
