#pragma once
// Shared helpers for the sla/ tests: instants from text, the official calendar, dossiers.
#include <gtest/gtest.h>

#include <string>

#include "config/holidays.hpp"
#include "config/resources.hpp"
#include "sla/calendar.hpp"
#include "sla/dossier.hpp"
#include "sla/time.hpp"

namespace motcua::testing {

// "2026-03-10 10:00" in Vietnam time (or any RFC 3339 text).
inline sla::Instant T(const std::string& text) {
  std::string full = text;
  if (full.size() == 16) full += ":00+07:00";
  if (full.size() == 19) full += "+07:00";
  auto t = sla::parse_rfc3339(full);
  if (!t) ADD_FAILURE() << "bad test instant " << text;
  return t.value_or(sla::Instant{});
}

inline sla::Date D(const std::string& text) {
  auto d = sla::parse_date(text);
  if (!d) ADD_FAILURE() << "bad test date " << text;
  return d.value_or(sla::Date{});
}

// The calendar with the official tables that ship with the binary.
inline sla::CalendarSettings official_settings() {
  sla::CalendarSettings s;
  auto text = resources::find("holidays/vn.toml");
  if (!text)
    ADD_FAILURE() << "holidays/vn.toml is not embedded";
  else
    s.tables = config::parse_holiday_tables(*text, "holidays/vn.toml");
  return s;
}

inline const sla::WorkingCalendar& official_calendar() {
  static const sla::WorkingCalendar calendar(official_settings());
  return calendar;
}

inline sla::Dossier running_dossier(const std::string& code, sla::Instant received,
                                    sla::Instant due) {
  sla::Dossier d;
  d.code = code;
  d.source = "motcua";
  d.procedure = "1.004227";
  d.procedure_name = "Cấp giấy phép xây dựng";
  d.agency = code.substr(0, code.find('-'));
  d.agency_name = "Sở Xây dựng";
  d.status = sla::Status::processing;
  d.received_at = received;
  d.due_at = due;
  return d;
}

}  // namespace motcua::testing
