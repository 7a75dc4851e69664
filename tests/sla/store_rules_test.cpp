// The rules that judge what the store knows beyond a record: deadline_rewritten, portal_missing,
// status_mismatch (DOMAIN.md "Rules") and source_stale.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sla/rules.hpp"
#include "tests/sla/fixtures.hpp"

namespace motcua::sla {
namespace {

using namespace std::chrono;
using ::testing::HasSubstr;
using testing::T;

class StoreRulesTest : public ::testing::Test {
 protected:
  std::vector<Finding> eval(const Dossier& d, Instant now, const StoreFacts* facts) const {
    std::vector<Finding> out;
    Evaluator(testing::official_calendar(), config).evaluate(d, now, out, facts);
    return out;
  }
  std::optional<Finding> find(const Dossier& d, Instant now, const StoreFacts& facts,
                              Rule r) const {
    for (auto& f : eval(d, now, &facts))
      if (f.rule == r) return f;
    return std::nullopt;
  }
  static Dossier open_dossier() {
    auto d = testing::running_dossier("000.00.12.H37-260302-0001", T("2026-03-02 08:00"),
                                      T("2026-03-20 17:00"));
    d.updated_at = T("2026-03-05 09:00");
    return d;
  }
  static DeadlineEdit due_edit(const std::string& from, const std::string& to,
                               const std::string& seen) {
    DeadlineEdit e;
    e.field = DeadlineEdit::Field::due_at;
    e.old_value = T(from);
    e.new_value = T(to);
    e.observed_at = T(seen);
    return e;
  }
  static PortalCopy copy(bool found, const std::string& checked) {
    PortalCopy c;
    c.portal = "dvcqg";
    c.found = found;
    c.checked_at = T(checked);
    return c;
  }

