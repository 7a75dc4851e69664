#include "store/portal_store.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "store/dossier_store.hpp"
#include "tests/store/fixtures.hpp"

namespace motcua::store {
namespace {

using testing::record_of;
using testing::small_dossier;
using testing::T;

class PortalStoreTest : public testing::StoreTest {
 protected:
  // A received dossier of source "motcua".
  sla::Dossier stored(const std::string& code, const std::string& received,
                      sla::Status status = sla::Status::processing,
                      const std::string& source = "motcua") {
    sla::Dossier d = small_dossier(code, source);
    d.received_at = T(received);
    d.status = status;
    dossiers_.upsert(std::vector<StoredRecord>{record_of(d)}, T("2026-03-10 10:00"));
    return d;
  }
  static PortalObservation found(const sla::Dossier& d, std::optional<sla::Status> status = {},
                                 std::optional<sla::Instant> finished = {}) {
    return {d.source,
            d.code,
            true,
            status ? status : d.status,
            finished ? finished : d.finished_at,
            R"({"MaHoSo":")" + d.code + R"(","TrangThaiHoSo":"4"})"};
  }
  static PortalObservation missing(const sla::Dossier& d) {
    return {d.source, d.code, false, {}, {}, {}};
  }
  void record(const PortalObservation& o, const std::string& at,
              const std::string& portal = "dvc") {
    portal_.record(portal, {&o, 1}, T(at));
  }
  std::vector<std::string> due(std::size_t limit = 100, const std::string& portal = "dvc",
                               const std::string& source = "") {
    std::vector<std::string> codes;
    for (const auto& c : portal_.due_for_lookup(portal, T("2026-03-01 00:00"), limit, source))
      codes.push_back(c.code);
    return codes;
  }

