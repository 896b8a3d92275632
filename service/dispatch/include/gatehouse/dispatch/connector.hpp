#pragma once
// Connectors: how a generic write becomes the native request of one PMS, and how a native record
// read back from that PMS becomes a generic record again.
//
// A connector is a YAML file next to the PMS's rules (`rules/pms/<pms>.connector.yaml`):
//
//   pms: BUILDIUM
//   error_message: UserMessage        # the member of an error body that holds the PMS's message
//   models:
//     residents:
//       id: Id                        # the native member that holds a record's id
//       create: {method: POST, path: /v1/leases/tenants}
//       update: {method: PUT, path: /v1/leases/tenants/{id}}
//       fetch: {path: /v1/leases/tenants/{id}}       # one record (refresh after write)
//       list: {path: /v1/leases/tenants}             # every record (the sync loop)
//       fields:                       # generic field: native path (dots nest, numbers index lists)
//         first_name: FirstName
//         phone_1: PhoneNumbers.0.Number
//       separate:                     # fields the PMS keeps in a resource of their own
//         notes: {method: POST, path: "/v1/leases/tenants/{id}/notes", member: Note}
//
// `body: array` on a route sends the record inside a one-element array (and reads the answer's
// first element), as Rent Manager's save endpoints do; an update whose path has no `{id}` carries
// the id in the body under the `id` member. A `separate` field is sent in a call of its own
// (`{member: value}` to its route) after the record's call: a write with such fields fans out
// into child jobs (calls()). Every field the rules offer for an operation must be mapped or
// separate: check_connector() lists the ones that are not.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/program.hpp"

namespace gatehouse::service {

struct Route {
  std::string method = "GET";
  std::string path;  ///< may hold `{id}`
  bool array_body = false;
};

struct SeparateField {
  std::string field;   ///< the generic field
  Route route;         ///< `{id}`: the record's id
  std::string member;  ///< the native member the value goes in
};

struct ModelConnector {
  std::string id_member;
  std::optional<Route> create, update, fetch, list;
  std::vector<std::pair<std::string, std::string>> fields;  ///< generic name -> native path
  std::vector<SeparateField> separate;
  const SeparateField* separate_field(std::string_view field) const;
  const std::optional<Route>& route(std::string_view operation) const;
};

/// A native request, ready to send under the integration's base URL.
struct NativeRequest {
  std::string method, path, body;
};

class Connector {
 public:
  /// Reads a connector file; throws std::runtime_error naming the file and what is wrong.
  static Connector load(const std::filesystem::path& file);

  const std::string& pms() const { return pms_; }
  const std::string& source() const { return source_; }
  const ModelConnector* model(std::string_view name) const;
  /// The PMS calls a decided payload takes, as generic payloads: the record's own fields first
  /// (when there are any), then one per `separate` field present. One element: no fan-out.
  std::vector<std::string> calls(std::string_view model, std::string_view payload) const;
  /// The native request for a generic create or update (`payload`: the decided JSON object, or
  /// one call of calls(): a payload of just one separate field goes to that field's route).
  /// Throws std::runtime_error when the payload has a field the connector does not map.
  NativeRequest write_request(std::string_view model, std::string_view operation, std::string_view record_id,
                              std::string_view payload) const;
  /// The request that reads one record, or every record, of `model`.
  NativeRequest fetch_request(std::string_view model, std::string_view record_id) const;
  NativeRequest list_request(std::string_view model) const;

  /// A native record as a generic one: (id, generic JSON). nullopt when it has no id.
  std::optional<std::pair<std::string, std::string>> to_generic(std::string_view model,
                                                                  std::string_view native_record) const;
  /// The records of a native answer (the answer itself when it is a list, else the one record)
  /// as generic ones, (id, generic JSON) each; records without an id are left out.
  std::vector<std::pair<std::string, std::string>> generic_records(std::string_view model,
                                                                   std::string_view native_answer) const;
  /// The PMS's own message in an error body (its `error_message` member), or the body itself.
  std::string error_message(std::string_view body) const;

 private:
  std::string pms_, source_, error_member_;
  std::map<std::string, ModelConnector, std::less<>> models_;
};

/// Every connector file (`*.connector.yaml`) under `rules_dir`, by PMS id.
std::map<std::string, Connector, std::less<>> load_connectors(const std::filesystem::path& rules_dir);

/// What a connector misses against the rules: every offered field of every operation it routes
/// must be mapped, and every routed model and operation must be offered. One line per problem.
std::vector<std::string> check_connector(const Program& program, const Connector& connector);

/// `integration_id`: the unified API's bodies name the integration a write goes to (the rules
/// may require it), but it is gatehouse's routing, never a field of the PMS's record: a
/// connector neither maps nor sends it.
bool is_routing_field(std::string_view name);

}  // namespace gatehouse::service
