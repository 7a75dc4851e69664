#pragma once
// Public holidays and make-up working days as data: the official civil-service tables that ship
// with the binary (config/holidays/vn.toml), tables added by config, and — for a year without
// an official table — the statutory days computed from the lunar calendar, marked unconfirmed.
#include <string>
#include <vector>

#include "sla/time.hpp"

namespace motcua::sla {

struct CalendarDay {
  Date date{};
  std::string name;         // "Tết Nguyên đán", "Làm bù cho thứ Hai 31/08"
  bool assumption = false;  // DOMAIN.md marks it as not yet checked against the official text
};

// One year's arrangement: days off (beyond weekends) and Saturdays or Sundays worked.
struct HolidayYear {
  int year = 0;
  bool confirmed = true;  // false: computed from the statutes, not from an official table
  std::string source;     // the decision or notice the table comes from
  std::vector<CalendarDay> holidays;
  std::vector<CalendarDay> makeup_workdays;
};

// Labour Code 2019 art. 112 applied to `year` without an official table: 1/1; Tết (the last day
// of the lunar year and the first four days of the new one); Hùng Kings (10/3 lunar); 30/4; 1/5;
// 2/9 and one adjacent day. A holiday on a weekend gives a compensatory day off on the next
// working day (art. 111(3)). confirmed = false.
HolidayYear statutory_holidays(int year);

}  // namespace motcua::sla
