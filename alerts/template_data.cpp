// The values a notification gives its templates (the list is in template.hpp). Everything an
// official reads is Vietnamese; everything from upstream is made valid UTF-8 here, once, and
// escaped later by the renderer for the template's kind.
#include "alerts/template_data.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sla/finding.hpp"
#include "sla/messages.hpp"

namespace motcua::alerts::detail {

namespace {

// Indices into Vocabulary::group; the order of kGroupNames.
enum Group : std::uint32_t {
  g_receiver,
  g_kind,
  g_initial,
  g_repeat,
  g_escalation,
  g_resolved,
  g_agency,
  g_agency_code,
  g_count,
  g_firing_count,
  g_resolved_count,
  g_dossier_count,
  g_summary,
  g_status_url,
  g_generated_at,
  g_size
};
constexpr std::string_view kGroupNames[] = {
    "receiver",       "kind",          "initial",     "repeat",     "escalation",
    "resolved",       "agency",        "agency_code", "count",      "firing_count",
    "resolved_count", "dossier_count", "summary",     "status_url", "generated_at"};
static_assert(std::size(kGroupNames) == g_size);

enum Alert : std::uint32_t {
  a_index,
  a_first,
  a_last,
  a_dossier,
  a_procedure,
  a_procedure_name,
  a_procedure_code,
  a_agency,
  a_agency_code,
  a_department,
  a_handler,
  a_source,
  a_rule,
  a_rule_code,
  a_severity,
  a_severity_code,
  a_message,
  a_due,
  a_first_due,
  a_since,
  a_resolved_at,
  a_late,
  a_remaining,
  a_action,
  a_link,
  a_status,
  a_firing,
  a_resolved,
  a_size
};
constexpr std::string_view kAlertNames[] = {
    "index",          "first",     "last",        "dossier",       "procedure", "procedure_name",
    "procedure_code", "agency",    "agency_code", "department",    "handler",   "source",
    "rule",           "rule_code", "severity",    "severity_code", "message",   "due",
    "first_due",      "since",     "resolved_at", "late",          "remaining", "action",
    "link",           "status",    "firing",      "resolved"};
static_assert(std::size(kAlertNames) == a_size);

enum List : std::uint32_t { l_alerts, l_firing, l_resolved, l_size };
constexpr std::string_view kListNames[] = {"alerts", "firing_alerts", "resolved_alerts"};
static_assert(std::size(kListNames) == l_size);

const std::string kEmpty;

// A label, else an annotation of the same name.
const std::string& lookup(const NotifiedAlert& a, const std::string& key) {
  if (auto it = a.labels.find(key); it != a.labels.end() && !it->second.empty()) return it->second;
  if (auto it = a.annotations.find(key); it != a.annotations.end()) return it->second;
  return kEmpty;
}

// Links are ours (the status API, [daemon] external URL), but an href takes only http(s).
std::string web_link(std::string_view url) {
  if (url.starts_with("http://") || url.starts_with("https://")) return valid_utf8(url);
  return {};
}

// "2026-03-09T17:00:00+07:00" → "09/03/2026 17:00"; text that is no time is shown as it is.
std::string local_time(const std::string& rfc3339, std::chrono::seconds offset) {
  if (rfc3339.empty()) return {};
  if (auto t = sla::parse_rfc3339(rfc3339)) return sla::format_vn(*t, offset);
  return valid_utf8(rfc3339);
}

// "12.5" working hours → "1 ngày 4,5 giờ làm việc".
std::string working_time(const std::string& hours, std::chrono::seconds working_day) {
  if (hours.empty()) return {};
  double value = 0;
  const auto [end, ec] = std::from_chars(hours.data(), hours.data() + hours.size(), value);
  if (ec != std::errc{} || end != hours.data() + hours.size() || !std::isfinite(value)) return {};
  value = std::clamp(value, 0.0, 1e7);
  return sla::messages::working_time(std::chrono::seconds(std::llround(value * 3600.0)),
                                     working_day);
}

// What the official must do, by rule (Decree 61/2018 and Circular 01/2018/TT-VPCP: finish in
// time, and when late, apologise in writing with a new return date).
std::string_view action(std::optional<sla::Rule> rule) {
  if (!rule) return {};
  switch (*rule) {
    case sla::Rule::due_soon:
      return "Khẩn trương giải quyết trước hạn; nếu không kịp, ban hành văn bản xin lỗi và hẹn "
             "lại ngày trả kết quả";
    case sla::Rule::overdue:
    case sla::Rule::apology_missing:
      return "Ban hành văn bản xin lỗi, hẹn lại ngày trả kết quả";
    case sla::Rule::step_overdue:
      return "Hoàn thành bước xử lý, chuyển bước tiếp theo";
    case sla::Rule::finished_late:
      return "Rà soát nguyên nhân trễ hạn, bảo đảm đã xin lỗi người dân, tổ chức";
    case sla::Rule::apology_late:
      return "Theo dõi tiến độ, xin lỗi và hẹn lại trước hạn ít nhất 01 ngày làm việc";
    case sla::Rule::repeat_supplement:
      return "Rà soát, chấn chỉnh việc yêu cầu bổ sung hồ sơ nhiều lần";
    case sla::Rule::reason_missing:
      return "Nêu rõ lý do bằng phiếu theo mẫu";
    case sla::Rule::deadline_rewritten:
      return "Kiểm tra, giải trình việc sửa hạn xử lý";
    case sla::Rule::portal_missing:
      return "Đồng bộ hồ sơ lên Cổng Dịch vụ công";
    case sla::Rule::status_mismatch:
      return "Kiểm tra, đồng bộ lại trạng thái hồ sơ lên Cổng Dịch vụ công";
    case sla::Rule::source_stale:
      return "Kiểm tra kết nối với hệ thống nguồn";
  }
  return {};
}

// For the summary: "3 hồ sơ quá hạn, 1 sắp đến hạn". Most urgent first.
struct RulePhrase {
  sla::Rule rule;
  std::string_view phrase;  // after "N hồ sơ"
};
constexpr RulePhrase kSummaryOrder[] = {
    {sla::Rule::overdue, "quá hạn"},
    {sla::Rule::apology_missing, "chưa có văn bản xin lỗi"},
    {sla::Rule::step_overdue, "quá hạn bước xử lý"},
    {sla::Rule::due_soon, "sắp đến hạn"},
    {sla::Rule::deadline_rewritten, "bị sửa hạn xử lý"},
    {sla::Rule::finished_late, "hoàn thành trễ hạn"},
    {sla::Rule::apology_late, "xin lỗi muộn"},
    {sla::Rule::repeat_supplement, "yêu cầu bổ sung nhiều lần"},
    {sla::Rule::reason_missing, "thiếu lý do"},
    {sla::Rule::portal_missing, "chưa đồng bộ lên Cổng DVC"},
    {sla::Rule::status_mismatch, "lệch trạng thái với Cổng DVC"},
};

std::string summary(const Notification& n) {
  std::array<std::size_t, sla::kRuleCount> per_rule{};
  std::size_t unknown = 0;
  std::size_t firing = 0;
  for (const NotifiedAlert& a : n.alerts) {
    if (a.status != AlertStatus::firing) continue;
    ++firing;
    if (auto r = sla::parse_rule(lookup(a, "rule")))
      ++per_rule[static_cast<std::size_t>(*r)];
    else
      ++unknown;
  }
  if (firing == 0) {
    const std::size_t resolved = n.alerts.size();
    return resolved == 0 ? std::string("không còn cảnh báo")
                         : std::to_string(resolved) + " cảnh báo đã được khắc phục";
  }
  std::string out;
  bool noun = false;  // "hồ sơ" is said once, at the first count of dossiers
  auto item = [&](std::size_t count, std::string_view text) {
    if (!out.empty()) out += ", ";
    out += std::to_string(count);
    out += ' ';
    out += text;
  };
  for (const RulePhrase& p : kSummaryOrder) {
    const std::size_t count = per_rule[static_cast<std::size_t>(p.rule)];
    if (count == 0) continue;
    item(count, noun ? std::string(p.phrase) : "hồ sơ " + std::string(p.phrase));
    noun = true;
  }
  if (const std::size_t stale = per_rule[static_cast<std::size_t>(sla::Rule::source_stale)])
    item(stale, "nguồn dữ liệu không cập nhật");
  if (unknown > 0) item(unknown, "cảnh báo khác");
  return out;
}

std::string_view kind_title(NotificationKind k) {
  switch (k) {
    case NotificationKind::initial:
      return "Cảnh báo";
    case NotificationKind::repeat:
      return "Nhắc lại";
    case NotificationKind::escalation:
      return "Chuyển cấp trên";
    case NotificationKind::resolved:
      return "Đã khắc phục";
  }
  return "Cảnh báo";
}

// "Sở Xây dựng", "Sở Xây dựng, UBND xã Tân Lập", "A, B, C và 4 cơ quan khác".
std::string join_names(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 3;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kShown; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > kShown)
    out += " và " + std::to_string(names.size() - kShown) + " cơ quan khác";
  return out;
}

std::vector<std::string> alert_values(const NotifiedAlert& a, const Notification& n,
                                      std::chrono::seconds working_day) {
  std::vector<std::string> v(a_size);
  const auto rule = sla::parse_rule(lookup(a, "rule"));
  const auto severity = sla::parse_severity(lookup(a, "severity"));
  const bool firing = a.status == AlertStatus::firing;

  v[a_dossier] = valid_utf8(lookup(a, "dossier"));
  v[a_procedure_name] = valid_utf8(lookup(a, "procedure_name"));
  v[a_procedure_code] = valid_utf8(lookup(a, "procedure"));
  v[a_procedure] = v[a_procedure_name].empty() ? v[a_procedure_code] : v[a_procedure_name];
  v[a_agency_code] = valid_utf8(lookup(a, "agency"));
  const std::string& agency_name = lookup(a, "agency_name");
  v[a_agency] = agency_name.empty() ? v[a_agency_code] : valid_utf8(agency_name);
  v[a_department] = valid_utf8(lookup(a, "department"));
  v[a_handler] = valid_utf8(lookup(a, "handler"));
  v[a_source] = valid_utf8(lookup(a, "source"));
  v[a_rule_code] = valid_utf8(lookup(a, "rule"));
  v[a_rule] = rule ? std::string(sla::messages::rule_title(*rule)) : v[a_rule_code];
  v[a_severity_code] = valid_utf8(lookup(a, "severity"));
  v[a_severity] =
      severity ? std::string(sla::messages::severity_title(*severity)) : v[a_severity_code];
  v[a_message] = valid_utf8(lookup(a, "message"));
  v[a_due] = local_time(lookup(a, "due"), n.utc_offset);
  v[a_first_due] = local_time(lookup(a, "first_due"), n.utc_offset);
  if (a.starts_at != sla::Instant{}) v[a_since] = sla::format_vn(a.starts_at, n.utc_offset);
  if (a.ends_at) v[a_resolved_at] = sla::format_vn(*a.ends_at, n.utc_offset);
  v[a_late] = working_time(lookup(a, "overdue_working_hours"), working_day);
  v[a_remaining] = working_time(lookup(a, "remaining_working_hours"), working_day);
  if (firing) v[a_action] = std::string(action(rule));
  v[a_link] = web_link(a.generator_url);
  v[a_status] = firing ? "Chưa khắc phục" : "Đã khắc phục";
  v[a_firing] = firing ? "1" : "";
  v[a_resolved] = firing ? "" : "1";
  return v;
}

}  // namespace

