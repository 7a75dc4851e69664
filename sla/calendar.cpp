#include "sla/calendar.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace motcua::sla {

using namespace std::chrono;

namespace {

constexpr std::int64_t kDay = 86400;

Date first_day_of(int y) {
  return sys_days{year{y} / January / 1};
}

}  // namespace

WorkingCalendar::WorkingCalendar(CalendarSettings settings)
    : offset_(settings.utc_offset), sessions_(std::move(settings.sessions)) {
  if (sessions_.empty()) throw std::invalid_argument("a working day needs at least one session");
  minutes previous{0};
  for (const auto& s : sessions_) {
    if (s.start < previous || s.end <= s.start || s.end > hours(24))
      throw std::invalid_argument("working sessions must be ascending, non-empty and within a day");
    previous = s.end;
    day_length_ += s.end - s.start;
  }

  first_day_ = first_day_of(kFirstYear);
  const auto n = static_cast<std::size_t>((first_day_of(kLastYear + 1) - first_day_).count());
  working_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    weekday wd{first_day_ + days(i)};
    working_[i] = settings.workdays[wd.c_encoding()] ? 1 : 0;
  }

  // Per year, the last official table given wins; years without one are computed from the
  // statutes and flagged unconfirmed.
  std::map<int, const HolidayYear*> tables;
  for (const auto& t : settings.tables)
    tables[t.year] = &t;
  confirmed_.assign(static_cast<std::size_t>(kLastYear - kFirstYear + 1), false);

  std::map<Date, std::string> names;
  auto mark = [&](const CalendarDay& day, std::uint8_t value) {
    auto idx = (day.date - first_day_).count();
    if (idx < 0 || static_cast<std::size_t>(idx) >= n) return;
    working_[static_cast<std::size_t>(idx)] = value;
    if (value == 0)
      names[day.date] = day.name;
    else
      names.erase(day.date);
  };

  for (int y = kFirstYear; y <= kLastYear; ++y) {
    HolidayYear computed;
    const HolidayYear* table = nullptr;
    if (auto it = tables.find(y); it != tables.end() && it->second->confirmed) {
      table = it->second;
    } else {
      computed = statutory_holidays(y);
      table = &computed;
    }
    confirmed_[static_cast<std::size_t>(y - kFirstYear)] = table->confirmed;
    for (const auto& h : table->holidays)
      mark(h, 0);
    for (const auto& w : table->makeup_workdays)
      mark(w, 1);
  }
  for (const auto& h : settings.extra_holidays)
    mark(h, 0);
  for (const auto& w : settings.extra_workdays)
    mark(w, 1);

  working_before_.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    working_before_[i + 1] = working_before_[i] + working_[i];
    if (working_[i]) working_day_list_.push_back(static_cast<std::int32_t>(i));
  }
  if (working_day_list_.empty()) throw std::invalid_argument("the calendar has no working day");
  holiday_names_.assign(names.begin(), names.end());
}

bool WorkingCalendar::is_working_day(Date d) const {
  auto idx = (d - first_day_).count();
  if (idx < 0 || static_cast<std::size_t>(idx) >= working_.size()) {
    // Outside the covered years: weekdays only, no holidays known.
    return weekday{d}.c_encoding() != 0 && weekday{d}.c_encoding() != 6;
  }
  return working_[static_cast<std::size_t>(idx)] != 0;
}

std::string_view WorkingCalendar::holiday_name(Date d) const {
  auto it = std::lower_bound(holiday_names_.begin(), holiday_names_.end(), d,
                             [](const auto& entry, Date key) { return entry.first < key; });
  if (it == holiday_names_.end() || it->first != d) return {};
  return it->second;
}

bool WorkingCalendar::is_confirmed(int y) const {
  if (y < kFirstYear || y > kLastYear) return false;
  return confirmed_[static_cast<std::size_t>(y - kFirstYear)];
}

std::vector<int> WorkingCalendar::unconfirmed_years(int from, int to) const {
  std::vector<int> out;
  for (int y = from; y <= to; ++y)
    if (!is_confirmed(y)) out.push_back(y);
  return out;
}

std::int64_t WorkingCalendar::seconds_into_day(std::int64_t second_of_day) const {
  std::int64_t total = 0;
  for (const auto& s : sessions_) {
    const std::int64_t start = seconds(s.start).count();
    const std::int64_t end = seconds(s.end).count();
    if (second_of_day <= start) break;
    total += std::min(second_of_day, end) - start;
  }
  return total;
}

