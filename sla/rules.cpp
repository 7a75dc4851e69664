#include "sla/rules.hpp"

#include <algorithm>

#include "sla/messages.hpp"

namespace motcua::sla {

using namespace std::chrono;

namespace {

bool is_blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); });
}

double hours_of(seconds s) {
  return static_cast<double>(s.count()) / 3600.0;
}

// The current step: the last of QuaTrinhXuLy by ThoiDiemXuLy (a later entry wins a tie; steps
// without a time count as earliest).
const Step* current_step(const Dossier& d) {
  const Step* best = nullptr;
  for (const auto& s : d.steps)
    if (!best || s.at >= best->at) best = &s;
  return best;
}

}  // namespace

std::array<RuleSettings, kRuleCount> RulesConfig::default_rule_settings() {
  std::array<RuleSettings, kRuleCount> r{};
  auto set = [&](Rule rule, Severity s) { r[static_cast<std::size_t>(rule)].severity = s; };
  set(Rule::due_soon, Severity::warning);
  set(Rule::overdue, Severity::critical);
  set(Rule::step_overdue, Severity::warning);
  set(Rule::finished_late, Severity::warning);
  set(Rule::apology_missing, Severity::critical);
  set(Rule::apology_late, Severity::warning);
  set(Rule::repeat_supplement, Severity::warning);
  set(Rule::reason_missing, Severity::warning);
  set(Rule::deadline_rewritten, Severity::critical);
  set(Rule::portal_missing, Severity::warning);
  set(Rule::status_mismatch, Severity::warning);
  set(Rule::source_stale, Severity::critical);
  return r;
}

Deadlines compute_deadlines(const Dossier& d) {
  Deadlines out;
  out.clock = d.clock();
  // DOMAIN.md "Deadlines": an apology does not excuse lateness, so the legal deadline D0 is the
  // one the first apology admits missing; NgayHenTra may already carry the new promise.
  if (!d.apologies.empty() && d.apologies.front().due_before)
    out.legal_due = d.apologies.front().due_before;
  else
    out.legal_due = d.due_at;
  if (out.legal_due) out.chain.push_back(*out.legal_due);
  for (const auto& a : d.apologies)
    if (a.due_after) out.chain.push_back(*a.due_after);
  if (!out.chain.empty()) out.current_due = out.chain.back();

  if (out.clock == Clock::finished) {
    if (d.finished_at) {
      out.finished_at = d.finished_at;
    } else {
      for (const auto& s : d.steps)
        if (s.status == Status::processed && s.at && (!out.finished_at || *s.at > *out.finished_at))
          out.finished_at = s.at;
      if (!out.finished_at) out.finished_at = d.returned_at;
    }
  } else if (out.clock == Clock::ended) {
    if (d.status == Status::refused && d.refused_at) {
      out.ended_at = d.refused_at;
    } else {
      for (const auto& s : d.steps)
        if (s.at && (!out.ended_at || *s.at > *out.ended_at)) out.ended_at = s.at;
      if (!out.ended_at) out.ended_at = d.refused_at ? d.refused_at : d.updated_at;
    }
  }
  return out;
}

std::size_t missed_deadlines(const Deadlines& dl, Instant t) {
  return static_cast<std::size_t>(
      std::count_if(dl.chain.begin(), dl.chain.end(), [t](Instant due) { return due < t; }));
}

Date apology_deadline(const WorkingCalendar& calendar, Instant due, int lead_working_days) {
  Date day = calendar.local_date(due);
  for (int i = 0; i < lead_working_days; ++i)
    day = calendar.working_day_before(day);
  return day;
}

std::optional<Instant> apology_covers(const Dossier& d, const Deadlines& dl, std::size_t i) {
  return i == 0 ? dl.legal_due : d.apologies[i - 1].due_after;
}

bool apology_is_late(const WorkingCalendar& calendar, const Dossier& d, const Deadlines& dl,
                     std::size_t i, int lead_working_days) {
  const Apology& a = d.apologies[i];
  const std::optional<Instant> covered = apology_covers(d, dl, i);
  if (!a.issued_at || !covered) return false;
  return calendar.local_date(*a.issued_at) >
         apology_deadline(calendar, *covered, lead_working_days);
}

Evaluator::Evaluator(const WorkingCalendar& calendar, RulesConfig config)
    : calendar_(calendar), config_(std::move(config)) {}

