#include "gatehouse/dispatch/connector.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "gatehouse/json_string.hpp"

// Debian's RapidJSON (1.1) declares its member iterators' == and != in a way C++20 finds
// ambiguous with the reversed candidates; clang says so at every loop. The comparison is right.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wambiguous-reversed-operator"
#endif

namespace gatehouse::service {

namespace {

namespace json = rapidjson;

[[noreturn]] void bad(const std::string& source, const std::string& what) {
  throw std::runtime_error(source + ": " + what);
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (;;) {
    std::size_t dot = path.find('.', at);
    out.push_back(path.substr(at, dot == std::string::npos ? std::string::npos : dot - at));
    if (dot == std::string::npos) return out;
    at = dot + 1;
  }
}

bool is_index(const std::string& segment) {
  return !segment.empty() && segment.find_first_not_of("0123456789") == std::string::npos;
}

/// The value at a native path, created (with the objects and lists on the way) when missing.
json::Value& make_path(json::Value& root, const std::vector<std::string>& path, json::Document::AllocatorType& a) {
  json::Value* at = &root;
  for (const auto& segment : path) {
    if (is_index(segment)) {
      if (!at->IsArray()) at->SetArray();
      auto index = static_cast<json::SizeType>(std::stoul(segment));
      while (at->Size() <= index) at->PushBack(json::Value(), a);
      at = &(*at)[index];
    } else {
      if (!at->IsObject()) at->SetObject();
      auto member = at->FindMember(segment.c_str());
      if (member == at->MemberEnd()) {
        at->AddMember(json::Value(segment.c_str(), a), json::Value(), a);
        member = at->FindMember(segment.c_str());
      }
      at = &member->value;
    }
  }
  return *at;
}

/// The value at a native path, or nullptr.
const json::Value* find_path(const json::Value& root, const std::vector<std::string>& path) {
  const json::Value* at = &root;
  for (const auto& segment : path) {
    if (is_index(segment)) {
      auto index = std::stoul(segment);
      if (!at->IsArray() || at->Size() <= index) return nullptr;
      at = &(*at)[static_cast<json::SizeType>(index)];
    } else {
      if (!at->IsObject()) return nullptr;
      auto member = at->FindMember(segment.c_str());
      if (member == at->MemberEnd()) return nullptr;
      at = &member->value;
    }
  }
  return at;
}

std::string to_text(const json::Value& value) {
  json::StringBuffer buffer;
  json::Writer<json::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

/// An id as text: a string as it is, a number as written.
std::optional<std::string> id_text(const json::Value* id) {
  if (!id || id->IsNull()) return std::nullopt;
  if (id->IsString()) return std::string(id->GetString(), id->GetStringLength());
  if (id->IsNumber()) return to_text(*id);
  return std::nullopt;
}

json::Document parse(std::string_view text, const char* what) {
  json::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError())
    throw std::runtime_error(std::string(what) + " is not JSON: " + json::GetParseError_En(doc.GetParseError()));
  return doc;
}

std::string with_id(std::string path, std::string_view id) {
  auto at = path.find("{id}");
  if (at != std::string::npos) path.replace(at, 4, std::string(id));
  return path;
}

std::optional<Route> read_route(const YAML::Node& node, const std::string& where, const std::string& default_method) {
  if (!node) return std::nullopt;
  if (!node.IsMap() || !node["path"]) bad(where, "a route needs a 'path'");
  Route r;
  r.method = node["method"] ? node["method"].Scalar() : default_method;
  if (r.method != "GET" && r.method != "POST" && r.method != "PUT" && r.method != "PATCH")
    bad(where, "unknown method '" + r.method + "'");
  r.path = node["path"].Scalar();
  if (r.path.empty() || r.path[0] != '/') bad(where, "a path starts with '/'");
  if (node["body"]) {
    if (node["body"].Scalar() != "array") bad(where, "body is 'array' or left out");
    r.array_body = true;
  }
  return r;
}

}  // namespace

const std::optional<Route>& ModelConnector::route(std::string_view operation) const {
  if (operation == "create") return create;
  if (operation == "update") return update;
  if (operation == "fetch") return fetch;
  if (operation == "list") return list;
  // The named operations (cancel, upload_file, ...): connectors declare no route for them yet,
  // so the service refuses such writes instead of queueing jobs that could only fail.
  static const std::optional<Route> none;
  return none;
}

const SeparateField* ModelConnector::separate_field(std::string_view field) const {
  for (const auto& s : separate)
    if (s.field == field) return &s;
  return nullptr;
}

Connector Connector::load(const std::filesystem::path& file) {
  Connector c;
  c.source_ = file.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    bad(c.source_, e.what());
  }
  if (!root["pms"] || !root["models"] || !root["models"].IsMap()) bad(c.source_, "needs 'pms' and 'models'");
  c.pms_ = root["pms"].Scalar();
  if (root["error_message"]) c.error_member_ = root["error_message"].Scalar();
  for (const auto& entry : root["models"]) {
    std::string name = entry.first.Scalar();
    std::string where = c.source_ + ": models." + name;
    const YAML::Node& m = entry.second;
    ModelConnector model;
    if (!m["id"]) bad(where, "needs 'id', the native member holding a record's id");
    model.id_member = m["id"].Scalar();
    model.create = read_route(m["create"], where + ".create", "POST");
    model.update = read_route(m["update"], where + ".update", "PUT");
    model.fetch = read_route(m["fetch"], where + ".fetch", "GET");
    model.list = read_route(m["list"], where + ".list", "GET");
    if (model.update && model.update->path.find("{id}") == std::string::npos && !model.update->array_body &&
        model.update->method == "GET")
      bad(where + ".update", "an update is not a GET");
    for (const auto& field : m["fields"]) model.fields.emplace_back(field.first.Scalar(), field.second.Scalar());
    for (const auto& field : m["separate"]) {
      std::string at = where + ".separate." + field.first.Scalar();
      auto route = read_route(field.second, at, "POST");
      if (!field.second["member"]) bad(at, "needs 'member', the native member the value goes in");
      model.separate.push_back({field.first.Scalar(), *route, field.second["member"].Scalar()});
    }
    c.models_.emplace(name, std::move(model));
  }
  return c;
}

