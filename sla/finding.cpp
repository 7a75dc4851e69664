#include "sla/finding.hpp"

#include <tuple>

namespace motcua::sla {

namespace {
constexpr std::array<std::string_view, kRuleCount> kRuleNames = {
    "due_soon",           "overdue",        "step_overdue",      "finished_late",
    "apology_missing",    "apology_late",   "repeat_supplement", "reason_missing",
    "deadline_rewritten", "portal_missing", "status_mismatch",   "source_stale",
};
constexpr std::array<std::string_view, 3> kSeverityNames = {"info", "warning", "critical"};
}  // namespace

std::string_view rule_name(Rule r) {
  return kRuleNames[static_cast<std::size_t>(r)];
}

std::optional<Rule> parse_rule(std::string_view name) {
  for (std::size_t i = 0; i < kRuleNames.size(); ++i)
    if (kRuleNames[i] == name) return static_cast<Rule>(i);
  return std::nullopt;
}

std::array<Rule, kRuleCount> all_rules() {
  std::array<Rule, kRuleCount> rules{};
  for (std::size_t i = 0; i < kRuleCount; ++i)
    rules[i] = static_cast<Rule>(i);
  return rules;
}

std::string_view severity_name(Severity s) {
  return kSeverityNames[static_cast<std::size_t>(s)];
}

std::optional<Severity> parse_severity(std::string_view name) {
  for (std::size_t i = 0; i < kSeverityNames.size(); ++i)
    if (kSeverityNames[i] == name) return static_cast<Severity>(i);
  return std::nullopt;
}

bool finding_less(const Finding& a, const Finding& b) {
  return std::tie(a.dossier, a.rule, a.source, a.since) <
         std::tie(b.dossier, b.rule, b.source, b.since);
}

}  // namespace motcua::sla
