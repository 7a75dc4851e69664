#include "net/server_message.hpp"

#include <stdexcept>
#include <utility>

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace motcua::net {

bool ServerRequest::parse_target() {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) {
    // RFC 9112 section 3.2.2: servers must accept the absolute form too.
    parsed = boost::urls::parse_absolute_uri(target);
    if (!parsed) return false;
  }
  const boost::urls::url_view url = *parsed;
  path = url.path();
  if (path.empty()) path = "/";
  query.clear();
  // Forms and most clients encode a space in a query as '+'.
  for (const auto& param : url.params(boost::urls::encoding_opts(true)))
    query[param.key] = param.value;
  return true;
}

ServerRequest ServerRequest::make(std::string method, std::string target, std::string body) {
  ServerRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(body);
  if (!request.parse_target())
    throw std::invalid_argument("not a request target: " + request.target);
  return request;
}

ServerResponse ServerResponse::json_error(int status, std::string_view message) {
  ServerResponse response;
  response.status = status;
  response.body = "{\"error\":" + boost::json::serialize(message) + "}";
  return response;
}

}  // namespace motcua::net
