#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "sla/holidays.hpp"

namespace motcua::sla {
namespace {

using namespace std::chrono_literals;

// Dates as "YYYY-MM-DD" so that failures are readable.
std::string iso(Date d) {
  const std::chrono::year_month_day ymd{d};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

std::vector<std::string> dates(const HolidayYear& year) {
  std::vector<std::string> result;
  for (const auto& day : year.holidays)
    result.push_back(iso(day.date));
  return result;
}

// The name of the holiday on `date`, or "" when it is a working day.
std::string name_on(const HolidayYear& year, const std::string& date) {
  for (const auto& day : year.holidays) {
    if (iso(day.date) == date) return day.name;
  }
  return "";
}

bool is_compensation(const CalendarDay& day) {
  return std::string_view{day.name}.starts_with("Nghỉ bù");
}

bool is_weekend(Date d) {
  const std::chrono::weekday w{d};
  return w == std::chrono::Saturday || w == std::chrono::Sunday;
}

TEST(StatutoryHolidays, Year2027ContainsEveryStatutoryDay) {
  const HolidayYear y = statutory_holidays(2027);
  EXPECT_EQ(name_on(y, "2027-01-01"), "Tết Dương lịch");
  // Tết 2027-02-06: the last day of the old lunar year and the first four of the new one.
  for (const char* d : {"2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09"}) {
    EXPECT_EQ(name_on(y, d), "Tết Nguyên đán") << d;
  }
  EXPECT_EQ(name_on(y, "2027-02-04"), "");
  EXPECT_EQ(name_on(y, "2027-04-16"), "Giỗ Tổ Hùng Vương");
  EXPECT_EQ(name_on(y, "2027-04-30"), "Ngày Chiến thắng");
  EXPECT_EQ(name_on(y, "2027-05-01"), "Quốc tế Lao động");
  EXPECT_EQ(name_on(y, "2027-09-02"), "Quốc khánh");
  // 2/9/2027 is a Thursday: the adjacent day is Friday 3/9, joining the weekend.
  EXPECT_EQ(name_on(y, "2027-09-03"), "Quốc khánh (ngày liền kề)");
  EXPECT_EQ(name_on(y, "2027-09-01"), "");
}

// Labour Code 2019 art. 111(3): Saturday 6/2 and Sunday 7/2 (Tết) are made up on Wednesday 10/2
// and Thursday 11/2, after the Tết days; Saturday 1/5 on Monday 3/5.
TEST(StatutoryHolidays, Year2027FullTable) {
  const std::vector<std::string> expected{
      "2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08",
      "2027-02-09", "2027-02-10", "2027-02-11", "2027-04-16", "2027-04-30",
      "2027-05-01", "2027-05-03", "2027-09-02", "2027-09-03",
  };
  const HolidayYear y = statutory_holidays(2027);
  EXPECT_EQ(dates(y), expected);
  EXPECT_EQ(name_on(y, "2027-02-10"), "Nghỉ bù Tết Nguyên đán (06/02)");
  EXPECT_EQ(name_on(y, "2027-02-11"), "Nghỉ bù Tết Nguyên đán (07/02)");
  EXPECT_EQ(name_on(y, "2027-05-03"), "Nghỉ bù Quốc tế Lao động (01/05)");
}

TEST(StatutoryHolidays, IsUnconfirmedAndHasNoMakeupWorkdays) {
  const HolidayYear y = statutory_holidays(2027);
  EXPECT_EQ(y.year, 2027);
  EXPECT_FALSE(y.confirmed);
  EXPECT_EQ(y.source,
            "Bộ luật Lao động 2019, Điều 112 (tính theo âm lịch, chưa có thông báo chính thức)");
  EXPECT_TRUE(y.makeup_workdays.empty());
}

// 2022: Hùng Kings on Sunday 10/4 → Monday 11/4; 30/4 Saturday and 1/5 Sunday → Monday 2/5 and
// Tuesday 3/5, each on the next weekday that is not already taken (as the government announced).
TEST(StatutoryHolidays, CompensationSkipsDaysAlreadyOff) {
  const HolidayYear y = statutory_holidays(2022);
  EXPECT_EQ(name_on(y, "2022-04-11"), "Nghỉ bù Giỗ Tổ Hùng Vương (10/04)");
  EXPECT_EQ(name_on(y, "2022-05-02"), "Nghỉ bù Ngày Chiến thắng (30/04)");
  EXPECT_EQ(name_on(y, "2022-05-03"), "Nghỉ bù Quốc tế Lao động (01/05)");
}

// The adjacent day of 2/9 for every weekday; 2023–2025 match the official tables in DOMAIN.md.
TEST(StatutoryHolidays, NationalDayAdjacentDayJoinsAWeekend) {
  struct Case {
    int year;
    const char* weekday;
    std::vector<std::string> days_off;  // from 31/8 to 5/9
  };
  const Case cases[] = {
      {2024, "Monday", {"2024-09-02", "2024-09-03"}},
      {2025, "Tuesday", {"2025-09-01", "2025-09-02"}},
      {2026, "Wednesday", {"2026-09-01", "2026-09-02"}},
      {2027, "Thursday", {"2027-09-02", "2027-09-03"}},
      {2022, "Friday", {"2022-09-01", "2022-09-02"}},
      {2023, "Saturday", {"2023-09-01", "2023-09-02", "2023-09-04"}},
      {2029, "Sunday", {"2029-09-02", "2029-09-03", "2029-09-04"}},
  };
  for (const auto& c : cases) {
    const HolidayYear y = statutory_holidays(c.year);
    std::vector<std::string> got;
    const Date from{std::chrono::year{c.year} / 8 / 31};
    for (const auto& day : y.holidays) {
      if (day.date >= from && day.date <= from + std::chrono::days{5}) got.push_back(iso(day.date));
    }
    EXPECT_EQ(got, c.days_off) << "2/9 on " << c.weekday;
  }
}

TEST(StatutoryHolidays, NewYearOnSundayIsMadeUpOnMonday) {
  // 1/1/2023 was a Sunday; the official table gives Monday 2/1 off.
  EXPECT_EQ(name_on(statutory_holidays(2023), "2023-01-02"), "Nghỉ bù Tết Dương lịch (01/01)");
}

TEST(StatutoryHolidays, CompensationsLandOnWeekdaysOnePerWeekendHoliday) {
  for (int year = 2000; year <= 2099; ++year) {
    const HolidayYear y = statutory_holidays(year);
    int weekend_holidays = 0;
    int compensations = 0;
    for (const auto& day : y.holidays) {
      if (is_compensation(day)) {
        ++compensations;
        EXPECT_FALSE(is_weekend(day.date)) << iso(day.date) << " " << day.name;
      } else if (is_weekend(day.date)) {
        ++weekend_holidays;
      }
    }
    EXPECT_EQ(compensations, weekend_holidays) << year;
    // 1/1, five Tết days, Hùng Kings, 30/4, 1/5 and two National Day days (2000–2099 has no
    // coinciding holidays).
    EXPECT_EQ(y.holidays.size() - static_cast<size_t>(compensations), 11u) << year;
  }
}

TEST(StatutoryHolidays, SortedWithoutDuplicates) {
  for (int year = 2000; year <= 2099; ++year) {
    const HolidayYear y = statutory_holidays(year);
    for (size_t i = 1; i < y.holidays.size(); ++i) {
      EXPECT_LT(y.holidays[i - 1].date, y.holidays[i].date)
          << year << ": " << iso(y.holidays[i - 1].date) << " then " << iso(y.holidays[i].date);
    }
    for (const auto& day : y.holidays) {
      EXPECT_EQ(static_cast<int>(std::chrono::year_month_day{day.date}.year()), year)
          << iso(day.date);
    }
  }
}

// 10/3 lunar fell on 30/4 in 1947: one day off carrying both names, not two entries.
TEST(StatutoryHolidays, CoincidingHolidaysMergeIntoOneDay) {
  const HolidayYear y = statutory_holidays(1947);
  EXPECT_EQ(name_on(y, "1947-04-30"), "Giỗ Tổ Hùng Vương; Ngày Chiến thắng");
  int statutory_days = 0;
  for (const auto& day : y.holidays)
    statutory_days += is_compensation(day) ? 0 : 1;
  EXPECT_EQ(statutory_days, 10);  // 11 statutory days, two of them on one date
}

}  // namespace
}  // namespace motcua::sla
