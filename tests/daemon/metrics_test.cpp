// The metrics: counters that add up under concurrent increments, gauges read from the published
// evaluation and the store at scrape time, the route label's bounded set of values, and an
// exposition that promtool accepts without a lint complaint.
#include "daemon/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "store/alert_store.hpp"
#include "store/outbox.hpp"
#include "store/silence_store.hpp"
#include "tests/daemon/page_test_fixture.hpp"

namespace motcua::daemon {
namespace {

using namespace std::chrono;
using testing::at;
using testing::finding;
using ::testing::HasSubstr;
using ::testing::Not;

// The value of the sample whose name and labels are exactly `series`; nullopt when absent.
std::optional<double> sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  return std::nullopt;
}

class MetricsTest : public testing::ServiceFixture, public ::testing::Test {
 protected:
  std::string render() { return metrics->render(state, db); }
};

TEST_F(MetricsTest, CountersAddUpAcrossThreads) {
  constexpr int kThreads = 4;
  constexpr int kEach = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([this] {
      for (int i = 0; i < kEach; ++i) {
        metrics->sync_finished("motcua", i % 10 != 0, milliseconds(1500), 3, 1);
        metrics->http_request("/metrics", 200, microseconds(700));
        metrics->notification_attempt("so-xay-dung", "email", "delivered");
        if (i % 100 == 0) metrics->config_reload(i % 200 == 0);
        if (i % 50 == 0) metrics->evaluation_finished(milliseconds(300), 42);
      }
    });
  for (auto& t : threads)
    t.join();

  const auto text = render();
  const double n = kThreads * kEach;
  EXPECT_EQ(sample(text, R"(motcua_source_syncs_total{source="motcua"})"), n);
  EXPECT_EQ(sample(text, R"(motcua_source_sync_failures_total{source="motcua"})"), n / 10);
  EXPECT_EQ(sample(text, R"(motcua_source_records_fetched_total{source="motcua"})"), 3 * n);
  EXPECT_EQ(sample(text, R"(motcua_source_records_bad_total{source="motcua"})"), n);
  EXPECT_EQ(sample(text, R"(motcua_source_sync_duration_seconds_count{source="motcua"})"), n);
  EXPECT_DOUBLE_EQ(*sample(text, R"(motcua_source_sync_duration_seconds_sum{source="motcua"})"),
                   1.5 * n);
  // 1.5 s falls in the 2.5 s bucket, not the 1 s one; buckets are cumulative.
  EXPECT_EQ(sample(text, R"(motcua_source_sync_duration_seconds_bucket{source="motcua",le="1"})"),
            0);
  EXPECT_EQ(sample(text, R"(motcua_source_sync_duration_seconds_bucket{source="motcua",le="2.5"})"),
            n);
  EXPECT_EQ(
      sample(text, R"(motcua_source_sync_duration_seconds_bucket{source="motcua",le="+Inf"})"), n);
  EXPECT_EQ(sample(text, R"(motcua_http_requests_total{route="/metrics",code="200"})"), n);
  EXPECT_EQ(sample(text, R"(motcua_http_request_duration_seconds_count{route="/metrics"})"), n);
  EXPECT_EQ(
      sample(text, R"(motcua_http_request_duration_seconds_bucket{route="/metrics",le="0.0005"})"),
      0);
  EXPECT_EQ(
      sample(text, R"(motcua_http_request_duration_seconds_bucket{route="/metrics",le="0.001"})"),
      n);
  EXPECT_EQ(
      sample(
          text,
          R"(motcua_notifications_total{receiver="so-xay-dung",channel="email",outcome="delivered"})"),
      n);
  EXPECT_EQ(sample(text, R"(motcua_config_reloads_total{result="ok"})"), kThreads * 25);
  EXPECT_EQ(sample(text, R"(motcua_config_reloads_total{result="failed"})"), kThreads * 25);
  EXPECT_EQ(sample(text, "motcua_evaluations_total"), kThreads * 100);
  EXPECT_EQ(sample(text, "motcua_evaluation_dossiers"), 42);
}

TEST_F(MetricsTest, LabelValuesAreEscapedAndVietnameseKept) {
  metrics->notification_attempt("a\"b\\c\nd", "webhook", "retry");
  publish({finding(sla::Rule::overdue, "Sở \"Tư pháp\"\\H37", "Sở Tư pháp", "X-1", "Thủ tục")});
  const auto text = render();
  EXPECT_THAT(text, HasSubstr(R"(motcua_notifications_total{receiver="a\"b\\c\nd",)"));
  EXPECT_THAT(text, HasSubstr(R"(agency="Sở \"Tư pháp\"\\H37"} 1)"));
  // A raw newline in a value would start a line that is neither a comment nor a sample.
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    EXPECT_TRUE(line.starts_with("# HELP ") || line.starts_with("# TYPE ") ||
                line.starts_with("motcua_"))
        << line;
}

TEST(RouteLabel, MapsPathsToTheFixedPatterns) {
  const std::map<std::string, std::string> cases{
      {"/", "/"},
      {"/healthz", "/healthz"},
      {"/readyz", "/readyz"},
      {"/metrics", "/metrics"},
      {"/api/v1/status", "/api/v1/status"},
      {"/api/v1/findings", "/api/v1/findings"},
      {"/api/v1/dossiers/000.00.12.H37-260301-0007", "/api/v1/dossiers/{code}"},
      {"/api/v1/dossiers/Hồ sơ có dấu", "/api/v1/dossiers/{code}"},
      {"/api/v1/alerts", "/api/v1/alerts"},
      {"/api/v1/silences", "/api/v1/silences"},
      {"/api/v1/silences/17", "/api/v1/silences/{id}"},
      {"/api/v1/indicators", "/api/v1/indicators"},
      {"/api/v1/dossiers", "other"},
      {"/api/v1/dossiers/", "other"},
      {"/api/v1/dossiers/a/b", "other"},
      {"/metrics/", "other"},
      {"/wp-login.php", "other"},
      {"/api/v2/status", "other"},
      {"", "other"},
      {"metrics", "other"},
  };
  for (const auto& [path, label] : cases)
    EXPECT_EQ(route_label(path), label) << path;
}

TEST_F(MetricsTest, GaugesReflectThePublishedEvaluationAndTheStore) {
  set_realistic_sources();
  const auto before = render();
  EXPECT_EQ(sample(before, "motcua_evaluation_timestamp_seconds"), std::nullopt);
  EXPECT_THAT(before, Not(HasSubstr("motcua_findings{")));
  EXPECT_EQ(sample(before, R"(motcua_alerts{state="firing"})"), 0);

  publish({
      finding(sla::Rule::overdue, "000.00.12.H37", "Sở Xây dựng", "A-1", "Cấp phép", 3),
      finding(sla::Rule::overdue, "000.00.12.H37", "Sở Xây dựng", "A-2", "Cấp phép", 30),
      finding(sla::Rule::due_soon, "000.00.12.H37", "Sở Xây dựng", "A-3", "Cấp phép"),
      finding(sla::Rule::overdue, "000.00.20.H37", "Sở Tư pháp", "B-1", "Lý lịch tư pháp", 1),
  });
  store::Outbox outbox(db);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    store::OutboxMessage m;
    m.idempotency_key = "k" + std::to_string(i);
    m.receiver = "so-xay-dung";
    m.payload = "{}";
    m.not_before = now;
    ids.push_back(outbox.enqueue(m, now));
  }
  outbox.delivered(ids[0], now);
  outbox.delivered(ids[1], now);
  outbox.dead(ids[2], now, "550 mailbox unavailable");
  store::AlertStore alerts(db);
  std::vector<store::AlertRecord> records(2);
  records[0].fingerprint = "f1";
  records[1].fingerprint = "f2";
  for (auto& r : records) {
    r.rule = "overdue";
    r.source = "motcua";
    r.dossier = r.fingerprint;
    r.labels = r.annotations = "{}";
    r.starts_at = now;
  }
  alerts.reconcile(records, {}, now);
  store::Silence silence;
  silence.matchers = R"({"agency":"000.00.12.H37"})";
  silence.starts_at = now - hours(1);
  silence.ends_at = now + hours(1);
  store::SilenceStore(db).add(silence, now);

  const auto text = render();
  EXPECT_EQ(
      sample(text, R"(motcua_findings{rule="overdue",severity="critical",agency="000.00.12.H37"})"),
      2);
  EXPECT_EQ(
      sample(text, R"(motcua_findings{rule="due_soon",severity="warning",agency="000.00.12.H37"})"),
      1);
  EXPECT_EQ(
      sample(text, R"(motcua_findings{rule="overdue",severity="critical",agency="000.00.20.H37"})"),
      1);
  EXPECT_EQ(sample(text, "motcua_evaluation_dossiers"), 1000);
  EXPECT_EQ(sample(text, "motcua_evaluation_timestamp_seconds"),
            static_cast<double>(now.time_since_epoch().count()));
  EXPECT_EQ(sample(text, R"(motcua_outbox_rows{state="pending"})"), 2);
  EXPECT_EQ(sample(text, R"(motcua_outbox_rows{state="delivered"})"), 2);
  EXPECT_EQ(sample(text, R"(motcua_outbox_rows{state="dead"})"), 1);
  EXPECT_EQ(sample(text, R"(motcua_alerts{state="firing"})"), 2);
  EXPECT_EQ(sample(text, "motcua_silences_active"), 1);

  EXPECT_EQ(sample(text, R"(motcua_source_up{source="motcua"})"), 1);
  EXPECT_EQ(sample(text, R"(motcua_source_up{source="dvc"})"), 0);
  EXPECT_EQ(sample(text, R"(motcua_source_consecutive_failures{source="dvc"})"), 4);
  EXPECT_EQ(sample(text, R"(motcua_source_lag_seconds{source="motcua"})"), 180);
  EXPECT_EQ(sample(text, R"(motcua_source_lag_seconds{source="dvc"})"), 7200);
  EXPECT_EQ(sample(text, R"(motcua_source_lag_seconds{source="tệp-hồ-sơ"})"), std::nullopt);
  EXPECT_EQ(sample(text, R"(motcua_source_dossiers{source="motcua"})"), 120345);
  // Configured sources have their counters from the start.
  EXPECT_EQ(sample(text, R"(motcua_source_syncs_total{source="tệp-hồ-sơ"})"), 0);

  now += minutes(10);
  EXPECT_EQ(sample(render(), R"(motcua_source_lag_seconds{source="motcua"})"), 780);
  EXPECT_EQ(sample(render(), "motcua_uptime_seconds"), 600);
}

TEST_F(MetricsTest, BuildInfoAndCalendar) {
  const auto text = render();
  EXPECT_THAT(text, ::testing::ContainsRegex(R"(motcua_build_info\{version="[0-9.]+"\} 1)"));
  // No official table is shipped for the end of the century; the current decade has them.
  now = at("2098-06-01T10:00:00+07:00");
  EXPECT_EQ(sample(render(), "motcua_calendar_unconfirmed"), 1);
  ASSERT_TRUE(runtime->calendar.is_confirmed(2024) && runtime->calendar.is_confirmed(2025));
  now = at("2024-06-01T10:00:00+07:00");
  EXPECT_EQ(sample(render(), "motcua_calendar_unconfirmed"), 0);
}

// Each family once, HELP and TYPE before its samples, no sample outside its family, counters
// named _total: what promtool lints, checked here too so the rule holds where promtool is absent.
TEST_F(MetricsTest, FamiliesAreWholeAndDescribed) {
  set_realistic_sources();
  metrics->sync_finished("motcua", true, milliseconds(20), 1, 0);
  metrics->http_request("/", 200, microseconds(300));
  metrics->notification_attempt("r", "email", "delivered");
  publish({finding(sla::Rule::overdue, "A", "Cơ quan A", "A-1", "TT", 2)});
  const auto text = render();

  std::set<std::string> seen;
  std::string family, type;
  bool helped = false;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# HELP ")) {
      family = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(seen.insert(family).second) << "family twice: " << family;
      helped = true;
      type.clear();
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      ASSERT_TRUE(helped) << line;
      EXPECT_EQ(line.substr(7, family.size() + 1), family + " ") << line;
      type = line.substr(7 + family.size() + 1);
      EXPECT_EQ(type == "counter", family.ends_with("_total")) << line;
      continue;
    }
    const std::string name = line.substr(0, line.find_first_of("{ "));
    ASSERT_FALSE(type.empty()) << line;
    if (type == "histogram")
      EXPECT_TRUE(name == family + "_bucket" || name == family + "_sum" ||
                  name == family + "_count")
          << line;
    else
      EXPECT_EQ(name, family) << line;
  }
  for (const char* f :
       {"motcua_source_syncs_total", "motcua_source_sync_duration_seconds", "motcua_findings",
        "motcua_outbox_rows", "motcua_http_requests_total", "motcua_http_request_duration_seconds",
        "motcua_config_reloads_total", "motcua_calendar_unconfirmed", "motcua_build_info",
        "motcua_start_time_seconds", "motcua_notifications_total"})
    EXPECT_TRUE(seen.count(f)) << f;
}

