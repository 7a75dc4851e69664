#include "alerts/routing.hpp"

namespace motcua::alerts {

namespace {

// {name="value",…} with quotes and backslashes escaped, as Alertmanager writes label sets.
std::string label_text(const std::map<std::string, std::string>& labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c == '\n' ? ' ' : c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

Routes::Routes(const std::vector<config::RouteConfig>& routes) : routes_(routes) {
  for (const auto& r : routes_)
    matcher_text_.push_back(label_text(r.match));
}

std::vector<RouteMatch> Routes::match(const std::map<std::string, std::string>& labels) const {
  std::vector<RouteMatch> out;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& r = routes_[i];
    bool all = true;
    for (const auto& [k, v] : r.match) {
      const auto it = labels.find(k);
      if (it == labels.end() || it->second != v) {
        all = false;
        break;
      }
    }
    if (!all) continue;
    RouteMatch m;
    m.route = i;
    for (const auto& name : r.group_by) {
      const auto it = labels.find(name);
      m.group_labels[name] = it == labels.end() ? std::string() : it->second;
    }
    m.group_key = r.receiver + "/" + matcher_text_[i] + ":" + label_text(m.group_labels);
    out.push_back(std::move(m));
    if (!r.continue_matching) break;
  }
  return out;
}

}  // namespace motcua::alerts
