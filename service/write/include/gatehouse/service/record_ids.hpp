#pragma once
// Record ids at the service's edge. Clients name a record by gatehouse's id (store.hpp: minted
// per integration, model and PMS id, opaque); the PMS knows it by its own id, which the service
// serves as `x_id` (as Propexo does) and which is what a write carries to the PMS. This file is
// the one place that turns one into the other for the generic routes.
#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/store/store.hpp"

namespace gatehouse::service {

/// A gatehouse record id resolved: the integration it belongs to and the PMS's id of the record.
struct ResolvedRecord {
  store::Integration integration;
  std::string model;
  std::string native_id;
};

/// Where record `id` of `model` points for `customer`; nullopt when the customer has no such
/// record: an unknown id, an id of another model, and another customer's id alike, so an answer
/// never tells whether someone else's record exists. The store's error when it failed to say.
store::Result<std::optional<ResolvedRecord>> resolve_record(store::Store& store, std::string_view customer,
                                                            std::string_view model, std::string_view id);

/// The body that serves a cached record: {"data": {"id", "x_id", ...its fields}, "integration_id",
/// "synced_at"}. `id` and `x_id` are gatehouse's and the PMS's ids whatever the cached JSON held
/// under those names (a connector writes the PMS's id as `id`).
std::string record_body(const store::CachedRecord& record);

}  // namespace gatehouse::service
