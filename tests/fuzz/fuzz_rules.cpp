// Fuzz target: random .rules text through the whole front end (parse, compile, format). Nothing
// may crash or hang; bad text must end in diagnostics. The bundled models are compiled alongside,
// so that fuzzed PMS blocks reach the compiler's deeper checks.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gatehouse/compiler.hpp"
#include "gatehouse/grammar/formatter.hpp"
#include "gatehouse/grammar/parser.hpp"

namespace {

const std::string& bundled_models() {
  static const std::string text = [] {
    std::ifstream in(std::filesystem::path(GATEHOUSE_SOURCE_DIR) / "rules" / "models" / "residents.rules");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }();
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  {
    gatehouse::SourceSet sources;
    sources.add("models.rules", bundled_models());
    sources.add("fuzz.rules", text);
    gatehouse::Compilation c = gatehouse::compile(std::move(sources));
    (void)c.render_diagnostics();
  }
  {
    gatehouse::SourceSet sources;
    auto id = sources.add("fuzz.rules", text);
    gatehouse::Diagnostics diagnostics;
    (void)gatehouse::format_rules(sources, id, diagnostics);
  }
  return 0;
}
