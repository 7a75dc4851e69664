#pragma once
// Instants, local dates and RFC 3339 text. Every instant is UTC; local civil time is the instant
// plus the province's fixed offset (Vietnam: UTC+7, no daylight saving time).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace motcua::sla {

using Instant = std::chrono::sys_seconds;
using Date = std::chrono::sys_days;  // a local civil date, counted like sys_days

inline constexpr std::chrono::seconds kVietnamOffset{7 * 3600};

// The local civil date of an instant at a fixed UTC offset.
Date local_date(Instant t, std::chrono::seconds utc_offset);
// Seconds since local midnight of an instant at a fixed UTC offset.
std::chrono::seconds local_time_of_day(Instant t, std::chrono::seconds utc_offset);
// The instant at which a local date and time of day occur.
Instant at_local(Date d, std::chrono::seconds time_of_day, std::chrono::seconds utc_offset);

// "2026-03-10T17:00:00+07:00"
std::string format_rfc3339(Instant t, std::chrono::seconds utc_offset);
// "10/03/2026 17:00", as officials write dates.
std::string format_vn(Instant t, std::chrono::seconds utc_offset);
// "2026-03-10"
std::string format_date(Date d);
// "+07:00"
std::string format_offset(std::chrono::seconds utc_offset);

// Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" (also lower-case t/z and a space for T).
std::optional<Instant> parse_rfc3339(std::string_view text);
// "YYYY-MM-DD"; rejects dates that do not exist.
std::optional<Date> parse_date(std::string_view text);
// "+07:00", "-05:30", "Z"
std::optional<std::chrono::seconds> parse_offset(std::string_view text);

}  // namespace motcua::sla
