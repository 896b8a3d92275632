// The `gatehouse` Python module (pybind11): load rules, decide requests, reload.
//
//   import gatehouse
//   rules = gatehouse.load("rules/")
//   d = rules.evaluate(pms="RENTMANAGER", model="residents", operation="update",
//                      payload={"last_name": "Lee"}, ignore_unknown_fields=True)
//   d.verdict, d.status, d.errors, d.stripped, d.payload
//
// Rules that do not compile raise gatehouse.RulesError, which carries the first error's file,
// line and column and every diagnostic. The GIL is released while a request is decided.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>

#include "gatehouse/engine.hpp"
#include "gatehouse/rules_loader.hpp"

namespace py = pybind11;

namespace {

struct PyIssue {
  std::string path, code, message;
  std::optional<std::string> rule;
};

struct PyDecision {
  std::string verdict;
  int status = 0;
  std::string rules_version;
  std::vector<PyIssue> errors, stripped;
  std::optional<std::string> payload;
  std::string json;
};

struct PyDiagnostic {
  std::string severity, file, message;
  unsigned line = 0, column = 0;
};

py::object rules_error_type;

[[noreturn]] void raise_rules_error(const gatehouse::Compilation& c) {
  std::vector<PyDiagnostic> diagnostics;
  for (const auto& d : c.diagnostics.all()) {
    bool has_file = d.at.valid() && d.at.file < c.sources.size();
    diagnostics.push_back({d.severity == gatehouse::Severity::error ? "error" : "note",
                           has_file ? c.sources.file(d.at.file).name : "", d.message, d.at.line, d.at.column});
  }
  py::object error = rules_error_type(c.render_diagnostics());
  error.attr("diagnostics") = diagnostics;
  const PyDiagnostic* first = diagnostics.empty() ? nullptr : &diagnostics.front();
  error.attr("file") = first ? py::cast(first->file) : py::none();
  error.attr("line") = first ? py::cast(first->line) : py::none();
  error.attr("column") = first ? py::cast(first->column) : py::none();
  error.attr("message") = first ? py::cast(first->message) : py::none();
  PyErr_SetObject(rules_error_type.ptr(), error.ptr());
  throw py::error_already_set();
}

class Rules {
 public:
  explicit Rules(gatehouse::Compilation c) : engine_(c.program) {}

  std::string rules_version() const { return engine_.program()->rules_version(); }

  void reload(const std::string& dir) {
    gatehouse::Compilation c = [&] {
      py::gil_scoped_release release;
      return engine_.reload(dir);
    }();
    if (!c.ok()) raise_rules_error(c);
  }

  PyDecision evaluate(const std::string& pms, const std::string& model, const std::string& operation,
                      py::object payload, bool ignore_unknown_fields, std::size_t max_payload_bytes,
                      std::uint32_t max_depth, std::size_t max_issues) const {
    const gatehouse::Limits limits{max_payload_bytes, max_depth, max_issues};
    std::string bytes;
    if (py::isinstance<py::bytes>(payload)) {
      bytes = payload.cast<std::string>();
    } else if (py::isinstance<py::str>(payload)) {
      bytes = payload.cast<std::string>();
    } else if (py::isinstance<py::dict>(payload)) {
      bytes = py::module_::import("json").attr("dumps")(payload).cast<std::string>();
    } else {
      throw py::type_error("payload must be bytes, str or dict");
    }
    auto op = gatehouse::ast::operation_from_name(operation);
    if (!op) throw py::value_error("operation must be one of " + gatehouse::ast::operation_names() + ", not '" + operation + "'");
    PyDecision out;
    {
      py::gil_scoped_release release;
      gatehouse::EvaluationContext& context = gatehouse::thread_context(limits);
      gatehouse::Request request{pms, model, *op, ignore_unknown_fields, bytes};
      gatehouse::EngineDecision d = engine_.evaluate(request, context);
      out.verdict = std::string(gatehouse::verdict_name(d.decision.verdict));
      out.status = d.decision.status;
      out.rules_version = std::string(d.decision.rules_version);
      out.json = gatehouse::to_json(d.decision);
      if (d.decision.payload) out.payload = std::string(*d.decision.payload);
      for (auto [from, to] : {std::pair{&d.decision.errors, &out.errors}, std::pair{&d.decision.stripped, &out.stripped}})
        for (const auto& i : *from)
          to->push_back({i.path, std::string(gatehouse::error_code_name(i.code)), i.message,
                         i.rule.empty() ? std::nullopt : std::optional<std::string>(std::string(i.rule))});
    }
    return out;
  }