// promtool's verdict on the exposition, read from stdin as Prometheus reads a scrape; nullopt
// when promtool is not installed.
std::optional<::motcua::testing::ProcessResult> promtool_check(const std::string& exposition,
                                                               const std::filesystem::path& dir) {
  const std::filesystem::path promtool = "/usr/bin/promtool";
  if (!std::filesystem::exists(promtool)) return std::nullopt;
  const auto file = dir / "metrics.txt";
  {
    std::ofstream out(file, std::ios::binary);
    out << exposition;
  }
  return ::motcua::testing::run_process(
      "/bin/sh", {"-c", "exec /usr/bin/promtool check metrics < \"$0\"", file.string()},
      seconds(30));
}

TEST_F(MetricsTest, PromtoolAcceptsARealisticExposition) {
  set_realistic_sources();
  for (int i = 0; i < 20; ++i) {
    metrics->sync_finished("motcua", i % 7 != 0, milliseconds(200 * i), 500, i % 3);
    metrics->sync_finished("dvc", false, milliseconds(30000), 0, 0);
    metrics->http_request(route_label("/api/v1/dossiers/000.00.12.H37-260301-0007"), 200,
                          microseconds(1500 * i));
    metrics->http_request(route_label("/"), 200, microseconds(40000));
    metrics->http_request(route_label("/wp-admin"), 404, microseconds(100));
    metrics->notification_attempt("so-xay-dung", "email", i % 4 ? "delivered" : "retry");
    metrics->notification_attempt("lãnh-đạo \"sở\"", "webhook", "dead");
  }
  metrics->evaluation_finished(milliseconds(2300), 120345);
  metrics->config_reload(true);
  metrics->config_reload(false);
  std::vector<sla::Finding> findings;
  const std::vector<std::pair<std::string, std::string>> agencies{
      {"000.00.12.H37", "Sở Xây dựng"},
      {"000.00.20.H37", "Sở Tư pháp"},
      {"000.21.30.H37", "UBND xã Tân Hưng\\\"Bắc\""},
  };
  for (int i = 0; i < 300; ++i) {
    const auto& [code, name] = agencies[static_cast<std::size_t>(i) % agencies.size()];
    const auto rule = i % 5 == 0 ? sla::Rule::due_soon : sla::Rule::overdue;
    findings.push_back(
        finding(rule, code, name, code + "-" + std::to_string(i), "Cấp phép xây dựng", i));
  }
  findings.push_back(finding(sla::Rule::source_stale, "", "", "", ""));
  publish(std::move(findings));

  const auto checked = promtool_check(render(), dir.path());
  if (!checked) GTEST_SKIP() << "promtool is not installed (Debian package prometheus)";
  EXPECT_EQ(checked->exit_code, 0) << checked->out << checked->err;
  EXPECT_EQ(checked->out + checked->err, "");
}

TEST_F(MetricsTest, PromtoolAcceptsTheExpositionOfAServiceThatHasDoneNothingYet) {
  const auto checked = promtool_check(render(), dir.path());
  if (!checked) GTEST_SKIP() << "promtool is not installed (Debian package prometheus)";
  EXPECT_EQ(checked->exit_code, 0) << checked->out << checked->err;
  EXPECT_EQ(checked->out + checked->err, "");
}

}  // namespace
}  // namespace motcua::daemon