namespace {

// One evaluation: the dossier, its deadline math and where findings go.
class Evaluation {
 public:
  Evaluation(const Evaluator& e, const Dossier& d, Instant now, std::vector<Finding>& out,
             const StoreFacts* facts)
      : evaluator_(e),
        facts_(facts),
        config_(e.config()),
        calendar_(e.calendar()),
        d_(d),
        now_(now),
        out_(out),
        dl_(compute_deadlines(d)),
        style_{calendar_.utc_offset(), calendar_.working_day_length()} {}

  void run() {
    switch (dl_.clock) {
      case Clock::running:
        deadline_rules();
        step_overdue();
        apology_missing(now_, false);
        break;
      case Clock::finished:
        finished_late();
        if (dl_.finished_at) apology_missing(*dl_.finished_at, true);
        break;
      case Clock::paused:  // the applicant's turn: no lateness accrues (DOMAIN.md)
      case Clock::ended:
      case Clock::not_started:
        break;
    }
    apology_late();
    repeat_supplement();
    reason_missing();
    if (facts_) {
      deadline_rewritten();
      portal_rules();
    }
  }

 private:
  // Finished and ended dossiers drop out after the lookback (`finished_lookback`).
  bool wanted(Rule r) const {
    const auto& s = config_[r];
    if (!s.enabled) return false;
    const std::optional<Instant>& end =
        dl_.clock == Clock::finished ? dl_.finished_at
                                     : (dl_.clock == Clock::ended ? dl_.ended_at : std::nullopt);
    if (!end) return true;
    const Duration lookback =
        s.finished_lookback ? *s.finished_lookback : config_.finished_lookback;
    if (lookback.is_working())
      return calendar_.working_time_between(*end, now_) <=
             lookback.working_time(calendar_.working_day_length());
    return now_ - *end <= seconds(lookback.amount);
  }

  Finding& add(Rule r, Instant since) {
    Finding& f = out_.emplace_back();
    f.rule = r;
    f.severity = config_[r].severity;
    f.dossier = d_.code;
    f.source = d_.source;
    f.agency = d_.agency;
    f.procedure = d_.procedure;
    f.agency_name = d_.agency_name;
    f.procedure_name = d_.procedure_name;
    f.since = since;
    f.due = dl_.current_due;
    if (dl_.chain.size() > 1) f.first_due = dl_.legal_due;
    return f;
  }

  // due_soon and overdue against the current deadline E.
  void deadline_rules() {
    if (!dl_.current_due) return;
    const Instant due = *dl_.current_due;
    if (now_ > due) {
      if (!wanted(Rule::overdue)) return;
      const seconds late = calendar_.working_time_between(due, now_);
      Finding& f = add(Rule::overdue, due);
      f.overdue_working_hours = hours_of(late);
      f.message = messages::overdue(d_, due, late, apologies_cover(now_), style_);
      return;
    }
    if (!wanted(Rule::due_soon)) return;
    const seconds threshold =
        config_.due_soon_threshold.is_working()
            ? config_.due_soon_threshold.working_time(calendar_.working_day_length())
            : seconds(config_.due_soon_threshold.amount);
    const seconds remaining = calendar_.working_time_between(now_, due);
    const bool within =
        config_.due_soon_threshold.is_working() ? remaining <= threshold : due - now_ <= threshold;
    if (!within) return;
    const Instant since = config_.due_soon_threshold.is_working()
                              ? calendar_.subtract_working_time(due, threshold)
                              : due - threshold;
    Finding& f = add(Rule::due_soon, since);
    f.remaining_working_hours = hours_of(remaining);
    const Date latest = apology_deadline_for(due);
    f.message =
        messages::due_soon(d_, due, remaining, calendar_.local_date(now_) <= latest, style_);
  }

  void step_overdue() {
    const Step* step = current_step(d_);
    if (!step || !step->due_at || !(*step->due_at < now_) || !wanted(Rule::step_overdue)) return;
    const seconds late = calendar_.working_time_between(*step->due_at, now_);
    Finding& f = add(Rule::step_overdue, *step->due_at);
    f.department = step->department;
    f.handler = step->handler;
    f.overdue_working_hours = hours_of(late);
    f.message = messages::step_overdue(d_, *step, late, style_);
  }

