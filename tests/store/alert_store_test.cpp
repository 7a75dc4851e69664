#include "store/alert_store.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/store/fixtures.hpp"

namespace motcua::store {
namespace {

using testing::T;

AlertRecord alert(const std::string& fingerprint, const std::string& source = "motcua",
                  std::uint64_t hash = 1) {
  AlertRecord a;
  a.fingerprint = fingerprint;
  a.rule = "overdue";
  a.source = source;
  a.dossier = "H37-" + fingerprint;
  a.labels = R"({"rule":"overdue","agency":"000.00.12.H37"})";
  a.annotations = R"({"message":"Hồ sơ đã quá hạn )" + std::to_string(hash) + R"( giờ"})";
  a.content_hash = hash;
  a.starts_at = T("2026-03-09 17:00");
  return a;
}

std::vector<std::string> describe(const std::vector<AlertChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes)
    out.push_back(std::string(alert_transition_name(c.transition)) + " " + c.fingerprint);
  return out;
}

class AlertStoreTest : public testing::StoreTest {
 protected:
  std::vector<std::string> reconcile(const std::vector<AlertRecord>& current, const std::string& at,
                                     std::vector<std::string> complete = {"motcua"}) {
    return describe(alerts_.reconcile(current, complete, T(at)));
  }
  Database db_{db_path()};
  AlertStore alerts_{db_};
};

TEST_F(AlertStoreTest, NewAlertsFireAndAreKeptWithTheirContent) {
  EXPECT_EQ(reconcile({alert("b"), alert("a")}, "2026-03-10 10:00"),
            (std::vector<std::string>{"fired a", "fired b"}));
  auto a = alerts_.get("a");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->firing);
  EXPECT_EQ(a->alert.annotations, alert("a").annotations);
  EXPECT_EQ(a->alert.starts_at, T("2026-03-09 17:00"));
  EXPECT_EQ(a->first_seen, T("2026-03-10 10:00"));
  EXPECT_FALSE(a->resolved_at);
  EXPECT_EQ(alerts_.count_firing(), 2);
}

TEST_F(AlertStoreTest, AnUnchangedAlertIsNotAChangeAndNotRewritten) {
  reconcile({alert("a")}, "2026-03-10 10:00");
  EXPECT_TRUE(reconcile({alert("a")}, "2026-03-10 10:02").empty());
  EXPECT_EQ(alerts_.get("a")->changed_at, T("2026-03-10 10:00"));
}

TEST_F(AlertStoreTest, OtherContentIsAChange) {
  reconcile({alert("a")}, "2026-03-10 10:00");
  EXPECT_EQ(reconcile({alert("a", "motcua", 2)}, "2026-03-10 11:00"),
            (std::vector<std::string>{"changed a"}));
  auto a = alerts_.get("a");
  EXPECT_EQ(a->alert.content_hash, 2u);
  EXPECT_EQ(a->changed_at, T("2026-03-10 11:00"));
  EXPECT_EQ(a->first_seen, T("2026-03-10 10:00"));
}

TEST_F(AlertStoreTest, MissingFromACompleteEvaluationResolvesThenFiresAgain) {
  reconcile({alert("a"), alert("b")}, "2026-03-10 10:00");
  EXPECT_EQ(reconcile({alert("b")}, "2026-03-10 10:02"), (std::vector<std::string>{"resolved a"}));
  auto a = alerts_.get("a");
  EXPECT_FALSE(a->firing);
  EXPECT_EQ(a->resolved_at, T("2026-03-10 10:02"));
  EXPECT_EQ(alerts_.count_firing(), 1);
  // Resolved stays resolved: no second change.
  EXPECT_TRUE(reconcile({alert("b")}, "2026-03-10 10:04").empty());
  EXPECT_EQ(reconcile({alert("a"), alert("b")}, "2026-03-10 10:06"),
            (std::vector<std::string>{"refired a"}));
  a = alerts_.get("a");
  EXPECT_TRUE(a->firing);
  EXPECT_FALSE(a->resolved_at);
  EXPECT_EQ(a->first_seen, T("2026-03-10 10:00"));
}

TEST_F(AlertStoreTest, ASourceThatWasNotEvaluatedKeepsItsAlerts) {
  reconcile({alert("a", "motcua"), alert("d", "dvc")}, "2026-03-10 10:00", {"motcua", "dvc"});
  // This cycle only motcua was evaluated completely: dvc's alert is not resolved for lack of news.
  EXPECT_EQ(reconcile({}, "2026-03-10 10:02", {"motcua"}),
            (std::vector<std::string>{"resolved a"}));
  EXPECT_TRUE(alerts_.get("d")->firing);
  // An alert can fire for a source outside `complete`; that never resolves the others.
  EXPECT_EQ(reconcile({alert("e", "dvc")}, "2026-03-10 10:04", {}),
            (std::vector<std::string>{"fired e"}));
  EXPECT_TRUE(alerts_.get("d")->firing);
}

TEST_F(AlertStoreTest, ARestartRemembersEverything) {
  reconcile({alert("a"), alert("b")}, "2026-03-10 10:00");
  reconcile({alert("b")}, "2026-03-10 10:02");
  {
    Database again(db_path());
    AlertStore reopened(again);
    EXPECT_TRUE(reopened
                    .reconcile(std::vector<AlertRecord>{alert("b")},
                               std::vector<std::string>{"motcua"}, T("2026-03-10 10:04"))
                    .empty());
    auto all = reopened.list(false);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].alert.fingerprint, "a");
    EXPECT_FALSE(all[0].firing);
    EXPECT_EQ(reopened.list(true).size(), 1u);
  }
}

TEST_F(AlertStoreTest, ARepeatedFingerprintCountsOnceAndTheLastWins) {
  EXPECT_EQ(reconcile({alert("a", "motcua", 1), alert("a", "motcua", 7)}, "2026-03-10 10:00"),
            (std::vector<std::string>{"fired a"}));
  EXPECT_EQ(alerts_.get("a")->alert.content_hash, 7u);
}

TEST_F(AlertStoreTest, AFailedReconcileLeavesNothingWritten) {
  reconcile({alert("a")}, "2026-03-10 10:00");
  db_.sql().exec(
      "CREATE TRIGGER fail BEFORE INSERT ON alert BEGIN SELECT RAISE(ABORT, 'injected'); END");
  EXPECT_ANY_THROW(alerts_.reconcile(std::vector<AlertRecord>{alert("z")},
                                     std::vector<std::string>{"motcua"}, T("2026-03-10 10:02")));
  // The resolution of "a" in the same call was rolled back with the failed insert.
  EXPECT_TRUE(alerts_.get("a")->firing);
  EXPECT_FALSE(alerts_.get("z"));
}

}  // namespace
}  // namespace motcua::store
