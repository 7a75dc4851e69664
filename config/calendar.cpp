// [calendar]: working weekdays, daily sessions and the holiday tables (DOMAIN.md "Working time").
#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "config/holidays.hpp"
#include "config/resources.hpp"
#include "config/sections.hpp"

namespace motcua::config::detail {
namespace {

using std::chrono::minutes;

// Indexed like CalendarSettings::workdays (0 = Sunday).
constexpr std::array<std::string_view, 7> kWeekdays{"sun", "mon", "tue", "wed",
                                                    "thu", "fri", "sat"};

std::optional<minutes> parse_clock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0u, 1u, 3u, 4u})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  int h = (text[0] - '0') * 10 + (text[1] - '0');
  int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return minutes(h * 60 + m);
}

// "07:00-11:30"
std::optional<sla::WorkingSession> parse_session(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto start = parse_clock(text.substr(0, dash));
  auto end = parse_clock(text.substr(dash + 1));
  if (!start || !end) return std::nullopt;
  return sla::WorkingSession{*start, *end};
}

void read_workdays(TableReader& r, sla::CalendarSettings& c) {
  auto days = r.string_array_with_positions("workdays");
  if (!days) return;
  std::array<bool, 7> workdays{};
  bool ok = true;
  for (const auto& [name, where] : *days) {
    auto it = std::find(kWeekdays.begin(), kWeekdays.end(), name);
    if (it == kWeekdays.end()) {
      r.document().error(where, "unknown weekday '" + name +
                                    "' in 'workdays' of [calendar] (use mon, tue, wed, thu, fri, "
                                    "sat, sun)");
      ok = false;
      continue;
    }
    auto i = static_cast<std::size_t>(it - kWeekdays.begin());
    if (workdays[i]) {
      r.document().error(where,
                         "weekday '" + name + "' is listed twice in 'workdays' of [calendar]");
      ok = false;
    }
    workdays[i] = true;
  }
  if (ok && days->empty()) {
    r.error_at("workdays", "'workdays' in [calendar] must name at least one working weekday");
    return;
  }
  if (ok) c.workdays = workdays;
}

void read_sessions(TableReader& r, sla::CalendarSettings& c) {
  auto hours = r.string_array_with_positions("working_hours");
  if (!hours) return;
  std::vector<sla::WorkingSession> sessions;
  bool ok = true;
  for (const auto& [text, where] : *hours) {
    auto s = parse_session(text);
    if (!s) {
      r.document().error(where, "bad session '" + text +
                                    "' in 'working_hours' of [calendar]: expected \"HH:MM-HH:MM\"");
      ok = false;
    } else if (s->end <= s->start) {
      r.document().error(where, "session '" + text + "' in 'working_hours' of [calendar] is empty");
      ok = false;
    } else if (!sessions.empty() && s->start < sessions.back().end) {
      r.document().error(where, "session '" + text +
                                    "' in 'working_hours' of [calendar] overlaps or precedes the "
                                    "one before it; list sessions in order");
      ok = false;
    } else {
      sessions.push_back(*s);
    }
  }
  if (ok && sessions.empty()) {
    r.error_at("working_hours", "'working_hours' in [calendar] must list at least one session");
    return;
  }
  if (ok) c.sessions = std::move(sessions);
}

void read_holiday_tables(TableReader& r, sla::CalendarSettings& c) {
  Document& doc = r.document();
  if (r.boolean("builtin_holidays", true)) {
    try {
      c.tables = builtin_holiday_tables();
    } catch (const ConfigErrors& e) {
      doc.append(e.errors);
    }
  }
  auto file = r.optional_path("holidays_file");
  if (!file) return;
  std::ifstream in(*file, std::ios::binary);
  if (!in) {
    std::error_code ec(errno, std::generic_category());
    r.error_at("holidays_file",
               "cannot read holidays_file '" + file->string() + "': " + ec.message());
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  try {
    merge_holiday_tables(c.tables, parse_holiday_tables(text.str(), file->string()));
  } catch (const ConfigErrors& e) {
    doc.append(e.errors);
  }
}

void read_extra_days(TableReader& r, sla::CalendarSettings& c) {
  const toml::array* holidays = r.array("holidays");
  const toml::array* workdays = r.array("makeup_workdays");
  constexpr int first = sla::WorkingCalendar::kFirstYear, last = sla::WorkingCalendar::kLastYear;
  if (holidays)
    c.extra_holidays = read_days(r.document(), *holidays, "'holidays' of [calendar]",
                                 "Ngày nghỉ (theo cấu hình)", first, last);
  if (workdays)
    c.extra_workdays = read_days(r.document(), *workdays, "'makeup_workdays' of [calendar]",
                                 "Ngày làm bù (theo cấu hình)", first, last);
  if (holidays && workdays)
    check_disjoint(r.document(), c.extra_holidays, c.extra_workdays, *workdays, "[calendar]");
}

}  // namespace

std::chrono::seconds working_day_length(const sla::CalendarSettings& calendar) {
  std::chrono::seconds total{};
  for (const auto& s : calendar.sessions)
    total += s.end - s.start;
  return total;
}

sla::CalendarSettings read_calendar(Document& doc, const toml::table* table,
                                    std::chrono::seconds utc_offset) {
  sla::CalendarSettings c;
  c.utc_offset = utc_offset;
  static const toml::table kEmpty;
  TableReader r(doc, table ? *table : kEmpty, "[calendar]");
  read_workdays(r, c);
  read_sessions(r, c);
  read_holiday_tables(r, c);
  read_extra_days(r, c);
  return c;
}

}  // namespace motcua::config::detail
