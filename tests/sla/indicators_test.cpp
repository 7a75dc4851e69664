#include "sla/indicators.hpp"

#include <gtest/gtest.h>

#include "tests/sla/fixtures.hpp"

namespace motcua::sla {
namespace {

using testing::T;

// March 2026, judged as of a moment well after it unless a test says otherwise.
class IndicatorsTest : public ::testing::Test {
 protected:
  IndicatorReport run(const std::vector<Dossier>& dossiers, Instant now = T("2026-05-01 08:00"),
                      const std::vector<std::optional<bool>>& portal = {}) const {
    IndicatorAccumulator acc(testing::official_calendar(), from, to, now);
    for (std::size_t i = 0; i < dossiers.size(); ++i)
      acc.add(dossiers[i], i < portal.size() ? portal[i] : std::nullopt);
    return acc.report();
  }
  IndicatorCounts counts(const Dossier& d, Instant now = T("2026-05-01 08:00")) const {
    return run({d}, now).province;
  }

  // Received on Monday 02/03, due Tuesday 10/03 17:00.
  static Dossier dossier(const std::string& n = "0001") {
    return testing::running_dossier("000.00.12.H37-260302-" + n, T("2026-03-02 08:00"),
                                    T("2026-03-10 17:00"));
  }
  static Dossier finished(const std::string& at, const std::string& n = "0001") {
    Dossier d = dossier(n);
    d.status = Status::returned;
    d.finished_at = T(at);
    return d;
  }
  static Apology apology(const std::string& issued, const std::string& before,
                         const std::string& after) {
    Apology a;
    a.issued_at = T(issued);
    a.due_before = T(before);
    a.due_after = T(after);
    a.reason = "Cần lấy thêm ý kiến";
    return a;
  }
  static SupplementRequest supplement(const std::string& at) {
    SupplementRequest r;
    r.reason = "Thiếu bản vẽ";
    r.requested_at = T(at);
    r.received_at = T(at) + std::chrono::hours(24);
    return r;
  }

