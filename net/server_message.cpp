#include "net/server_message.hpp"

#include <cstdio>
#include <stdexcept>
#include <utility>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace motcua::net {
namespace {

// `text` as a JSON string literal, quotes included; UTF-8 passes through unchanged.
std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace

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
  response.body = "{\"error\":" + json_quote(message) + "}";
  return response;
}

}  // namespace motcua::net
