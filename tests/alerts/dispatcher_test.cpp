// Grouping, waits, reminders in working time, escalation, quiet hours for e-mail, resolved
// notices and restarts, driven by a controlled clock (the `now` passed in) over a real SQLite
// file.
#include "alerts/dispatcher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "alerts/alert.hpp"
#include "store/silence_store.hpp"
#include "tests/sla/fixtures.hpp"
#include "tests/support/process.hpp"

namespace motcua::alerts {
namespace {

using ::testing::ElementsAre;
using testing::T;

constexpr const char* kConfig = R"toml(
[daemon]
state_db = "state.db"

[[source]]
name = "motcua"
kind = "file"
path = "dossiers.json"

[smtp]
host = "127.0.0.1"
from = "Giám sát một cửa <giamsat@example.gov.vn>"

[[receiver]]
name = "so-xay-dung"
email = ["vanthu@sxd.example.gov.vn"]
webhook = { url = "https://chat.example.gov.vn/hook" }
send_resolved = true

[[receiver]]
name = "lanh-dao-so"
webhook = { url = "https://chat.example.gov.vn/lanh-dao" }

[[receiver]]
name = "so-noi-vu"
email = ["tccb@snv.example.gov.vn"]
email_working_hours_only = false

[[route]]
receiver = "so-noi-vu"
match = { rule = "apology_missing" }
continue = true

[[route]]
receiver = "so-xay-dung"
match = { agency = "000.00.12.H37" }
group_by = ["agency"]
group_wait = "30s"
group_interval = "5m"
repeat_interval = "1 working day"
escalate = [{ after = "2 working days", receiver = "lanh-dao-so" }]
)toml";

sla::Finding finding(const std::string& dossier, sla::Rule rule = sla::Rule::overdue,
                     const std::string& agency = "000.00.12.H37") {
  sla::Finding f;
  f.rule = rule;
  f.severity = sla::Severity::critical;
  f.dossier = dossier;
  f.source = "motcua";
  f.agency = agency;
  f.procedure = "1.009972";
  f.agency_name = "Sở Xây dựng";
  f.procedure_name = "Cấp giấy phép xây dựng";
  f.since = T("2026-03-09 17:00");
  f.due = f.since;
  f.message = "Hồ sơ " + dossier + " đã quá hạn";
  return f;
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : cfg(config::parse_config(kConfig, dir.path() / "motcua-watch.toml")) {}

  // One evaluation's findings, then one dispatch; returns "receiver/channel/kind/alerts" per new
  // outbox row.
  std::vector<std::string> cycle(const std::vector<sla::Finding>& findings, const std::string& at,
                                 bool flush = false) {
    store::AlertStore alerts(db);
    const std::vector<std::string> complete{"motcua"};
    record_findings(alerts, findings, complete, T(at), std::chrono::hours(7));
    return dispatch(at, flush);
  }
  std::vector<std::string> dispatch(const std::string& at, bool flush = false) {
    Dispatcher(cfg, testing::official_calendar(), db).run(T(at), flush);
    return take();
  }
  std::vector<std::string> take() {
    std::vector<std::string> out;
    store::Outbox outbox(db);
    auto rows = outbox.list(store::OutboxState::pending, 1000);
    std::reverse(rows.begin(), rows.end());
    for (const auto& r : rows) {
      if (r.id <= seen) continue;
      seen = r.id;
      const Notification n = parse_native_payload(r.message.payload);
      out.push_back(r.message.receiver + "/" + std::string(store::channel_name(r.message.channel)) +
                    "/" + r.message.kind + "/" + std::to_string(n.alerts.size()));
      last_rows.push_back(r);
    }
    return out;
  }

  testing::TempDir dir;
  config::Config cfg;
  store::Database db{dir.path() / "state.db"};
  std::int64_t seen = 0;
  std::vector<store::OutboxRow> last_rows;
};

TEST_F(DispatcherTest, AGroupIsToldOnceItsWaitHasPassed) {
  // Tuesday 10/03/2026, in working hours.
  EXPECT_TRUE(cycle({finding("A"), finding("B")}, "2026-03-10 10:00").empty());
  EXPECT_TRUE(dispatch("2026-03-10 10:00:29").empty());
  EXPECT_THAT(dispatch("2026-03-10 10:00:30"),
              ElementsAre("so-xay-dung/email/initial/2", "so-xay-dung/webhook/initial/2"));
  // Nothing more while nothing changes.
  EXPECT_TRUE(cycle({finding("A"), finding("B")}, "2026-03-10 10:02").empty());

  const Notification n = parse_native_payload(last_rows.back().message.payload);
  EXPECT_EQ(n.receiver, "so-xay-dung");
  EXPECT_EQ(n.group_labels.at("agency"), "000.00.12.H37");
  EXPECT_EQ(n.kind, NotificationKind::initial);
  EXPECT_EQ(n.alerts[0].annotations.at("agency_name"), "Sở Xây dựng");
  std::set<std::string> dossiers;
  for (const auto& a : n.alerts)
    dossiers.insert(a.labels.at("dossier"));
  EXPECT_EQ(dossiers, (std::set<std::string>{"A", "B"}));
  EXPECT_EQ(last_rows[0].message.not_before, T("2026-03-10 10:00:30"));
  // One key per notification and channel, the same on every attempt.
  EXPECT_NE(last_rows[0].message.idempotency_key, last_rows[1].message.idempotency_key);
  EXPECT_EQ(n.idempotency_key + "/webhook", last_rows[1].message.idempotency_key);
}

TEST_F(DispatcherTest, FlushDoesNotWaitForGroupWait) {
  EXPECT_EQ(cycle({finding("A")}, "2026-03-10 10:00", true).size(), 2u);
}

TEST_F(DispatcherTest, NewAlertsJoinAfterTheGroupInterval) {
  cycle({finding("A")}, "2026-03-10 10:00", true);
  take();
  EXPECT_TRUE(cycle({finding("A"), finding("B")}, "2026-03-10 10:02").empty());
  EXPECT_TRUE(dispatch("2026-03-10 10:04:59").empty());
  EXPECT_THAT(dispatch("2026-03-10 10:05:00"),
              ElementsAre("so-xay-dung/email/initial/2", "so-xay-dung/webhook/initial/2"));
}

TEST_F(DispatcherTest, RemindersComeAfterOneWorkingDayNotOneCalendarDay) {
  // Friday 13/03 16:00: one working day later is Monday 16/03 16:00, not Saturday.
  cycle({finding("A")}, "2026-03-13 16:00", true);
  take();
  EXPECT_TRUE(dispatch("2026-03-14 16:00").empty());
  EXPECT_TRUE(dispatch("2026-03-16 15:59").empty());
  EXPECT_THAT(dispatch("2026-03-16 16:00"),
              ElementsAre("so-xay-dung/email/repeat/1", "so-xay-dung/webhook/repeat/1"));
}

TEST_F(DispatcherTest, EmailWaitsForTheWorkingSessionUnlessTheReceiverSaysOtherwise) {
  // Tuesday 18:30: the office is closed until Wednesday 07:00; the webhook goes now.
  cycle({finding("A"), finding("C", sla::Rule::apology_missing)}, "2026-03-10 18:30", true);
  // so-noi-vu: e-mail for C at any hour; so-xay-dung: e-mail and webhook for the group of A and C.
  ASSERT_EQ(last_rows.size(), 3u);
  for (const auto& r : last_rows) {
    if (r.message.receiver == "so-xay-dung" && r.message.channel == store::Channel::email)
      EXPECT_EQ(r.message.not_before, T("2026-03-11 07:00"));
    else
      EXPECT_EQ(r.message.not_before, T("2026-03-10 18:30")) << r.message.receiver;
  }
}

TEST_F(DispatcherTest, EscalatesOnceAfterTwoWorkingDaysUnresolved) {
  cycle({finding("A")}, "2026-03-10 10:00", true);
  take();
  const auto escalation = ::testing::Contains("lanh-dao-so/webhook/escalation/1");
  // The day's reminder (Wednesday 10:00) goes to the agency; the head only after two days.
  EXPECT_THAT(dispatch("2026-03-11 10:00"), ::testing::Not(escalation));
  EXPECT_THAT(dispatch("2026-03-12 09:59"), ::testing::Not(escalation));
  EXPECT_THAT(dispatch("2026-03-12 10:00"), escalation);
  EXPECT_THAT(dispatch("2026-03-12 10:30"), ::testing::Not(escalation));
}

TEST_F(DispatcherTest, ContinueSendsToBothRoutesAndUnmatchedAlertsAreCounted) {
  store::AlertStore alerts(db);
  const std::vector<std::string> complete{"motcua"};
  const std::vector<sla::Finding> findings{finding("C", sla::Rule::apology_missing),
                                           finding("X", sla::Rule::overdue, "000.00.99.H37")};
  record_findings(alerts, findings, complete, T("2026-03-10 10:00"), std::chrono::hours(7));
  const auto report =
      Dispatcher(cfg, testing::official_calendar(), db).run(T("2026-03-10 10:00"), true);
  EXPECT_EQ(report.unrouted, 1u);
  EXPECT_THAT(take(), ElementsAre("so-noi-vu/email/initial/1", "so-xay-dung/email/initial/1",
                                  "so-xay-dung/webhook/initial/1"));
}

TEST_F(DispatcherTest, AResolvedGroupSaysSoOnceToReceiversThatWantIt) {
  cycle({finding("A"), finding("C", sla::Rule::apology_missing)}, "2026-03-10 10:00", true);
  take();
  EXPECT_THAT(cycle({}, "2026-03-10 11:00"),
              ElementsAre("so-xay-dung/email/resolved/2", "so-xay-dung/webhook/resolved/2"));
  EXPECT_TRUE(dispatch("2026-03-10 11:05").empty());
  // A new episode waits for group_wait again.
  EXPECT_TRUE(cycle({finding("A")}, "2026-03-10 12:00").empty());
  EXPECT_EQ(dispatch("2026-03-10 12:00:30").size(), 2u);
}

TEST_F(DispatcherTest, ARestartRepeatsNothing) {
  cycle({finding("A")}, "2026-03-10 10:00", true);
  take();
  {
    // Another process on the same file, as after a restart.
    store::Database again(dir.path() / "state.db");
    Dispatcher(cfg, testing::official_calendar(), again).run(T("2026-03-10 10:10"), true);
  }
  EXPECT_TRUE(take().empty());
}

TEST_F(DispatcherTest, SilencedAlertsNotifyNobodyUntilTheSilenceEnds) {
  store::SilenceStore silences(db);
  store::Silence s;
  s.matchers = R"({"agency":"000.00.12.H37","rule":"overdue"})";
  s.starts_at = T("2026-03-10 09:00");
  s.ends_at = T("2026-03-10 12:00");
  s.author = "Nguyễn Văn An";
  s.comment = "Sở đang xử lý sự cố hệ thống";
  const auto id = silences.add(s, T("2026-03-10 09:00"));
  // The overdue alert is silenced; the apology_missing one of the same agency is not.
  EXPECT_THAT(
      cycle({finding("A"), finding("C", sla::Rule::apology_missing)}, "2026-03-10 10:00", true),
      ElementsAre("so-noi-vu/email/initial/1", "so-xay-dung/email/initial/1",
                  "so-xay-dung/webhook/initial/1"));
  EXPECT_TRUE(silences.expire(id, T("2026-03-10 10:30")));
  EXPECT_THAT(
      cycle({finding("A"), finding("C", sla::Rule::apology_missing)}, "2026-03-10 10:30", true),
      ElementsAre("so-xay-dung/email/initial/2", "so-xay-dung/webhook/initial/2"));
}

TEST(SilenceMatchTest, AllMatchersMustHoldAndEmptyMutesNothing) {
  const std::map<std::string, std::string> labels{{"agency", "X"}, {"rule", "overdue"}};
  EXPECT_TRUE(silenced({{"agency", "X"}}, labels));
  EXPECT_TRUE(silenced({{"agency", "X"}, {"rule", "overdue"}}, labels));
  EXPECT_FALSE(silenced({{"agency", "X"}, {"rule", "due_soon"}}, labels));
  EXPECT_FALSE(silenced({{"department", "X"}}, labels));
  EXPECT_FALSE(silenced({}, labels));
}

}  // namespace
}  // namespace motcua::alerts