std::optional<std::uint32_t> Vocabulary::find_group(std::string_view name) const {
  auto it = std::find(group.begin(), group.end(), name);
  if (it == group.end()) return std::nullopt;
  return static_cast<std::uint32_t>(it - group.begin());
}

std::optional<std::uint32_t> Vocabulary::find_alert(std::string_view name) const {
  auto it = std::find(alert.begin(), alert.end(), name);
  if (it == alert.end()) return std::nullopt;
  return static_cast<std::uint32_t>(it - alert.begin());
}

std::optional<std::uint32_t> Vocabulary::find_list(std::string_view name) const {
  auto it = std::find(lists.begin(), lists.end(), name);
  if (it == lists.end()) return std::nullopt;
  return static_cast<std::uint32_t>(it - lists.begin());
}

const Vocabulary& vocabulary() {
  static const Vocabulary v{
      {std::begin(kGroupNames), std::end(kGroupNames)},
      {std::begin(kAlertNames), std::end(kAlertNames)},
      {std::begin(kListNames), std::end(kListNames)},
      a_index,
      a_first,
      a_last,
  };
  return v;
}

TemplateData template_data(const Notification& n, sla::Instant now,
                           std::chrono::seconds working_day) {
  TemplateData d;
  d.group.resize(g_size);
  d.lists.resize(l_size);
  d.alerts.reserve(n.alerts.size());

  std::vector<std::string> names;
  std::vector<std::string> codes;
  std::set<std::string> seen_names;
  std::set<std::string> seen_codes;
  std::set<std::string> dossiers;
  std::size_t firing = 0;
  for (std::size_t i = 0; i < n.alerts.size(); ++i) {
    const NotifiedAlert& a = n.alerts[i];
    d.alerts.push_back(alert_values(a, n, working_day));
    const auto& v = d.alerts.back();
    const auto index = static_cast<std::uint32_t>(i);
    d.lists[l_alerts].push_back(index);
    if (a.status == AlertStatus::firing) {
      ++firing;
      d.lists[l_firing].push_back(index);
      if (!v[a_dossier].empty()) dossiers.insert(v[a_dossier]);
    } else {
      d.lists[l_resolved].push_back(index);
    }
    if (!v[a_agency].empty() && seen_names.insert(v[a_agency]).second) names.push_back(v[a_agency]);
    if (!v[a_agency_code].empty() && seen_codes.insert(v[a_agency_code]).second)
      codes.push_back(v[a_agency_code]);
  }
  if (codes.empty()) {
    if (auto it = n.group_labels.find("agency"); it != n.group_labels.end()) {
      codes.push_back(valid_utf8(it->second));
      names.push_back(codes.back());
    }
  }

  d.group[g_receiver] = valid_utf8(n.receiver);
  d.group[g_kind] = std::string(kind_title(n.kind));
  d.group[g_initial] = n.kind == NotificationKind::initial ? "1" : "";
  d.group[g_repeat] = n.kind == NotificationKind::repeat ? "1" : "";
  d.group[g_escalation] = n.kind == NotificationKind::escalation ? "1" : "";
  d.group[g_resolved] = n.kind == NotificationKind::resolved ? "1" : "";
  d.group[g_agency] = join_names(names);
  d.group[g_agency_code] = join_names(codes);
  d.group[g_count] = std::to_string(n.alerts.size());
  d.group[g_firing_count] = std::to_string(firing);
  d.group[g_resolved_count] = std::to_string(n.alerts.size() - firing);
  d.group[g_dossier_count] = std::to_string(dossiers.size());
  d.group[g_summary] = summary(n);
  d.group[g_status_url] = web_link(n.external_url);
  d.group[g_generated_at] = sla::format_vn(now, n.utc_offset);
  return d;
}

std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    char32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 (RFC 3629).
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string valid_utf8(std::string_view text) {
  std::size_t bad = invalid_utf8_at(text);
  if (bad == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  while (bad != std::string_view::npos) {
    out.append(text.substr(0, bad));
    out += "\xEF\xBF\xBD";  // U+FFFD
    text.remove_prefix(bad + 1);
    // Skip the continuation bytes of the broken sequence, so it becomes one replacement.
    while (!text.empty() && (static_cast<unsigned char>(text.front()) & 0xC0) == 0x80)
      text.remove_prefix(1);
    bad = invalid_utf8_at(text);
  }
  out.append(text);
  return out;
}

}  // namespace motcua::alerts::detail
