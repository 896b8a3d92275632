#include "gatehouse/dispatch/webhook_event.hpp"

#include "gatehouse/json_string.hpp"

namespace gatehouse::service {

std::string webhook_event_body(const store::WriteStatus& status, store::WebhookTrigger event) {
  std::string out = "{\"event\":";
  append_json_string(out, store::webhook_trigger_name(event));
  // to_json's object, opened here: its members follow the event's.
  std::string rest = store::to_json(status);
  out += ',';
  out.append(rest, 1);
  return out;
}

}  // namespace gatehouse::service