  void finished_late() {
    if (!dl_.finished_at || !dl_.legal_due || !(*dl_.finished_at > *dl_.legal_due)) return;
    if (!wanted(Rule::finished_late)) return;
    const seconds late = calendar_.working_time_between(*dl_.legal_due, *dl_.finished_at);
    Finding& f = add(Rule::finished_late, *dl_.finished_at);
    f.overdue_working_hours = hours_of(late);
    f.message = messages::finished_late(d_, *dl_.legal_due, *dl_.finished_at, late, style_);
  }

  std::size_t missed_before(Instant t) const { return missed_deadlines(dl_, t); }

  bool apologies_cover(Instant t) const { return missed_before(t) <= d_.apologies.size(); }

  // Each missed promise needs its own apology (DOMAIN.md "apology_missing").
  void apology_missing(Instant t, bool finished) {
    const std::size_t missed = missed_before(t);
    const std::size_t apologies = d_.apologies.size();
    if (missed <= apologies || !wanted(Rule::apology_missing)) return;
    // The first missed deadline that has no apology of its own.
    std::vector<Instant> past;
    for (Instant due : dl_.chain)
      if (due < t) past.push_back(due);
    std::sort(past.begin(), past.end());
    const Instant first_uncovered = past[apologies];
    Finding& f = add(Rule::apology_missing, first_uncovered);
    f.overdue_working_hours = hours_of(calendar_.working_time_between(first_uncovered, t));
    f.message = messages::apology_missing(d_, first_uncovered, static_cast<int>(missed),
                                          static_cast<int>(apologies), finished, style_);
  }

  Date apology_deadline_for(Instant due) const {
    return apology_deadline(calendar_, due, config_.apology_lead_working_days);
  }

  void apology_late() {
    if (d_.apologies.empty() || !wanted(Rule::apology_late)) return;
    int late_count = 0;
    const Apology* first_late = nullptr;
    Date first_latest{};
    Instant first_covered{};
    for (std::size_t i = 0; i < d_.apologies.size(); ++i) {
      if (!apology_is_late(calendar_, d_, dl_, i, config_.apology_lead_working_days)) continue;
      if (late_count++ == 0) {
        first_late = &d_.apologies[i];
        first_covered = *apology_covers(d_, dl_, i);
        first_latest = apology_deadline_for(first_covered);
      }
    }
    if (!first_late) return;
    Finding& f = add(Rule::apology_late, *first_late->issued_at);
    f.message = messages::apology_late(d_, *first_late->issued_at, first_latest, first_covered,
                                       late_count, style_);
  }

  void repeat_supplement() {
    const auto n = d_.supplements.size();
    if (n <= static_cast<std::size_t>(config_.max_supplement_requests)) return;
    if (!wanted(Rule::repeat_supplement)) return;
    const auto& extra = d_.supplements[static_cast<std::size_t>(config_.max_supplement_requests)];
    Finding& f = add(Rule::repeat_supplement,
                     extra.requested_at.value_or(d_.received_at.value_or(Instant{})));
    f.message = messages::repeat_supplement(d_, static_cast<int>(n), style_);
  }

  void reason_missing() {
    if (!wanted(Rule::reason_missing)) return;
    const SupplementRequest* first_blank = nullptr;
    int blanks = 0;
    for (const auto& r : d_.supplements)
      if (is_blank(r.reason) && blanks++ == 0) first_blank = &r;
    if (first_blank) {
      Finding& f = add(Rule::reason_missing,
                       first_blank->requested_at.value_or(d_.received_at.value_or(Instant{})));
      f.message = messages::supplement_reason_missing(d_, *first_blank, blanks, style_);
      return;
    }
    if (d_.status != Status::refused || !is_blank(d_.note)) return;
    // Forms 02/03: a refusal states its reason in writing. The reason may sit in the refusal
    // step's content or in the dossier's note; with neither, it is missing.
    const Step* refusal = nullptr;
    for (const auto& s : d_.steps)
      if (s.status == Status::refused) refusal = &s;
    if (refusal && !is_blank(refusal->content)) return;
    const std::optional<Instant> when =
        refusal && refusal->at ? refusal->at : (d_.refused_at ? d_.refused_at : dl_.ended_at);
    Finding& f = add(Rule::reason_missing, when.value_or(d_.received_at.value_or(Instant{})));
    f.message = messages::refusal_reason_missing(d_, style_);
  }

