#include "sla/time.hpp"

#include <cstdio>

namespace motcua::sla {

using namespace std::chrono;

namespace {

seconds floor_mod_day(seconds s) {
  auto d = floor<days>(s);
  return s - d;
}

// Parses exactly `n` ASCII digits at text[pos..].
bool digits(std::string_view text, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::optional<Date> make_date(int y, int m, int d) {
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd};
}

}  // namespace

namespace {

// Fixed-width decimal digits; snprintf costs more than the rest of a finding's message.
void put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

Date local_date(Instant t, seconds utc_offset) {
  return floor<days>(t + utc_offset);
}

seconds local_time_of_day(Instant t, seconds utc_offset) {
  return floor_mod_day((t + utc_offset).time_since_epoch());
}

Instant at_local(Date d, seconds time_of_day, seconds utc_offset) {
  return Instant{d.time_since_epoch()} + time_of_day - utc_offset;
}

std::string format_offset(seconds utc_offset) {
  auto total = utc_offset.count();
  char sign = total < 0 ? '-' : '+';
  if (total < 0) total = -total;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, static_cast<int>(total / 3600),
                static_cast<int>(total % 3600 / 60));
  return buf;
}

std::string format_rfc3339(Instant t, seconds utc_offset) {
  Date d = local_date(t, utc_offset);
  year_month_day ymd{d};
  hh_mm_ss hms{local_time_of_day(t, utc_offset)};
  const int year = static_cast<int>(ymd.year());
  const auto offset = utc_offset.count() < 0 ? -utc_offset.count() : utc_offset.count();
  if (year >= 0 && year <= 9999 && offset < 100 * 3600) {
    // Digits by hand: snprintf was a third of the status API's time serving findings (three
    // instants each).
    std::string out = "0000-00-00T00:00:00+00:00";
    put_digits(&out[0], static_cast<unsigned>(year), 4);
    put_digits(&out[5], static_cast<unsigned>(ymd.month()), 2);
    put_digits(&out[8], static_cast<unsigned>(ymd.day()), 2);
    put_digits(&out[11], static_cast<unsigned>(hms.hours().count()), 2);
    put_digits(&out[14], static_cast<unsigned>(hms.minutes().count()), 2);
    put_digits(&out[17], static_cast<unsigned>(hms.seconds().count()), 2);
    out[19] = utc_offset.count() < 0 ? '-' : '+';
    put_digits(&out[20], static_cast<unsigned>(offset / 3600), 2);
    put_digits(&out[23], static_cast<unsigned>(offset % 3600 / 60), 2);
    return out;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%s", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), format_offset(utc_offset).c_str());
  return buf;
}

std::string format_vn(Instant t, seconds utc_offset) {
  year_month_day ymd{local_date(t, utc_offset)};
  hh_mm_ss hms{local_time_of_day(t, utc_offset)};
  std::string out = "dd/mm/yyyy HH:MM";
  put_digits(&out[0], static_cast<unsigned>(ymd.day()), 2);
  put_digits(&out[3], static_cast<unsigned>(ymd.month()), 2);
  put_digits(&out[6], static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  put_digits(&out[11], static_cast<unsigned>(hms.hours().count()), 2);
  put_digits(&out[14], static_cast<unsigned>(hms.minutes().count()), 2);
  return out;
}

std::string format_date(Date d) {
  year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<Date> parse_date(std::string_view text) {
  int y, m, d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!digits(text, 0, 4, y) || !digits(text, 5, 2, m) || !digits(text, 8, 2, d))
    return std::nullopt;
  return make_date(y, m, d);
}

std::optional<seconds> parse_offset(std::string_view text) {
  if (text == "Z" || text == "z") return seconds{0};
  int h, m;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return std::nullopt;
  if (!digits(text, 1, 2, h) || !digits(text, 4, 2, m) || h > 23 || m > 59) return std::nullopt;
  seconds s = hours{h} + minutes{m};
  return text[0] == '-' ? -s : s;
}

std::optional<Instant> parse_rfc3339(std::string_view text) {
  if (text.size() < 20) return std::nullopt;
  auto date = parse_date(text.substr(0, 10));
  if (!date) return std::nullopt;
  char sep = text[10];
  if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  int hh, mm, ss;
  if (!digits(text, 11, 2, hh) || text[13] != ':' || !digits(text, 14, 2, mm) || text[16] != ':' ||
      !digits(text, 17, 2, ss))
    return std::nullopt;
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  if (ss == 60) ss = 59;  // a leap second reads as the last second of its minute
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
      ++pos;
    if (pos == start) return std::nullopt;
  }
  auto offset = parse_offset(text.substr(pos));
  if (!offset) return std::nullopt;
  return at_local(*date, hours{hh} + minutes{mm} + seconds{ss}, *offset);
}

}  // namespace motcua::sla
