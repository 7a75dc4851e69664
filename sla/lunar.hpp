#pragma once
// The Vietnamese lunisolar calendar, after Hồ Ngọc Đức's algorithm ("Thuật toán tính âm lịch"),
// computed for the UTC+7 meridian. Vietnam's calendar differs from China's (UTC+8) in some years,
// e.g. Tết 2030 is 02/02 in Vietnam and 03/02 in China.
#include <chrono>
#include <optional>

namespace motcua::sla::lunar {

struct LunarDate {
  int day = 1;
  int month = 1;
  int year = 0;
  bool leap = false;  // a leap (nhuận) month
  bool operator==(const LunarDate&) const = default;
};

// Julian day number of a proleptic Gregorian date (JDN 2451545 is 2000-01-01).
long julian_day(std::chrono::year_month_day d);
std::chrono::year_month_day from_julian_day(long jd);

LunarDate to_lunar(std::chrono::year_month_day solar, double time_zone = 7.0);
// nullopt when the lunar date does not exist (e.g. a leap month the year does not have).
std::optional<std::chrono::year_month_day> to_solar(const LunarDate& lunar, double time_zone = 7.0);

// The first day of the lunar year that begins in Gregorian `year` (Tết Nguyên đán).
std::chrono::year_month_day tet(int year);
// 10/3 lunar of that lunar year (Giỗ Tổ Hùng Vương).
std::chrono::year_month_day hung_kings_day(int year);

}  // namespace motcua::sla::lunar
