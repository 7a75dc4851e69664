#pragma once
// The routing table: every endpoint of a server is registered in one place, so the API can be read
// in one screen. Handlers are plain functions from request to response (synchronous), or
// coroutines when they must wait (the simulator's injected latency).
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "net/server_message.hpp"

namespace motcua::net {

class Router {
 public:
  using SyncHandler = std::function<ServerResponse(const ServerRequest&)>;
  // The request comes by value: a coroutine must own what it reads after its first suspension.
  using AsyncHandler = std::function<boost::asio::awaitable<ServerResponse>(ServerRequest)>;

  // `pattern` is a path of literal segments and whole-segment parameters, e.g.
  // "/api/v1/dossiers/{code}"; a parameter matches one non-empty segment, percent-decoded.
  // Where two patterns match, the one with a literal segment earlier wins ("/silences/export"
  // before "/silences/{id}"). Throws std::invalid_argument for a malformed pattern and
  // std::logic_error for a method and pattern registered twice.
  Router& add(std::string_view method, std::string_view pattern, SyncHandler handler);
  Router& add(std::string_view method, std::string_view pattern, AsyncHandler handler);

  // Calls the matching handler with request.params filled. A HEAD request falls back to the GET
  // handler (the server sends no body). No route for the path: 404; a route for the path but not
  // for the method: 405 with Allow. Exceptions from handlers propagate.
  boost::asio::awaitable<ServerResponse> handle(ServerRequest request) const;

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter name
    bool parameter = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    std::variant<SyncHandler, AsyncHandler> handler;
  };

  Router& add_route(std::string_view method, std::string_view pattern,
                    std::variant<SyncHandler, AsyncHandler> handler);

  std::vector<Route> routes_;
};

}  // namespace motcua::net
