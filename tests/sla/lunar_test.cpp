#include "sla/lunar.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <ostream>
#include <string>

namespace motcua::sla::lunar {

// Readable failure messages for lunar dates.
void PrintTo(const LunarDate& d, std::ostream* os) {
  *os << d.day << '/' << d.month << (d.leap ? " nhuận" : "") << '/' << d.year;
}

namespace {

using namespace std::chrono_literals;
using std::chrono::year_month_day;

// Dates compared as "YYYY-MM-DD" text, so that a failure shows the date (GCC 12 has no
// operator<< for year_month_day).
std::string iso(year_month_day d) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return text;
}

std::string iso(const std::optional<year_month_day>& d) {
  return d ? iso(*d) : "nullopt";
}

TEST(JulianDay, J2000IsDay2451545) {
  EXPECT_EQ(julian_day(2000y / 1 / 1), 2451545);
  EXPECT_EQ(iso(from_julian_day(2451545)), "2000-01-01");
}

TEST(JulianDay, CountsTheGregorianLeapDay) {
  EXPECT_EQ(julian_day(2000y / 3 / 1) - julian_day(2000y / 2 / 28), 2);
  EXPECT_EQ(julian_day(2100y / 3 / 1) - julian_day(2100y / 2 / 28), 1);
  EXPECT_EQ(julian_day(1970y / 1 / 1), 2440588);
}

TEST(JulianDay, FromJulianDayInvertsJulianDay) {
  for (long jd = 2415021; jd < 2488070; jd += 97) {
    EXPECT_EQ(julian_day(from_julian_day(jd)), jd);
  }
}

// DOMAIN.md "Working time": Tết (1/1 lunar) in Vietnam.
TEST(Tet, MatchesTheVietnameseCalendar2020To2035) {
  const struct {
    int year;
    const char* date;
  } cases[] = {
      {2020, "2020-01-25"}, {2021, "2021-02-12"}, {2022, "2022-02-01"}, {2023, "2023-01-22"},
      {2024, "2024-02-10"}, {2025, "2025-01-29"}, {2026, "2026-02-17"}, {2027, "2027-02-06"},
      {2028, "2028-01-26"}, {2029, "2029-02-13"}, {2030, "2030-02-02"}, {2031, "2031-01-23"},
      {2032, "2032-02-11"}, {2033, "2033-01-31"}, {2034, "2034-02-19"}, {2035, "2035-02-08"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(iso(tet(c.year)), c.date) << "lunar year " << c.year;
    EXPECT_EQ(to_lunar(tet(c.year)), (LunarDate{.day = 1, .month = 1, .year = c.year}))
        << "lunar year " << c.year;
  }
}

// The new moon shortly after 16:00 UTC on 2030-02-02 is 23:0x on 02/02 at UTC+7 but 00:0x on
// 03/02 at UTC+8, so Vietnam's Tết is 02/02 and China's 03/02.
TEST(Tet, Year2030DiffersFromChina) {
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 1, .month = 1, .year = 2030}, 7.0)), "2030-02-02");
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 1, .month = 1, .year = 2030}, 8.0)), "2030-02-03");
  EXPECT_EQ(to_lunar(2030y / 2 / 2, 8.0), (LunarDate{.day = 30, .month = 12, .year = 2029}));
}

TEST(HungKingsDay, IsTenthOfThirdLunarMonth) {
  EXPECT_EQ(iso(hung_kings_day(2024)), "2024-04-18");
  EXPECT_EQ(iso(hung_kings_day(2025)), "2025-04-07");
  EXPECT_EQ(iso(hung_kings_day(2026)), "2026-04-26");
  EXPECT_EQ(iso(hung_kings_day(2027)), "2027-04-16");
}

// Every solar day maps to one lunar date and back; successive days advance the lunar day by one
// or start a new month after day 29 or 30.
TEST(Conversion, RoundTripsEveryDayOf2000To2099) {
  const std::chrono::sys_days first{2000y / 1 / 1};
  const std::chrono::sys_days last{2099y / 12 / 31};
  LunarDate previous = to_lunar(year_month_day{first - std::chrono::days{1}});
  int failures = 0;
  for (auto d = first; d <= last && failures < 10; d += std::chrono::days{1}) {
    const year_month_day solar{d};
    const LunarDate lunar = to_lunar(solar);
    const auto back = to_solar(lunar);
    if (!back || *back != solar) {
      ADD_FAILURE() << iso(solar) << " → " << testing::PrintToString(lunar) << " → " << iso(back);
      ++failures;
    }
    const bool next_day = lunar.day == previous.day + 1 && lunar.month == previous.month &&
                          lunar.year == previous.year && lunar.leap == previous.leap;
    const bool new_month = lunar.day == 1 && (previous.day == 29 || previous.day == 30);
    if (!next_day && !new_month) {
      ADD_FAILURE() << iso(solar) << ": " << testing::PrintToString(previous) << " then "
                    << testing::PrintToString(lunar);
      ++failures;
    }
    previous = lunar;
  }
}

TEST(LeapMonth, Year2023HasLeapSecondMonth) {
  EXPECT_EQ(to_lunar(2023y / 3 / 22),
            (LunarDate{.day = 1, .month = 2, .year = 2023, .leap = true}));
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 1, .month = 2, .year = 2023, .leap = true})),
            "2023-03-22");
  // The ordinary month 2 precedes its leap twin; month 3 follows the leap month.
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 1, .month = 2, .year = 2023})), "2023-02-20");
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 1, .month = 3, .year = 2023})), "2023-04-20");
}

TEST(LeapMonth, Year2020HasLeapFourthMonth) {
  EXPECT_EQ(to_lunar(2020y / 5 / 23),
            (LunarDate{.day = 1, .month = 4, .year = 2020, .leap = true}));
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 1, .month = 4, .year = 2020, .leap = true})),
            "2020-05-23");
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 1, .month = 4, .year = 2020})), "2020-04-23");
}

TEST(NonexistentDate, LeapMonthTheYearDoesNotHave) {
  // 2024 has no leap month; 2023's leap month is 2, not 3.
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 1, .month = 2, .year = 2024, .leap = true})), "nullopt");
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 1, .month = 3, .year = 2023, .leap = true})), "nullopt");
}

TEST(NonexistentDate, DayThirtyOfShortMonth) {
  // Month 12 of Giáp Thìn (2024) has 29 days: the year had no "30 Tết".
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 30, .month = 12, .year = 2024})), "nullopt");
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 29, .month = 12, .year = 2024})), "2025-01-28");
  // Month 12 of Quý Mão (2023) has 30 days.
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 30, .month = 12, .year = 2023})), "2024-02-09");
}

TEST(NonexistentDate, OutOfRangeFields) {
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 0, .month = 1, .year = 2024})), "nullopt");
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 31, .month = 1, .year = 2024})), "nullopt");
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 1, .month = 0, .year = 2024})), "nullopt");
  EXPECT_EQ(iso(to_solar(LunarDate{.day = 1, .month = 13, .year = 2024})), "nullopt");
}

}  // namespace
}  // namespace motcua::sla::lunar
