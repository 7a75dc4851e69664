#include "sla/duration.hpp"

#include <array>
#include <string>
#include <utility>

namespace motcua::sla {
namespace {

using std::chrono::seconds;

constexpr std::int64_t kMinute = 60;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kWeek = 7 * kDay;

// What a unit word means: seconds per unit on the wall clock, or in working time. A working day
// has no fixed length in seconds (it depends on the configured sessions), so it is its own unit.
enum class UnitKind : std::uint8_t { clock, working_seconds, working_days };

struct UnitWord {
  std::string_view word;
  UnitKind kind;
  std::int64_t scale;  // seconds per unit (1 for working days)
};

// Clock units; written either right after the number ("90s", "1h30m") or as a word ("2 hours").
// The Vietnamese words double as working units when followed by "làm việc".
constexpr std::array kClockUnits{
    UnitWord{"s", UnitKind::clock, 1},
    UnitWord{"sec", UnitKind::clock, 1},
    UnitWord{"secs", UnitKind::clock, 1},
    UnitWord{"second", UnitKind::clock, 1},
    UnitWord{"seconds", UnitKind::clock, 1},
    UnitWord{"m", UnitKind::clock, kMinute},
    UnitWord{"min", UnitKind::clock, kMinute},
    UnitWord{"mins", UnitKind::clock, kMinute},
    UnitWord{"minute", UnitKind::clock, kMinute},
    UnitWord{"minutes", UnitKind::clock, kMinute},
    UnitWord{"h", UnitKind::clock, kHour},
    UnitWord{"hour", UnitKind::clock, kHour},
    UnitWord{"hours", UnitKind::clock, kHour},
    UnitWord{"d", UnitKind::clock, kDay},
    UnitWord{"day", UnitKind::clock, kDay},
    UnitWord{"days", UnitKind::clock, kDay},
    UnitWord{"w", UnitKind::clock, kWeek},
    UnitWord{"week", UnitKind::clock, kWeek},
    UnitWord{"weeks", UnitKind::clock, kWeek},
    UnitWord{"giây", UnitKind::clock, 1},
    UnitWord{"phút", UnitKind::clock, kMinute},
    UnitWord{"giờ", UnitKind::clock, kHour},
    UnitWord{"ngày", UnitKind::clock, kDay},
    UnitWord{"tuần", UnitKind::clock, kWeek},
};

// Units after the word "working", and the Vietnamese ones before "làm việc". No weeks: a working
// week is not a fixed number of working days everywhere.
constexpr std::array kWorkingUnits{
    UnitWord{"second", UnitKind::working_seconds, 1},
    UnitWord{"seconds", UnitKind::working_seconds, 1},
    UnitWord{"minute", UnitKind::working_seconds, kMinute},
    UnitWord{"minutes", UnitKind::working_seconds, kMinute},
    UnitWord{"hour", UnitKind::working_seconds, kHour},
    UnitWord{"hours", UnitKind::working_seconds, kHour},
    UnitWord{"day", UnitKind::working_days, 1},
    UnitWord{"days", UnitKind::working_days, 1},
};
constexpr std::array kVietnameseWorkingUnits{
    UnitWord{"giây", UnitKind::working_seconds, 1},
    UnitWord{"phút", UnitKind::working_seconds, kMinute},
    UnitWord{"giờ", UnitKind::working_seconds, kHour},
    UnitWord{"ngày", UnitKind::working_days, 1},
};

bool is_space(char c) {
  return c == ' ' || c == '\t';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_lower(std::string_view text, std::string_view word) {
  if (text.size() != word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (lower(text[i]) != word[i]) return false;
  return true;
}

template <std::size_t N>
const UnitWord* find_unit(const std::array<UnitWord, N>& units, std::string_view word) {
  for (const auto& u : units)
    if (equals_lower(word, u.word)) return &u;
  return nullptr;
}

bool fail(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return false;
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_spaces() {
    while (!at_end() && is_space(text_[pos_]))
      ++pos_;
  }
  std::string_view digits() { return take_while(is_digit); }
  // A unit word runs to the next space or digit ("h" in "1h30m", "working" in "1 working day").
  std::string_view word() {
    return take_while([](char c) { return !is_space(c) && !is_digit(c); });
  }
  std::string_view rest() const { return text_.substr(pos_); }
  std::size_t mark() const { return pos_; }
  void reset(std::size_t mark) { pos_ = mark; }

 private:
  template <typename Pred>
  std::string_view take_while(Pred pred) {
    std::size_t start = pos_;
    while (!at_end() && pred(text_[pos_]))
      ++pos_;
    return text_.substr(start, pos_ - start);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// One "<number> <unit>" component. Reads the unit, including the two-word working forms
// "working day" and "ngày làm việc".
bool read_unit(Scanner& in, const UnitWord*& unit, std::string* why) {
  in.skip_spaces();
  std::string_view word = in.word();
  if (word.empty())
    return fail(why, "a number needs a unit, e.g. \"30s\", \"2h\" or \"1 working day\"");
  if (equals_lower(word, "working")) {
    in.skip_spaces();
    std::string_view next = in.word();
    if (next.empty()) return fail(why, "'working' needs a unit, e.g. \"1 working day\"");
    unit = find_unit(kWorkingUnits, next);
    if (!unit)
      return fail(why, "unknown working-time unit '" + std::string(next) +
                           "' (use working days, hours, minutes or seconds)");
    return true;
  }
  unit = find_unit(kClockUnits, word);
  if (!unit) return fail(why, "unknown unit '" + std::string(word) + "'");
  // Vietnamese: "4 giờ làm việc" is working time.
  std::size_t after_unit = in.mark();
  in.skip_spaces();
  if (in.word() == "làm") {
    in.skip_spaces();
    if (in.word() != "việc")
      return fail(why, "expected \"làm việc\" after '" + std::string(word) + "'");
    const UnitWord* working = find_unit(kVietnameseWorkingUnits, word);
    if (!working) return fail(why, "'" + std::string(word) + "' cannot be working time");
    unit = working;
    return true;
  }
  in.reset(after_unit);
  return true;
}

bool checked_add(std::int64_t& total, std::int64_t amount, std::int64_t scale) {
  std::int64_t scaled = 0;
  if (__builtin_mul_overflow(amount, scale, &scaled)) return false;
  return !__builtin_add_overflow(total, scaled, &total);
}

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

seconds Duration::working_time(seconds day_length) const {
  switch (unit) {
    case Unit::seconds:
    case Unit::working_seconds:
      return seconds(amount);
    case Unit::working_days:
      return day_length * amount;
  }
  return seconds(amount);
}

std::optional<Duration> parse_duration(std::string_view text, std::string* why) {
  Scanner in(text);
  in.skip_spaces();
  if (in.at_end()) {
    fail(why, "empty duration");
    return std::nullopt;
  }
  std::int64_t total = 0;
  std::optional<UnitKind> kind;
  int components = 0;
  while (true) {
    in.skip_spaces();
    if (in.at_end()) break;
    if (in.peek() == '-') {
      fail(why, "durations cannot be negative");
      return std::nullopt;
    }
    std::string_view number = in.digits();
    if (number.empty()) {
      fail(why, components == 0 ? "a duration starts with a number, e.g. \"30s\""
                                : "unexpected '" + std::string(in.rest()) + "'");
      return std::nullopt;
    }
    if (in.peek() == '.' || in.peek() == ',') {
      fail(why, "use whole numbers (\"90m\" instead of \"1.5h\")");
      return std::nullopt;
    }
    std::int64_t amount = 0;
    for (char c : number) {
      if (__builtin_mul_overflow(amount, 10, &amount) ||
          __builtin_add_overflow(amount, c - '0', &amount)) {
        fail(why, "duration is too large");
        return std::nullopt;
      }
    }
    const UnitWord* unit = nullptr;
    if (!read_unit(in, unit, why)) return std::nullopt;
    if (kind && *kind != unit->kind) {
      fail(why, (*kind == UnitKind::clock) != (unit->kind == UnitKind::clock)
                    ? "cannot mix clock time and working time in one duration"
                    : "cannot mix working days with working hours (write e.g. \"12 working "
                      "hours\")");
      return std::nullopt;
    }
    kind = unit->kind;
    if (!checked_add(total, amount, unit->scale)) {
      fail(why, "duration is too large");
      return std::nullopt;
    }
    ++components;
  }
  switch (*kind) {
    case UnitKind::clock:
      return Duration{total, Duration::Unit::seconds};
    case UnitKind::working_seconds:
      return Duration{total, Duration::Unit::working_seconds};
    case UnitKind::working_days:
      return Duration{total, Duration::Unit::working_days};
  }
  return std::nullopt;
}

std::string format_duration(const Duration& d) {
  switch (d.unit) {
    case Duration::Unit::working_days:
      return plural(d.amount, "working day", "working days");
    case Duration::Unit::working_seconds:
      if (d.amount % kHour == 0) return plural(d.amount / kHour, "working hour", "working hours");
      if (d.amount % kMinute == 0)
        return plural(d.amount / kMinute, "working minute", "working minutes");
      return plural(d.amount, "working second", "working seconds");
    case Duration::Unit::seconds:
      break;
  }
  if (d.amount == 0) return "0s";
  constexpr std::array<std::pair<std::uint64_t, char>, 4> kParts{
      {{kDay, 'd'}, {kHour, 'h'}, {kMinute, 'm'}, {1, 's'}}};
  std::string out = d.amount < 0 ? "-" : "";
  std::uint64_t rest = d.amount < 0 ? 0 - static_cast<std::uint64_t>(d.amount)
                                    : static_cast<std::uint64_t>(d.amount);
  for (auto [scale, suffix] : kParts) {
    if (rest >= scale) {
      out += std::to_string(rest / scale);
      out += suffix;
      rest %= scale;
    }
  }
  return out;
}

}  // namespace motcua::sla
