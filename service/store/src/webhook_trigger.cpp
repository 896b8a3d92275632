#include "gatehouse/store/webhook_trigger.hpp"

#include <algorithm>

#include "store_support.hpp"

namespace gatehouse::store {

std::string_view webhook_trigger_name(WebhookTrigger trigger) {
  switch (trigger) {
    case WebhookTrigger::write_operation_failure: return "WRITE_OPERATION_FAILURE";
    case WebhookTrigger::write_operation_success: return "WRITE_OPERATION_SUCCESS";
  }
  return "WRITE_OPERATION_FAILURE";
}

std::optional<WebhookTrigger> webhook_trigger_named(std::string_view name) {
  for (WebhookTrigger t : all_webhook_triggers)
    if (webhook_trigger_name(t) == name) return t;
  return std::nullopt;
}

std::optional<WebhookTrigger> webhook_trigger_of(WriteState state) {
  switch (state) {
    case WriteState::pending: return std::nullopt;
    case WriteState::success: return WebhookTrigger::write_operation_success;
    case WriteState::partial_success:
    case WriteState::failure: return WebhookTrigger::write_operation_failure;
  }
  return std::nullopt;
}

std::string webhook_triggers_text(const std::vector<WebhookTrigger>& triggers) {
  std::string text;
  for (WebhookTrigger t : all_webhook_triggers) {
    if (std::find(triggers.begin(), triggers.end(), t) == triggers.end()) continue;
    if (!text.empty()) text += ',';
    text += webhook_trigger_name(t);
  }
  return text;
}

std::string webhook_trigger_token(WebhookTrigger trigger) {
  return "," + std::string(webhook_trigger_name(trigger)) + ",";
}

}  // namespace gatehouse::store
