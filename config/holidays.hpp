#pragma once
// Holiday tables as data: the official civil-service tables shipped with the binary
// (config/holidays/vn.toml, embedded at build time) and those named by `[calendar] holidays_file`.
// The file format is documented at the top of config/holidays/vn.toml.
#include <string>
#include <string_view>
#include <vector>

#include "sla/holidays.hpp"

namespace motcua::config {

inline constexpr std::string_view kBuiltinHolidaysResource = "holidays/vn.toml";

// Throws ConfigErrors, positioned in `file_name`, listing every problem in the text.
std::vector<sla::HolidayYear> parse_holiday_tables(std::string_view toml_text,
                                                   const std::string& file_name);

// The embedded tables (kBuiltinHolidaysResource).
std::vector<sla::HolidayYear> builtin_holiday_tables();

// Adds `more` to `tables`; a year in `more` replaces the same year in `tables`. Sorted by year.
void merge_holiday_tables(std::vector<sla::HolidayYear>& tables,
                          std::vector<sla::HolidayYear> more);

}  // namespace motcua::config
