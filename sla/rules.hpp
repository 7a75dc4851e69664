#pragma once
// The SLA rules of DOMAIN.md ("Rule semantics"): a pure function from a dossier, the calendar and
// the instant "now" to findings. No I/O and no clock of its own.
#include <array>
#include <chrono>
#include <optional>
#include <span>
#include <string>
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

// The pieces of apology_missing and apology_late, shared with the indicators (sla/indicators.hpp)
// so that "late without a timely apology" means the same in an alert and in a rate.
// How many deadlines of the chain lie strictly before t; each needs its own apology.
std::size_t missed_deadlines(const Deadlines& dl, Instant t);
// The last calendar date on which an apology for `due` is on time: the lead'th working day before
// the day of the deadline (skipping weekends and holidays).
Date apology_deadline(const WorkingCalendar& calendar, Instant due, int lead_working_days);
// The deadline the i-th apology covers: D0 for the first, the previous apology's new date after.
std::optional<Instant> apology_covers(const Dossier& d, const Deadlines& dl, std::size_t i);
// Whether the i-th apology was issued on a later date than apology_deadline of what it covers;
// false when either date is unknown.
bool apology_is_late(const WorkingCalendar& calendar, const Dossier& d, const Deadlines& dl,
                     std::size_t i, int lead_working_days);

// What the store knows about a dossier beyond its current record: the inputs of
// deadline_rewritten, portal_missing and status_mismatch. The daemon gathers them; the rules stay
// pure.
struct DeadlineEdit {
  enum class Field : std::uint8_t { due_at, finished_at } field = Field::due_at;
  std::optional<Instant> old_value;  // set: the edit replaced or cleared a value
  std::optional<Instant> new_value;
  Instant observed_at{};  // when the daemon first saw the new value
  // A supplementation request or an apology arrived with the edit (their counts grew).
  bool arrived_with_explanation = false;
};

// The portal's answer to the last lookup of a dossier, from one `dvc` source.
struct PortalCopy {
  std::string portal;  // the dvc source's name
  Instant checked_at{};
  bool found = false;
  std::optional<Status> status;        // TrangThaiHoSo of the portal's copy
  std::optional<Instant> finished_at;  // NgayKetThucXuLy of the portal's copy
};

struct StoreFacts {
  std::span<const DeadlineEdit> edits;  // oldest first
  std::span<const PortalCopy> portal;   // at most one per configured dvc source
};

// A source's sync record, for source_stale.
struct SourceFacts {
  std::string name;
  std::optional<Instant> first_attempt;  // the earliest attempt the daemon knows of
  std::optional<Instant> last_success;
  std::string last_error;
  int consecutive_failures = 0;
};

class Evaluator {
 public:
  Evaluator(const WorkingCalendar& calendar, RulesConfig config);

  // Appends the findings for `d` as of `now`. `facts` feeds the rules that need the store
  // (deadline_rewritten, portal_missing, status_mismatch); without it they stay silent.
  void evaluate(const Dossier& d, Instant now, std::vector<Finding>& out,
                const StoreFacts* facts = nullptr) const;

  // source_stale: appends a finding when the source has not synced successfully for
  // `source_stale_after` (counted from its first attempt when it never has).
  void evaluate_source(const SourceFacts& s, Instant now, std::vector<Finding>& out) const;

  // `from` plus a threshold in clock or working time.
  Instant after(Instant from, const Duration& d) const;

  const RulesConfig& config() const { return config_; }
  const WorkingCalendar& calendar() const { return calendar_; }

 private:
  const WorkingCalendar& calendar_;
  RulesConfig config_;
};

}  // namespace motcua::sla
