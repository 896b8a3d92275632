#include "bench_case.hpp"

#include <stdexcept>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "gatehouse/evaluator.hpp"
#include "gatehouse/json_schema.hpp"
#include "gatehouse/rules_loader.hpp"

namespace bench {

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "gatehouse_bench: cannot read " << path << '\n';
    std::exit(2);
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::shared_ptr<const gatehouse::Program> compile(const std::string& dir) {
  static std::map<std::string, std::shared_ptr<const gatehouse::Program>> programs;
  auto& p = programs[dir];
  if (!p) {
    gatehouse::Compilation c = gatehouse::compile_directory(dir);
    if (!c.ok()) {
      std::cerr << c.render_diagnostics();
      std::exit(2);
    }
    p = c.program;
  }
  return p;
}

}  // namespace

const Case& load_case(const std::string& name) {
  static std::map<std::string, Case> cases;
  auto it = cases.find(name);
  if (it != cases.end()) return it->second;
  Case c;
  c.name = name;
  const std::string dir = std::string(GATEHOUSE_BENCH_DIR) + "/cases/" + name;
  std::string rules = GATEHOUSE_RULES_DIR;
  std::istringstream meta(read(dir + "/case.txt"));
  for (std::string key, value; meta >> key >> value;) {
    if (key == "pms") c.pms = value;
    if (key == "model") c.model = value;
    if (key == "op") {
      auto op = gatehouse::ast::operation_from_name(value);
      if (!op) throw std::runtime_error(dir + "/case.txt: unknown op '" + value + "'");
      c.op = *op;
    }
    if (key == "ignore_unknown_fields") c.ignore_unknown_fields = value == "true";
    if (key == "rules") rules = dir + "/" + value;
  }
  c.payload = read(dir + "/request.json");
  c.program = compile(rules);
  const gatehouse::PmsRules* pms = c.program->find_pms(c.pms);
  if (!pms || !pms->models.count(c.model) || !pms->models.at(c.model).operation(c.op).offered) {
    std::cerr << "gatehouse_bench: case " << name << " names no offered operation\n";
    std::exit(2);
  }
  c.schema = gatehouse::json_schema(*c.program, *pms, pms->models.at(c.model), c.op);
  gatehouse::EvaluationContext context;
  c.expected = gatehouse::evaluate(*c.program, c.request(), context).verdict;
  return cases.emplace(name, std::move(c)).first->second;
}

}  // namespace bench