 private:
  gatehouse::Engine engine_;
};

// Rules hold an atomic pointer: neither copied nor moved, so Python gets them by unique_ptr.
std::unique_ptr<Rules> load_dir(const std::string& dir) {
  gatehouse::Compilation c = [&] {
    py::gil_scoped_release release;
    return gatehouse::compile_directory(dir);
  }();
  if (!c.ok()) raise_rules_error(c);
  return std::make_unique<Rules>(std::move(c));
}

std::unique_ptr<Rules> load_texts(const std::map<std::string, std::string>& files) {
  gatehouse::SourceSet sources;
  for (const auto& [name, text] : files) sources.add(name, text);
  gatehouse::Compilation c = gatehouse::compile(std::move(sources));
  if (!c.ok()) raise_rules_error(c);
  return std::make_unique<Rules>(std::move(c));
}

}  // namespace

PYBIND11_MODULE(gatehouse, m) {
  m.doc() = "gatehouse: decide whether write requests can go to a property management system";
  rules_error_type = py::reinterpret_borrow<py::object>(
      PyErr_NewExceptionWithDoc("gatehouse.RulesError", "The rules do not compile.", PyExc_ValueError, nullptr));
  m.attr("RulesError") = rules_error_type;

  py::class_<PyDiagnostic>(m, "Diagnostic")
      .def_readonly("severity", &PyDiagnostic::severity)
      .def_readonly("file", &PyDiagnostic::file)
      .def_readonly("line", &PyDiagnostic::line)
      .def_readonly("column", &PyDiagnostic::column)
      .def_readonly("message", &PyDiagnostic::message)
      .def("__repr__", [](const PyDiagnostic& d) {
        return d.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.severity + ": " + d.message;
      });

  py::class_<PyIssue>(m, "Issue")
      .def_readonly("path", &PyIssue::path)
      .def_readonly("code", &PyIssue::code)
      .def_readonly("message", &PyIssue::message)
      .def_readonly("rule", &PyIssue::rule)
      .def("__repr__", [](const PyIssue& i) { return "<Issue " + i.path + " " + i.code + ">"; });

  py::class_<PyDecision>(m, "Decision")
      .def_readonly("verdict", &PyDecision::verdict)
      .def_readonly("status", &PyDecision::status)
      .def_readonly("rules_version", &PyDecision::rules_version)
      .def_readonly("errors", &PyDecision::errors)
      .def_readonly("stripped", &PyDecision::stripped)
      .def_property_readonly("payload", [](const PyDecision& d) -> py::object {
        return d.payload ? py::object(py::bytes(*d.payload)) : py::object(py::none());
      })
      .def("to_json", [](const PyDecision& d) { return d.json; })
      .def("__repr__", [](const PyDecision& d) { return "<Decision " + d.verdict + " " + std::to_string(d.status) + ">"; });

  py::class_<Rules>(m, "Rules")
      .def_property_readonly("rules_version", &Rules::rules_version)
      .def("evaluate", &Rules::evaluate, py::kw_only(), py::arg("pms"), py::arg("model"),
           py::arg("operation"), py::arg("payload"), py::arg("ignore_unknown_fields") = false,
           py::arg("max_payload_bytes") = gatehouse::Limits{}.max_payload_bytes,
           py::arg("max_depth") = gatehouse::Limits{}.max_depth,
           py::arg("max_issues") = gatehouse::Limits{}.max_issues)
      .def("reload", &Rules::reload, py::arg("path"),
           "Compiles the rules under `path` and uses them if they compile; raises RulesError and "
           "keeps the current rules otherwise.");

  m.def("load", &load_dir, py::arg("path"), "Compiles every .rules file under `path`.");
  m.def("load_texts", &load_texts, py::arg("files"), "Compiles rules given as {name: text}.");
}
