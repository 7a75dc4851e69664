#pragma once
// The indicators the province is scored on (Decision 766/QĐ-TTg, 2022; DOMAIN.md "Indicators the
// province is scored on") over a period [from, to), per agency and for the whole province: fed
// dossier by dossier, so a year of a million dossiers never sits in memory. Pure: the period, the
// calendar and "now" come in.
//
// Which dossiers form each figure (a dossier without NgayTiepNhan was never received and counts
// nowhere):
// - received: NgayTiepNhan in [from, to).
// - finished: the end in [from, to), the end being the first of processed, returned, refused,
//   stopped or withdrawn (status 9, 10, 3, 8, 7): F of compute_deadlines for 9 and 10 (else the
//   step with status 9, else NgayTra), its end time for 3, 7 and 8. A dossier that ended without
//   any known time counts nowhere.
// - finished late (2.1): F > D0, or more than `max_supplement_requests` (1) supplementation
//   requests. D0 is the legal deadline of compute_deadlines: an apology's new date does not excuse
//   lateness, and NgayHenTra already carries the applicant's supplementation time, which the
//   one-stop system adds when the supplement comes in. Finished exactly at D0 is on time. A
//   dossier without a deadline is on time unless it had too many supplementation requests.
// - open overdue (2.1, "open dossiers use the period's end"): received before the period's end
//   E = min(to, now), not ended before E, and D0 < E (strictly, like the rule `overdue`). The
//   record gives only the current status, so a dossier that ended after E is taken as running at
//   E, and one waiting for the applicant now (status 5, 6) is not overdue: no lateness accrues in
//   the applicant's time.
// - on-time rate = finished on time / (finished + open overdue); late = finished late + open
//   overdue; late rate = late / the same denominator.
// - apology compliance: of the late dossiers that missed a deadline (F > D0, or open overdue; the
//   ones only late for a second supplementation request missed no promise, so no apology is due),
//   those the rules apology_missing and apology_late would not flag at F (at E for open ones):
//   every missed deadline of the chain has its own apology, and no apology came later than
//   `apology_lead_working_days` working days before the deadline it covers.
// - online share (3.3): KenhThucHien = 2 over received; the 3.3 score is the share of the
//   indicator's points: all of them at ≥ 50 %, else share / 50 %.
// - sync rate (1.4): of the received dossiers whose portal presence is known, those that reached
//   the portal. Unknown (no portal source configured, or never looked up) leaves the dossier out.
// Rates are empty when their denominator is 0.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sla/calendar.hpp"
#include "sla/dossier.hpp"
#include "sla/time.hpp"

namespace motcua::sla {

struct IndicatorSettings {
  // Decision 766 2.1: more than one supplementation request makes a dossier late. The same
  // threshold as the rule repeat_supplement (RulesConfig::max_supplement_requests).
  int max_supplement_requests = 1;
  // As RulesConfig::apology_lead_working_days (the rule apology_late).
  int apology_lead_working_days = 1;
};

struct IndicatorCounts {
  std::int64_t received = 0;           // NgayTiepNhan in the period
  std::int64_t received_online = 0;    // of those, KenhThucHien = 2
  std::int64_t portal_known = 0;       // of those, portal presence known
  std::int64_t on_portal = 0;          // of portal_known, reached the portal
  std::int64_t finished = 0;           // ended in the period
  std::int64_t finished_on_time = 0;   // of finished
  std::int64_t finished_late = 0;      // of finished: F > D0 or too many supplementation requests
  std::int64_t open_overdue = 0;       // open at the period's end and past D0
  std::int64_t apology_due = 0;        // late ones that missed a deadline
  std::int64_t apology_compliant = 0;  // of apology_due, with timely apologies for each miss

  std::int64_t late() const { return finished_late + open_overdue; }
  // The denominator of the on-time and late rates: finished + open overdue.
  std::int64_t judged() const { return finished + open_overdue; }

  std::optional<double> on_time_rate() const;
  std::optional<double> late_rate() const;
  std::optional<double> apology_rate() const;
  std::optional<double> online_share() const;
  // The share of indicator 3.3's points: 1 at ≥ 50 % online, else proportional.
  std::optional<double> online_score() const;
  std::optional<double> sync_rate() const;

  IndicatorCounts& operator+=(const IndicatorCounts& o);
  bool operator==(const IndicatorCounts&) const = default;
};

struct AgencyIndicators {
  std::string agency;  // code
  std::string agency_name;
  IndicatorCounts counts;
};

struct IndicatorReport {
  Instant from{};
  Instant to{};
  Instant period_end{};  // min(to, now): where open dossiers are judged
  IndicatorCounts province;
  std::vector<AgencyIndicators> agencies;  // sorted by agency code
};

class IndicatorAccumulator {
 public:
  // Over [from, to), as of `now`. The calendar must outlive the accumulator.
  IndicatorAccumulator(const WorkingCalendar& calendar, Instant from, Instant to, Instant now,
                       IndicatorSettings settings = {});

  // `on_portal`: whether the portal has the dossier; empty when unknown (no portal source
  // configured, or not looked up yet).
  void add(const Dossier& d, std::optional<bool> on_portal);

  IndicatorReport report() const;

 private:
  struct Agency {
    std::string name;
    IndicatorCounts counts;
  };

  const WorkingCalendar& calendar_;
  Instant from_;
  Instant to_;
  Instant end_;
  IndicatorSettings settings_;
  std::map<std::string, Agency, std::less<>> agencies_;
};

}  // namespace motcua::sla
