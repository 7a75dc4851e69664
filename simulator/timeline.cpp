#include "simulator/timeline.hpp"

#include <algorithm>

namespace motcua::sim {

using sla::Instant;
using sla::Status;

namespace {

bool happened(const std::optional<Instant>& at, Instant t) {
  return at && *at <= t;
}

void add(std::vector<Instant>& out, const std::optional<Instant>& at) {
  if (at) out.push_back(*at);
}

}  // namespace

std::vector<Instant> event_times(const sla::Dossier& life) {
  std::vector<Instant> out;
  add(out, life.submitted_at);
  add(out, life.received_at);
  add(out, life.finished_at);
  add(out, life.returned_at);
  add(out, life.refused_at);
  for (const auto& s : life.steps)
    add(out, s.at);
  for (const auto& s : life.supplements) {
    add(out, s.requested_at);
    add(out, s.received_at);
  }
  for (const auto& a : life.apologies)
    add(out, a.issued_at);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  // Nothing happens to a dossier before it exists (reveal() agrees): the listing must never name
  // a dossier it cannot show.
  const auto first = life.submitted_at ? life.submitted_at : life.received_at;
  if (first) out.erase(out.begin(), std::lower_bound(out.begin(), out.end(), *first));
  return out;
}

std::optional<sla::Dossier> reveal(const sla::Dossier& life, Instant t) {
  const auto first = life.submitted_at ? life.submitted_at : life.received_at;
  if (!first || *first > t) return std::nullopt;
  sla::Dossier d = life;
  const Status final_status = life.status;

  std::erase_if(d.steps, [t](const sla::Step& s) { return !happened(s.at, t); });
  std::erase_if(d.supplements,
                [t](const sla::SupplementRequest& s) { return !happened(s.requested_at, t); });
  for (auto& s : d.supplements)
    if (!happened(s.received_at, t)) s.received_at.reset();
  std::erase_if(d.apologies, [t](const sla::Apology& a) { return !happened(a.issued_at, t); });
  for (auto* at : {&d.finished_at, &d.returned_at, &d.refused_at})
    if (!happened(*at, t)) at->reset();

  if (!happened(d.received_at, t)) {
    d.received_at.reset();
    d.due_at.reset();
    d.steps.clear();
    d.status = Status::submitted;
  } else if (d.refused_at) {
    d.status = Status::refused;
  } else if (d.returned_at) {
    d.status = Status::returned;
  } else if (d.finished_at || (!d.steps.empty() && d.steps.back().status == Status::processed)) {
    d.status = Status::processed;
  } else if ((final_status == Status::withdrawn || final_status == Status::stopped) &&
             !d.steps.empty() && d.steps.back().status == final_status) {
    d.status = final_status;
  } else if (!d.supplements.empty() && !d.supplements.back().received_at) {
    // Requested and not yet answered by t: the applicant's turn.
    d.status = Status::waiting_supplement;
  } else if (final_status == Status::waiting_payment && d.steps.size() == life.steps.size()) {
    d.status = Status::waiting_payment;
  } else {
    d.status = d.steps.size() <= 1 ? Status::received : Status::processing;
  }
  // The one-stop system's NgayHenTra carries the latest promise made by t.
  if (d.due_at && !d.apologies.empty() && life.apologies.size() != d.apologies.size()) {
    if (d.apologies.back().due_after) d.due_at = d.apologies.back().due_after;
  } else if (d.due_at && d.apologies.empty() && !life.apologies.empty() &&
             life.apologies.front().due_before) {
    d.due_at = life.apologies.front().due_before;
  }
  if (!d.note.empty() && d.status != Status::refused) d.note.clear();

  Instant updated = *first;
  for (Instant e : event_times(d))
    updated = std::max(updated, e);
  d.updated_at = updated;
  return d;
}

}  // namespace motcua::sim
