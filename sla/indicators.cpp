#include "sla/indicators.hpp"

#include <algorithm>

#include "sla/rules.hpp"

namespace motcua::sla {

namespace {

std::optional<double> ratio(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

// Decision 766 indicator 3.3: full points from half of the dossiers online.
constexpr double kOnlineFullPointsShare = 0.5;

// What apology_missing and apology_late would say at `at`: every deadline of the chain missed
// before `at` has its own apology, and none came too late for the deadline it covers.
bool apologies_timely(const WorkingCalendar& calendar, const Dossier& d, const Deadlines& dl,
                      Instant at, int lead_working_days) {
  if (missed_deadlines(dl, at) > d.apologies.size()) return false;
  for (std::size_t i = 0; i < d.apologies.size(); ++i)
    if (apology_is_late(calendar, d, dl, i, lead_working_days)) return false;
  return true;
}

}  // namespace

std::optional<double> IndicatorCounts::on_time_rate() const {
  return ratio(finished_on_time, judged());
}
std::optional<double> IndicatorCounts::late_rate() const {
  return ratio(late(), judged());
}
std::optional<double> IndicatorCounts::apology_rate() const {
  return ratio(apology_compliant, apology_due);
}
std::optional<double> IndicatorCounts::online_share() const {
  return ratio(received_online, received);
}
std::optional<double> IndicatorCounts::online_score() const {
  const auto share = online_share();
  if (!share) return std::nullopt;
  return std::min(1.0, *share / kOnlineFullPointsShare);
}
std::optional<double> IndicatorCounts::sync_rate() const {
  return ratio(on_portal, portal_known);
}

IndicatorCounts& IndicatorCounts::operator+=(const IndicatorCounts& o) {
  received += o.received;
  received_online += o.received_online;
  portal_known += o.portal_known;
  on_portal += o.on_portal;
  finished += o.finished;
  finished_on_time += o.finished_on_time;
  finished_late += o.finished_late;
  open_overdue += o.open_overdue;
  apology_due += o.apology_due;
  apology_compliant += o.apology_compliant;
  return *this;
}

IndicatorAccumulator::IndicatorAccumulator(const WorkingCalendar& calendar, Instant from,
                                           Instant to, Instant now, IndicatorSettings settings)
    : calendar_(calendar), from_(from), to_(to), end_(std::min(to, now)), settings_(settings) {}

void IndicatorAccumulator::add(const Dossier& d, std::optional<bool> on_portal) {
  if (!d.received_at) return;  // never received: not in any figure
  IndicatorCounts c;
  if (from_ <= *d.received_at && *d.received_at < to_) {
    c.received = 1;
    if (d.channel == 2) c.received_online = 1;
    if (on_portal) {
      c.portal_known = 1;
      if (*on_portal) c.on_portal = 1;
    }
  }

  const Deadlines dl = compute_deadlines(d);
  // Decision 766 2.1: the end is the first of processed, returned, refused/stopped, withdrawn.
  const std::optional<Instant> ended = dl.clock == Clock::finished ? dl.finished_at
                                       : dl.clock == Clock::ended  ? dl.ended_at
                                                                   : std::nullopt;
  const bool over_requested =
      d.supplements.size() > static_cast<std::size_t>(settings_.max_supplement_requests);
  const int lead = settings_.apology_lead_working_days;

  if (ended && from_ <= *ended && *ended < to_) {
    c.finished = 1;
    const bool missed = dl.legal_due && *ended > *dl.legal_due;
    if (missed || over_requested)
      c.finished_late = 1;
    else
      c.finished_on_time = 1;
    if (missed) {
      c.apology_due = 1;
      if (apologies_timely(calendar_, d, dl, *ended, lead)) c.apology_compliant = 1;
    }
  } else {
    // Open at the period's end: running now, or ended after it (its status then is unknown; it
    // was not finished, so it is taken as running). Waiting for the applicant accrues nothing.
    const bool open_at_end =
        *d.received_at < end_ &&
        (dl.clock == Clock::running ||
         ((dl.clock == Clock::finished || dl.clock == Clock::ended) && ended && *ended >= end_));
    if (open_at_end && dl.legal_due && *dl.legal_due < end_) {
      c.open_overdue = 1;
      c.apology_due = 1;
      if (apologies_timely(calendar_, d, dl, end_, lead)) c.apology_compliant = 1;
    }
  }

  if (c == IndicatorCounts{}) return;  // outside the period: no agency row for it
  Agency& a = agencies_[d.agency];
  if (!d.agency_name.empty()) a.name = d.agency_name;
  a.counts += c;
}

IndicatorReport IndicatorAccumulator::report() const {
  IndicatorReport r;
  r.from = from_;
  r.to = to_;
  r.period_end = end_;
  r.agencies.reserve(agencies_.size());
  for (const auto& [code, a] : agencies_) {
    r.province += a.counts;
    r.agencies.push_back({code, a.name, a.counts});
  }
  return r;
}

}  // namespace motcua::sla