// Working seconds elapsed from the start of the covered range until t.
std::int64_t WorkingCalendar::working_seconds_before(Instant t) const {
  const std::int64_t local = (t + offset_).time_since_epoch().count();
  const std::int64_t start = first_day_.time_since_epoch().count() * kDay;
  const std::int64_t end = start + static_cast<std::int64_t>(working_.size()) * kDay;
  const std::int64_t clamped = std::clamp(local, start, end);
  const std::int64_t rel = clamped - start;
  const auto idx = static_cast<std::size_t>(rel / kDay);
  std::int64_t w = static_cast<std::int64_t>(working_before_[idx]) * day_length_.count();
  if (idx < working_.size() && working_[idx]) w += seconds_into_day(rel % kDay);
  return w;
}

// The earliest instant at which `w` working seconds have elapsed since the start of the range.
Instant WorkingCalendar::instant_at_working_seconds(std::int64_t w) const {
  const std::int64_t length = day_length_.count();
  w = std::max<std::int64_t>(w, 0);
  auto k = static_cast<std::size_t>(w / length);
  std::int64_t r = w % length;
  if (r == 0 && k > 0) {  // exactly a whole number of days: the closing time of the last one
    --k;
    r = length;
  }
  if (k >= working_day_list_.size()) {
    k = working_day_list_.size() - 1;
    r = length;
  }
  const Date day = first_day_ + days(working_day_list_[k]);
  std::int64_t acc = 0;
  for (const auto& s : sessions_) {
    const std::int64_t len = seconds(s.end - s.start).count();
    if (r <= acc + len) return at_local(day, seconds(s.start) + seconds(r - acc), offset_);
    acc += len;
  }
  return at_local(day, seconds(sessions_.back().end), offset_);
}

seconds WorkingCalendar::working_time_between(Instant from, Instant to) const {
  return seconds(working_seconds_before(to) - working_seconds_before(from));
}

Instant WorkingCalendar::add_working_time(Instant t, seconds amount) const {
  if (amount <= seconds::zero()) return t;
  return instant_at_working_seconds(working_seconds_before(t) + amount.count());
}

Instant WorkingCalendar::subtract_working_time(Instant t, seconds amount) const {
  if (amount <= seconds::zero()) return t;
  return instant_at_working_seconds(working_seconds_before(t) - amount.count());
}

Instant WorkingCalendar::add_working_days(Instant t, int n) const {
  return add_working_time(t, day_length_ * n);
}

Instant WorkingCalendar::add_calendar_days(Instant t, int n) const {
  const Instant r = t + days(n);
  const Date d = local_date(r);
  if (is_working_day(d)) return r;
  return next_opening(at_local(d, hours(24), offset_));
}

Instant WorkingCalendar::normalize_receipt(Instant t) const {
  const Date d = local_date(t);
  if (is_working_day(d)) {
    const seconds sod = local_time_of_day(t, offset_);
    for (const auto& s : sessions_) {
      if (sod < s.start) return at_local(d, s.start, offset_);
      if (sod < s.end) return t;
    }
  }
  return next_opening(at_local(d, hours(24), offset_));
}

Instant WorkingCalendar::next_opening(Instant t) const {
  Date d = local_date(t);
  if (is_working_day(d)) {
    const seconds sod = local_time_of_day(t, offset_);
    for (const auto& s : sessions_)
      if (s.start >= sod) return at_local(d, s.start, offset_);
  }
  // The first working day after d.
  const auto idx = (d - first_day_).count();
  std::size_t k = working_day_list_.size();
  if (idx >= 0 && static_cast<std::size_t>(idx) < working_.size())
    k = static_cast<std::size_t>(working_before_[static_cast<std::size_t>(idx) + 1]);
  if (k < working_day_list_.size()) {
    d = first_day_ + days(working_day_list_[k]);
  } else {
    do
      d += days(1);
    while (!is_working_day(d));
  }
  return at_local(d, sessions_.front().start, offset_);
}

Date WorkingCalendar::working_day_before(Date d) const {
  const auto idx = (d - first_day_).count();
  if (idx > 0 && static_cast<std::size_t>(idx) <= working_.size()) {
    const auto k = working_before_[static_cast<std::size_t>(idx)];
    if (k > 0) return first_day_ + days(working_day_list_[static_cast<std::size_t>(k) - 1]);
  }
  do
    d -= days(1);
  while (!is_working_day(d));
  return d;
}

}  // namespace motcua::sla