  Database db_{db_path()};
  DossierStore dossiers_{db_};
  PortalStore portal_{db_};
};

TEST_F(PortalStoreTest, RecordsAFoundDossierWithThePortalsCopy) {
  sla::Dossier d = stored("A-1", "2026-03-02 09:00");
  auto o = found(d, sla::Status::processed, T("2026-03-09 16:00"));
  record(o, "2026-03-10 11:00");
  auto p = portal_.get("dvc", "motcua", "A-1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->portal, "dvc");
  EXPECT_TRUE(p->found);
  EXPECT_EQ(p->status, sla::Status::processed);
  EXPECT_EQ(p->finished_at, T("2026-03-09 16:00"));
  EXPECT_EQ(p->raw, o.raw);
  EXPECT_EQ(p->last_checked_at, T("2026-03-10 11:00"));
  EXPECT_EQ(p->first_seen_on_portal, T("2026-03-10 11:00"));
  EXPECT_FALSE(portal_.get("dvc-tinh", "motcua", "A-1"));
}

TEST_F(PortalStoreTest, FirstSeenOnThePortalIsTheFirstLookupThatFoundIt) {
  sla::Dossier d = stored("A-1", "2026-03-02 09:00");
  record(missing(d), "2026-03-10 11:00");
  EXPECT_FALSE(portal_.get("dvc", "motcua", "A-1")->first_seen_on_portal);
  record(found(d), "2026-03-10 12:00");
  record(missing(d), "2026-03-10 13:00");
  auto p = portal_.get("dvc", "motcua", "A-1");
  EXPECT_FALSE(p->found);
  EXPECT_FALSE(p->status);
  EXPECT_EQ(p->raw, "");
  EXPECT_EQ(p->last_checked_at, T("2026-03-10 13:00"));
  EXPECT_EQ(p->first_seen_on_portal, T("2026-03-10 12:00"));
  record(found(d), "2026-03-10 14:00");
  EXPECT_EQ(portal_.get("dvc", "motcua", "A-1")->first_seen_on_portal, T("2026-03-10 12:00"));
}

TEST_F(PortalStoreTest, ALookupOfAnUnstoredDossierFailsTheWholeRound) {
  sla::Dossier d = stored("A-1", "2026-03-02 09:00");
  std::vector<PortalObservation> round = {found(d), missing(small_dossier("Z-9"))};
  EXPECT_ANY_THROW(portal_.record("dvc", round, T("2026-03-10 11:00")));
  EXPECT_FALSE(portal_.get("dvc", "motcua", "A-1"));
}

TEST_F(PortalStoreTest, DueAreTheUnconfirmedRecentDossiersNeverCheckedFirst) {
  stored("OLD", "2026-02-20 09:00");  // before the lookback
  sla::Dossier never_late = stored("N-2", "2026-03-05 09:00");
  sla::Dossier never_early = stored("N-1", "2026-03-03 09:00");
  sla::Dossier missing_since_11 = stored("M-1", "2026-03-02 09:00");
  sla::Dossier missing_since_10 = stored("M-2", "2026-03-04 09:00");
  sla::Dossier confirmed = stored("OK", "2026-03-02 09:00");
  sla::Dossier other_status = stored("S-1", "2026-03-02 09:00");
  sla::Dossier other_finish = stored("F-1", "2026-03-02 09:00", sla::Status::processed);
  sla::Dossier not_received = small_dossier("R-0");
  not_received.received_at.reset();
  not_received.status = sla::Status::submitted;
  dossiers_.upsert(std::vector<StoredRecord>{record_of(not_received)}, T("2026-03-10 10:00"));

  record(missing(missing_since_11), "2026-03-10 11:00");
  record(missing(missing_since_10), "2026-03-10 10:00");
  record(found(confirmed), "2026-03-10 09:00");
  record(found(other_status, sla::Status::received), "2026-03-10 12:00");
  record(found(other_finish, {}, T("2026-03-09 10:00")), "2026-03-10 13:00");

  EXPECT_EQ(due(), (std::vector<std::string>{"N-1", "N-2", "M-2", "M-1", "S-1", "F-1"}));
  EXPECT_EQ(due(3), (std::vector<std::string>{"N-1", "N-2", "M-2"}));

  auto candidates = portal_.due_for_lookup("dvc", T("2026-03-01 00:00"), 100);
  EXPECT_FALSE(candidates[0].last_checked_at);
  EXPECT_EQ(candidates[0].received_at, T("2026-03-03 09:00"));
  EXPECT_EQ(candidates[0].status, sla::Status::processing);
  EXPECT_EQ(candidates[2].last_checked_at, T("2026-03-10 10:00"));
}

TEST_F(PortalStoreTest, EachPortalConfirmsOnItsOwn) {
  sla::Dossier d = stored("A-1", "2026-03-02 09:00");
  record(found(d), "2026-03-10 11:00", "dvc");
  EXPECT_TRUE(due(100, "dvc").empty());
  EXPECT_EQ(due(100, "dvc-tinh"), (std::vector<std::string>{"A-1"}));
}

TEST_F(PortalStoreTest, AOneStopChangeMakesAConfirmedDossierDueAgain) {
  sla::Dossier d = stored("A-1", "2026-03-02 09:00");
  record(found(d), "2026-03-10 11:00");
  EXPECT_TRUE(due().empty());
  d.status = sla::Status::processed;
  d.finished_at = T("2026-03-10 15:00");
  dossiers_.upsert(std::vector<StoredRecord>{record_of(d)}, T("2026-03-10 16:00"));
  EXPECT_EQ(due(), (std::vector<std::string>{"A-1"}));
  record(found(d), "2026-03-10 17:00");
  EXPECT_TRUE(due().empty());
}

TEST_F(PortalStoreTest, DueCanBeNarrowedToOneSource) {
  stored("A-1", "2026-03-02 09:00", sla::Status::processing, "motcua");
  stored("B-1", "2026-03-02 09:00", sla::Status::processing, "motcua-huyen");
  EXPECT_EQ(due(100, "dvc", "motcua-huyen"), (std::vector<std::string>{"B-1"}));
  EXPECT_EQ(due(100, "dvc", "").size(), 2u);
}

TEST_F(PortalStoreTest, DisagreementsAreTheAnswersThatDifferFromTheRecord) {
  sla::Dossier agree = stored("A-1", "2026-03-02 09:00");
  sla::Dossier gone = stored("A-2", "2026-03-02 09:00");
  sla::Dossier stale = stored("A-3", "2026-03-02 09:00");
  sla::Dossier late_finish = stored("A-4", "2026-03-02 09:00");
  sla::Dossier elsewhere = stored("B-1", "2026-03-02 09:00", sla::Status::processing, "other");
  record(found(agree), "2026-03-03 09:00");
  record(missing(gone), "2026-03-03 09:00");
  record(found(gone), "2026-03-03 09:00", "tinh");  // another portal has it
  record(found(stale, sla::Status::received), "2026-03-03 09:00");
  record(found(late_finish, {}, T("2026-03-03 08:00")), "2026-03-03 09:00");
  record(missing(elsewhere), "2026-03-03 09:00");

  auto rows = portal_.disagreements("motcua");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].code, "A-2");
  EXPECT_EQ(rows[0].portal, "dvc");
  EXPECT_FALSE(rows[0].found);
  EXPECT_EQ(rows[0].last_checked_at, T("2026-03-03 09:00"));
  EXPECT_EQ(rows[1].code, "A-3");
  EXPECT_TRUE(rows[1].found);
  EXPECT_EQ(rows[1].status, sla::Status::received);
  EXPECT_EQ(rows[2].code, "A-4");
  EXPECT_EQ(rows[2].finished_at, T("2026-03-03 08:00"));
  EXPECT_EQ(portal_.disagreements("other").size(), 1u);

  // The one-stop record catches up with the portal: no longer a disagreement.
  stale.status = sla::Status::received;
  dossiers_.upsert(std::vector<StoredRecord>{record_of(stale)}, T("2026-03-04 10:00"));
  EXPECT_EQ(portal_.disagreements("motcua").size(), 2u);
}

}  // namespace
}  // namespace motcua::store
