#include "config/holidays.hpp"

#include <algorithm>
#include <map>

#include "config/reader.hpp"
#include "config/resources.hpp"
#include "config/sections.hpp"
#include "sla/calendar.hpp"

namespace motcua::config {
namespace {

using sla::CalendarDay;
using sla::Date;

// Tết is the longest break (9 days in 2026); a longer range is a typo in a year or month.
constexpr int kMaxRangeDays = 31;

std::optional<Date> read_date(Document& doc, const toml::node& n, std::string_view what) {
  if (auto d = date_value(n)) return d;
  if (const auto* s = n.as_string())
    doc.error(n, "bad date '" + s->get() + "' in " + std::string(what) +
                     ": expected YYYY-MM-DD, a day that exists");
  else
    doc.error(n, "a date in " + std::string(what) + " must be \"YYYY-MM-DD\", not " +
                     std::string(type_phrase(n)));
  return std::nullopt;
}

std::string line_of(const Position& p) {
  return "line " + std::to_string(p.line);
}

}  // namespace

namespace detail {

std::vector<CalendarDay> read_days(Document& doc, const toml::array& list, std::string_view what,
                                   std::string_view default_name, int first_year, int last_year) {
  std::vector<CalendarDay> out;
  std::map<Date, Position> seen;
  auto add = [&](Date d, const std::string& name, bool assumption, const toml::node& at) {
    int year = static_cast<int>(std::chrono::year_month_day(d).year());
    if (year < first_year || year > last_year) {
      doc.error(at, sla::format_date(d) + " in " + std::string(what) + " is outside " +
                        std::to_string(first_year) + "–" + std::to_string(last_year));
      return;
    }
    auto [it, inserted] = seen.emplace(d, doc.position(at));
    if (!inserted) {
      doc.error(at, sla::format_date(d) + " is listed twice in " + std::string(what) +
                        " (also at " + line_of(it->second) + ")");
      return;
    }
    out.push_back({d, name, assumption});
  };

  for (const toml::node& item : list) {
    if (item.is_string() || item.is_date()) {
      if (auto d = read_date(doc, item, what)) add(*d, std::string(default_name), false, item);
      continue;
    }
    const toml::table* entry = item.as_table();
    if (!entry) {
      doc.error(item, "entries of " + std::string(what) +
                          " must be dates or tables such as { date = \"2026-01-01\", name = "
                          "\"…\" }, not " +
                          std::string(type_phrase(item)));
      continue;
    }
    TableReader r(doc, *entry, "an entry of " + std::string(what));
    std::string name = r.string("name", std::string(default_name));
    if (name.empty()) r.error_at("name", "'name' in " + r.name() + " must not be empty");
    bool assumption = r.boolean("assumption", false);
    const toml::node* date = r.node("date");
    const toml::node* from = r.node("from");
    const toml::node* to = r.node("to");
    if (date && (from || to)) {
      doc.error(*entry, "an entry of " + std::string(what) +
                            " has either 'date' or 'from' and 'to', not both");
    } else if (date) {
      if (auto d = read_date(doc, *date, what)) add(*d, name, assumption, *date);
    } else if (from || to) {
      if (!from || !to) {
        r.missing(from ? "to" : "from");
        continue;
      }
      auto first = read_date(doc, *from, what);
      auto last = read_date(doc, *to, what);
      if (!first || !last) continue;
      if (*last < *first) {
        doc.error(*to, "range in " + std::string(what) + " ends (" + sla::format_date(*last) +
                           ") before it starts (" + sla::format_date(*first) + ")");
      } else if ((*last - *first).count() >= kMaxRangeDays) {
        doc.error(*to, "range in " + std::string(what) + " is longer than " +
                           std::to_string(kMaxRangeDays) + " days");
      } else {
        for (Date d = *first; d <= *last; d += std::chrono::days(1))
          add(d, name, assumption, *from);
      }
    } else {
      r.missing("date");
    }
  }
  return out;
}

void check_disjoint(Document& doc, const std::vector<CalendarDay>& holidays,
                    const std::vector<CalendarDay>& workdays, const toml::array& workday_list,
                    std::string_view where) {
  for (const auto& w : workdays) {
    auto same = [&](const CalendarDay& h) { return h.date == w.date; };
    if (std::none_of(holidays.begin(), holidays.end(), same)) continue;
    // Point at the make-up entry: the later list, and the one that is usually the mistake.
    const toml::node* at = &workday_list;
    for (const toml::node& item : workday_list) {
      auto d = date_value(item);
      if (!d) {
        if (const auto* t = item.as_table())
          if (const toml::node* n = t->get("date")) d = date_value(*n);
      }
      if (d == w.date) {
        at = &item;
        break;
      }
    }
    doc.error(*at, sla::format_date(w.date) + " is both a holiday and a make-up workday in " +
                       std::string(where));
  }
}

}  // namespace detail

std::vector<sla::HolidayYear> parse_holiday_tables(std::string_view toml_text,
                                                   const std::string& file_name) {
  Document doc(file_name, {});
  std::vector<sla::HolidayYear> out;
  if (auto root = parse_toml(toml_text, doc)) {
    TableReader top(doc, *root, "the holiday tables");
    const toml::array* years = top.array("year");
    if (!top.has("year")) doc.error(top.position(), "no [[year]] tables in the holiday tables");
    std::map<int, Position> seen;
    static const toml::array kNone;
    for (const toml::node& item : years ? *years : kNone) {
      const toml::table* t = item.as_table();
      if (!t) {
        doc.error(item, "'year' must be written as [[year]] tables, not " +
                            std::string(type_phrase(item)));
        continue;
      }
      TableReader r(doc, *t, "[[year]]");
      if (!r.has("year")) r.missing("year");
      auto year = r.optional_integer("year", sla::WorkingCalendar::kFirstYear,
                                     sla::WorkingCalendar::kLastYear);
      sla::HolidayYear h;
      h.confirmed = r.boolean("confirmed", true);
      h.source = r.string("source", "");
      const toml::array* holidays = r.array("holidays");
      const toml::array* workdays = r.array("makeup_workdays");
      if (!year) continue;
      h.year = static_cast<int>(*year);
      if (auto [it, inserted] = seen.emplace(h.year, r.position_of("year")); !inserted) {
        r.error_at("year", "year " + std::to_string(h.year) + " is given twice (also at " +
                               line_of(it->second) + ")");
        continue;
      }
      // An arrangement may reach into the neighbouring years (a bridge day on 31/12 for 1/1).
      std::string label = "[[year]] " + std::to_string(h.year);
      if (holidays)
        h.holidays = detail::read_days(doc, *holidays, "'holidays' of " + label, "Ngày nghỉ lễ",
                                       h.year - 1, h.year + 1);
      if (workdays)
        h.makeup_workdays = detail::read_days(doc, *workdays, "'makeup_workdays' of " + label,
                                              "Ngày làm bù", h.year - 1, h.year + 1);
      if (holidays && workdays)
        detail::check_disjoint(doc, h.holidays, h.makeup_workdays, *workdays, label);
      out.push_back(std::move(h));
    }
  }
  doc.throw_if_errors();
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.year < b.year; });
  return out;
}

std::vector<sla::HolidayYear> builtin_holiday_tables() {
  auto text = resources::find(kBuiltinHolidaysResource);
  if (!text)
    throw ConfigErrors({{{std::string(kBuiltinHolidaysResource), 0, 0},
                         "the built-in holiday tables are missing from this build"}});
  return parse_holiday_tables(*text, std::string(kBuiltinHolidaysResource));
}

void merge_holiday_tables(std::vector<sla::HolidayYear>& tables,
                          std::vector<sla::HolidayYear> more) {
  for (auto& m : more) {
    auto same = std::find_if(tables.begin(), tables.end(),
                             [&](const sla::HolidayYear& t) { return t.year == m.year; });
    if (same != tables.end())
      *same = std::move(m);
    else
      tables.push_back(std::move(m));
  }
  std::sort(tables.begin(), tables.end(),
            [](const auto& a, const auto& b) { return a.year < b.year; });
}

}  // namespace motcua::config
