#include "sla/lunar.hpp"

#include <cmath>
#include <numbers>

// Hồ Ngọc Đức, "Thuật toán tính âm lịch" (Computing the Vietnamese lunar calendar). The new moon
// and the sun's longitude come from the low-precision series in Jean Meeus, "Astronomical
// Algorithms" (1998), which the algorithm uses. A lunar month begins on the local civil day of a
// new moon; month 11 is the month that contains the winter solstice; a lunar year with 13 months
// between two months 11 makes the first month without a major solar term (trung khí) its leap
// month.

namespace motcua::sla::lunar {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kRad = kPi / 180.0;
// Mean synodic month in days (Meeus ch. 49).
constexpr double kSynodicMonth = 29.530588853;
// Julian date of the new moon of 1900-01-01, the origin of the lunation number k.
constexpr double kNewMoonEpoch = 2415021.076998695;
// JDN of 1970-01-01, the epoch of std::chrono::sys_days.
constexpr long kUnixEpochJdn = 2440588;

// Julian date (in TT, then corrected to UT) of the k-th new moon after 1900-01-01 (Meeus ch. 49,
// truncated series as in Hồ Ngọc Đức's algorithm).
double new_moon(long k) {
  const double t = static_cast<double>(k) / 1236.85;  // Julian centuries since 1900-01-01
  const double t2 = t * t;
  const double t3 = t2 * t;
  const double kd = static_cast<double>(k);
  double jd1 = 2415020.75933 + 29.53058868 * kd + 0.0001178 * t2 - 0.000000155 * t3;
  jd1 += 0.00033 * std::sin((166.56 + 132.87 * t - 0.009173 * t2) * kRad);
  // Mean anomalies of the sun and the moon, and the moon's argument of latitude.
  const double m = 359.2242 + 29.10535608 * kd - 0.0000333 * t2 - 0.00000347 * t3;
  const double mpr = 306.0253 + 385.81691806 * kd + 0.0107306 * t2 + 0.00001236 * t3;
  const double f = 21.2964 + 390.67050646 * kd - 0.0016528 * t2 - 0.00000239 * t3;
  double c1 = (0.1734 - 0.000393 * t) * std::sin(m * kRad) + 0.0021 * std::sin(2 * kRad * m);
  c1 = c1 - 0.4068 * std::sin(mpr * kRad) + 0.0161 * std::sin(kRad * 2 * mpr);
  c1 = c1 - 0.0004 * std::sin(kRad * 3 * mpr);
  c1 = c1 + 0.0104 * std::sin(kRad * 2 * f) - 0.0051 * std::sin(kRad * (m + mpr));
  c1 = c1 - 0.0074 * std::sin(kRad * (m - mpr)) + 0.0004 * std::sin(kRad * (2 * f + m));
  c1 = c1 - 0.0004 * std::sin(kRad * (2 * f - m)) - 0.0006 * std::sin(kRad * (2 * f + mpr));
  c1 = c1 + 0.0010 * std::sin(kRad * (2 * f - mpr)) + 0.0005 * std::sin(kRad * (2 * mpr + m));
  // ΔT = TT − UT in days, fitted polynomials.
  double delta_t;
  if (t < -11) {
    delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3;
  } else {
    delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2;
  }
  return jd1 + c1 - delta_t;
}

// JDN of the local civil day on which the k-th new moon falls.
long new_moon_day(long k, double time_zone) {
  return static_cast<long>(std::floor(new_moon(k) + 0.5 + time_zone / 24.0));
}

// Apparent longitude of the sun in radians, [0, 2π), at Julian date `jd` (Meeus ch. 25).
double sun_longitude(double jd) {
  const double t = (jd - 2451545.0) / 36525.0;  // Julian centuries since J2000.0
  const double t2 = t * t;
  const double m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
  const double l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
  double dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * std::sin(kRad * m);
  dl += (0.019993 - 0.000101 * t) * std::sin(kRad * 2 * m) + 0.000290 * std::sin(kRad * 3 * m);
  double l = (l0 + dl) * kRad;
  l -= 2 * kPi * std::floor(l / (2 * kPi));
  return l;
}

// Which of the 12 major solar terms (30° sectors, 0 = spring equinox) the sun is in at the start
// of local day `day`. Month 11 contains the winter solstice, sector 9 (270°).
int sun_sector(long day, double time_zone) {
  const double jd = static_cast<double>(day) - 0.5 - time_zone / 24.0;
  return static_cast<int>(std::floor(sun_longitude(jd) / kPi * 6.0));
}

// JDN of the first day of lunar month 11 that begins in or before December of Gregorian `year`.
long lunar_month_11(int year, double time_zone) {
  const long dec31 = julian_day(std::chrono::year{year} / std::chrono::December / 31);
  const long k =
      static_cast<long>(std::floor((static_cast<double>(dec31) - 2415021) / kSynodicMonth));
  const long start = new_moon_day(k, time_zone);
  // The month that begins after the solstice is month 12 or later; step back one month.
  if (sun_sector(start, time_zone) >= 9) return new_moon_day(k - 1, time_zone);
  return start;
}

// In a 13-month lunar year starting at month 11 (JDN `a11`), the index (1-based, counted from
// month 11) of the first month in which no major solar term begins: the leap month.
int leap_month_offset(long a11, double time_zone) {
  const long k = static_cast<long>(
      std::floor((static_cast<double>(a11) - kNewMoonEpoch) / kSynodicMonth + 0.5));
  int i = 1;
  int arc = sun_sector(new_moon_day(k + i, time_zone), time_zone);
  int last = 0;
  do {
    last = arc;
    ++i;
    arc = sun_sector(new_moon_day(k + i, time_zone), time_zone);
  } while (arc != last && i < 14);
  return i - 1;
}

// Nominal lunar date; the caller validates it by converting back.
long lunar_to_jdn(const LunarDate& lunar, double time_zone) {
  long a11 = 0;
  long b11 = 0;
  if (lunar.month < 11) {
    a11 = lunar_month_11(lunar.year - 1, time_zone);
    b11 = lunar_month_11(lunar.year, time_zone);
  } else {
    a11 = lunar_month_11(lunar.year, time_zone);
    b11 = lunar_month_11(lunar.year + 1, time_zone);
  }
  int offset = lunar.month - 11;
  if (offset < 0) offset += 12;
  if (b11 - a11 > 365) {
    const int leap_offset = leap_month_offset(a11, time_zone);
    if (lunar.leap || offset >= leap_offset) offset += 1;
  }
  const long k = static_cast<long>(
      std::floor(0.5 + (static_cast<double>(a11) - kNewMoonEpoch) / kSynodicMonth));
  return new_moon_day(k + offset, time_zone) + lunar.day - 1;
}

}  // namespace

