#pragma once
// What the rules conclude about a dossier (or a source): the unit that later becomes an alert.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sla/time.hpp"

namespace motcua::sla {

enum class Rule : std::uint8_t {
  due_soon,
  overdue,
  step_overdue,
  finished_late,
  apology_missing,
  apology_late,
  repeat_supplement,
  reason_missing,
  deadline_rewritten,
  portal_missing,
  status_mismatch,
  source_stale,
};
inline constexpr std::size_t kRuleCount = 12;

std::string_view rule_name(Rule r);
std::optional<Rule> parse_rule(std::string_view name);
std::array<Rule, kRuleCount> all_rules();

enum class Severity : std::uint8_t { info, warning, critical };
std::string_view severity_name(Severity s);
std::optional<Severity> parse_severity(std::string_view name);

struct Finding {
  Rule rule{};
  Severity severity{};
  std::string dossier;  // MaHoSo (empty for source findings)
  std::string source;
  std::string agency;
  std::string procedure;
  std::string agency_name;           // for people: DonViXuLy
  std::string procedure_name;        // for people: TenTTHC
  Instant since{};                   // when the condition began
  std::optional<Instant> due;        // current deadline E
  std::optional<Instant> first_due;  // legal deadline D0, when an apology moved it
  std::optional<double> overdue_working_hours;
  std::optional<double> remaining_working_hours;
  std::string department;  // step_overdue
  std::string handler;     // step_overdue
  std::string message;     // Vietnamese, for officials
};

// Order for output: by dossier, then rule.
bool finding_less(const Finding& a, const Finding& b);

}  // namespace motcua::sla
