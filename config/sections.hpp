#pragma once
// Internal to config/: one reader per section of the config file (DESIGN.md "Configuration").
// Each records its problems in the Document and returns what it could read, so one pass over the
// file reports everything.
#include <chrono>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/reader.hpp"

namespace motcua::config::detail {

// A list of days: "YYYY-MM-DD" strings, TOML dates, { date, name, assumption } or
// { from, to, name, assumption } (an inclusive range). `what` names the list in messages.
// Dates outside [first_year, last_year] and days listed twice are errors.
std::vector<sla::CalendarDay> read_days(Document& doc, const toml::array& list,
                                        std::string_view what, std::string_view default_name,
                                        int first_year, int last_year);
// Reports the days that are in both lists.
void check_disjoint(Document& doc, const std::vector<sla::CalendarDay>& holidays,
                    const std::vector<sla::CalendarDay>& workdays, const toml::array& workday_list,
                    std::string_view where);

DaemonConfig read_daemon(Document& doc, const toml::table* table);
// `utc_offset` comes from [daemon].
sla::CalendarSettings read_calendar(Document& doc, const toml::table* table,
                                    std::chrono::seconds utc_offset);
std::vector<SourceConfig> read_sources(Document& doc, const std::vector<const toml::table*>& list);
// `working_day` is the configured length of a working day, to turn working hours into days.
sla::RulesConfig read_rules(Document& doc, const toml::table* table,
                            std::chrono::seconds working_day);
std::optional<SmtpConfig> read_smtp(Document& doc, const toml::table* table);
std::vector<ReceiverConfig> read_receivers(Document& doc,
                                           const std::vector<const toml::table*>& list,
                                           bool have_smtp);
std::vector<RouteConfig> read_routes(Document& doc, const std::vector<const toml::table*>& list,
                                     const std::vector<ReceiverConfig>& receivers,
                                     const std::vector<SourceConfig>& sources,
                                     std::chrono::seconds working_day);
TemplatesConfig read_templates(Document& doc, const toml::table* table);

// Shapes checked in several sections.
bool is_http_url(std::string_view url);
// "local@domain", without display name or angle brackets.
bool is_email_address(std::string_view address);
// "host:port", "[v6]:port"; the host without brackets.
std::optional<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text);
// The length of a working day under these sessions.
std::chrono::seconds working_day_length(const sla::CalendarSettings& calendar);

}  // namespace motcua::config::detail