const ModelConnector* Connector::model(std::string_view name) const {
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : &it->second;
}

NativeRequest Connector::write_request(std::string_view model_name, std::string_view operation,
                                       std::string_view record_id, std::string_view payload) const {
  const ModelConnector* m = model(model_name);
  if (!m || !m->route(operation))
    throw std::runtime_error("no connector route for " + pms_ + " " + std::string(model_name) + " " +
                             std::string(operation));
  const Route& route = *m->route(operation);
  json::Document generic = parse(payload, "the payload");
  if (!generic.IsObject()) throw std::runtime_error("the payload is not a JSON object");
  json::Document native;
  native.SetObject();
  auto& a = native.GetAllocator();
  if (operation == "update" && generic.MemberCount() == 1) {
    const auto& only = *generic.MemberBegin();
    if (const SeparateField* separate = m->separate_field(only.name.GetString())) {
      if (record_id.empty())
        throw std::runtime_error("'" + separate->field + "' goes to a record the PMS gave no id for");
      native.AddMember(json::Value(separate->member.c_str(), a), json::Value(only.value, a), a);
      return {separate->route.method, with_id(separate->route.path, record_id), to_text(native)};
    }
  }
  for (auto& member : generic.GetObject()) {
    std::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (is_routing_field(name)) continue;  // names the integration: gatehouse's, not the PMS's
    if (m->separate_field(name))
      throw std::runtime_error(source_ + " sends '" + std::string(name) + "' of " + std::string(model_name) +
                               " in a call of its own");
    const std::string* path = nullptr;
    for (const auto& [generic_name, native_path] : m->fields)
      if (generic_name == name) path = &native_path;
    if (!path)
      throw std::runtime_error(source_ + " maps no native field for '" + std::string(name) + "' of " +
                               std::string(model_name));
    make_path(native, split_path(*path), a).CopyFrom(member.value, a);
  }
  bool id_in_path = route.path.find("{id}") != std::string::npos;
  if (operation == "update" && !id_in_path)
    make_path(native, split_path(m->id_member), a).SetString(record_id.data(), static_cast<json::SizeType>(record_id.size()), a);
  std::string body = to_text(native);
  if (route.array_body) body = "[" + body + "]";
  return {route.method, with_id(route.path, record_id), body};
}

std::vector<std::string> Connector::calls(std::string_view model_name, std::string_view payload) const {
  const ModelConnector* m = model(model_name);
  json::Document generic = parse(payload, "the payload");
  if (!m || m->separate.empty() || !generic.IsObject() || generic.MemberCount() <= 1) return {std::string(payload)};
  json::Document own;
  own.SetObject();
  std::vector<std::string> separate;
  for (auto& member : generic.GetObject()) {
    if (m->separate_field(member.name.GetString())) {
      json::Document one;
      one.SetObject();
      one.AddMember(json::Value(member.name, one.GetAllocator()), json::Value(member.value, one.GetAllocator()),
                    one.GetAllocator());
      separate.push_back(to_text(one));
    } else {
      own.AddMember(json::Value(member.name, own.GetAllocator()), json::Value(member.value, own.GetAllocator()),
                    own.GetAllocator());
    }
  }
  std::vector<std::string> out;
  if (own.MemberCount() > 0) out.push_back(to_text(own));
  out.insert(out.end(), separate.begin(), separate.end());
  return out;
}

NativeRequest Connector::fetch_request(std::string_view model_name, std::string_view record_id) const {
  const ModelConnector* m = model(model_name);
  if (!m || !m->fetch) throw std::runtime_error("no fetch route for " + pms_ + " " + std::string(model_name));
  return {"GET", with_id(m->fetch->path, record_id), ""};
}

