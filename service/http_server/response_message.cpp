#include "response_message.hpp"

namespace gatehouse::service::http {

namespace bhttp = boost::beast::http;

ResponseMessage response_message(HttpResponse response, unsigned version, bool keep_alive, bool head_only) {
  ResponseMessage message;
  message.version(version == 10 ? 10 : 11);
  message.result(static_cast<unsigned>(response.status));
  message.set(bhttp::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) message.set(name, value);
  message.keep_alive(keep_alive);
  message.body() = std::move(response.body);
  message.prepare_payload();
  if (head_only) message.body().clear();  // Content-Length stays the GET's
  return message;
}

}  // namespace gatehouse::service::http
