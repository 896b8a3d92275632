#pragma once
// The subcommands of the `gatehouse` program. Each takes the arguments after its name and
// returns the process exit code.
#include <string>
#include <vector>

namespace gatehouse::cli {

/// Exit codes shared by every command.
enum Exit : int {
  ok = 0,          ///< accept/strip, or no problem found
  rejected = 1,    ///< eval: the decision is reject; test: a case failed
  usage_error = 2  ///< bad arguments, unreadable input, or rules that do not compile
};

int check(const std::vector<std::string>& args);
int eval(const std::vector<std::string>& args);
int list(const std::vector<std::string>& args);
int test(const std::vector<std::string>& args);
int explain(const std::vector<std::string>& args);
int schema(const std::vector<std::string>& args);
int fmt(const std::vector<std::string>& args);
int docs(const std::vector<std::string>& args);
int serve(const std::vector<std::string>& args);
int keygen(const std::vector<std::string>& args);

/// Indents one line of JSON for people (two spaces per level); strings are left untouched.
std::string pretty_json(const std::string& json);

}  // namespace gatehouse::cli
