#pragma once
// What a request handler sees and returns: plain values, no sockets and no Beast, so that handlers
// (the status API, the simulator) are tested by calling them.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "net/headers.hpp"

namespace motcua::net {

struct ServerRequest {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // as sent, e.g. "/api/v1/findings?rule=overdue&agency=H37"
  std::string path;    // percent-decoded path of the target, e.g. "/api/v1/findings"
  std::map<std::string, std::string> query;   // decoded ('+' is a space); the last value wins
  std::map<std::string, std::string> params;  // `{name}` path parameters, filled by the Router
  HeaderList headers;
  std::string body;
  std::string remote;  // peer address and port, e.g. "127.0.0.1:53122"

  std::string header(std::string_view name) const { return find_header(headers, name); }

  // Fills path and query from target. False when target is neither origin-form ("/path?query")
  // nor absolute-form ("http://host/path"); the server answers such requests with 400.
  bool parse_target();
  // A request as the server would build it, for tests of handlers. Throws std::invalid_argument
  // when the target does not parse.
  static ServerRequest make(std::string method, std::string target, std::string body = {});
};

struct ServerResponse {
  int status = 200;
  std::string content_type = "application/json";
  HeaderList headers{};  // extra fields; Content-Type and Content-Length are set by the server
  std::string body{};

  // Fault injection for the simulator, which imitates a broken upstream system:
  // drop the connection without answering, ...
  bool close_without_response = false;
  // ... or announce the whole body in Content-Length, send only its first N bytes and close.
  std::optional<std::size_t> truncate_body_to{};

  // {"error": message} with the given status.
  static ServerResponse json_error(int status, std::string_view message);
};

}  // namespace motcua::net