  RulesConfig config;
};

// --- deadline_rewritten ---------------------------------------------------------------------

TEST_F(StoreRulesTest, ADeadlinePushedBackWithoutExplanationIsRewritten) {
  auto d = open_dossier();
  d.due_at = T("2026-03-25 17:00");
  const DeadlineEdit edits[] = {
      due_edit("2026-03-20 17:00", "2026-03-25 17:00", "2026-03-21 08:00")};
  StoreFacts facts{edits, {}};
  auto f = find(d, T("2026-03-21 09:00"), facts, Rule::deadline_rewritten);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-03-21 08:00"));
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_THAT(f->message, HasSubstr("hạn trả kết quả bị sửa từ 20/03/2026 17:00 thành "
                                    "25/03/2026 17:00"));
}

TEST_F(StoreRulesTest, AnEditThatArrivedWithARequestOrApologyIsExplained) {
  auto d = open_dossier();
  DeadlineEdit e = due_edit("2026-03-20 17:00", "2026-03-25 17:00", "2026-03-21 08:00");
  e.arrived_with_explanation = true;
  const DeadlineEdit edits[] = {e};
  EXPECT_FALSE(find(d, T("2026-03-21 09:00"), StoreFacts{edits, {}}, Rule::deadline_rewritten));
}

TEST_F(StoreRulesTest, ANewDeadlineNamedByASupplementationRequestIsExplained) {
  // The one-stop system moves NgayHenTra itself when the applicant's supplementation comes in;
  // the request names the new date (NgayHenTraMoi).
  auto d = open_dossier();
  SupplementRequest s;
  s.reason = "Bổ sung bản vẽ";
  s.requested_at = T("2026-03-10 09:00");
  s.received_at = T("2026-03-13 09:00");
  s.due_before = T("2026-03-20 17:00");
  s.due_after = T("2026-03-25 17:00");
  d.supplements.push_back(s);
  const DeadlineEdit edits[] = {
      due_edit("2026-03-20 17:00", "2026-03-25 17:00", "2026-03-13 10:00")};
  EXPECT_FALSE(find(d, T("2026-03-14 09:00"), StoreFacts{edits, {}}, Rule::deadline_rewritten));
  // The same edit to a date no request or apology names is not.
  const DeadlineEdit other[] = {
      due_edit("2026-03-20 17:00", "2026-03-27 17:00", "2026-03-13 10:00")};
  EXPECT_TRUE(find(d, T("2026-03-14 09:00"), StoreFacts{other, {}}, Rule::deadline_rewritten));
}

TEST_F(StoreRulesTest, ACorrectedFinishTimeIsRewrittenAndAFirstValueIsNot) {
  auto d = open_dossier();
  d.status = Status::processed;
  d.finished_at = T("2026-03-19 10:00");
  DeadlineEdit first;
  first.field = DeadlineEdit::Field::finished_at;
  first.new_value = T("2026-03-23 10:00");
  first.observed_at = T("2026-03-23 11:00");
  const DeadlineEdit only_first[] = {first};
  EXPECT_FALSE(
      find(d, T("2026-03-24 09:00"), StoreFacts{only_first, {}}, Rule::deadline_rewritten));

  DeadlineEdit back = first;
  back.old_value = T("2026-03-23 10:00");
  back.new_value = T("2026-03-19 10:00");
  back.observed_at = T("2026-03-24 08:00");
  const DeadlineEdit both[] = {first, back};
  auto f = find(d, T("2026-03-24 09:00"), StoreFacts{both, {}}, Rule::deadline_rewritten);
  ASSERT_TRUE(f);
  EXPECT_THAT(f->message, HasSubstr("ngày kết thúc xử lý bị sửa từ 23/03/2026 10:00 thành "
                                    "19/03/2026 10:00"));
}

TEST_F(StoreRulesTest, RewritesAreCountedAndDatedFromTheFirst) {
  auto d = open_dossier();
  const DeadlineEdit edits[] = {
      due_edit("2026-03-20 17:00", "2026-03-25 17:00", "2026-03-21 08:00"),
      due_edit("2026-03-25 17:00", "2026-03-30 17:00", "2026-03-26 08:00")};
  auto f = find(d, T("2026-03-26 09:00"), StoreFacts{edits, {}}, Rule::deadline_rewritten);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-03-21 08:00"));
  EXPECT_THAT(f->message, HasSubstr("(2 lần sửa)"));
}

TEST_F(StoreRulesTest, RewriteOfADossierFinishedLongAgoIsNoLongerReported) {
  auto d = open_dossier();
  d.status = Status::processed;
  d.finished_at = T("2026-03-19 10:00");
  const DeadlineEdit edits[] = {
      due_edit("2026-03-10 17:00", "2026-03-20 17:00", "2026-03-11 08:00")};
  EXPECT_TRUE(find(d, T("2026-04-10 09:00"), StoreFacts{edits, {}}, Rule::deadline_rewritten));
  EXPECT_FALSE(find(d, T("2026-05-10 09:00"), StoreFacts{edits, {}}, Rule::deadline_rewritten));
}

// --- portal_missing -------------------------------------------------------------------------

TEST_F(StoreRulesTest, NotOnThePortalADayAfterReceiptIsMissing) {
  auto d = open_dossier();  // received 02/03 08:00
  const PortalCopy copies[] = {copy(false, "2026-03-03 08:00")};
  auto f = find(d, T("2026-03-03 09:00"), StoreFacts{{}, copies}, Rule::portal_missing);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-03-03 08:00"));
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_THAT(f->message, HasSubstr("chưa có trên Cổng dịch vụ công (dvcqg"));
}

TEST_F(StoreRulesTest, AnAnswerFromBeforeTheGracePeriodEndedSaysNothing) {
  auto d = open_dossier();
  const PortalCopy early[] = {copy(false, "2026-03-03 07:59:59")};
  EXPECT_FALSE(find(d, T("2026-03-05 09:00"), StoreFacts{{}, early}, Rule::portal_missing));
}

TEST_F(StoreRulesTest, PortalMissingThresholdIsConfigurableInWorkingTime) {
  config.portal_missing_after = Duration::working_days(2);  // Mon 08:00 + 2 working days
  auto d = open_dossier();
  const PortalCopy at_day_one[] = {copy(false, "2026-03-03 09:00")};
  EXPECT_FALSE(find(d, T("2026-03-03 09:00"), StoreFacts{{}, at_day_one}, Rule::portal_missing));
  const PortalCopy later[] = {copy(false, "2026-03-04 09:00")};
  auto f = find(d, T("2026-03-04 09:00"), StoreFacts{{}, later}, Rule::portal_missing);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-03-04 08:00"));
}

TEST_F(StoreRulesTest, ADossierNotYetReceivedCannotBeMissing) {
  auto d = open_dossier();
  d.status = Status::submitted;
  const PortalCopy copies[] = {copy(false, "2026-03-05 08:00")};
  EXPECT_FALSE(find(d, T("2026-03-05 09:00"), StoreFacts{{}, copies}, Rule::portal_missing));
}

// --- status_mismatch ------------------------------------------------------------------------

TEST_F(StoreRulesTest, APortalCopyInAnotherStateADayLaterIsAMismatch) {
  auto d = open_dossier();  // processing, updated 05/03 09:00
  PortalCopy c = copy(true, "2026-03-06 10:00");
  c.status = Status::received;
  const PortalCopy copies[] = {c};
  auto f = find(d, T("2026-03-06 10:00"), StoreFacts{{}, copies}, Rule::status_mismatch);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-03-06 09:00"));
  EXPECT_THAT(f->message, HasSubstr("“Được tiếp nhận”"));
  EXPECT_THAT(f->message, HasSubstr("“Đang xử lý”"));
}

TEST_F(StoreRulesTest, TheSameStateAndFinishTimeIsNoMismatch) {
  auto d = open_dossier();
  PortalCopy c = copy(true, "2026-03-06 10:00");
  c.status = Status::processing;
  const PortalCopy copies[] = {c};
  EXPECT_FALSE(find(d, T("2026-03-06 10:00"), StoreFacts{{}, copies}, Rule::status_mismatch));
}

TEST_F(StoreRulesTest, ADifferentFinishTimeIsAMismatch) {
  auto d = open_dossier();
  d.status = Status::processed;
  d.finished_at = T("2026-03-05 09:00");
  PortalCopy c = copy(true, "2026-03-06 10:00");
  c.status = Status::processed;
  c.finished_at = T("2026-03-05 16:00");
  const PortalCopy copies[] = {c};
  auto f = find(d, T("2026-03-06 10:00"), StoreFacts{{}, copies}, Rule::status_mismatch);
  ASSERT_TRUE(f);
  EXPECT_THAT(f->message, HasSubstr("05/03/2026 16:00"));
}

TEST_F(StoreRulesTest, ARecentOneStopChangeIsGivenTimeToReachThePortal) {
  auto d = open_dossier();
  PortalCopy c = copy(true, "2026-03-06 08:59");
  c.status = Status::received;
  const PortalCopy copies[] = {c};
  EXPECT_FALSE(find(d, T("2026-03-06 10:00"), StoreFacts{{}, copies}, Rule::status_mismatch));
}

TEST_F(StoreRulesTest, WithoutStoreFactsTheStoreRulesAreSilent) {
  auto d = open_dossier();
  for (const auto& f : eval(d, T("2026-03-06 10:00"), nullptr)) {
    EXPECT_NE(f.rule, Rule::portal_missing);
    EXPECT_NE(f.rule, Rule::status_mismatch);
    EXPECT_NE(f.rule, Rule::deadline_rewritten);
  }
}

TEST_F(StoreRulesTest, DisabledStoreRulesAreSilent) {
  config[Rule::portal_missing].enabled = false;
  auto d = open_dossier();
  const PortalCopy copies[] = {copy(false, "2026-03-05 08:00")};
  EXPECT_FALSE(find(d, T("2026-03-05 09:00"), StoreFacts{{}, copies}, Rule::portal_missing));
}

// --- source_stale ---------------------------------------------------------------------------

class SourceStaleTest : public StoreRulesTest {
 protected:
  std::vector<Finding> stale(const SourceFacts& s, Instant now) const {
    std::vector<Finding> out;
    Evaluator(testing::official_calendar(), config).evaluate_source(s, now, out);
    return out;
  }
};

TEST_F(SourceStaleTest, StaleAfterThirtyMinutesWithoutASuccess) {
  SourceFacts s;
  s.name = "motcua";
  s.first_attempt = T("2026-03-01 08:00");
  s.last_success = T("2026-03-05 10:00");
  s.last_error = "connect to 127.0.0.1:1 refused";
  s.consecutive_failures = 6;
  EXPECT_TRUE(stale(s, T("2026-03-05 10:30")).empty());
  auto out = stale(s, T("2026-03-05 10:30:01"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule, Rule::source_stale);
  EXPECT_EQ(out[0].source, "motcua");
  EXPECT_TRUE(out[0].dossier.empty());
  EXPECT_EQ(out[0].since, T("2026-03-05 10:30"));
  EXPECT_EQ(out[0].severity, Severity::critical);
  EXPECT_THAT(out[0].message, HasSubstr("không đồng bộ được từ 05/03/2026 10:00"));
  EXPECT_THAT(out[0].message, HasSubstr("6 lần lỗi liên tiếp"));
  EXPECT_THAT(out[0].message, HasSubstr("127.0.0.1:1 refused"));
}

TEST_F(SourceStaleTest, ASourceThatNeverSyncedIsStaleFromItsFirstAttempt) {
  SourceFacts s;
  s.name = "dvc";
  s.first_attempt = T("2026-03-05 10:00");
  EXPECT_TRUE(stale(s, T("2026-03-05 10:20")).empty());
  auto out = stale(s, T("2026-03-05 11:00"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_THAT(out[0].message, HasSubstr("chưa đồng bộ được lần nào"));
}

TEST_F(SourceStaleTest, ThresholdIsConfigurable) {
  config.source_stale_after = Duration::clock(hours(2));
  SourceFacts s;
  s.name = "motcua";
  s.last_success = T("2026-03-05 10:00");
  EXPECT_TRUE(stale(s, T("2026-03-05 11:00")).empty());
  EXPECT_EQ(stale(s, T("2026-03-05 12:01")).size(), 1u);
}

}  // namespace
}  // namespace motcua::sla