  Instant from = T("2026-03-01 00:00");
  Instant to = T("2026-04-01 00:00");
};

// --- 2.1 on time ----------------------------------------------------------------------------

TEST_F(IndicatorsTest, FinishedExactlyAtTheDeadlineIsOnTime) {
  auto c = counts(finished("2026-03-10 17:00"));
  EXPECT_EQ(c.received, 1);
  EXPECT_EQ(c.finished, 1);
  EXPECT_EQ(c.finished_on_time, 1);
  EXPECT_EQ(c.late(), 0);
  EXPECT_EQ(c.on_time_rate(), 1.0);
  EXPECT_EQ(c.apology_due, 0);
  EXPECT_EQ(c.apology_rate(), std::nullopt);
}

TEST_F(IndicatorsTest, FinishedOneSecondAfterTheDeadlineIsLate) {
  Dossier d = finished("2026-03-10 17:00");
  d.finished_at = *d.finished_at + std::chrono::seconds(1);
  auto c = counts(d);
  EXPECT_EQ(c.finished_late, 1);
  EXPECT_EQ(c.finished_on_time, 0);
  EXPECT_EQ(c.on_time_rate(), 0.0);
  EXPECT_EQ(c.late_rate(), 1.0);
  EXPECT_EQ(c.apology_due, 1);
  EXPECT_EQ(c.apology_compliant, 0);
}

TEST_F(IndicatorsTest, ASecondSupplementationRequestMakesAnEarlyDossierLate) {
  Dossier d = finished("2026-03-09 10:00");
  d.supplements = {supplement("2026-03-03 09:00")};
  EXPECT_EQ(counts(d).finished_on_time, 1);

  d.supplements.push_back(supplement("2026-03-05 09:00"));
  auto c = counts(d);
  EXPECT_EQ(c.finished_late, 1);
  // No promise was missed, so no apology was due.
  EXPECT_EQ(c.apology_due, 0);
}

TEST_F(IndicatorsTest, AnApologysNewDateDoesNotExcuseLateness) {
  // NgayHenTra already shows the new promise; D0 is what the apology admits missing.
  Dossier d = finished("2026-03-12 10:00");
  d.due_at = T("2026-03-13 17:00");
  d.apologies = {apology("2026-03-09 15:00", "2026-03-10 17:00", "2026-03-13 17:00")};
  auto c = counts(d);
  EXPECT_EQ(c.finished_late, 1);
  EXPECT_EQ(c.apology_due, 1);
  EXPECT_EQ(c.apology_compliant, 1);  // issued the working day before the deadline
}

TEST_F(IndicatorsTest, AnApologyOnTheDayOfTheDeadlineIsNotCompliant) {
  Dossier d = finished("2026-03-12 10:00");
  d.apologies = {apology("2026-03-10 08:00", "2026-03-10 17:00", "2026-03-13 17:00")};
  auto c = counts(d);
  EXPECT_EQ(c.apology_due, 1);
  EXPECT_EQ(c.apology_compliant, 0);
}

TEST_F(IndicatorsTest, EachMissedPromiseNeedsItsOwnApology) {
  // The new promise of 13/03 was missed too, with no second apology.
  Dossier d = finished("2026-03-16 10:00");
  d.apologies = {apology("2026-03-09 15:00", "2026-03-10 17:00", "2026-03-13 17:00")};
  EXPECT_EQ(counts(d).apology_compliant, 0);

  d.apologies.push_back(apology("2026-03-12 15:00", "2026-03-13 17:00", "2026-03-17 17:00"));
  EXPECT_EQ(counts(d).apology_compliant, 1);
}

TEST_F(IndicatorsTest, RefusalAndWithdrawalEndTheDossier) {
  Dossier refused = dossier("0001");
  refused.status = Status::refused;
  refused.refused_at = T("2026-03-11 09:00");  // after the deadline
  Dossier withdrawn = dossier("0002");
  withdrawn.status = Status::withdrawn;
  sla::Step step;
  step.at = T("2026-03-04 09:00");
  step.status = Status::withdrawn;
  withdrawn.steps = {step};
  auto c = run({refused, withdrawn}).province;
  EXPECT_EQ(c.finished, 2);
  EXPECT_EQ(c.finished_late, 1);
  EXPECT_EQ(c.finished_on_time, 1);
}

TEST_F(IndicatorsTest, ADossierWithoutADeadlineIsOnTime) {
  Dossier d = finished("2026-03-20 10:00");
  d.due_at.reset();
  EXPECT_EQ(counts(d).finished_on_time, 1);
}

// --- open dossiers at the period's end ------------------------------------------------------

TEST_F(IndicatorsTest, OpenPastTheDeadlineAtThePeriodsEndIsLate) {
  auto c = counts(dossier());
  EXPECT_EQ(c.finished, 0);
  EXPECT_EQ(c.open_overdue, 1);
  EXPECT_EQ(c.late(), 1);
  EXPECT_EQ(c.judged(), 1);
  EXPECT_EQ(c.on_time_rate(), 0.0);
  EXPECT_EQ(c.apology_due, 1);
}

TEST_F(IndicatorsTest, OpenDossiersAreJudgedAtNowWhenThePeriodHasNotEnded) {
  // Now is the deadline itself: not overdue yet (strictly after, like the rule `overdue`).
  auto c = counts(dossier(), T("2026-03-10 17:00"));
  EXPECT_EQ(c.open_overdue, 0);
  EXPECT_EQ(c.judged(), 0);
  EXPECT_EQ(c.on_time_rate(), std::nullopt);
  EXPECT_EQ(counts(dossier(), T("2026-03-10 17:00:01")).open_overdue, 1);
}

TEST_F(IndicatorsTest, AnOpenDossierDueExactlyAtThePeriodsEndIsNotOverdue) {
  Dossier d = dossier();
  d.due_at = to;
  EXPECT_EQ(counts(d).open_overdue, 0);
  d.due_at = to - std::chrono::seconds(1);
  EXPECT_EQ(counts(d).open_overdue, 1);
}

TEST_F(IndicatorsTest, WaitingForTheApplicantIsNotOverdue) {
  Dossier d = dossier();
  d.status = Status::waiting_supplement;
  EXPECT_EQ(counts(d).open_overdue, 0);
}

TEST_F(IndicatorsTest, FinishedAfterThePeriodWasOpenAtItsEnd) {
  // Finished in April, past its March deadline: open and overdue at the end of March, and not
  // finished in it.
  auto c = counts(finished("2026-04-02 10:00"));
  EXPECT_EQ(c.finished, 0);
  EXPECT_EQ(c.open_overdue, 1);
  // Finishing exactly at `to` is outside [from, to) as well.
  c = counts(finished("2026-04-01 00:00"));
  EXPECT_EQ(c.finished, 0);
  EXPECT_EQ(c.open_overdue, 1);
}

TEST_F(IndicatorsTest, ReceivedBeforeThePeriodCountsWhereItFinishesOrIsOpen) {
  Dossier old = testing::running_dossier("000.00.12.H37-260220-0001", T("2026-02-20 08:00"),
                                         T("2026-03-05 17:00"));
  auto c = counts(old);
  EXPECT_EQ(c.received, 0);
  EXPECT_EQ(c.open_overdue, 1);

  old.status = Status::processed;
  old.finished_at = T("2026-03-04 10:00");
  c = counts(old);
  EXPECT_EQ(c.received, 0);
  EXPECT_EQ(c.finished_on_time, 1);

  old.finished_at = T("2026-02-27 10:00");  // finished before the period: nowhere
  auto r = run({old});
  EXPECT_EQ(r.province, IndicatorCounts{});
  EXPECT_TRUE(r.agencies.empty());
}

TEST_F(IndicatorsTest, PeriodEdgesOfReceipt) {
  Dossier at_from = dossier("0001");
  at_from.received_at = from;
  Dossier last_second = dossier("0002");
  last_second.received_at = to - std::chrono::seconds(1);
  last_second.due_at = to + std::chrono::hours(48);
  Dossier at_to = dossier("0003");
  at_to.received_at = to;
  at_to.due_at = to + std::chrono::hours(48);
  Dossier never = dossier("0004");
  never.status = Status::submitted;
  never.received_at.reset();
  EXPECT_EQ(run({at_from, last_second, at_to, never}).province.received, 2);
}

// --- 3.3 online share, 1.4 sync rate --------------------------------------------------------

TEST_F(IndicatorsTest, OnlineShareAndItsPoints) {
  std::vector<Dossier> ds;
  for (int i = 0; i < 4; ++i) {
    ds.push_back(finished("2026-03-09 10:00", "000" + std::to_string(i)));
    ds.back().channel = i == 0 ? 2 : 1;
  }
  auto c = run(ds).province;
  EXPECT_EQ(c.received_online, 1);
  EXPECT_DOUBLE_EQ(*c.online_share(), 0.25);
  EXPECT_DOUBLE_EQ(*c.online_score(), 0.5);
  for (auto& d : ds)
    d.channel = 2;
  ds[0].channel = 3;
  c = run(ds).province;
  EXPECT_DOUBLE_EQ(*c.online_share(), 0.75);
  EXPECT_DOUBLE_EQ(*c.online_score(), 1.0);
  EXPECT_EQ(IndicatorCounts{}.online_share(), std::nullopt);
}

TEST_F(IndicatorsTest, SyncRateCountsOnlyDossiersWhosePresenceIsKnown) {
  std::vector<Dossier> ds = {dossier("0001"), dossier("0002"), dossier("0003")};
  EXPECT_EQ(run(ds).province.sync_rate(), std::nullopt);
  auto c = run(ds, T("2026-05-01 08:00"), {true, false, std::nullopt}).province;
  EXPECT_EQ(c.received, 3);
  EXPECT_EQ(c.portal_known, 2);
  EXPECT_EQ(c.on_portal, 1);
  EXPECT_DOUBLE_EQ(*c.sync_rate(), 0.5);
}

// --- per agency -----------------------------------------------------------------------------

TEST_F(IndicatorsTest, AgenciesAreSortedByCodeAndAddUpToTheProvince) {
  Dossier b = finished("2026-03-09 10:00", "0001");
  b.agency = "000.00.20.H37";
  b.agency_name = "Sở Y tế";
  Dossier a1 = finished("2026-03-11 10:00", "0002");
  Dossier a2 = dossier("0003");
  auto r = run({b, a1, a2});
  ASSERT_EQ(r.agencies.size(), 2u);
  EXPECT_EQ(r.agencies[0].agency, "000.00.12.H37");
  EXPECT_EQ(r.agencies[0].agency_name, "Sở Xây dựng");
  EXPECT_EQ(r.agencies[0].counts.late(), 2);
  EXPECT_EQ(r.agencies[1].agency, "000.00.20.H37");
  EXPECT_EQ(r.agencies[1].counts.finished_on_time, 1);
  EXPECT_EQ(r.province.received, 3);
  EXPECT_EQ(r.province.finished, 2);
  EXPECT_EQ(r.province.open_overdue, 1);
  EXPECT_DOUBLE_EQ(*r.province.on_time_rate(), 1.0 / 3.0);
  EXPECT_EQ(r.period_end, to);
}

}  // namespace
}  // namespace motcua::sla
