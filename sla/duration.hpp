#pragma once
// A configured span of time: either clock time ("90s", "2h", "30 days") or working time
// ("4 working hours", "1 working day"). Working days are converted with the calendar's length of
// a working day (8 hours by default), so they stay right if a province sets other hours.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace motcua::sla {

struct Duration {
  enum class Unit : std::uint8_t { seconds, working_seconds, working_days };
  std::int64_t amount = 0;
  Unit unit = Unit::seconds;

  bool is_working() const { return unit != Unit::seconds; }
  static Duration clock(std::chrono::seconds s) { return {s.count(), Unit::seconds}; }
  static Duration working(std::chrono::seconds s) { return {s.count(), Unit::working_seconds}; }
  static Duration working_days(std::int64_t n) { return {n, Unit::working_days}; }
  // Working seconds, given the length of one working day.
  std::chrono::seconds working_time(std::chrono::seconds day_length) const;
  bool operator==(const Duration&) const = default;
};

// Parses "90s", "5m", "2h", "1h30m", "3d", "1w", "30 days", "2 hours", "1 working day",
// "4 working hours", "30 working minutes" and the Vietnamese "1 ngày làm việc",
// "4 giờ làm việc". On failure returns nullopt and sets *why to a message.
std::optional<Duration> parse_duration(std::string_view text, std::string* why = nullptr);
std::string format_duration(const Duration& d);

}  // namespace motcua::sla