NativeRequest Connector::list_request(std::string_view model_name) const {
  const ModelConnector* m = model(model_name);
  if (!m || !m->list) throw std::runtime_error("no list route for " + pms_ + " " + std::string(model_name));
  return {"GET", m->list->path, ""};
}

namespace {

/// A native record as (id, generic JSON), or nullopt without an id.
std::optional<std::pair<std::string, std::string>> generic_of(const ModelConnector& m, const json::Value& native) {
  auto id = id_text(find_path(native, split_path(m.id_member)));
  if (!id) return std::nullopt;
  json::Document generic;
  generic.SetObject();
  auto& a = generic.GetAllocator();
  generic.AddMember("id", json::Value(id->c_str(), a), a);
  // Fields the connector does not map are not part of the generic model: they are left out.
  for (const auto& [name, path] : m.fields) {
    const json::Value* value = find_path(native, split_path(path));
    if (!value || value->IsNull()) continue;
    generic.AddMember(json::Value(name.c_str(), a), json::Value(*value, a), a);
  }
  return std::pair{*id, to_text(generic)};
}

}  // namespace

std::optional<std::pair<std::string, std::string>> Connector::to_generic(std::string_view model_name,
                                                                           std::string_view native_record) const {
  const ModelConnector* m = model(model_name);
  if (!m) return std::nullopt;
  return generic_of(*m, parse(native_record, "the PMS's record"));
}

std::vector<std::pair<std::string, std::string>> Connector::generic_records(std::string_view model_name,
                                                                            std::string_view native_answer) const {
  const ModelConnector* m = model(model_name);
  if (!m) return {};
  // Parsed once; each record converted where it lies in the answer.
  json::Document doc = parse(native_answer, "the PMS's answer");
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const json::Value& record) {
    if (auto generic = generic_of(*m, record)) out.push_back(std::move(*generic));
  };
  if (doc.IsArray()) {
    for (const auto& record : doc.GetArray()) add(record);
  } else if (doc.IsObject()) {
    add(doc);
  }
  return out;
}

std::string Connector::error_message(std::string_view body) const {
  json::Document doc;
  doc.Parse(body.data(), body.size());
  if (!doc.HasParseError() && doc.IsObject() && !error_member_.empty()) {
    const json::Value* message = find_path(doc, split_path(error_member_));
    if (message && message->IsString()) return utf8_text({message->GetString(), message->GetStringLength()});
  }
  // The message is stored (PostgreSQL's text refuses bytes that are not UTF-8) and shown in the
  // write status: a PMS's bytes, and a cut that may fall inside a character, are made UTF-8.
  return utf8_text(body.substr(0, 500));
}

std::map<std::string, Connector, std::less<>> load_connectors(const std::filesystem::path& rules_dir) {
  std::map<std::string, Connector, std::less<>> out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(rules_dir)) {
    const std::string name = e.path().filename().string();
    const std::string suffix = ".connector.yaml";
    if (e.is_regular_file() && name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    Connector c = Connector::load(file);
    std::string pms = c.pms();
    if (!out.emplace(pms, std::move(c)).second)
      throw std::runtime_error(file.string() + ": a second connector for " + pms);
  }
  return out;
}

bool is_routing_field(std::string_view name) { return name == "integration_id"; }

std::vector<std::string> check_connector(const Program& program, const Connector& connector) {
  std::vector<std::string> problems;
  const PmsRules* pms = program.find_pms(connector.pms());
  if (!pms) return {connector.source() + ": the rules have no PMS " + connector.pms()};
  for (const auto& [name, rules] : pms->models) {
    const ModelConnector* m = connector.model(name);
    if (!m) continue;  // a model without a connector is refused at the door (no_connector)
    for (auto op : {ast::Operation::create, ast::Operation::update}) {
      const char* op_name = ast::operation_name(op);
      const OperationRules& offered = rules.operation(op);
      if (!m->route(op_name)) continue;
      if (!offered.offered) {
        problems.push_back(connector.source() + ": routes " + name + " " + op_name + ", which " +
                           pms->display_name + " does not offer");
        continue;
      }
      for (const auto& field : offered.record->fields) {
        if (!field.supported || is_routing_field(field.name)) continue;
        bool mapped = m->separate_field(field.name) != nullptr;
        for (const auto& [generic, native] : m->fields) mapped = mapped || generic == field.name;
        if (!mapped)
          problems.push_back(connector.source() + ": " + name + " " + op_name + " offers '" + field.name +
                             "', which the connector does not map");
      }
    }
    if (rules.any_refresh_after_write() && !m->fetch)
      problems.push_back(connector.source() + ": " + name + " says 'refresh after write' but has no fetch route");
  }
  return problems;
}

}  // namespace gatehouse::service
