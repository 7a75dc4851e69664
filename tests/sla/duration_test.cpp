#include "sla/duration.hpp"

#include <cstdint>

#include <gtest/gtest.h>

namespace motcua::sla {
namespace {

using namespace std::chrono_literals;

Duration parse(std::string_view text) {
  std::string why;
  auto d = parse_duration(text, &why);
  EXPECT_TRUE(d.has_value()) << "'" << text << "': " << why;
  return d.value_or(Duration{-1, Duration::Unit::seconds});
}

std::string why_rejected(std::string_view text) {
  std::string why;
  auto d = parse_duration(text, &why);
  EXPECT_FALSE(d.has_value()) << "'" << text << "' parsed as " << format_duration(*d);
  EXPECT_FALSE(why.empty()) << "'" << text << "' rejected without a reason";
  return why;
}

TEST(ParseDuration, CompactClockUnits) {
  EXPECT_EQ(parse("90s"), Duration::clock(90s));
  EXPECT_EQ(parse("5m"), Duration::clock(5min));
  EXPECT_EQ(parse("2h"), Duration::clock(2h));
  EXPECT_EQ(parse("3d"), Duration::clock(72h));
  EXPECT_EQ(parse("1w"), Duration::clock(168h));
  EXPECT_EQ(parse("0s"), Duration::clock(0s));
}

TEST(ParseDuration, CombinedClockUnits) {
  EXPECT_EQ(parse("1h30m"), Duration::clock(90min));
  EXPECT_EQ(parse("1d2h3m4s"), Duration::clock(26h + 3min + 4s));
  EXPECT_EQ(parse("1h 30m"), Duration::clock(90min));
  EXPECT_EQ(parse("2 hours 15 minutes"), Duration::clock(135min));
}

TEST(ParseDuration, ClockWords) {
  EXPECT_EQ(parse("30 days"), Duration::clock(720h));
  EXPECT_EQ(parse("1 day"), Duration::clock(24h));
  EXPECT_EQ(parse("2 hours"), Duration::clock(2h));
  EXPECT_EQ(parse("1 hour"), Duration::clock(1h));
  EXPECT_EQ(parse("45 minutes"), Duration::clock(45min));
  EXPECT_EQ(parse("10 seconds"), Duration::clock(10s));
  EXPECT_EQ(parse("2 weeks"), Duration::clock(336h));
  EXPECT_EQ(parse("30 Days"), Duration::clock(720h));
  EXPECT_EQ(parse("  2h  "), Duration::clock(2h));
}

TEST(ParseDuration, WorkingTime) {
  EXPECT_EQ(parse("1 working day"), Duration::working_days(1));
  EXPECT_EQ(parse("2 working days"), Duration::working_days(2));
  EXPECT_EQ(parse("0 working days"), Duration::working_days(0));
  EXPECT_EQ(parse("4 working hours"), Duration::working(4h));
  EXPECT_EQ(parse("1 working hour"), Duration::working(1h));
  EXPECT_EQ(parse("30 working minutes"), Duration::working(30min));
  EXPECT_EQ(parse("20 working seconds"), Duration::working(20s));
  EXPECT_EQ(parse("4 Working Hours"), Duration::working(4h));
  EXPECT_EQ(parse("4 working hours 30 working minutes"), Duration::working(4h + 30min));
}

TEST(ParseDuration, VietnameseWorkingTime) {
  EXPECT_EQ(parse("1 ngày làm việc"), Duration::working_days(1));
  EXPECT_EQ(parse("3 ngày làm việc"), Duration::working_days(3));
  EXPECT_EQ(parse("4 giờ làm việc"), Duration::working(4h));
  EXPECT_EQ(parse("30 phút làm việc"), Duration::working(30min));
  // Without "làm việc" the Vietnamese words are clock time.
  EXPECT_EQ(parse("30 ngày"), Duration::clock(720h));
  EXPECT_EQ(parse("2 giờ"), Duration::clock(2h));
}

TEST(ParseDuration, RejectsEmptyAndBareNumbers) {
  why_rejected("");
  why_rejected("   ");
  why_rejected("5");
  why_rejected("h");
}

TEST(ParseDuration, RejectsNegatives) {
  EXPECT_NE(why_rejected("-5m").find("negative"), std::string::npos);
  EXPECT_NE(why_rejected("1h -5m").find("negative"), std::string::npos);
  why_rejected("-1 working day");
}

TEST(ParseDuration, RejectsFractionsAndUnknownUnits) {
  why_rejected("1.5h");
  why_rejected("1,5h");
  EXPECT_NE(why_rejected("5 fortnights").find("fortnights"), std::string::npos);
  why_rejected("5y");
  why_rejected("2 working weeks");
  why_rejected("1 working");
  why_rejected("1 tuần làm việc");
  why_rejected("1 ngày làm");
}

TEST(ParseDuration, RejectsTrailingJunk) {
  why_rejected("30s junk");
  why_rejected("30s!");
  why_rejected("2h,");
  why_rejected("1 working day please");
}

TEST(ParseDuration, RejectsMixedClockAndWorkingTime) {
  EXPECT_NE(why_rejected("1 working day 2h").find("mix"), std::string::npos);
  why_rejected("2h 1 working day");
  why_rejected("1 ngày làm việc 2 giờ");
  // Working days have no fixed length in hours until the calendar is known.
  why_rejected("1 working day 4 working hours");
}

TEST(ParseDuration, RejectsOverflow) {
  why_rejected("99999999999999999999s");
  why_rejected("9223372036854775807w");
  why_rejected("9223372036854775807s 1s");
  EXPECT_EQ(parse("9223372036854775807s"), Duration::clock(std::chrono::seconds(INT64_MAX)));
}

TEST(ParseDuration, WhyIsOptional) {
  EXPECT_FALSE(parse_duration("nonsense").has_value());
  EXPECT_TRUE(parse_duration("1h").has_value());
}

TEST(FormatDuration, Clock) {
  EXPECT_EQ(format_duration(Duration::clock(0s)), "0s");
  EXPECT_EQ(format_duration(Duration::clock(90s)), "1m30s");
  EXPECT_EQ(format_duration(Duration::clock(2h)), "2h");
  EXPECT_EQ(format_duration(Duration::clock(90min)), "1h30m");
  EXPECT_EQ(format_duration(Duration::clock(720h)), "30d");
  EXPECT_EQ(format_duration(Duration::clock(26h + 3min + 4s)), "1d2h3m4s");
}

TEST(FormatDuration, Working) {
  EXPECT_EQ(format_duration(Duration::working_days(1)), "1 working day");
  EXPECT_EQ(format_duration(Duration::working_days(2)), "2 working days");
  EXPECT_EQ(format_duration(Duration::working(4h)), "4 working hours");
  EXPECT_EQ(format_duration(Duration::working(1h)), "1 working hour");
  EXPECT_EQ(format_duration(Duration::working(90min)), "90 working minutes");
  EXPECT_EQ(format_duration(Duration::working(61s)), "61 working seconds");
}

TEST(FormatDuration, RoundTrips) {
  for (const char* text :
       {"0s", "90s", "1h30m", "30 days", "1w", "1 working day", "3 working days", "4 working hours",
        "30 working minutes", "7 working seconds", "4 giờ làm việc", "123456789s"}) {
    Duration d = parse(text);
    EXPECT_EQ(parse(format_duration(d)), d) << text;
  }
}

TEST(DurationWorkingTime, ConvertsWorkingDaysWithTheDayLength) {
  EXPECT_EQ(Duration::working_days(2).working_time(8h), 16h);
  EXPECT_EQ(Duration::working_days(1).working_time(7h + 30min), 7h + 30min);
  EXPECT_EQ(Duration::working(4h).working_time(8h), 4h);
  EXPECT_EQ(Duration::clock(3h).working_time(8h), 3h);
  EXPECT_TRUE(Duration::working_days(1).is_working());
  EXPECT_TRUE(Duration::working(1s).is_working());
  EXPECT_FALSE(Duration::clock(1s).is_working());
}

}  // namespace
}  // namespace motcua::sla
