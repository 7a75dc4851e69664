// Configs that load, and what they load into.
#include "config/config.hpp"

#include "tests/config/support.hpp"

namespace motcua::config {
namespace {

using namespace std::chrono_literals;
using test::kConfigFile;
using test::kMinimal;
using test::load;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(Config, MinimalConfigLoadsWithDefaults) {
  Config c = load(kMinimal);
  EXPECT_EQ(c.file, kConfigFile);

  EXPECT_EQ(c.daemon.listen, "127.0.0.1:9470");
  EXPECT_EQ(c.daemon.listen_host, "127.0.0.1");
  EXPECT_EQ(c.daemon.listen_port, 9470);
  EXPECT_EQ(c.daemon.state_db, "/etc/motcua-watch/state.db");
  EXPECT_EQ(c.daemon.utc_offset, 7h);
  EXPECT_EQ(c.daemon.log_level, LogLevel::info);
  EXPECT_FALSE(c.daemon.api_token_file);

  sla::CalendarSettings defaults;
  EXPECT_EQ(c.calendar.workdays, defaults.workdays);
  EXPECT_EQ(c.calendar.sessions, defaults.sessions);
  EXPECT_EQ(c.calendar.utc_offset, 7h);
  ASSERT_EQ(c.calendar.tables.size(), 4u);
  EXPECT_EQ(c.calendar.tables.front().year, 2023);
  EXPECT_EQ(c.calendar.tables.back().year, 2026);
  EXPECT_THAT(c.calendar.extra_holidays, IsEmpty());
  EXPECT_THAT(c.calendar.extra_workdays, IsEmpty());

  ASSERT_EQ(c.sources.size(), 1u);
  const SourceConfig& s = c.sources[0];
  EXPECT_EQ(s.name, "motcua");
  EXPECT_EQ(s.kind, SourceKind::file);
  EXPECT_EQ(s.where, (Position{kConfigFile.string(), 4, 1}));
  EXPECT_EQ(s.path, "/etc/motcua-watch/dossiers.json");
  EXPECT_EQ(s.poll_interval, 2min);
  EXPECT_EQ(s.page_size, 500);
  EXPECT_EQ(s.timeout, 30s);
  EXPECT_EQ(s.lookback, std::chrono::days(30));
  EXPECT_EQ(s.concurrency, 4);
  EXPECT_EQ(s.rate_limit, 20.0);
  EXPECT_EQ(s.date_format, "yyyyMMddHHmmss");
  EXPECT_EQ(s.apology_step_pattern, "xin lỗi");
  EXPECT_TRUE(s.tls_verify);
  EXPECT_EQ(s.session_expired_code, 401);
  EXPECT_THAT(s.fields, IsEmpty());
  EXPECT_THAT(s.status_codes, IsEmpty());

  sla::RulesConfig rules;
  for (sla::Rule r : sla::all_rules()) {
    EXPECT_EQ(c.rules[r].enabled, rules[r].enabled) << sla::rule_name(r);
    EXPECT_EQ(c.rules[r].severity, rules[r].severity) << sla::rule_name(r);
    EXPECT_FALSE(c.rules[r].finished_lookback) << sla::rule_name(r);
  }
  EXPECT_EQ(c.rules.due_soon_threshold, sla::Duration::working_days(1));
  EXPECT_EQ(c.rules.finished_lookback, sla::Duration::clock(std::chrono::days(30)));
  EXPECT_EQ(c.rules.apology_lead_working_days, 1);
  EXPECT_EQ(c.rules.max_supplement_requests, 1);

  EXPECT_FALSE(c.smtp);
  EXPECT_THAT(c.receivers, IsEmpty());
  EXPECT_THAT(c.routes, IsEmpty());
  EXPECT_FALSE(c.templates.directory);
}

TEST(Config, SummaryIsOneLine) {
  EXPECT_EQ(load(kMinimal).summary(),
            "/etc/motcua-watch/config.toml: 1 source (motcua:file), 12 rules (12 enabled), "
            "0 receivers, 0 routes, calendar 2023–2026 official");
}

TEST(Config, EmptyDaemonSectionIsOptional) {
  Config c = load(R"([[source]]
name = "motcua"
kind = "file"
path = "/var/lib/motcua/dossiers.json"
)");
  EXPECT_EQ(c.daemon.state_db, "/etc/motcua-watch/state.db");
  EXPECT_EQ(c.sources.at(0).path, "/var/lib/motcua/dossiers.json");
}

TEST(Config, RelativePathsResolveAgainstTheConfigFolder) {
  test::TempDir dir;
  auto file = dir.write("etc/config.toml", kMinimal);
  Config c = load_config(file);
  EXPECT_EQ(c.daemon.state_db, dir.path() / "etc" / "state.db");
  EXPECT_EQ(c.sources.at(0).path, dir.path() / "etc" / "dossiers.json");
  EXPECT_EQ(c.file, file);
}

TEST(Config, ConfigInTheCurrentFolderKeepsRelativePaths) {
  Config c = load(kMinimal, "config.toml");
  EXPECT_EQ(c.daemon.state_db, "state.db");
  EXPECT_EQ(c.summary().substr(0, 13), "config.toml: ");
}

// DESIGN.md "Configuration": the keys the later parts add, as written there.
TEST(Config, DesignExampleLoads) {
  Config c = load(R"([daemon]
listen = "127.0.0.1:9470"
api_token_file = "/etc/motcua-watch/api.token"
state_db = "/var/lib/motcua-watch/state.db"
log_level = "debug"

[[source]]
name = "motcua"
kind = "motcua"
url = "https://lgsp.example.gov.vn/motcua"
username = "giamsat"
password_file = "/etc/motcua-watch/motcua.password"
dstcode = "H37"
madonvi = "000.00.00.H37"
ca_file = "/etc/motcua-watch/ca.pem"
poll_interval = "2m"
page_size = 500
timeout = "30s"

[[source]]
name = "dvc"
kind = "dvc"
url = "http://dvc.example.gov.vn"
lookback = "14 days"
rate_limit = 2.5
tls_verify = false
session_expired_code = 1001
fields = { MaHoSo = "ma_ho_so", NgayHenTra = "ngay_hen_tra" }
status_codes = { "DA_TRA" = 10, "11" = 4 }

[smtp]
host = "mail.example.gov.vn"
port = 587
starttls = "required"
username = "giamsat"
password_file = "/etc/motcua-watch/smtp.password"
from = "Giám sát một cửa <giamsat@example.gov.vn>"

[[receiver]]
name = "so-xay-dung"
email = ["vanthu@sxd.example.gov.vn"]
webhook = { url = "https://chat.example.gov.vn/hook", secret_file = "/etc/motcua-watch/hook.secret", format = "native" }

[[receiver]]
name = "lanh-dao-so"
email = ["giamdoc@sxd.example.gov.vn", "pho.giamdoc@sxd.example.gov.vn"]
send_resolved = true
email_working_hours_only = false
templates = { subject = "templates/lanh-dao.subject" }

[[route]]
receiver = "so-xay-dung"
match = { agency = "000.00.12.H37" }
group_by = ["agency"]
group_wait = "30s"
group_interval = "5m"
repeat_interval = "1 working day"
continue = false
escalate = [{ after = "2 working days", receiver = "lanh-dao-so" }]

[templates]
directory = "templates"
html = "/usr/share/motcua-watch/mail.html"
)");
  EXPECT_EQ(c.daemon.api_token_file, "/etc/motcua-watch/api.token");
  EXPECT_EQ(c.daemon.state_db, "/var/lib/motcua-watch/state.db");
  EXPECT_EQ(c.daemon.log_level, LogLevel::debug);

  ASSERT_EQ(c.sources.size(), 2u);
  const SourceConfig& m = c.sources[0];
  EXPECT_EQ(m.kind, SourceKind::motcua);
  EXPECT_EQ(m.url, "https://lgsp.example.gov.vn/motcua");
  EXPECT_EQ(m.username, "giamsat");
  EXPECT_EQ(m.password_file, "/etc/motcua-watch/motcua.password");
  EXPECT_EQ(m.dstcode, "H37");
  EXPECT_EQ(m.madonvi, "000.00.00.H37");
  EXPECT_EQ(m.ca_file, "/etc/motcua-watch/ca.pem");
  const SourceConfig& d = c.sources[1];
  EXPECT_EQ(d.kind, SourceKind::dvc);
  EXPECT_EQ(d.lookback, std::chrono::days(14));
  EXPECT_EQ(d.rate_limit, 2.5);
  EXPECT_FALSE(d.tls_verify);
  EXPECT_EQ(d.session_expired_code, 1001);
  ASSERT_EQ(d.fields.size(), 2u);
  // Positions are kept for the connectors, which check the logical names.
  EXPECT_EQ(d.fields[0].logical, "MaHoSo");
  EXPECT_EQ(d.fields[0].upstream, "ma_ho_so");
  EXPECT_EQ(d.fields[0].where, (Position{kConfigFile.string(), 28, 12}));
  EXPECT_EQ(d.fields[1].where, (Position{kConfigFile.string(), 28, 33}));
  ASSERT_EQ(d.status_codes.size(), 2u);
  EXPECT_EQ(d.status_codes[0].upstream, "11");
  EXPECT_EQ(d.status_codes[0].code, 4);
  EXPECT_EQ(d.status_codes[1].upstream, "DA_TRA");
  EXPECT_EQ(d.status_codes[1].code, 10);
  EXPECT_EQ(d.status_codes[1].where, (Position{kConfigFile.string(), 29, 18}));
  EXPECT_EQ(c.source("dvc"), &c.sources[1]);
  EXPECT_EQ(c.source("nope"), nullptr);

  ASSERT_TRUE(c.smtp);
  EXPECT_EQ(c.smtp->host, "mail.example.gov.vn");
  EXPECT_EQ(c.smtp->port, 587);
  EXPECT_FALSE(c.smtp->implicit_tls());
  EXPECT_EQ(c.smtp->starttls, StartTls::required);
  EXPECT_EQ(c.smtp->password_file, "/etc/motcua-watch/smtp.password");
  EXPECT_EQ(c.smtp->from, "Giám sát một cửa <giamsat@example.gov.vn>");
  EXPECT_EQ(c.smtp->timeout, 30s);

  ASSERT_EQ(c.receivers.size(), 2u);
  const ReceiverConfig& r = c.receivers[0];
  EXPECT_THAT(r.email, ElementsAre("vanthu@sxd.example.gov.vn"));
  ASSERT_TRUE(r.webhook);
  EXPECT_EQ(r.webhook->url, "https://chat.example.gov.vn/hook");
  EXPECT_EQ(r.webhook->secret_file, "/etc/motcua-watch/hook.secret");
  EXPECT_EQ(r.webhook->format, WebhookFormat::native);
  EXPECT_FALSE(r.send_resolved);
  EXPECT_TRUE(r.email_working_hours_only);
  const ReceiverConfig& boss = *c.receiver("lanh-dao-so");
  EXPECT_EQ(boss.email.size(), 2u);
  EXPECT_TRUE(boss.send_resolved);
  EXPECT_FALSE(boss.email_working_hours_only);
  EXPECT_EQ(boss.templates.subject, "/etc/motcua-watch/templates/lanh-dao.subject");
  EXPECT_FALSE(boss.templates.html);

  ASSERT_EQ(c.routes.size(), 1u);
  const RouteConfig& route = c.routes[0];
  EXPECT_EQ(route.receiver, "so-xay-dung");
  EXPECT_THAT(route.match,
              ElementsAre(std::pair<const std::string, std::string>("agency", "000.00.12.H37")));
  EXPECT_THAT(route.group_by, ElementsAre("agency"));
  EXPECT_EQ(route.group_wait, 30s);
  EXPECT_EQ(route.group_interval, 5min);
  EXPECT_EQ(route.repeat_interval, sla::Duration::working_days(1));
  EXPECT_FALSE(route.continue_matching);
  ASSERT_EQ(route.escalate.size(), 1u);
  EXPECT_EQ(route.escalate[0].after, sla::Duration::working_days(2));
  EXPECT_EQ(route.escalate[0].receiver, "lanh-dao-so");
  EXPECT_EQ(route.where, (Position{kConfigFile.string(), 51, 1}));

  EXPECT_EQ(c.templates.directory, "/etc/motcua-watch/templates");
  EXPECT_EQ(c.templates.files.html, "/usr/share/motcua-watch/mail.html");
  EXPECT_FALSE(c.templates.files.subject);

  EXPECT_EQ(c.summary(),
            "/etc/motcua-watch/config.toml: 2 sources (motcua:motcua, dvc:dvc), 12 rules "
            "(12 enabled), 2 receivers, 1 route, calendar 2023–2026 official");
}

TEST(Config, DaemonSettings) {
  Config c = load(R"([daemon]
listen = "[::1]:0"
utc_offset = "+05:30"
log_level = "trace"

[[source]]
name = "motcua"
kind = "file"
path = "dossiers.json"
)");
  EXPECT_EQ(c.daemon.listen_host, "::1");
  EXPECT_EQ(c.daemon.listen_port, 0);
  EXPECT_EQ(c.daemon.utc_offset, 5h + 30min);
  EXPECT_EQ(c.calendar.utc_offset, 5h + 30min);
  EXPECT_EQ(c.daemon.log_level, LogLevel::trace);
}

TEST(Config, CalendarSettings) {
  Config c = load(std::string(kMinimal) + R"(
[calendar]
workdays = ["mon", "tue", "wed", "thu", "fri", "sat"]
working_hours = ["07:30-11:30", "13:00-17:00"]
holidays = ["2026-03-10", { date = "2026-03-11", name = "Ngày thành lập tỉnh" }, 2026-03-12]
makeup_workdays = [{ date = "2026-03-15", name = "Làm bù" }]
)");
  EXPECT_EQ(c.calendar.workdays, (std::array<bool, 7>{false, true, true, true, true, true, true}));
  EXPECT_EQ(c.calendar.sessions,
            (std::vector<sla::WorkingSession>{{7h + 30min, 11h + 30min}, {13h, 17h}}));
  ASSERT_EQ(c.calendar.extra_holidays.size(), 3u);
  EXPECT_EQ(c.calendar.extra_holidays[0].date, sla::parse_date("2026-03-10"));
  EXPECT_FALSE(c.calendar.extra_holidays[0].name.empty());
  EXPECT_EQ(c.calendar.extra_holidays[1].name, "Ngày thành lập tỉnh");
  EXPECT_EQ(c.calendar.extra_holidays[2].date, sla::parse_date("2026-03-12"));
  ASSERT_EQ(c.calendar.extra_workdays.size(), 1u);
  EXPECT_EQ(c.calendar.extra_workdays[0].date, sla::parse_date("2026-03-15"));

  sla::WorkingCalendar calendar(c.calendar);
  EXPECT_FALSE(calendar.is_working_day(*sla::parse_date("2026-03-11")));
  EXPECT_TRUE(calendar.is_working_day(*sla::parse_date("2026-03-14")));  // a Saturday
  EXPECT_TRUE(calendar.is_working_day(*sla::parse_date("2026-03-15")));  // a Sunday, worked
}

TEST(Config, RuleOverrides) {
  Config c = load(std::string(kMinimal) + R"(
[rules]
finished_lookback = "14 days"

[rules.overdue]
severity = "info"

[rules.due_soon]
threshold = "4 working hours"
finished_lookback = "7d"

[rules.apology_late]
lead = "2 working days"

[rules.repeat_supplement]
max_requests = 2
enabled = false

[rules.portal_missing]
after = "2 working days"

[rules.status_mismatch]
after = "48h"

[rules.source_stale]
after = "15m"
severity = "warning"
)");
  EXPECT_EQ(c.rules.finished_lookback, sla::Duration::clock(std::chrono::days(14)));
  EXPECT_EQ(c.rules[sla::Rule::overdue].severity, sla::Severity::info);
  EXPECT_TRUE(c.rules[sla::Rule::overdue].enabled);
  EXPECT_EQ(c.rules.due_soon_threshold, sla::Duration::working(4h));
  EXPECT_EQ(c.rules[sla::Rule::due_soon].finished_lookback,
            sla::Duration::clock(std::chrono::days(7)));
  EXPECT_EQ(c.rules.apology_lead_working_days, 2);
  EXPECT_EQ(c.rules.max_supplement_requests, 2);
  EXPECT_FALSE(c.rules[sla::Rule::repeat_supplement].enabled);
  EXPECT_EQ(c.rules.portal_missing_after, sla::Duration::working_days(2));
  EXPECT_EQ(c.rules.status_mismatch_after, sla::Duration::clock(48h));
  EXPECT_EQ(c.rules.source_stale_after, sla::Duration::clock(15min));
  EXPECT_EQ(c.rules[sla::Rule::source_stale].severity, sla::Severity::warning);
  // Untouched rules keep their defaults.
  EXPECT_EQ(c.rules[sla::Rule::apology_missing].severity,
            sla::RulesConfig{}[sla::Rule::apology_missing].severity);
  EXPECT_THAT(c.summary(), ::testing::HasSubstr("12 rules (11 enabled)"));
}

TEST(Config, ApologyLeadInWorkingHoursThatMakeWholeDays) {
  Config c = load(std::string(kMinimal) + R"(
[calendar]
working_hours = ["08:00-12:00", "13:00-16:00"]

[rules.apology_late]
lead = "14 working hours"
)");
  EXPECT_EQ(c.rules.apology_lead_working_days, 2);  // 7-hour days
}

TEST(Config, RoutesWithMatchersAndEscalation) {
  Config c = load(std::string(kMinimal) + R"(
[smtp]
host = "localhost"
port = 465
starttls = "off"
from = "giamsat@localhost"
timeout = "10s"
helo = "motcua-watch.local"

[[receiver]]
name = "van-thu"
email = ["vanthu@localhost"]

[[receiver]]
name = "pho-giam-doc"
webhook = { url = "http://127.0.0.1:9000/hook", format = "alertmanager", timeout = "5s" }

[[receiver]]
name = "giam-doc"

[[route]]
receiver = "van-thu"
match = { rule = "overdue", severity = "critical", source = "motcua", department = "Phòng QLĐT" }
group_by = ["agency", "procedure"]
repeat_interval = "4h"
continue = true
escalate = [
  { after = "4 working hours", receiver = "pho-giam-doc" },
  { after = "2 working days", receiver = "giam-doc" },
]

[[route]]
receiver = "giam-doc"
group_by = []
)");
  ASSERT_TRUE(c.smtp);
  EXPECT_TRUE(c.smtp->implicit_tls());
  EXPECT_EQ(c.smtp->starttls, StartTls::off);
  EXPECT_EQ(c.smtp->helo, "motcua-watch.local");
  EXPECT_EQ(c.smtp->timeout, 10s);
  ASSERT_TRUE(c.receiver("pho-giam-doc")->webhook);
  EXPECT_EQ(c.receiver("pho-giam-doc")->webhook->format, WebhookFormat::alertmanager);
  EXPECT_EQ(c.receiver("pho-giam-doc")->webhook->timeout, 5s);
  EXPECT_FALSE(c.receiver("giam-doc")->webhook);
  EXPECT_THAT(c.receiver("giam-doc")->email, IsEmpty());

  ASSERT_EQ(c.routes.size(), 2u);
  const RouteConfig& r = c.routes[0];
  EXPECT_EQ(r.match.size(), 4u);
  EXPECT_EQ(r.match.at("department"), "Phòng QLĐT");
  EXPECT_THAT(r.group_by, ElementsAre("agency", "procedure"));
  EXPECT_EQ(r.repeat_interval, sla::Duration::clock(4h));
  EXPECT_TRUE(r.continue_matching);
  ASSERT_EQ(r.escalate.size(), 2u);
  EXPECT_EQ(r.escalate[0].after, sla::Duration::working(4h));
  EXPECT_EQ(r.escalate[1].receiver, "giam-doc");
  EXPECT_EQ(r.escalate[1].where, (Position{kConfigFile.string(), 36, 3}));
  EXPECT_THAT(c.routes[1].group_by, IsEmpty());
  EXPECT_THAT(c.routes[1].match, IsEmpty());
}

TEST(Config, ErrorFormat) {
  ConfigError e{{"/etc/motcua-watch/config.toml", 3, 10}, "unknown key 'foo' in [daemon]"};
  EXPECT_EQ(e.str(), "/etc/motcua-watch/config.toml:3:10: error: unknown key 'foo' in [daemon]");
  ConfigError whole{{"missing.toml", 0, 0}, "cannot read the config"};
  EXPECT_EQ(whole.str(), "missing.toml: error: cannot read the config");
  ConfigErrors all({e, whole});
  EXPECT_EQ(std::string(all.what()), e.str() + "\n" + whole.str());
}

}  // namespace
}  // namespace motcua::config
