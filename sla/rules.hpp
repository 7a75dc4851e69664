#pragma once
// The SLA rules of DOMAIN.md ("Rule semantics"): a pure function from a dossier, the calendar and
// the instant "now" to findings. No I/O and no clock of its own.
#include <array>
#include <chrono>
#include <optional>
#include <vector>

#include "sla/calendar.hpp"
#include "sla/dossier.hpp"
#include "sla/duration.hpp"
#include "sla/finding.hpp"

namespace motcua::sla {

struct RuleSettings {
  bool enabled = true;
  Severity severity = Severity::warning;
  // Per-rule override of RulesConfig::finished_lookback.
  std::optional<Duration> finished_lookback;
};

struct RulesConfig {
  std::array<RuleSettings, kRuleCount> rules = default_rule_settings();
  // due_soon: at most this much working time left.
  Duration due_soon_threshold = Duration::working_days(1);
  // apology_late: the apology must be issued no later than this many working days before the
  // day of the deadline it covers.
  int apology_lead_working_days = 1;
  // repeat_supplement: more than this many supplementation requests.
  int max_supplement_requests = 1;
  // Finished and ended dossiers stop producing findings this long after they finished or ended.
  Duration finished_lookback = Duration::clock(std::chrono::days(30));
  // Rules that need the store and the portal (evaluated outside this file).
  Duration portal_missing_after = Duration::clock(std::chrono::hours(24));
  Duration status_mismatch_after = Duration::clock(std::chrono::hours(24));
  Duration source_stale_after = Duration::clock(std::chrono::minutes(30));

  const RuleSettings& operator[](Rule r) const { return rules[static_cast<std::size_t>(r)]; }
  RuleSettings& operator[](Rule r) { return rules[static_cast<std::size_t>(r)]; }
  static std::array<RuleSettings, kRuleCount> default_rule_settings();
};

// The deadline math of one dossier, as the rules see it (also shown by the API).
struct Deadlines {
  Clock clock = Clock::not_started;
  std::optional<Instant> legal_due;    // D0: earliest apology's NgayHenTraTruoc, else NgayHenTra
  std::vector<Instant> chain;          // D0, N1, …, Nk (new dates that are known)
  std::optional<Instant> current_due;  // E: the last date of the chain
  std::optional<Instant> finished_at;  // F
  std::optional<Instant> ended_at;     // when an ended dossier ended
};
Deadlines compute_deadlines(const Dossier& d);

class Evaluator {
 public:
  Evaluator(const WorkingCalendar& calendar, RulesConfig config);

  // Appends the findings for `d` as of `now`. `previous` is the stored earlier version of the same
  // record, when there is one (used by deadline_rewritten, which needs the store).
  void evaluate(const Dossier& d, Instant now, std::vector<Finding>& out,
                const Dossier* previous = nullptr) const;

  const RulesConfig& config() const { return config_; }
  const WorkingCalendar& calendar() const { return calendar_; }

 private:
  const WorkingCalendar& calendar_;
  RulesConfig config_;
};

}  // namespace motcua::sla
