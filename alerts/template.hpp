#pragma once
// The text of a notification: a subject, a plain-text body and an HTML body, rendered from
// templates. Defaults in Vietnamese ship inside the binary (config/templates/); [templates] files
// override them, and a receiver's own files override those. A template that does not compile is a
// configuration error, reported by --check-config as FILE:LINE:COL.
//
// The language (ours: Debian ships no C++ template library and we need little):
//   {{name}}                  a value: HTML-escaped in HTML, raw in text, folded onto one line in
//                             the subject (CR, LF and other control characters become spaces)
//   {{#alerts}}…{{/alerts}}   repeat for each alert (also firing_alerts, resolved_alerts)
//   {{^alerts}}…{{/alerts}}   show when the list is empty
//   {{#name}}…{{/name}}       show when the value is not empty
//   {{^name}}…{{/name}}       show when the value is empty
//   {{! comment }}            nothing
// A line holding only a section tag or a comment (and blanks) leaves no line behind. Inside an
// alert list the alert's values shadow the group's (`agency` is then the alert's agency). Unknown
// names, per-alert names outside a list, unclosed or mismatched sections and `{{` without `}}` are
// errors. Values are always escaped for the template's kind: there is no raw-HTML tag. Invalid
// UTF-8 in data becomes U+FFFD; link and status_url are empty unless they are http(s) URLs.
//
// What is read from the notification (the outbox fills these; keys absent give empty values):
//   Notification: receiver, kind, alerts, external_url (status_url), utc_offset (for all times).
//   NotifiedAlert: status, starts_at (since), ends_at (resolved_at), generator_url (link).
//   Each key below is looked up in `labels`, then in `annotations`:
//     rule, severity          sla::rule_name / sla::severity_name ("overdue", "critical")
//     dossier, source         MaHoSo, the configured source name
//     agency, procedure       the agency's and the procedure's codes
//     department, handler     step_overdue: the current step's department and handler
//     agency_name             DonViXuLy            (annotation)
//     procedure_name          TenTTHC              (annotation)
//     message                 the finding's Vietnamese message (annotation)
//     due, first_due          RFC 3339 ("2026-03-09T17:00:00+07:00"), shown as dd/mm/yyyy HH:mm
//     overdue_working_hours   decimal hours with a '.' ("12.5"), shown as "1 ngày 4,5 giờ làm việc"
//     remaining_working_hours the same, for due_soon
// Group values: receiver, kind ("Cảnh báo", "Nhắc lại", "Chuyển cấp trên", "Đã khắc phục"),
// initial, repeat, escalation, resolved ("1" or empty), agency, agency_code, count, firing_count,
// resolved_count, dossier_count, summary ("3 hồ sơ quá hạn, 1 sắp đến hạn"), status_url,
// generated_at. Alert values: index (1, 2, …), first, last ("1" or empty), dossier, procedure,
// procedure_name, procedure_code, agency, agency_code, department, handler, source, rule,
// rule_code, severity, severity_code, message, due, first_due, since, resolved_at, late, remaining,
// action, link, status, firing, resolved.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/notification.hpp"
#include "config/config.hpp"
#include "config/errors.hpp"
#include "sla/time.hpp"

namespace motcua::alerts {

enum class TemplateKind : std::uint8_t { subject, text, html };

namespace detail {
struct TemplateData;
}

// A template parsed once into a flat list of operations; rendering is one pass over them.
class Template {
 public:
  // Throws config::ConfigErrors with every problem, each at `file`:LINE:COL (columns count
  // characters, not bytes).
  static Template compile(std::string_view source, TemplateKind kind, std::string file);

  TemplateKind kind() const { return kind_; }
  // Where it came from: a path, or "templates/…" for an embedded default.
  const std::string& file() const { return file_; }

  std::string render(const detail::TemplateData& data) const;

  struct Op {
    enum class Code : std::uint8_t {
      text,          // pool_[arg, arg + len)
      group_value,   // group value `arg`
      alert_value,   // the current alert's value `arg`
      if_group,      // [this + 1, end) when group value `arg` is not empty
      unless_group,  // … when it is empty
      if_alert,
      unless_alert,
      each,         // [this + 1, end) for each alert of list `arg`
      unless_list,  // [this + 1, end) when list `arg` is empty
    };
    Code code = Code::text;
    std::uint32_t arg = 0;
    std::uint32_t len = 0;
    std::uint32_t end = 0;
  };

 private:
  void render_range(std::size_t begin, std::size_t end, const detail::TemplateData& data,
                    const std::vector<std::string>* alert, std::size_t index, std::size_t count,
                    std::string& out) const;
  void put(std::string_view value, std::string& out) const;

  std::vector<Op> ops_;
  std::string pool_;
  TemplateKind kind_ = TemplateKind::text;
  std::string file_;
};

struct TemplateSet {
  Template subject;
  Template text;
  Template html;
  // For "2 ngày 3 giờ làm việc": the configured working day ([calendar] working_hours).
  std::chrono::seconds working_day = std::chrono::hours(8);
};

struct RenderedText {
  std::string subject;  // one line, no CR or LF
  std::string text;
  std::string html;
};

// Embedded names of the defaults, relative to config/.
inline constexpr std::string_view kDefaultSubject = "templates/subject.txt";
inline constexpr std::string_view kDefaultText = "templates/body.txt";
inline constexpr std::string_view kDefaultHtml = "templates/body.html";

// The embedded defaults.
TemplateSet default_templates();

// For one receiver (a [[receiver]] name; an unknown name gets the [templates] level): each of
// subject, text and html from the receiver's file, else [templates]' file, else `directory`'s
// subject.txt / body.txt / body.html when present, else the default. Throws config::ConfigErrors.
TemplateSet load_templates(const config::Config& config, std::string_view receiver);

// Every template the config names (the [templates] level and each receiver's), each file once.
// Empty when all compile; for --check-config.
std::vector<config::ConfigError> check_templates(const config::Config& config);

// `now` is the generated_at time (pass the time the notification was made, so a retry renders
// the same text).
RenderedText render(const TemplateSet& templates, const Notification& notification,
                    sla::Instant now);

// Appends `value` with & < > " ' escaped, for HTML text and attribute values: the e-mail
// templates' HTML part and the daemon's status page use this one escaper.
void append_html(std::string_view value, std::string& out);

}  // namespace motcua::alerts
