#pragma once
// Working time for Vietnamese public administration: working weekdays, daily sessions, public
// holidays and make-up working days at a fixed UTC offset. All deadline math goes through here.
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sla/holidays.hpp"
#include "sla/time.hpp"

namespace motcua::sla {

// A daily working session in local time, e.g. 07:00–11:30.
struct WorkingSession {
  std::chrono::minutes start{};
  std::chrono::minutes end{};
  bool operator==(const WorkingSession&) const = default;
};

struct CalendarSettings {
  // Indexed by weekday, 0 = Sunday (std::chrono::weekday::c_encoding). Decision 188/1999/QĐ-TTg:
  // Monday to Friday.
  std::array<bool, 7> workdays{false, true, true, true, true, true, false};
  std::vector<WorkingSession> sessions{
      {std::chrono::hours(7), std::chrono::minutes(11 * 60 + 30)},
      {std::chrono::minutes(13 * 60 + 30), std::chrono::hours(17)}};
  std::chrono::seconds utc_offset = kVietnamOffset;
  // Official tables; a later table for the same year replaces an earlier one.
  std::vector<HolidayYear> tables;
  // Single days from config, applied on top of the tables (and of computed years).
  std::vector<CalendarDay> extra_holidays;
  std::vector<CalendarDay> extra_workdays;
};

class WorkingCalendar {
 public:
  // Years the calendar covers; instants outside are clamped to its edges. Connectors reject dates
  // outside this range as bad records.
  static constexpr int kFirstYear = 2000;
  static constexpr int kLastYear = 2099;

  explicit WorkingCalendar(CalendarSettings settings = {});

  std::chrono::seconds utc_offset() const { return offset_; }
  // Sum of the daily sessions: the length of one working day (8 h by default).
  std::chrono::seconds working_day_length() const { return day_length_; }
  const std::vector<WorkingSession>& sessions() const { return sessions_; }

  bool is_working_day(Date d) const;
  // The holiday's name, or empty when `d` is not a holiday.
  std::string_view holiday_name(Date d) const;
  // Whether `year` comes from an official table (true) or was computed from the statutes.
  bool is_confirmed(int year) const;
  // Years in [from, to] without an official table.
  std::vector<int> unconfirmed_years(int from, int to) const;

  Date local_date(Instant t) const { return sla::local_date(t, offset_); }

  // Working time in [from, to); negative when to < from.
  std::chrono::seconds working_time_between(Instant from, Instant to) const;
  // The instant at which `amount` (≥ 0) of working time has elapsed after t. Adding a whole
  // working day to an opening time lands at the closing time of that day, not the next opening.
  Instant add_working_time(Instant t, std::chrono::seconds amount) const;
  // The instant `amount` (≥ 0) of working time before t.
  Instant subtract_working_time(Instant t, std::chrono::seconds amount) const;
  Instant add_working_days(Instant t, int days) const;
  // t plus n×24 hours; a result on a non-working day moves to the next working day's opening.
  Instant add_calendar_days(Instant t, int days) const;
  // Receipt normalisation: within a session → t; before opening → opening; at lunch → the
  // afternoon session; after closing or on a day off → the next working day's opening.
  Instant normalize_receipt(Instant t) const;
  // The start of the first working session that begins at or after t.
  Instant next_opening(Instant t) const;
  // The last working day strictly before d.
  Date working_day_before(Date d) const;

 private:
  std::int64_t working_seconds_before(Instant t) const;
  Instant instant_at_working_seconds(std::int64_t w) const;
  std::int64_t seconds_into_day(std::int64_t local_second_of_day) const;

  std::chrono::seconds offset_;
  std::vector<WorkingSession> sessions_;
  std::chrono::seconds day_length_{};
  Date first_day_{};
  std::vector<std::uint8_t> working_;           // per day: 1 = working day
  std::vector<std::int32_t> working_before_;    // per day: working days before it (prefix sum)
  std::vector<std::int32_t> working_day_list_;  // day index of the k-th working day
  std::vector<std::pair<Date, std::string>> holiday_names_;  // sorted by date
  std::vector<bool> confirmed_;                              // per year from kFirstYear
};

}  // namespace motcua::sla
