#pragma once
// What a webhook delivery carries besides its signature: the event (the trigger the finished
// write fired, gatehouse/store/webhook_trigger.hpp), in the body and in a header.
//
//   X-Gatehouse-Event: WRITE_OPERATION_FAILURE
//   {"event":"WRITE_OPERATION_FAILURE","write_status":"PARTIAL_SUCCESS","errors":[...],...}
//
// The body is the write-status JSON (GET /v1/admin/write-status/{id}) with `event` first, as the
// peer API's payload names it (its `data.event`). The signature covers the body, and so the
// event; the header repeats it so a receiver can route a delivery before parsing it, and is not
// signed: a receiver that acts on the event reads it from the verified body (docs/webhooks.md).
#include <string>
#include <string_view>

#include "gatehouse/store/job_store.hpp"
#include "gatehouse/store/webhook_trigger.hpp"

namespace gatehouse::service {

/// The header that names a delivery's event.
inline constexpr std::string_view webhook_event_header = "X-Gatehouse-Event";

/// The body of the delivery of `status` (a finished write) for `event`.
std::string webhook_event_body(const store::WriteStatus& status, store::WebhookTrigger event);

}  // namespace gatehouse::service
