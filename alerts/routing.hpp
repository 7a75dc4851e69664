#pragma once
// The routing table of `[[route]]`: in config order, the first route whose matchers all hold takes
// the alert; with `continue = true` the next matching routes take it too. Each route groups its
// alerts by its `group_by` labels; the group key names the receiver, the route's matchers and
// the group's label values, so it stays the same when routes are reordered or others are added.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace motcua::alerts {

struct RouteMatch {
  std::size_t route = 0;  // index into the config's routes
  std::string group_key;
  std::map<std::string, std::string> group_labels;
};

class Routes {
 public:
  explicit Routes(const std::vector<config::RouteConfig>& routes);

  // The routes that take an alert with these labels; empty when none does.
  std::vector<RouteMatch> match(const std::map<std::string, std::string>& labels) const;

  const config::RouteConfig& route(std::size_t i) const { return routes_[i]; }

 private:
  std::vector<config::RouteConfig> routes_;
  std::vector<std::string> matcher_text_;  // per route, for its group keys
};

}  // namespace motcua::alerts
