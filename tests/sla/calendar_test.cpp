#include "sla/calendar.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tests/sla/fixtures.hpp"

namespace motcua::sla {
namespace {

using namespace std::chrono;
using testing::D;
using testing::official_calendar;
using testing::T;

const WorkingCalendar& cal() {
  return official_calendar();
}

TEST(CalendarTables, Tet2026IsOffAndTheDaysAroundItWork) {
  EXPECT_TRUE(cal().is_working_day(D("2026-02-13")));  // Friday before Tết
  for (const char* d : {"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"})
    EXPECT_FALSE(cal().is_working_day(D(d))) << d;
  EXPECT_TRUE(cal().is_working_day(D("2026-02-23")));
  EXPECT_FALSE(cal().holiday_name(D("2026-02-17")).empty());
  EXPECT_TRUE(cal().holiday_name(D("2026-02-23")).empty());
}

TEST(CalendarTables, Tet2024And2025) {
  for (const char* d : {"2024-02-08", "2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14"})
    EXPECT_FALSE(cal().is_working_day(D(d))) << d;
  EXPECT_TRUE(cal().is_working_day(D("2024-02-15")));
  for (const char* d : {"2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31"})
    EXPECT_FALSE(cal().is_working_day(D(d))) << d;
  EXPECT_TRUE(cal().is_working_day(D("2025-02-03")));
}

TEST(CalendarTables, MakeUpSaturdaysAreWorkingDays) {
  EXPECT_TRUE(cal().is_working_day(D("2024-05-04")));
  EXPECT_TRUE(cal().is_working_day(D("2025-04-26")));
  EXPECT_TRUE(cal().is_working_day(D("2026-08-22")));
  // An ordinary Saturday is not.
  EXPECT_FALSE(cal().is_working_day(D("2026-08-15")));
}

TEST(CalendarTables, SwappedWeekdaysAreOff) {
  EXPECT_FALSE(cal().is_working_day(D("2026-08-31")));  // Monday swapped for Saturday 22/08
  EXPECT_FALSE(cal().is_working_day(D("2026-09-01")));
  EXPECT_FALSE(cal().is_working_day(D("2026-09-02")));
  EXPECT_TRUE(cal().is_working_day(D("2026-09-03")));
  EXPECT_FALSE(cal().is_working_day(D("2024-04-29")));  // Monday swapped for Saturday 04/05
  EXPECT_FALSE(cal().is_working_day(D("2025-05-02")));  // Friday swapped for Saturday 26/04
}

TEST(CalendarTables, OfficialYearsAreConfirmedOthersComputed) {
  for (int y : {2023, 2024, 2025, 2026})
    EXPECT_TRUE(cal().is_confirmed(y)) << y;
  EXPECT_FALSE(cal().is_confirmed(2027));
  EXPECT_EQ(cal().unconfirmed_years(2025, 2028), (std::vector<int>{2027, 2028}));
}

TEST(CalendarTables, UnconfirmedYearStillHasTheStatutoryHolidays) {
  // Tết 2027 is 06/02: the last day of the old year and four days of the new one are off.
  for (const char* d : {"2027-02-05", "2027-02-08", "2027-02-09"})
    EXPECT_FALSE(cal().is_working_day(D(d))) << d;
  EXPECT_FALSE(cal().is_working_day(D("2027-04-16")));  // Hùng Kings, Friday
  EXPECT_FALSE(cal().is_working_day(D("2027-04-30")));
  EXPECT_FALSE(cal().is_working_day(D("2027-01-01")));
  EXPECT_TRUE(cal().is_working_day(D("2027-03-02")));
}

TEST(WorkingTime, FridayAfternoonToMondayMorningIsFiveHours) {
  EXPECT_EQ(cal().working_time_between(T("2026-03-06 15:00"), T("2026-03-09 10:00")), hours(5));
}

TEST(WorkingTime, LunchDoesNotCount) {
  EXPECT_EQ(cal().working_time_between(T("2026-03-10 11:00"), T("2026-03-10 14:00")), hours(1));
  EXPECT_EQ(cal().working_time_between(T("2026-03-10 11:30"), T("2026-03-10 13:30")), seconds(0));
}

TEST(WorkingTime, AWholeDayIsEightHours) {
  EXPECT_EQ(cal().working_day_length(), hours(8));
  EXPECT_EQ(cal().working_time_between(T("2026-03-10 00:00"), T("2026-03-11 00:00")), hours(8));
}

TEST(WorkingTime, NegativeWhenReversed) {
  EXPECT_EQ(cal().working_time_between(T("2026-03-09 10:00"), T("2026-03-06 15:00")), -hours(5));
}

TEST(WorkingTime, TetWeekCountsNothing) {
  EXPECT_EQ(cal().working_time_between(T("2026-02-13 17:00"), T("2026-02-23 07:00")), seconds(0));
  EXPECT_EQ(cal().working_time_between(T("2026-02-13 16:00"), T("2026-02-23 08:00")), hours(2));
}

TEST(WorkingTime, MakeUpSaturdayCounts) {
  // Fri 21/08 16:00 → Mon 24/08 08:00 = 1 h + Saturday 22/08 (8 h) + 1 h.
  EXPECT_EQ(cal().working_time_between(T("2026-08-21 16:00"), T("2026-08-24 08:00")), hours(10));
}

TEST(WorkingTime, AcrossTheYearBoundary) {
  // 31/12/2025 is a Wednesday; 1/1/2026 is off.
  EXPECT_EQ(cal().add_working_time(T("2025-12-31 16:00"), hours(2)), T("2026-01-02 08:00"));
  EXPECT_EQ(cal().working_time_between(T("2025-12-31 16:00"), T("2026-01-02 08:00")), hours(2));
}

TEST(AddWorkingTime, WholeDayFromOpeningLandsAtClosing) {
  EXPECT_EQ(cal().add_working_days(T("2026-03-09 07:00"), 1), T("2026-03-09 17:00"));
  EXPECT_EQ(cal().add_working_days(T("2026-03-09 09:00"), 1), T("2026-03-10 09:00"));
  EXPECT_EQ(cal().add_working_days(T("2026-03-06 09:00"), 1), T("2026-03-09 09:00"));
}

TEST(AddWorkingTime, EndOfMorningSessionIsReachedBeforeLunch) {
  EXPECT_EQ(cal().add_working_time(T("2026-03-10 07:00"), minutes(270)), T("2026-03-10 11:30"));
  EXPECT_EQ(cal().add_working_time(T("2026-03-10 07:00"), minutes(271)), T("2026-03-10 13:31"));
}

TEST(AddWorkingTime, FromOutsideWorkingHours) {
  EXPECT_EQ(cal().add_working_time(T("2026-03-06 18:00"), hours(1)), T("2026-03-09 08:00"));
  EXPECT_EQ(cal().add_working_time(T("2026-03-06 18:00"), seconds(0)), T("2026-03-06 18:00"));
}

TEST(AddWorkingTime, ThreeDaysOverTet) {
  // Received Thursday 12/02/2026 at 09:00; three working days: 12, 13, then 23 and 24/02.
  EXPECT_EQ(cal().add_working_days(T("2026-02-12 09:00"), 3), T("2026-02-24 09:00"));
}

TEST(SubtractWorkingTime, MirrorsAdd) {
  EXPECT_EQ(cal().subtract_working_time(T("2026-03-10 17:00"), hours(8)), T("2026-03-09 17:00"));
  EXPECT_EQ(cal().subtract_working_time(T("2026-02-23 08:00"), hours(2)), T("2026-02-13 16:00"));
}

TEST(AddCalendarDays, LandingOnADayOffMovesToNextOpening) {
  EXPECT_EQ(cal().add_calendar_days(T("2026-03-02 09:00"), 3), T("2026-03-05 09:00"));
  EXPECT_EQ(cal().add_calendar_days(T("2026-03-02 09:00"), 5), T("2026-03-09 07:00"));
  EXPECT_EQ(cal().add_calendar_days(T("2026-02-10 09:00"), 5), T("2026-02-23 07:00"));
}

TEST(NormalizeReceipt, AllCases) {
  EXPECT_EQ(cal().normalize_receipt(T("2026-03-10 09:15")), T("2026-03-10 09:15"));
  EXPECT_EQ(cal().normalize_receipt(T("2026-03-10 06:00")), T("2026-03-10 07:00"));
  EXPECT_EQ(cal().normalize_receipt(T("2026-03-10 12:00")), T("2026-03-10 13:30"));
  EXPECT_EQ(cal().normalize_receipt(T("2026-03-10 11:30")), T("2026-03-10 13:30"));
  EXPECT_EQ(cal().normalize_receipt(T("2026-03-10 17:00")), T("2026-03-11 07:00"));
  EXPECT_EQ(cal().normalize_receipt(T("2026-03-10 21:45")), T("2026-03-11 07:00"));
  EXPECT_EQ(cal().normalize_receipt(T("2026-03-06 17:30")), T("2026-03-09 07:00"));
  EXPECT_EQ(cal().normalize_receipt(T("2026-02-13 18:00")), T("2026-02-23 07:00"));
  EXPECT_EQ(cal().normalize_receipt(T("2026-08-22 10:00")), T("2026-08-22 10:00"));
}

TEST(NextOpening, NextSessionStart) {
  EXPECT_EQ(cal().next_opening(T("2026-03-10 07:00")), T("2026-03-10 07:00"));
  EXPECT_EQ(cal().next_opening(T("2026-03-10 09:00")), T("2026-03-10 13:30"));
  EXPECT_EQ(cal().next_opening(T("2026-03-10 15:00")), T("2026-03-11 07:00"));
  EXPECT_EQ(cal().next_opening(T("2026-08-28 15:00")), T("2026-09-03 07:00"));
}

TEST(WorkingDayBefore, SkipsWeekendsAndHolidays) {
  EXPECT_EQ(cal().working_day_before(D("2026-02-23")), D("2026-02-13"));  // DOMAIN.md's example
  EXPECT_EQ(cal().working_day_before(D("2026-03-10")), D("2026-03-09"));
  EXPECT_EQ(cal().working_day_before(D("2026-03-09")), D("2026-03-06"));
  EXPECT_EQ(cal().working_day_before(D("2026-08-24")), D("2026-08-22"));  // make-up Saturday
  EXPECT_EQ(cal().working_day_before(D("2026-01-02")), D("2025-12-31"));
}

TEST(CalendarSettingsTest, ExtraDaysFromConfigApply) {
  auto s = testing::official_settings();
  s.extra_holidays.push_back({D("2026-03-10"), "Nghỉ theo quyết định của tỉnh", false});
  s.extra_workdays.push_back({D("2026-03-14"), "Làm bù", false});
  WorkingCalendar c(s);
  EXPECT_FALSE(c.is_working_day(D("2026-03-10")));
  EXPECT_TRUE(c.is_working_day(D("2026-03-14")));
  EXPECT_EQ(c.holiday_name(D("2026-03-10")), "Nghỉ theo quyết định của tỉnh");
  EXPECT_EQ(c.working_time_between(T("2026-03-09 17:00"), T("2026-03-11 07:00")), seconds(0));
}

TEST(CalendarSettingsTest, OtherHoursAndOffset) {
  CalendarSettings s;
  s.sessions = {{hours(8), hours(12)}, {hours(13), minutes(16 * 60 + 30)}};  // 7.5 h
  s.utc_offset = hours(0);
  WorkingCalendar c(s);
  EXPECT_EQ(c.working_day_length(), minutes(450));
  EXPECT_EQ(c.add_working_days(*parse_rfc3339("2026-03-10T08:00:00Z"), 1),
            *parse_rfc3339("2026-03-10T16:30:00Z"));
}

TEST(CalendarSettingsTest, RejectsBrokenSessions) {
  CalendarSettings s;
  s.sessions = {{hours(13), hours(17)}, {hours(7), hours(11)}};
  EXPECT_THROW(WorkingCalendar{s}, std::invalid_argument);
  s.sessions = {};
  EXPECT_THROW(WorkingCalendar{s}, std::invalid_argument);
}

// add and between are inverse operations, and add is monotonic.
TEST(WorkingTimeProperty, AddThenMeasureRoundTrips) {
  std::mt19937_64 rng(20260310);
  const auto base = T("2023-01-01 00:00");
  std::uniform_int_distribution<std::int64_t> offset(0, 4LL * 365 * 86400);
  std::uniform_int_distribution<std::int64_t> amount(1, 60LL * 8 * 3600);
  for (int i = 0; i < 20000; ++i) {
    const Instant t = base + seconds(offset(rng));
    const seconds a{amount(rng)};
    const Instant r = cal().add_working_time(t, a);
    ASSERT_EQ(cal().working_time_between(t, r), a) << format_rfc3339(t, hours(7));
    ASSERT_GT(r, t);
    ASSERT_EQ(cal().add_working_time(t, a + seconds(1)) > r, true);
    ASSERT_TRUE(cal().is_working_day(cal().local_date(r)));
  }
}

}  // namespace
}  // namespace motcua::sla