long julian_day(std::chrono::year_month_day d) {
  return std::chrono::sys_days{d}.time_since_epoch().count() + kUnixEpochJdn;
}

std::chrono::year_month_day from_julian_day(long jd) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{jd - kUnixEpochJdn}}};
}

LunarDate to_lunar(std::chrono::year_month_day solar, double time_zone) {
  const long day = julian_day(solar);
  const int year = static_cast<int>(solar.year());
  const long k =
      static_cast<long>(std::floor((static_cast<double>(day) - kNewMoonEpoch) / kSynodicMonth));
  // k comes from the mean lunation, and the true new moon k can fall on a later local day than
  // `day` (at UTC+7: 2054-05-08 for 2054-05-07, 2062-04-10 for 2062-04-09); step back until the
  // month has begun, or such days come out as day 0 of the next month.
  long month_k = k + 1;
  long month_start = new_moon_day(month_k, time_zone);
  while (month_start > day)
    month_start = new_moon_day(--month_k, time_zone);

  LunarDate lunar;
  long a11 = lunar_month_11(year, time_zone);
  long b11 = a11;
  if (a11 >= month_start) {
    lunar.year = year;
    a11 = lunar_month_11(year - 1, time_zone);
  } else {
    lunar.year = year + 1;
    b11 = lunar_month_11(year + 1, time_zone);
  }
  lunar.day = static_cast<int>(day - month_start + 1);
  // Months elapsed since month 11: n months span 29n to 30n days, so dividing by 29 counts them
  // exactly for the at most 13 months of a lunar year.
  const int diff = static_cast<int>((month_start - a11) / 29);
  lunar.month = diff + 11;
  if (b11 - a11 > 365) {
    const int leap_offset = leap_month_offset(a11, time_zone);
    if (diff >= leap_offset) {
      lunar.month = diff + 10;
      lunar.leap = diff == leap_offset;
    }
  }
  if (lunar.month > 12) lunar.month -= 12;
  // Months 11 and 12 that begin before the new year belong to the previous lunar year.
  if (lunar.month >= 11 && diff < 4) lunar.year -= 1;
  return lunar;
}

std::optional<std::chrono::year_month_day> to_solar(const LunarDate& lunar, double time_zone) {
  if (lunar.day < 1 || lunar.day > 30 || lunar.month < 1 || lunar.month > 12) return std::nullopt;
  const auto solar = from_julian_day(lunar_to_jdn(lunar, time_zone));
  // A leap month the year lacks, or day 30 of a 29-day month, lands on another lunar date.
  if (to_lunar(solar, time_zone) != lunar) return std::nullopt;
  return solar;
}

std::chrono::year_month_day tet(int year) {
  // 1/1 of every lunar year exists.
  return *to_solar(LunarDate{.day = 1, .month = 1, .year = year, .leap = false});
}

std::chrono::year_month_day hung_kings_day(int year) {
  // Day 10 of the ordinary (not leap) month 3 always exists.
  return *to_solar(LunarDate{.day = 10, .month = 3, .year = year, .leap = false});
}

}  // namespace motcua::sla::lunar
