#include "sla/time.hpp"

#include <gtest/gtest.h>

namespace motcua::sla {
namespace {

using namespace std::chrono;

TEST(Time, Rfc3339RoundTripAtTheOffset) {
  auto t = parse_rfc3339("2026-03-10T17:00:00+07:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t, kVietnamOffset), "2026-03-10T17:00:00+07:00");
  EXPECT_EQ(format_rfc3339(*t, seconds(0)), "2026-03-10T10:00:00+00:00");
  EXPECT_EQ(*t, *parse_rfc3339("2026-03-10T10:00:00Z"));
  EXPECT_EQ(*t, *parse_rfc3339("2026-03-10 10:00:00.250z"));
}

TEST(Time, Rfc3339RejectsWhatIsNotAnInstant) {
  for (const char* bad :
       {"", "2026-03-10", "2026-03-10T17:00:00", "2026-02-30T10:00:00Z", "2026-03-10T24:00:00Z",
        "2026-03-10T17:00:00+7:00", "2026-03-10T17:00:00+07:00junk", "2026-03-10X17:00:00Z"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

TEST(Time, LocalDateCrossesMidnightAtTheOffset) {
  auto t = *parse_rfc3339("2026-03-09T18:30:00Z");  // 01:30 on the 10th in Vietnam
  EXPECT_EQ(format_date(local_date(t, kVietnamOffset)), "2026-03-10");
  EXPECT_EQ(local_time_of_day(t, kVietnamOffset), hours(1) + minutes(30));
  EXPECT_EQ(at_local(local_date(t, kVietnamOffset), hours(1) + minutes(30), kVietnamOffset), t);
}

TEST(Time, VietnameseFormat) {
  EXPECT_EQ(format_vn(*parse_rfc3339("2026-03-09T17:00:00+07:00"), kVietnamOffset),
            "09/03/2026 17:00");
}

TEST(Time, Offsets) {
  EXPECT_EQ(*parse_offset("+07:00"), hours(7));
  EXPECT_EQ(*parse_offset("-05:30"), -(hours(5) + minutes(30)));
  EXPECT_EQ(*parse_offset("Z"), seconds(0));
  EXPECT_FALSE(parse_offset("+7"));
  EXPECT_FALSE(parse_offset("+24:00"));
  EXPECT_EQ(format_offset(-(hours(5) + minutes(30))), "-05:30");
}

TEST(Time, Dates) {
  EXPECT_TRUE(parse_date("2024-02-29"));
  EXPECT_FALSE(parse_date("2026-02-29"));
  EXPECT_FALSE(parse_date("2026-13-01"));
  EXPECT_FALSE(parse_date("2026-1-01"));
  EXPECT_EQ(format_date(*parse_date("2026-08-22")), "2026-08-22");
}

}  // namespace
}  // namespace motcua::sla
