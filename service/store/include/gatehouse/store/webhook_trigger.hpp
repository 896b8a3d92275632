#pragma once
// Webhook triggers: which finished writes a customer's webhook is told of.
//
// The names are the peer API's (Propexo's webhook API has WRITE_OPERATION_FAILURE); SUCCESS is
// gatehouse's superset, for customers who would rather be told than poll write-status. A
// customer chooses any of them (`customers[].webhook.triggers` in the configuration); one that
// has chosen none keeps hearing of every finished write, as before triggers existed.
//
// A write fires exactly one trigger, when its last job finishes (so one delivery per write, as
// before): SUCCESS when every job reached the PMS, FAILURE otherwise, and so for PARTIAL_SUCCESS
// too. A partly failed write is one the customer may have to act on, and the peer's
// WRITE_OPERATION_FAILURE is sent with `write_status` FAILURE or PARTIAL_SUCCESS alike; a
// customer that asked for failures only must hear of it, and one that asked for successes only
// must not be told a part failure is one. The body's `write_status` still tells the two apart.
//
// The stores queue a delivery with the same rule written in SQL (a failed job in the write:
// FAILURE), in the transaction that finishes the write; webhook_trigger_of() is that rule for a
// roll-up already made, which the dispatcher names the delivery's event by.
#include <optional>
#include <string_view>

#include "gatehouse/store/job_store.hpp"

namespace gatehouse::store {

enum class WebhookTrigger {
  write_operation_failure,  ///< a write that failed, in whole or in part (FAILURE, PARTIAL_SUCCESS)
  write_operation_success,  ///< a write that reached the PMS whole (SUCCESS)
};

/// Every trigger, in the order the store keeps them: what a customer that chose none hears of.
inline constexpr WebhookTrigger all_webhook_triggers[] = {WebhookTrigger::write_operation_failure,
                                                          WebhookTrigger::write_operation_success};

/// "WRITE_OPERATION_FAILURE", "WRITE_OPERATION_SUCCESS": the configuration's, the delivery's
/// `event` and its X-Gatehouse-Event header.
std::string_view webhook_trigger_name(WebhookTrigger trigger);
/// The trigger of that exact name (case matters, as in the peer's API), or nullopt.
std::optional<WebhookTrigger> webhook_trigger_named(std::string_view name);
/// The trigger a write in `state` fires: nullopt while PENDING (it fires none yet).
std::optional<WebhookTrigger> webhook_trigger_of(WriteState state);

}  // namespace gatehouse::store
