#pragma once
// Internal to the templates: the names a template may use and the values a notification gives
// them. Names are resolved to indices when a template compiles, so rendering never looks up a
// string.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/notification.hpp"
#include "sla/time.hpp"

namespace motcua::alerts::detail {

struct Vocabulary {
  std::vector<std::string_view> group;  // values of the whole notification
  std::vector<std::string_view> alert;  // values of one alert, inside a list
  std::vector<std::string_view> lists;  // alert lists
  // Alert values that depend on the place in the list, filled in by the renderer.
  std::uint32_t index_value = 0;  // "1", "2", …
  std::uint32_t first_value = 0;  // "1" for the first alert of the list, else empty
  std::uint32_t last_value = 0;   // "1" for the last

  std::optional<std::uint32_t> find_group(std::string_view name) const;
  std::optional<std::uint32_t> find_alert(std::string_view name) const;
  std::optional<std::uint32_t> find_list(std::string_view name) const;
};

const Vocabulary& vocabulary();

struct TemplateData {
  std::vector<std::string> group;                 // by Vocabulary::group index
  std::vector<std::vector<std::string>> alerts;   // per alert, by Vocabulary::alert index
  std::vector<std::vector<std::uint32_t>> lists;  // per list, indices into `alerts`
};

TemplateData template_data(const Notification& n, sla::Instant now,
                           std::chrono::seconds working_day);

// Text helpers shared with the renderer.
// Invalid UTF-8 sequences become U+FFFD; the result is `text` itself when it is valid.
std::string valid_utf8(std::string_view text);
// Where `text` stops being valid UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view text);

}  // namespace motcua::alerts::detail
