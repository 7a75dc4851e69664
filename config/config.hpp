#pragma once
// The daemon's configuration (DESIGN.md "Configuration"): one TOML file, checked completely at
// load time. Every problem is reported with its FILE:LINE:COL, all of them at once; unknown keys
// are errors; secrets are read from files named in the config, never written into it. Relative
// paths are resolved against the config file's folder.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/errors.hpp"
#include "sla/calendar.hpp"
#include "sla/duration.hpp"
#include "sla/rules.hpp"

namespace motcua::config {

enum class LogLevel : std::uint8_t { trace, debug, info, warn, error };
std::string_view log_level_name(LogLevel l);

struct DaemonConfig {
  std::string listen = "127.0.0.1:9470";
  std::string listen_host = "127.0.0.1";  // without brackets for IPv6
  std::uint16_t listen_port = 9470;       // 0: any free port
  std::filesystem::path state_db;         // default "state.db" next to the config
  std::chrono::seconds utc_offset = sla::kVietnamOffset;
  LogLevel log_level = LogLevel::info;
  std::optional<std::filesystem::path> api_token_file;
};

enum class SourceKind : std::uint8_t { motcua, dvc, file };
std::string_view source_kind_name(SourceKind k);

// `fields = { code = "SoHoSo" }`: a logical field mapped to the vendor's name. The logical
// names belong to the connectors, which check them (and report at `where`).
struct FieldOverride {
  std::string logical;
  std::string upstream;
  Position where;
};

// `status_codes = { "DA_TRA" = 10 }`: an upstream status mapped onto a canonical code 1..10.
struct StatusCodeOverride {
  std::string upstream;
  int code = 0;
  Position where;
};

struct SourceConfig {
  std::string name;
  SourceKind kind = SourceKind::file;
  Position where;  // the [[source]] header

  std::filesystem::path path;  // kind file

  // kinds motcua and dvc
  std::string url;
  std::string username;
  std::optional<std::filesystem::path> password_file;
  std::string dstcode;
  std::string madonvi;
  std::optional<std::filesystem::path> ca_file;
  bool tls_verify = true;
  int session_expired_code = 401;

  std::chrono::seconds poll_interval = std::chrono::minutes(2);
  int page_size = 500;
  std::chrono::seconds timeout = std::chrono::seconds(30);
  std::chrono::seconds lookback = std::chrono::days(30);  // dvc
  int concurrency = 4;
  double rate_limit = 20;  // requests per second
  std::string date_format = "yyyyMMddHHmmss";
  std::string apology_step_pattern = "xin lỗi";
  std::vector<FieldOverride> fields;
  std::vector<StatusCodeOverride> status_codes;
};

enum class StartTls : std::uint8_t { required, opportunistic, off };
std::string_view starttls_name(StartTls s);

struct SmtpConfig {
  std::string host;
  int port = 587;
  StartTls starttls = StartTls::required;
  std::string username;
  std::optional<std::filesystem::path> password_file;
  std::string from;  // "Name <address>" or "address"
  bool tls_verify = true;
  std::optional<std::filesystem::path> ca_file;
  std::chrono::seconds timeout = std::chrono::seconds(30);
  std::string helo;  // empty: the host name
  Position where;

  // Port 465 speaks TLS from the first byte (RFC 8314); other ports use STARTTLS per `starttls`.
  bool implicit_tls() const { return port == 465; }
};

enum class WebhookFormat : std::uint8_t { native, alertmanager };
std::string_view webhook_format_name(WebhookFormat f);

struct WebhookConfig {
  std::string url;
  std::optional<std::filesystem::path> secret_file;
  WebhookFormat format = WebhookFormat::native;
  std::chrono::seconds timeout = std::chrono::seconds(10);
  Position where;
};

// Template files that override the defaults (resolved paths).
struct TemplateFiles {
  std::optional<std::filesystem::path> subject;
  std::optional<std::filesystem::path> text;
  std::optional<std::filesystem::path> html;
};

struct ReceiverConfig {
  std::string name;
  std::vector<std::string> email;
  std::optional<WebhookConfig> webhook;
  bool send_resolved = false;
  // Officials read mail in office hours: e-mails wait for the next working session.
  bool email_working_hours_only = true;
  TemplateFiles templates;
  Position where;
};

struct EscalationStep {
  sla::Duration after;
  std::string receiver;
  Position where;
};

// The labels an alert carries, for `match` and `group_by`.
inline constexpr std::string_view kAlertLabels[] = {"agency",   "procedure", "rule",
                                                    "severity", "source",    "department"};

struct RouteConfig {
  std::string receiver;
  std::map<std::string, std::string> match;  // label → value; empty matches everything
  std::vector<std::string> group_by{"agency"};
  std::chrono::seconds group_wait = std::chrono::seconds(30);
  std::chrono::seconds group_interval = std::chrono::minutes(5);
  sla::Duration repeat_interval = sla::Duration::working_days(1);
  bool continue_matching = false;        // `continue`
  std::vector<EscalationStep> escalate;  // `after` strictly increasing
  Position where;
};

struct TemplatesConfig {
  std::optional<std::filesystem::path> directory;
  TemplateFiles files;
};

struct Config {
  std::filesystem::path file;  // as given to load_config / parse_config
  DaemonConfig daemon;
  sla::CalendarSettings calendar;
  std::vector<SourceConfig> sources;
  sla::RulesConfig rules;
  std::optional<SmtpConfig> smtp;
  std::vector<ReceiverConfig> receivers;
  std::vector<RouteConfig> routes;
  TemplatesConfig templates;

  const SourceConfig* source(std::string_view name) const;
  const ReceiverConfig* receiver(std::string_view name) const;
  // "config.toml: 1 source (motcua:file), 12 rules (12 enabled), 0 receivers, 0 routes,
  // calendar 2023–2026 official"
  std::string summary() const;
};

// Both throw ConfigErrors listing every problem found.
Config load_config(const std::filesystem::path& file);

// A secret from its file (password_file, secret_file, api_token_file): the first line, without
// the line ending editors add. Throws std::runtime_error naming the file (never the content) when
// it cannot be read.
std::string read_secret_file(const std::filesystem::path& file);
Config parse_config(std::string_view text, const std::filesystem::path& file);

}  // namespace motcua::config
