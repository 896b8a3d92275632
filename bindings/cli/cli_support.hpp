#pragma once
// What every subcommand shares: option parsing, loading rules, reading input, the request
// options of eval and explain.
#include <boost/program_options.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gatehouse/compiler.hpp"
#include "gatehouse/evaluator.hpp"

namespace gatehouse::cli {

namespace po = boost::program_options;

/// The options every command has: --help and --rules.
po::options_description base_options();

/// $GATEHOUSE_RULES, else the bundled rules directory.
std::string default_rules_dir();
std::string rules_dir(const po::variables_map& vm);
void add_rules_option(po::options_description& options);

/// Parses `args`; prints help or the problem and returns the exit code when the command should
/// stop, nullopt when it should go on.
std::optional<int> parse(const std::vector<std::string>& args, const char* synopsis,
                         const po::options_description& options,
                         const po::positional_options_description& positional,
                         po::variables_map& vm);

/// Compiles the rules directory chosen by --rules; prints diagnostics (and a count) on stderr.
Compilation load(const po::variables_map& vm);

/// The whole file, or standard input for "-". nullopt (with a message on stderr) if unreadable.
std::optional<std::string> read_input(const std::string& name);

/// --max-payload-bytes and --max-depth, and the Limits they give.
void add_limit_options(po::options_description& options);
Limits limits_from(const po::variables_map& vm);

/// --pms, --model, --op, --ignore-unknown-fields, limits and the input file: eval and explain.
void add_request_options(po::options_description& options,
                         po::positional_options_description& positional);

struct RequestArgs {
  std::string pms, model, payload;
  ast::Operation operation = ast::Operation::update;
  bool ignore_unknown_fields = false;
  Limits limits;
  Request request() const { return {pms, model, operation, ignore_unknown_fields, payload}; }
};

/// Reads the request options and the payload; nullopt (message printed) on a usage error.
std::optional<RequestArgs> request_args(const po::variables_map& vm);

/// eval and explain: parses `args` with the request options added to `options`, reads the
/// payload and compiles the rules. Returns the exit code to stop with, or nullopt when `request`
/// and `rules` are ready.
std::optional<int> load_request(const std::vector<std::string>& args, const char* synopsis,
                                po::options_description& options, po::variables_map& vm,
                                RequestArgs& request, Compilation& rules);

/// Writes `text` to `path`, creating folders; false (message printed) on failure.
bool write_file(const std::filesystem::path& path, const std::string& text);

}  // namespace gatehouse::cli
