#include "gatehouse/service/record_ids.hpp"

#include <simdjson.h>

#include "gatehouse/json_string.hpp"

namespace gatehouse::service {

store::Result<std::optional<ResolvedRecord>> resolve_record(store::Store& store, std::string_view customer,
                                                            std::string_view model, std::string_view id) {
  auto key = store.record_key(customer, model, id);
  if (!key) return key.error();
  if (!*key) return std::nullopt;
  // The record's integration is the customer's (record_key checked it); read for its PMS and URL.
  auto integration = store.integration(customer, (*key)->integration_id);
  if (!integration) return integration.error();
  if (!*integration) return std::nullopt;
  return ResolvedRecord{std::move(**integration), std::move((*key)->model), std::move((*key)->native_id)};
}

namespace {

/// The members of the JSON object `json` other than `id` and `x_id`, as written, each followed
/// by a comma; "" when `json` is no object (nothing else is kept rather than something invalid).
std::string other_members(const std::string& json) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) return "";
  std::string out;
  const char* base = padded.data();
  for (auto member_result : object) {
    simdjson::ondemand::field member;
    if (std::move(member_result).get(member)) return "";
    const char* raw = member.key().raw();
    std::string_view name;
    if (member.unescaped_key().get(name)) return "";
    // The member's bytes: from its key's quote to the end of its value (the parser skips the
    // value on the way to the next member).
    std::size_t begin = static_cast<std::size_t>(raw - 1 - base);
    std::size_t end = member_end(json, begin);
    if (name != "id" && name != "x_id") {
      out.append(json, begin, end - begin);
      out += ',';
    }
  }
  return out;
}

}  // namespace

std::string record_body(const store::CachedRecord& record) {
  std::string data = "{\"id\":" + json_quote(record.id) + ",\"x_id\":" + json_quote(record.native_id);
  std::string rest = other_members(record.json);
  if (!rest.empty()) {
    rest.pop_back();  // the last comma
    data += ',' + rest;
  }
  data += '}';
  return "{\"data\":" + data + ",\"integration_id\":" + json_quote(record.integration_id) +
         ",\"synced_at\":" + json_quote(record.synced_at) + "}";
}

}  // namespace gatehouse::service
