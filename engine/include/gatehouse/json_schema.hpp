#pragma once
// Export of the rules as JSON Schema (draft 2020-12) and OpenAPI 3.1.
//
// The schema of a PMS x model x operation accepts what gatehouse accepts without stripping:
// types, nullability, every constraint, required fields, no other members
// (additionalProperties: false), and the cross-field rules as if/then and not/anyOf. Two
// things JSON Schema cannot say are approximated, always on the accepting side: a comparison
// between two fields, or an ordering of dates and datetimes, is left out (the check is listed
// under "x-gatehouse-not-expressed"); and the formats (email, phone, date, datetime, uuid) are
// given both as "format" and as a "pattern" that mirrors gatehouse's checks as far as a regular
// expression can (calendar validity of dates is left to "format").
#include <string>
#include <string_view>

#include "gatehouse/program.hpp"

namespace gatehouse {

/// The JSON Schema document (one line of JSON) of what `pms` accepts for `model` and `op`.
/// Precondition: the operation is offered. With `integration_id`, the schema of the HTTP request
/// body instead: it also requires a string `integration_id` where the rules do not list one
/// (see body_names_integration).
std::string json_schema(const Program& program, const PmsRules& pms, const ModelRules& model,
                        ast::Operation op, bool integration_id = false);

/// The JSON Schema of a generic route's request body (`gatehouse schema --model M --op O`):
/// the fields the route takes, with the types the generic model gives them. Precondition: the
/// model has the route.
std::string generic_json_schema(const Program& program, const GenericModel& model, ast::Operation op,
                                bool integration_id = false);

/// `/v1/service-requests/{id}`: the path of a generic route, and `PUT /v1/...` with its method.
std::string route_path(const GenericModel& model, ast::Operation op);
std::string route_text(const GenericModel& model, ast::Operation op);

/// Whether the service learns a write's integration from its body (`integration_id`, taken out
/// before the decision): on routes without a record `{id}` in the path; the others take it from
/// the record.
bool body_names_integration(ast::Operation op);

/// An OpenAPI 3.1 document (one line of JSON) of what `gatehouse serve` answers: every generic
/// write route of the program (one request schema per PMS that offers it), the read, admin and
/// health routes, every status with its body, bearer security, and one server, `server_url`.
std::string openapi_document(const Program& program, std::string_view server_url = "/");

}  // namespace gatehouse
