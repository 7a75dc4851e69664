#include "sla/holidays.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sla/lunar.hpp"

namespace motcua::sla {
namespace {

using std::chrono::days;
using std::chrono::Monday;
using std::chrono::Saturday;
using std::chrono::Sunday;
using std::chrono::Thursday;
using std::chrono::weekday;

bool is_weekend(Date d) {
  const weekday w{d};
  return w == Saturday || w == Sunday;
}

// "dd/mm", as officials write dates.
std::string day_month(Date d) {
  const std::chrono::year_month_day ymd{d};
  char text[8];
  std::snprintf(text, sizeof text, "%02u/%02u", static_cast<unsigned>(ymd.day()),
                static_cast<unsigned>(ymd.month()));
  return text;
}

Date date(int year, unsigned month, unsigned day) {
  return Date{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
}

// Labour Code 2019 art. 112(1)(đ) grants 2/9 and "one adjacent day, before or after"; the Prime
// Minister picks it each year. Without that decision we pick the side that joins the break to a
// weekend, or failing that (Wednesday) the side chosen in the latest arrangement we know of
// (2026: 1/9 and 2/9 off). A pick that falls on a weekend is compensated like any other holiday.
//   2/9 on Monday    → 3/9 (Tuesday):   Sat–Tue; 1/9 would be Sunday.
//   2/9 on Tuesday   → 1/9 (Monday):    Sat–Tue.
//   2/9 on Wednesday → 1/9 (Tuesday):   no weekend within reach; as in 2026.
//   2/9 on Thursday  → 3/9 (Friday):    Thu–Sun.
//   2/9 on Friday    → 1/9 (Thursday):  Thu–Sun.
//   2/9 on Saturday  → 1/9 (Friday):    Fri–Sun, and 2/9 compensated on Monday 4/9.
//   2/9 on Sunday    → 3/9 (Monday):    Sat–Mon, and 2/9 compensated on Tuesday 4/9.
Date national_day_adjacent(int year) {
  const Date national_day = date(year, 9, 2);
  const weekday w{national_day};
  if (w == Monday || w == Thursday || w == Sunday) return national_day + days{1};
  return national_day - days{1};
}

}  // namespace

HolidayYear statutory_holidays(int year) {
  HolidayYear result;
  result.year = year;
  result.confirmed = false;
  result.source =
      "Bộ luật Lao động 2019, Điều 112 (tính theo âm lịch, chưa có thông báo chính thức)";

  // Labour Code 2019 art. 112(1).
  std::vector<CalendarDay> days_off;
  days_off.push_back({date(year, 1, 1), "Tết Dương lịch"});
  // Art. 112(1)(b) gives Tết 5 days; the Prime Minister places them each year. The statutory
  // reading used here (see holidays.hpp) is the last day of the old lunar year and the first four
  // of the new one.
  const Date tet{lunar::tet(year)};
  for (int i = -1; i <= 3; ++i)
    days_off.push_back({tet + days{i}, "Tết Nguyên đán"});
  days_off.push_back({Date{lunar::hung_kings_day(year)}, "Giỗ Tổ Hùng Vương"});
  days_off.push_back({date(year, 4, 30), "Ngày Chiến thắng"});
  days_off.push_back({date(year, 5, 1), "Quốc tế Lao động"});
  days_off.push_back({date(year, 9, 2), "Quốc khánh"});
  days_off.push_back({national_day_adjacent(year), "Quốc khánh (ngày liền kề)"});

  std::stable_sort(days_off.begin(), days_off.end(),
                   [](const CalendarDay& a, const CalendarDay& b) { return a.date < b.date; });
  // Two holidays on one date (10/3 lunar fell on 30/4 in 1947) make one day off: the Labour Code
  // compensates only a holiday that falls on the weekly rest day (art. 111(3)).
  std::vector<CalendarDay> merged;
  for (auto& day : days_off) {
    if (!merged.empty() && merged.back().date == day.date) {
      merged.back().name += "; " + day.name;
    } else {
      merged.push_back(std::move(day));
    }
  }

  // Labour Code 2019 art. 111(3): a holiday that falls on the weekly rest day (Saturday or Sunday
  // for civil servants, Decision 188/1999/QĐ-TTg) is compensated on the next working day. Taken in
  // date order, consecutive weekend holidays (Tết over a weekend) get consecutive working days.
  std::set<Date> taken;
  for (const auto& day : merged)
    taken.insert(day.date);
  std::vector<CalendarDay> compensations;
  for (const auto& day : merged) {
    if (!is_weekend(day.date)) continue;
    Date makeup = day.date + days{1};
    while (is_weekend(makeup) || taken.contains(makeup))
      makeup += days{1};
    taken.insert(makeup);
    compensations.push_back({makeup, "Nghỉ bù " + day.name + " (" + day_month(day.date) + ")"});
  }

  result.holidays = std::move(merged);
  result.holidays.insert(result.holidays.end(), std::make_move_iterator(compensations.begin()),
                         std::make_move_iterator(compensations.end()));
  std::stable_sort(result.holidays.begin(), result.holidays.end(),
                   [](const CalendarDay& a, const CalendarDay& b) { return a.date < b.date; });
  return result;
}

}  // namespace motcua::sla
