#include "net/router.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace motcua::net {
namespace {

// The percent-decoded segments of a request target's path; nullopt when it does not parse.
std::optional<std::vector<std::string>> target_segments(const ServerRequest& request) {
  auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) parsed = boost::urls::parse_absolute_uri(request.target);
  if (!parsed) return std::nullopt;
  std::vector<std::string> segments;
  // Decoding segment by segment keeps an encoded '/' ("%2F") inside one parameter.
  for (auto segment : parsed->segments())
    segments.push_back(std::move(segment));
  return segments;
}

}  // namespace

Router& Router::add(std::string_view method, std::string_view pattern, SyncHandler handler) {
  return add_route(method, pattern, std::move(handler));
}

Router& Router::add(std::string_view method, std::string_view pattern, AsyncHandler handler) {
  return add_route(method, pattern, std::move(handler));
}

Router& Router::add_route(std::string_view method, std::string_view pattern,
                          std::variant<SyncHandler, AsyncHandler> handler) {
  const std::string where = std::string(method) + " " + std::string(pattern);
  if (method.empty()) throw std::invalid_argument("route " + where + ": empty method");
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("route " + where + ": the pattern must start with '/'");
  if (std::visit([](const auto& h) { return !h; }, handler))
    throw std::invalid_argument("route " + where + ": empty handler");

  Route route{std::string(method), std::string(pattern), {}, std::move(handler)};
  std::set<std::string> names;
  // "/" has no segments; "/a/" has the segments "a" and "".
  std::string_view rest = pattern.substr(1);
  for (bool more = pattern != "/"; more;) {
    const auto slash = rest.find('/');
    const std::string_view text = rest.substr(0, slash);
    if (text.find_first_of("{}") != std::string_view::npos) {
      if (text.size() < 3 || text.front() != '{' || text.back() != '}' ||
          text.substr(1, text.size() - 2).find_first_of("{}") != std::string_view::npos)
        throw std::invalid_argument("route " + where +
                                    ": a parameter must be a whole segment like {name}");
      std::string name(text.substr(1, text.size() - 2));
      if (!names.insert(name).second)
        throw std::invalid_argument("route " + where + ": parameter {" + name + "} twice");
      route.segments.push_back({std::move(name), true});
    } else {
      route.segments.push_back({std::string(text), false});
    }
    more = slash != std::string_view::npos;
    if (more) rest.remove_prefix(slash + 1);
  }

  for (const auto& existing : routes_) {
    const bool same_shape =
        existing.segments.size() == route.segments.size() &&
        std::equal(existing.segments.begin(), existing.segments.end(), route.segments.begin(),
                   [](const Segment& a, const Segment& b) {
                     return a.parameter == b.parameter && (a.parameter || a.text == b.text);
                   });
    if (same_shape && existing.method == route.method)
      throw std::logic_error("route " + where + " is already registered as " + existing.pattern);
  }
  routes_.push_back(std::move(route));
  return *this;
}

boost::asio::awaitable<ServerResponse> Router::handle(ServerRequest request) const {
  const auto segments = target_segments(request);
  if (!segments) co_return ServerResponse::json_error(400, "malformed request target");

  // Among the routes whose pattern matches the path, the best per method: literal segments win
  // over parameters, comparing from the left.
  struct Candidate {
    const Route* route;
    std::vector<bool> literals;
  };
  std::map<std::string, Candidate> by_method;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments->size()) continue;
    std::vector<bool> literals;
    bool matches = true;
    for (std::size_t i = 0; matches && i < segments->size(); ++i) {
      const Segment& segment = route.segments[i];
      const std::string& actual = (*segments)[i];
      matches = segment.parameter ? !actual.empty() : segment.text == actual;
      literals.push_back(!segment.parameter);
    }
    if (!matches) continue;
    auto [it, inserted] = by_method.try_emplace(route.method, Candidate{&route, literals});
    if (!inserted && literals > it->second.literals) it->second = Candidate{&route, literals};
  }

  if (by_method.empty()) co_return ServerResponse::json_error(404, "no such resource");
  auto chosen = by_method.find(request.method);
  if (chosen == by_method.end() && request.method == "HEAD") chosen = by_method.find("GET");
  if (chosen == by_method.end()) {
    std::set<std::string> methods;
    for (const auto& [method, candidate] : by_method)
      methods.insert(method);
    if (methods.contains("GET")) methods.insert("HEAD");
    std::string allow;
    for (const auto& method : methods)
      allow += (allow.empty() ? "" : ", ") + method;
    auto response = ServerResponse::json_error(405, "method " + request.method + " not allowed");
    response.headers.emplace_back("Allow", std::move(allow));
    co_return response;
  }

  const Route& route = *chosen->second.route;
  request.params.clear();
  for (std::size_t i = 0; i < route.segments.size(); ++i)
    if (route.segments[i].parameter) request.params[route.segments[i].text] = (*segments)[i];

  if (const auto* sync = std::get_if<SyncHandler>(&route.handler)) co_return (*sync)(request);
  co_return co_await std::get<AsyncHandler>(route.handler)(std::move(request));
}

}  // namespace motcua::net