  // deadline_rewritten: NgayHenTra or NgayKetThucXuLy replaced (or cleared) without a
  // supplementation request or an apology that explains it. An explanation either arrived with the
  // edit (the counts grew) or is in the record: the new NgayHenTra is a date a supplementation
  // request or an apology names (the one-stop system moves NgayHenTra itself when the applicant's
  // supplementation comes in, DOMAIN.md "Deadlines").
  void deadline_rewritten() {
    if (!wanted(Rule::deadline_rewritten)) return;
    const DeadlineEdit* first = nullptr;
    const DeadlineEdit* last = nullptr;
    int count = 0;
    for (const auto& e : facts_->edits) {
      if (!e.old_value || e.old_value == e.new_value || e.arrived_with_explanation ||
          explained_by_record(e))
        continue;
      if (!first) first = &e;
      last = &e;
      ++count;
    }
    if (!first) return;
    Finding& f = add(Rule::deadline_rewritten, first->observed_at);
    f.message = messages::deadline_rewritten(d_, last->field == DeadlineEdit::Field::finished_at,
                                             last->old_value, last->new_value, count, style_);
  }

  bool explained_by_record(const DeadlineEdit& e) const {
    if (e.field != DeadlineEdit::Field::due_at || !e.new_value) return false;
    const auto names = [&](const std::optional<Instant>& t) { return t == e.new_value; };
    return std::any_of(d_.supplements.begin(), d_.supplements.end(),
                       [&](const SupplementRequest& s) {
                         return names(s.due_after) || names(s.due_before);
                       }) ||
           std::any_of(d_.apologies.begin(), d_.apologies.end(),
                       [&](const Apology& a) { return names(a.due_after) || names(a.due_before); });
  }

  // portal_missing and status_mismatch judge the portal's answer only when it was given after the
  // grace period had passed: an early "not found" or an old copy says nothing about the sync.
  void portal_rules() {
    bool missing_done = false;
    bool mismatch_done = false;
    for (const auto& c : facts_->portal) {
      if (!c.found && !missing_done) missing_done = portal_missing(c);
      if (c.found && !mismatch_done) mismatch_done = status_mismatch(c);
    }
  }

  bool portal_missing(const PortalCopy& c) {
    if (!wanted(Rule::portal_missing) || !d_.received_at || dl_.clock == Clock::not_started)
      return false;
    const Instant due = evaluator_.after(*d_.received_at, config_.portal_missing_after);
    if (c.checked_at < due || now_ < due) return false;
    add(Rule::portal_missing, due).message =
        messages::portal_missing(d_, c.portal, *d_.received_at, c.checked_at, style_);
    return true;
  }

  bool status_mismatch(const PortalCopy& c) {
    if (!wanted(Rule::status_mismatch) || !d_.updated_at) return false;
    if (c.status == d_.status && c.finished_at == d_.finished_at) return false;
    const Instant due = evaluator_.after(*d_.updated_at, config_.status_mismatch_after);
    if (c.checked_at < due || now_ < due) return false;
    add(Rule::status_mismatch, due).message =
        messages::status_mismatch(d_, c.portal, c.status, c.finished_at, style_);
    return true;
  }

  const Evaluator& evaluator_;
  const StoreFacts* facts_;
  const RulesConfig& config_;
  const WorkingCalendar& calendar_;
  const Dossier& d_;
  const Instant now_;
  std::vector<Finding>& out_;
  const Deadlines dl_;
  const messages::Style style_;
};

}  // namespace

void Evaluator::evaluate(const Dossier& d, Instant now, std::vector<Finding>& out,
                         const StoreFacts* facts) const {
  Evaluation(*this, d, now, out, facts).run();
}

Instant Evaluator::after(Instant from, const Duration& d) const {
  if (d.is_working())
    return calendar_.add_working_time(from, d.working_time(calendar_.working_day_length()));
  return from + seconds(d.amount);
}

void Evaluator::evaluate_source(const SourceFacts& s, Instant now,
                                std::vector<Finding>& out) const {
  const auto& settings = config_[Rule::source_stale];
  if (!settings.enabled) return;
  const std::optional<Instant>& base = s.last_success ? s.last_success : s.first_attempt;
  if (!base) return;
  const Instant due = after(*base, config_.source_stale_after);
  if (now <= due) return;
  Finding& f = out.emplace_back();
  f.rule = Rule::source_stale;
  f.severity = settings.severity;
  f.source = s.name;
  f.since = due;
  f.message = messages::source_stale(s.name, s.last_success, s.last_error, s.consecutive_failures,
                                     {calendar_.utc_offset(), calendar_.working_day_length()});
}

}  // namespace motcua::sla
