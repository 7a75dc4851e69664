// The holiday tables: the official ones embedded in the binary (config/holidays/vn.toml), their
// file format, and how a config adds to or replaces them.
#include "config/holidays.hpp"

#include <algorithm>
#include <chrono>

#include "config/resources.hpp"
#include "sla/calendar.hpp"
#include "tests/config/support.hpp"

namespace motcua::config {
namespace {

using std::chrono::Saturday;
using std::chrono::Sunday;
using std::chrono::weekday;
using test::ErrorIn;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

sla::Date D(std::string_view text) {
  auto d = sla::parse_date(text);
  EXPECT_TRUE(d) << text;
  return d.value_or(sla::Date{});
}

const sla::HolidayYear& year_of(const std::vector<sla::HolidayYear>& tables, int year) {
  auto it = std::find_if(tables.begin(), tables.end(),
                         [&](const sla::HolidayYear& t) { return t.year == year; });
  if (it == tables.end()) throw std::runtime_error("no table for " + std::to_string(year));
  return *it;
}

const sla::CalendarDay* find_day(const std::vector<sla::CalendarDay>& days, std::string_view date) {
  for (const auto& d : days)
    if (d.date == D(date)) return &d;
  return nullptr;
}

std::vector<ConfigError> holiday_errors(std::string_view text) {
  try {
    parse_holiday_tables(text, "h.toml");
  } catch (const ConfigErrors& e) {
    return e.errors;
  }
  ADD_FAILURE() << "the tables loaded, but errors were expected";
  return {};
}

bool weekend(sla::Date d) {
  return weekday(d) == Saturday || weekday(d) == Sunday;
}

TEST(BuiltinHolidays, AreEmbeddedAndLoad) {
  ASSERT_TRUE(resources::find(kBuiltinHolidaysResource));
  auto tables = builtin_holiday_tables();
  ASSERT_THAT(tables, SizeIs(4));
  for (int y = 2023; y <= 2026; ++y) {
    const auto& t = year_of(tables, y);
    EXPECT_TRUE(t.confirmed) << y;
    EXPECT_FALSE(t.source.empty()) << y;
    // Labour Code art. 112(1)(a): 1/1 is a holiday every year.
    EXPECT_TRUE(find_day(t.holidays, std::to_string(y) + "-01-01")) << y;
  }
}

TEST(BuiltinHolidays, Year2026) {
  auto tables = builtin_holiday_tables();
  const auto& t = year_of(tables, 2026);
  // Tết 14/02–22/02: Monday 16/02 to Friday 20/02 are the working days it takes.
  for (auto day : {"2026-02-14", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
                   "2026-02-20", "2026-02-22"}) {
    const auto* h = find_day(t.holidays, day);
    ASSERT_TRUE(h) << day;
    EXPECT_EQ(h->name, "Tết Nguyên đán");
    EXPECT_FALSE(h->assumption);
  }
  EXPECT_FALSE(find_day(t.holidays, "2026-02-13"));
  EXPECT_FALSE(find_day(t.holidays, "2026-02-23"));
  // Monday 31/08 is swapped for Saturday 22/08.
  ASSERT_TRUE(find_day(t.holidays, "2026-08-31"));
  ASSERT_THAT(t.makeup_workdays, SizeIs(1));
  EXPECT_EQ(t.makeup_workdays[0].date, D("2026-08-22"));
  EXPECT_EQ(weekday(t.makeup_workdays[0].date), Saturday);
  for (auto day : {"2026-04-30", "2026-05-01", "2026-09-01", "2026-09-02"})
    EXPECT_TRUE(find_day(t.holidays, day)) << day;
  // Hùng Kings falls on Sunday 26/04; the Monday off is not yet checked (DOMAIN.md).
  const auto* hung_kings = find_day(t.holidays, "2026-04-26");
  const auto* compensation = find_day(t.holidays, "2026-04-27");
  ASSERT_TRUE(hung_kings);
  ASSERT_TRUE(compensation);
  EXPECT_TRUE(hung_kings->assumption);
  EXPECT_TRUE(compensation->assumption);
  EXPECT_EQ(weekday(compensation->date), std::chrono::Monday);
}

TEST(BuiltinHolidays, OtherYearsAsInDomainMd) {
  auto tables = builtin_holiday_tables();
  const auto& y2023 = year_of(tables, 2023);
  EXPECT_TRUE(find_day(y2023.holidays, "2023-01-02"));  // 1/1 was a Sunday
  for (auto day : {"2023-01-20", "2023-01-26", "2023-09-01", "2023-09-04"})
    EXPECT_TRUE(find_day(y2023.holidays, day)) << day;
  // 30/4–1/5 2023 is not confirmed: every entry around it says so.
  for (auto day : {"2023-04-29", "2023-04-30", "2023-05-01", "2023-05-02", "2023-05-03"}) {
    const auto* h = find_day(y2023.holidays, day);
    ASSERT_TRUE(h) << day;
    EXPECT_TRUE(h->assumption) << day;
  }
  EXPECT_FALSE(find_day(y2023.holidays, "2023-01-20")->assumption);

  const auto& y2024 = year_of(tables, 2024);
  for (auto day : {"2024-02-08", "2024-02-14", "2024-04-18", "2024-04-29", "2024-04-30",
                   "2024-05-01", "2024-08-31", "2024-09-03"})
    EXPECT_TRUE(find_day(y2024.holidays, day)) << day;
  EXPECT_FALSE(find_day(y2024.holidays, "2024-04-18")->assumption);
  ASSERT_THAT(y2024.makeup_workdays, SizeIs(1));
  EXPECT_EQ(y2024.makeup_workdays[0].date, D("2024-05-04"));

  const auto& y2025 = year_of(tables, 2025);
  for (auto day : {"2025-01-25", "2025-02-02", "2025-04-07", "2025-04-30", "2025-05-02",
                   "2025-08-30", "2025-09-02"})
    EXPECT_TRUE(find_day(y2025.holidays, day)) << day;
  ASSERT_THAT(y2025.makeup_workdays, SizeIs(1));
  EXPECT_EQ(y2025.makeup_workdays[0].date, D("2025-04-26"));

  // Only the entries DOMAIN.md has not confirmed carry the mark.
  for (const auto& t : tables) {
    for (const auto& h : t.holidays) {
      if (h.assumption) {
        EXPECT_TRUE(t.year == 2023 || h.date == D("2026-04-26") || h.date == D("2026-04-27"))
            << sla::format_date(h.date);
      }
    }
  }
}

TEST(BuiltinHolidays, MakeupDaysAreWeekendsAndSwappedDaysAreWeekdays) {
  for (const auto& t : builtin_holiday_tables()) {
    for (const auto& w : t.makeup_workdays)
      EXPECT_TRUE(weekend(w.date)) << sla::format_date(w.date);
    for (const auto& h : t.holidays) {
      EXPECT_FALSE(h.name.empty());
      if (h.name.starts_with("Nghỉ hoán đổi") || h.name.starts_with("Nghỉ bù")) {
        EXPECT_FALSE(weekend(h.date)) << sla::format_date(h.date);
      }
    }
  }
}

TEST(BuiltinHolidays, DriveTheWorkingCalendar) {
  Config c = test::load(test::kMinimal);
  sla::WorkingCalendar calendar(c.calendar);
  EXPECT_TRUE(calendar.is_confirmed(2026));
  EXPECT_FALSE(calendar.is_working_day(D("2026-02-16")));
  EXPECT_FALSE(calendar.is_working_day(D("2026-02-20")));
  EXPECT_TRUE(calendar.is_working_day(D("2026-02-23")));
  EXPECT_TRUE(calendar.is_working_day(D("2026-08-22")));   // Saturday worked
  EXPECT_FALSE(calendar.is_working_day(D("2026-08-31")));  // Monday off
  EXPECT_FALSE(calendar.is_working_day(D("2024-04-29")));
  EXPECT_TRUE(calendar.is_working_day(D("2024-05-04")));
  // DOMAIN.md "Rule semantics": the working day before Monday 23/02/2026 is Friday 13/02/2026.
  EXPECT_EQ(calendar.working_day_before(D("2026-02-23")), D("2026-02-13"));
  EXPECT_EQ(calendar.holiday_name(D("2026-02-17")), "Tết Nguyên đán");
}

TEST(HolidayTables, FormatAcceptsStringsDatesAndRanges) {
  auto tables = parse_holiday_tables(R"([[year]]
year = 2030
source = "Thông báo thử"
holidays = [
  "2030-01-01",
  2030-01-02,
  { date = 2030-04-30, name = "Ngày Chiến thắng" },
  { from = "2030-02-01", to = "2030-02-03", name = "Tết Nguyên đán", assumption = true },
]
makeup_workdays = [{ date = "2030-01-05", name = "Làm bù" }]

[[year]]
year = 2029
confirmed = false
)",
                                     "h.toml");
  ASSERT_THAT(tables, SizeIs(2));
  EXPECT_EQ(tables[0].year, 2029);  // sorted by year
  EXPECT_FALSE(tables[0].confirmed);
  const auto& t = tables[1];
  EXPECT_EQ(t.source, "Thông báo thử");
  ASSERT_THAT(t.holidays, SizeIs(6));
  EXPECT_EQ(t.holidays[1].date, D("2030-01-02"));
  EXPECT_EQ(t.holidays[2].name, "Ngày Chiến thắng");
  EXPECT_EQ(t.holidays[3].date, D("2030-02-01"));
  EXPECT_EQ(t.holidays[5].date, D("2030-02-03"));
  EXPECT_TRUE(t.holidays[5].assumption);
  EXPECT_FALSE(t.holidays[2].assumption);
  ASSERT_THAT(t.makeup_workdays, SizeIs(1));
}

TEST(HolidayTables, ErrorsArePositionedInTheTableFile) {
  auto errors = holiday_errors(R"([[year]]
year = 2030
holidays = [
  "2030-02-30",
  { date = "2030-05-01", to = "2030-05-02" },
  { from = "2030-05-05" },
  { from = "2030-06-01", to = "2030-08-01" },
  "2032-01-01",
  "2030-01-01",
  { date = "2030-01-01", name = "again" },
]
makeup_workdays = ["2030-01-01"]
colour = "red"

[[year]]
year = 2030

[[year]]
year = 1999
)");
  EXPECT_THAT(
      errors,
      ElementsAre(
          ErrorIn("h.toml", 4, 3, HasSubstr("bad date '2030-02-30'")),
          ErrorIn("h.toml", 5, 3, HasSubstr("either 'date' or 'from' and 'to', not both")),
          ErrorIn("h.toml", 6, 3,
                  "missing required key 'to' in an entry of 'holidays' of "
                  "[[year]] 2030"),
          ErrorIn("h.toml", 7, 31, HasSubstr("is longer than 31 days")),
          ErrorIn("h.toml", 8, 3,
                  HasSubstr("2032-01-01 in 'holidays' of [[year]] 2030 is outside "
                            "2029–2031")),
          ErrorIn("h.toml", 10, 12,
                  "2030-01-01 is listed twice in 'holidays' of [[year]] 2030 "
                  "(also at line 9)"),
          ErrorIn("h.toml", 12, 20,
                  "2030-01-01 is both a holiday and a make-up workday in "
                  "[[year]] 2030"),
          ErrorIn("h.toml", 13, 1, "unknown key 'colour' in [[year]]"),
          ErrorIn("h.toml", 16, 8, "year 2030 is given twice (also at line 2)"),
          ErrorIn("h.toml", 19, 8, "'year' in [[year]] must be between 2000 and 2099; got 1999")));
}

TEST(HolidayTables, SyntaxErrorAndEmptyFile) {
  EXPECT_THAT(holiday_errors("[[year]\n"),
              ElementsAre(ErrorIn("h.toml", 1, 8, HasSubstr("expected ']'"))));
  EXPECT_THAT(holiday_errors("# nothing\n"),
              ElementsAre(ErrorIn("h.toml", 1, 1, HasSubstr("no [[year]] tables"))));
}

TEST(HolidaysFile, ReplacesABuiltinYearAndAddsNewOnes) {
  test::TempDir dir;
  // Suppose the 2026 National Day swap were cancelled, and 2027's notice were out.
  dir.write("holidays.toml", R"([[year]]
year = 2026
source = "Thông báo giả định cho kiểm thử"
holidays = [
  { date = "2026-01-01", name = "Tết Dương lịch" },
  { from = "2026-02-14", to = "2026-02-22", name = "Tết Nguyên đán" },
  { from = "2026-09-01", to = "2026-09-02", name = "Quốc khánh" },
]

[[year]]
year = 2027
holidays = [{ date = "2027-01-01", name = "Tết Dương lịch" }]
)");
  auto file = dir.write("config.toml", test::minimal_text() + R"(
[calendar]
holidays_file = "holidays.toml"
)");
  Config c = load_config(file);
  ASSERT_THAT(c.calendar.tables, SizeIs(5));
  const auto& y2026 = year_of(c.calendar.tables, 2026);
  EXPECT_EQ(y2026.source, "Thông báo giả định cho kiểm thử");
  EXPECT_THAT(y2026.makeup_workdays, SizeIs(0));
  EXPECT_FALSE(find_day(y2026.holidays, "2026-08-31"));
  EXPECT_TRUE(find_day(year_of(c.calendar.tables, 2025).holidays, "2025-05-02"));
  EXPECT_THAT(c.summary(), HasSubstr("calendar 2023–2027 official"));

  sla::WorkingCalendar calendar(c.calendar);
  EXPECT_TRUE(calendar.is_working_day(D("2026-08-31")));
  EXPECT_FALSE(calendar.is_working_day(D("2026-08-22")));
  EXPECT_TRUE(calendar.is_confirmed(2027));
}

TEST(HolidaysFile, AloneWhenTheBuiltinTablesAreOff) {
  test::TempDir dir;
  dir.write("vn.toml", "[[year]]\nyear = 2026\nholidays = [\"2026-01-01\"]\n");
  auto file = dir.write("config.toml", test::minimal_text() + R"(
[calendar]
builtin_holidays = false
holidays_file = "vn.toml"
)");
  Config c = load_config(file);
  ASSERT_THAT(c.calendar.tables, SizeIs(1));
  EXPECT_EQ(c.calendar.tables[0].year, 2026);
  EXPECT_THAT(c.summary(), HasSubstr("calendar 2026 official"));

  Config none = test::load(test::minimal_text() + "[calendar]\nbuiltin_holidays = false\n");
  EXPECT_THAT(none.calendar.tables, SizeIs(0));
  EXPECT_THAT(none.summary(), HasSubstr("calendar computed (no official tables)"));
}

TEST(HolidayTables, MergeReplacesByYear) {
  std::vector<sla::HolidayYear> tables(2);
  tables[0].year = 2026;
  tables[0].source = "old";
  tables[1].year = 2024;
  std::vector<sla::HolidayYear> more(2);
  more[0].year = 2026;
  more[0].source = "new";
  more[1].year = 2025;
  merge_holiday_tables(tables, more);
  ASSERT_THAT(tables, SizeIs(3));
  EXPECT_EQ(tables[0].year, 2024);
  EXPECT_EQ(tables[1].year, 2025);
  EXPECT_EQ(tables[2].source, "new");
}

}  // namespace
}  // namespace motcua::config
