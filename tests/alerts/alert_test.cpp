#include "alerts/alert.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/database.hpp"
#include "tests/support/process.hpp"

namespace motcua::alerts {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

sla::Instant T(const std::string& text) {
  return *sla::parse_rfc3339(text + "+07:00");
}

sla::Finding overdue(const std::string& dossier, double hours_late) {
  sla::Finding f;
  f.rule = sla::Rule::overdue;
  f.severity = sla::Severity::critical;
  f.dossier = dossier;
  f.source = "motcua";
  f.agency = "000.00.12.H37";
  f.procedure = "1.009972";
  f.agency_name = "Sở Xây dựng";
  f.procedure_name = "Cấp giấy phép xây dựng";
  f.since = T("2026-03-09T17:00:00");
  f.due = f.since;
  f.overdue_working_hours = hours_late;
  f.message = "Hồ sơ " + dossier + " đã quá hạn";
  return f;
}

TEST(AlertTest, TheFingerprintIsStableAndNamesRuleSourceAndDossier) {
  const auto a = fingerprint(sla::Rule::overdue, "motcua", "H37-1");
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a, fingerprint(sla::Rule::overdue, "motcua", "H37-1"));
  // Alerts stored by earlier versions must keep their identity: this value (FNV-1a 64 over
  // "overdue", "motcua", the code, each followed by 0x1f, computed independently) is the contract.
  EXPECT_EQ(fingerprint(sla::Rule::overdue, "motcua", "000.00.12.H37-260302-0001"),
            "e70f05ee2805534e");
  EXPECT_NE(a, fingerprint(sla::Rule::due_soon, "motcua", "H37-1"));
  EXPECT_NE(a, fingerprint(sla::Rule::overdue, "dvc", "H37-1"));
  EXPECT_NE(a, fingerprint(sla::Rule::overdue, "motcua", "H37-2"));
  // The separator keeps field boundaries: ("ab","c") is not ("a","bc").
  EXPECT_NE(fingerprint(sla::Rule::overdue, "ab", "c"), fingerprint(sla::Rule::overdue, "a", "bc"));
}

TEST(AlertTest, LabelsAreTheRoutingNamesWithoutEmptyValues) {
  auto f = overdue("H37-1", 3);
  EXPECT_THAT(labels_of(f), ElementsAre(Pair("agency", "000.00.12.H37"), Pair("dossier", "H37-1"),
                                        Pair("procedure", "1.009972"), Pair("rule", "overdue"),
                                        Pair("severity", "critical"), Pair("source", "motcua")));
  f.rule = sla::Rule::step_overdue;
  f.department = "Phòng Quản lý xây dựng";
  EXPECT_EQ(labels_of(f).at("department"), "Phòng Quản lý xây dựng");
}

TEST(AlertTest, AnnotationsCarryTheVietnameseMessageAndTimesInLocalTime) {
  const auto a = annotations_of(overdue("H37-1", 3), std::chrono::hours(7));
  EXPECT_EQ(a.at("message"), "Hồ sơ H37-1 đã quá hạn");
  EXPECT_EQ(a.at("due"), "2026-03-09T17:00:00+07:00");
  EXPECT_EQ(a.at("overdue_working_hours"), "3.00");
  EXPECT_EQ(a.at("agency_name"), "Sở Xây dựng");
  EXPECT_FALSE(a.contains("first_due"));
}

TEST(AlertTest, GrowingLatenessIsNotAChangeButANewDeadlineIs) {
  const auto base = alert_record(overdue("H37-1", 3), std::chrono::hours(7));
  const auto later = alert_record(overdue("H37-1", 11.5), std::chrono::hours(7));
  EXPECT_EQ(base.content_hash, later.content_hash);
  EXPECT_NE(base.annotations, later.annotations);
  auto moved = overdue("H37-1", 3);
  moved.due = T("2026-03-12T17:00:00");
  EXPECT_NE(base.content_hash, alert_record(moved, std::chrono::hours(7)).content_hash);
  // The JSON round-trips, Vietnamese intact.
  EXPECT_EQ(parse_string_map(base.annotations).at("agency_name"), "Sở Xây dựng");
  EXPECT_TRUE(parse_string_map("not json").empty());
}

TEST(AlertTest, FindingsFireOnceAndResolveWhenGone) {
  testing::TempDir dir;
  store::Database db(dir.path() / "state.db");
  store::AlertStore alerts(db);
  const std::vector<std::string> complete{"motcua"};
  std::vector<sla::Finding> findings{overdue("H37-1", 3), overdue("H37-2", 1)};
  auto changes =
      record_findings(alerts, findings, complete, T("2026-03-10T10:00:00"), std::chrono::hours(7));
  EXPECT_EQ(changes.size(), 2u);
  // The next cycle: both still late, a few hours more; nothing to announce.
  findings = {overdue("H37-1", 5), overdue("H37-2", 3)};
  EXPECT_TRUE(
      record_findings(alerts, findings, complete, T("2026-03-10T12:00:00"), std::chrono::hours(7))
          .empty());
  findings = {overdue("H37-2", 4)};
  changes =
      record_findings(alerts, findings, complete, T("2026-03-10T13:00:00"), std::chrono::hours(7));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].transition, store::AlertTransition::resolved);
  EXPECT_EQ(changes[0].fingerprint, fingerprint(sla::Rule::overdue, "motcua", "H37-1"));
}

}  // namespace
}  // namespace motcua::alerts
