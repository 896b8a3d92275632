#pragma once
// The service's answer as an HTTP/1.1 message: status, Content-Type, the service's extra headers
// (`Allow` on a 405), Content-Length, and `Connection: close` when the server closes after it.
// An answer to HEAD keeps the Content-Length of the GET it stands for, without the body.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gatehouse/service/write_service.hpp"

namespace gatehouse::service::http {

using ResponseMessage = boost::beast::http::response<boost::beast::http::string_body>;

ResponseMessage response_message(HttpResponse response, unsigned version, bool keep_alive, bool head_only);

}  // namespace gatehouse::service::http
