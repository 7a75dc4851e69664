#include "daemon/readable.hpp"

#include <map>

#include "sla/messages.hpp"

namespace motcua::daemon {

namespace {
bool shows_deadline(sla::Rule r) {
  return r == sla::Rule::due_soon || r == sla::Rule::overdue || r == sla::Rule::apology_missing;
}
}  // namespace

std::string readable_findings(const std::vector<sla::Finding>& findings,
                              std::chrono::seconds offset) {
  std::map<std::string, std::vector<const sla::Finding*>> by_agency;
  for (const auto& f : findings)
    by_agency[f.agency].push_back(&f);
  std::string out;
  for (const auto& [agency, list] : by_agency) {
    const std::string& name = list.front()->agency_name;
    out += (name.empty() ? agency : name + " (" + agency + ")") + " — " +
           std::to_string(list.size()) + " phát hiện\n";
    for (const auto* f : list) {
      out += "  [" + std::string(sla::messages::severity_title(f->severity)) + "] " +
             sla::messages::rule_title(f->rule) + " (" + std::string(sla::rule_name(f->rule)) +
             ") · " + f->dossier;
      if (f->due && shows_deadline(f->rule)) out += " · hạn " + sla::format_vn(*f->due, offset);
      out += "\n      " + f->message + "\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace motcua::daemon
