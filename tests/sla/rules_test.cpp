#include "sla/rules.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sla/messages.hpp"
#include "tests/sla/fixtures.hpp"

namespace motcua::sla {
namespace {

using namespace std::chrono;
using ::testing::HasSubstr;
using testing::T;

class RulesTest : public ::testing::Test {
 protected:
  std::vector<Finding> eval(const Dossier& d, Instant now) const {
    std::vector<Finding> out;
    Evaluator(testing::official_calendar(), config).evaluate(d, now, out);
    return out;
  }
  std::vector<Rule> rules(const Dossier& d, Instant now) const {
    std::vector<Rule> out;
    for (const auto& f : eval(d, now))
      out.push_back(f.rule);
    return out;
  }
  std::optional<Finding> find(const Dossier& d, Instant now, Rule r) const {
    for (auto& f : eval(d, now))
      if (f.rule == r) return f;
    return std::nullopt;
  }
  static Dossier open_due(const std::string& due) {
    return testing::running_dossier("000.00.12.H37-260302-0001", T("2026-03-02 08:00"), T(due));
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

  RulesConfig config;
};

// --- due_soon / overdue -------------------------------------------------------------------

TEST_F(RulesTest, ExactlyAtTheDeadlineIsDueSoonWithNothingLeft) {
  auto f = find(open_due("2026-03-10 17:00"), T("2026-03-10 17:00"), Rule::due_soon);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f->remaining_working_hours, 0.0);
  EXPECT_FALSE(find(open_due("2026-03-10 17:00"), T("2026-03-10 17:00"), Rule::overdue));
}

TEST_F(RulesTest, OneSecondPastTheDeadlineIsOverdue) {
  auto d = open_due("2026-03-10 17:00");
  EXPECT_THAT(rules(d, T("2026-03-10 17:00") + seconds(1)), ::testing::Contains(Rule::overdue));
  EXPECT_FALSE(find(d, T("2026-03-10 17:00") + seconds(1), Rule::due_soon));
}

TEST_F(RulesTest, ExactlyEightWorkingHoursLeftIsDueSoon) {
  auto d = open_due("2026-03-10 17:00");
  auto f = find(d, T("2026-03-09 17:00"), Rule::due_soon);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f->remaining_working_hours, 8.0);
  EXPECT_EQ(f->since, T("2026-03-09 17:00"));
  // One working second more is not.
  EXPECT_FALSE(find(d, T("2026-03-09 16:59:59"), Rule::due_soon));
  // Overnight nothing changes: 8 working hours are still left at 06:00.
  EXPECT_TRUE(find(d, T("2026-03-10 06:00"), Rule::due_soon));
}

TEST_F(RulesTest, DueSoonCountsWorkingTimeNotClockTime) {
  // Due Monday 23/02/2026 08:00, after Tết: on Friday 13/02 at 16:00 only 2 working hours remain.
  auto d = open_due("2026-02-23 08:00");
  auto f = find(d, T("2026-02-13 16:00"), Rule::due_soon);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f->remaining_working_hours, 2.0);
}

TEST_F(RulesTest, DueSoonThresholdIsConfigurable) {
  config.due_soon_threshold = Duration::working(hours(2));
  auto d = open_due("2026-03-10 17:00");
  EXPECT_FALSE(find(d, T("2026-03-10 14:00"), Rule::due_soon));
  EXPECT_TRUE(find(d, T("2026-03-10 15:00"), Rule::due_soon));
}

TEST_F(RulesTest, OverdueReportsWorkingHoursAndAVietnameseMessage) {
  auto d = open_due("2026-03-06 17:00");  // Friday
  auto f = find(d, T("2026-03-10 10:00"), Rule::overdue);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f->overdue_working_hours, 11.0);  // Monday 8 h + Tuesday 3 h
  EXPECT_EQ(f->since, T("2026-03-06 17:00"));
  EXPECT_EQ(*f->due, T("2026-03-06 17:00"));
  EXPECT_FALSE(f->first_due);
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->agency, "000.00.12.H37");
  EXPECT_THAT(f->message, HasSubstr("000.00.12.H37-260302-0001"));
  EXPECT_THAT(f->message, HasSubstr("quá hạn 1 ngày 3 giờ làm việc"));
  EXPECT_THAT(f->message, HasSubstr("06/03/2026 17:00"));
  EXPECT_THAT(f->message, HasSubstr("xin lỗi"));
}

TEST_F(RulesTest, NoDeadlineNoDeadlineRules) {
  auto d = open_due("2026-03-06 17:00");
  d.due_at.reset();
  EXPECT_TRUE(rules(d, T("2026-03-10 10:00")).empty());
}

TEST_F(RulesTest, PausedDossierAccruesNoLateness) {
  for (Status s : {Status::waiting_supplement, Status::waiting_payment}) {
    auto d = open_due("2026-03-06 17:00");
    d.status = s;
    EXPECT_TRUE(rules(d, T("2026-03-10 10:00")).empty());
    EXPECT_TRUE(rules(d, T("2026-03-06 16:00")).empty());
  }
}

TEST_F(RulesTest, NotStartedAndEndedDossiersAreQuiet) {
  for (Status s : {Status::submitted, Status::withdrawn, Status::stopped}) {
    auto d = open_due("2026-03-06 17:00");
    d.status = s;
    EXPECT_TRUE(rules(d, T("2026-03-10 10:00")).empty()) << static_cast<int>(s);
  }
}

// --- step_overdue -------------------------------------------------------------------------

TEST_F(RulesTest, StepOverdueUsesTheLatestStepAndNamesDepartmentAndHandler) {
  auto d = open_due("2026-03-20 17:00");
  Step late;
  late.handler = "Nguyễn Văn An";
  late.department = "Phòng Quản lý xây dựng";
  late.at = T("2026-03-03 09:00");
  late.due_at = T("2026-03-06 17:00");
  Step earlier;  // listed after, but happened before: not the current step
  earlier.handler = "Lường Thị Hoa";
  earlier.department = "Bộ phận Một cửa";
  earlier.at = T("2026-03-02 08:00");
  earlier.due_at = T("2026-03-02 17:00");
  d.steps = {late, earlier};
  auto f = find(d, T("2026-03-10 10:00"), Rule::step_overdue);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->department, "Phòng Quản lý xây dựng");
  EXPECT_EQ(f->handler, "Nguyễn Văn An");
  EXPECT_EQ(f->since, T("2026-03-06 17:00"));
  EXPECT_EQ(*f->overdue_working_hours, 11.0);
  EXPECT_THAT(f->message, HasSubstr("Phòng Quản lý xây dựng"));
  // At the step deadline itself it is not overdue.
  EXPECT_FALSE(find(d, T("2026-03-06 17:00"), Rule::step_overdue));
}

TEST_F(RulesTest, StepOverdueOnlyWhileRunning) {
  auto d = open_due("2026-03-20 17:00");
  Step s;
  s.at = T("2026-03-03 09:00");
  s.due_at = T("2026-03-06 17:00");
  d.steps = {s};
  d.status = Status::waiting_supplement;
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::step_overdue));
}

// --- finished_late ------------------------------------------------------------------------

TEST_F(RulesTest, FinishingExactlyAtTheDeadlineIsOnTime) {
  auto d = open_due("2026-03-06 17:00");
  d.status = Status::returned;
  d.finished_at = T("2026-03-06 17:00");
  EXPECT_TRUE(rules(d, T("2026-03-10 10:00")).empty());
  d.finished_at = T("2026-03-06 17:00") + seconds(1);
  EXPECT_THAT(rules(d, T("2026-03-10 10:00")),
              ::testing::UnorderedElementsAre(Rule::finished_late, Rule::apology_missing));
}

TEST_F(RulesTest, FinishTimeFallsBackToTheProcessedStepThenTheReturn) {
  auto d = open_due("2026-03-06 17:00");
  d.status = Status::processed;
  Step done;
  done.status = Status::processed;
  done.at = T("2026-03-09 09:00");
  d.steps = {done};
  d.returned_at = T("2026-03-05 09:00");
  auto f = find(d, T("2026-03-10 10:00"), Rule::finished_late);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-03-09 09:00"));
  EXPECT_EQ(*f->overdue_working_hours, 2.0);
  d.steps.clear();  // only NgayTra left, which was on time
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::finished_late));
}

TEST_F(RulesTest, ApologyDoesNotExcuseLateness) {
  auto d = open_due("2026-03-09 17:00");  // NgayHenTra already moved by the apology
  d.apologies = {apology("2026-03-04 09:00", "2026-03-06 17:00", "2026-03-09 17:00")};
  d.status = Status::returned;
  d.finished_at = T("2026-03-09 10:00");
  auto f = find(d, T("2026-03-10 10:00"), Rule::finished_late);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f->first_due, T("2026-03-06 17:00"));
  EXPECT_EQ(*f->due, T("2026-03-09 17:00"));
  // Finished before the new promise with its apology: no apology_missing.
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::apology_missing));
}

// --- apology_missing ----------------------------------------------------------------------

TEST_F(RulesTest, LateWithoutApologyIsApologyMissing) {
  auto d = open_due("2026-03-06 17:00");
  auto f = find(d, T("2026-03-10 10:00"), Rule::apology_missing);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-03-06 17:00"));
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_FALSE(find(d, T("2026-03-06 17:00"), Rule::apology_missing));
}

TEST_F(RulesTest, OneApologyCoversOneMissedPromise) {
  auto d = open_due("2026-03-11 17:00");
  d.apologies = {apology("2026-03-05 09:00", "2026-03-06 17:00", "2026-03-11 17:00")};
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::apology_missing));
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::overdue));
}

TEST_F(RulesTest, ASecondMissedPromiseNeedsASecondApology) {
  auto d = open_due("2026-03-09 17:00");
  d.apologies = {apology("2026-03-02 09:00", "2026-03-03 17:00", "2026-03-09 17:00")};
  auto f = find(d, T("2026-03-10 10:00"), Rule::apology_missing);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-03-09 17:00"));
  EXPECT_EQ(*f->first_due, T("2026-03-03 17:00"));
  EXPECT_THAT(f->message, HasSubstr("lần trễ hẹn thứ 2"));
  auto o = find(d, T("2026-03-10 10:00"), Rule::overdue);
  ASSERT_TRUE(o);
  EXPECT_EQ(*o->due, T("2026-03-09 17:00"));
  EXPECT_EQ(*o->overdue_working_hours, 3.0);
  // With the second apology issued, nothing is missing.
  d.apologies.push_back(apology("2026-03-06 09:00", "2026-03-09 17:00", "2026-03-12 17:00"));
  d.due_at = T("2026-03-12 17:00");
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::apology_missing));
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::overdue));
}

TEST_F(RulesTest, ApologyFoundOnlyAsAStepCounts) {
  auto d = open_due("2026-03-06 17:00");
  Apology a;
  a.from_step = true;
  a.issued_at = T("2026-03-05 10:00");
  d.apologies = {a};
  auto r = rules(d, T("2026-03-10 10:00"));
  EXPECT_THAT(r, ::testing::Contains(Rule::overdue));
  EXPECT_THAT(r, ::testing::Not(::testing::Contains(Rule::apology_missing)));
  EXPECT_THAT(r, ::testing::Not(::testing::Contains(Rule::apology_late)));
}

// --- apology_late -------------------------------------------------------------------------

TEST_F(RulesTest, ApologyOnTheWorkingDayBeforeADeadlineAfterTetIsOnTime) {
  // Deadline Monday 23/02/2026: the working day before is Friday 13/02 (16–20/02 is Tết).
  auto d = open_due("2026-03-02 17:00");
  d.apologies = {apology("2026-02-13 16:59", "2026-02-23 17:00", "2026-03-02 17:00")};
  EXPECT_FALSE(find(d, T("2026-02-25 10:00"), Rule::apology_late));
  d.apologies[0].issued_at = T("2026-02-16 09:00");  // during Tết, a later calendar date
  auto f = find(d, T("2026-02-25 10:00"), Rule::apology_late);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-02-16 09:00"));
  EXPECT_THAT(f->message, HasSubstr("13/02/2026"));
}

TEST_F(RulesTest, ApologyOnTheDeadlineDayIsLate) {
  auto d = open_due("2026-03-11 17:00");
  d.apologies = {apology("2026-03-06 08:00", "2026-03-06 17:00", "2026-03-11 17:00")};
  EXPECT_TRUE(find(d, T("2026-03-10 10:00"), Rule::apology_late));
  d.apologies[0].issued_at = T("2026-03-05 23:59");
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::apology_late));
}

TEST_F(RulesTest, SecondApologyIsMeasuredAgainstTheFirstNewDate) {
  auto d = open_due("2026-03-16 17:00");
  d.apologies = {apology("2026-03-02 09:00", "2026-03-03 17:00", "2026-03-09 17:00"),
                 apology("2026-03-09 09:00", "2026-03-09 17:00", "2026-03-16 17:00")};
  auto f = find(d, T("2026-03-10 10:00"), Rule::apology_late);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-03-09 09:00"));
  d.apologies[1].issued_at = T("2026-03-06 09:00");
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::apology_late));
}

TEST_F(RulesTest, ApologyLeadIsConfigurable) {
  config.apology_lead_working_days = 2;
  auto d = open_due("2026-03-11 17:00");
  d.apologies = {apology("2026-03-05 09:00", "2026-03-06 17:00", "2026-03-11 17:00")};
  EXPECT_TRUE(find(d, T("2026-03-10 10:00"), Rule::apology_late));
  d.apologies[0].issued_at = T("2026-03-04 09:00");
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::apology_late));
}

// --- repeat_supplement and reason_missing ---------------------------------------------------

TEST_F(RulesTest, MoreThanOneSupplementRequest) {
  auto d = open_due("2026-03-20 17:00");
  SupplementRequest r;
  r.reason = "Bổ sung bản vẽ";
  r.requested_at = T("2026-03-03 09:00");
  d.supplements = {r};
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::repeat_supplement));
  r.requested_at = T("2026-03-05 09:00");
  d.supplements.push_back(r);
  d.status = Status::waiting_supplement;
  auto f = find(d, T("2026-03-10 10:00"), Rule::repeat_supplement);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-03-05 09:00"));
  EXPECT_THAT(f->message, HasSubstr("2 lần"));
  config.max_supplement_requests = 2;
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::repeat_supplement));
}

TEST_F(RulesTest, SupplementWithoutReason) {
  auto d = open_due("2026-03-20 17:00");
  SupplementRequest r;
  r.reason = " \t\n";
  r.requested_at = T("2026-03-03 09:00");
  d.supplements = {r};
  auto f = find(d, T("2026-03-10 10:00"), Rule::reason_missing);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->since, T("2026-03-03 09:00"));
  EXPECT_THAT(f->message, HasSubstr("mẫu 02"));
  d.supplements[0].reason = "Bổ sung giấy ủy quyền";
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::reason_missing));
}

TEST_F(RulesTest, RefusalWithoutReason) {
  auto d = open_due("2026-03-06 17:00");
  d.status = Status::refused;
  d.refused_at = T("2026-03-04 10:00");
  Step refusal;
  refusal.status = Status::refused;
  refusal.at = T("2026-03-04 10:00");
  d.steps = {refusal};
  auto f = find(d, T("2026-03-10 10:00"), Rule::reason_missing);
  ASSERT_TRUE(f);
  EXPECT_THAT(f->message, HasSubstr("mẫu 03"));
  EXPECT_EQ(rules(d, T("2026-03-10 10:00")).size(), 1u);  // ended: nothing about lateness
  d.note = "Hồ sơ không thuộc thẩm quyền";
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::reason_missing));
  d.note.clear();
  d.steps[0].content = "Thiếu giấy tờ tùy thân";
  EXPECT_FALSE(find(d, T("2026-03-10 10:00"), Rule::reason_missing));
}

// --- lookback, switches, severities --------------------------------------------------------

TEST_F(RulesTest, FinishedDossiersDropOutAfterTheLookback) {
  auto d = open_due("2026-03-06 17:00");
  d.status = Status::returned;
  d.finished_at = T("2026-03-09 10:00");
  EXPECT_TRUE(find(d, T("2026-04-08 10:00"), Rule::finished_late));  // exactly 30 days
  EXPECT_FALSE(find(d, T("2026-04-08 10:00") + seconds(1), Rule::finished_late));
  config[Rule::finished_late].finished_lookback = Duration::clock(days(60));
  EXPECT_TRUE(find(d, T("2026-04-20 10:00"), Rule::finished_late));
  EXPECT_FALSE(find(d, T("2026-04-20 10:00"), Rule::apology_missing));
}

TEST_F(RulesTest, EndedDossiersDropOutAfterTheLookback) {
  auto d = open_due("2026-03-06 17:00");
  d.status = Status::refused;
  d.refused_at = T("2026-03-04 10:00");
  EXPECT_TRUE(find(d, T("2026-04-03 10:00"), Rule::reason_missing));
  EXPECT_FALSE(find(d, T("2026-04-03 10:01"), Rule::reason_missing));
}

TEST_F(RulesTest, DisabledRulesAndSeverityOverrides) {
  auto d = open_due("2026-03-06 17:00");
  config[Rule::apology_missing].enabled = false;
  config[Rule::overdue].severity = Severity::warning;
  auto out = eval(d, T("2026-03-10 10:00"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule, Rule::overdue);
  EXPECT_EQ(out[0].severity, Severity::warning);
}

TEST(Deadlines, ChainAndCurrentDeadline) {
  auto d = testing::running_dossier("000.00.12.H37-260302-0001", T("2026-03-02 08:00"),
                                    T("2026-03-16 17:00"));
  Apology first;
  first.issued_at = T("2026-03-02 09:00");
  first.due_before = T("2026-03-03 17:00");
  first.due_after = T("2026-03-09 17:00");
  Apology second;
  second.issued_at = T("2026-03-06 09:00");
  second.due_before = T("2026-03-09 17:00");
  d.apologies = {first, second};  // the second's new date is unknown
  auto dl = compute_deadlines(d);
  EXPECT_EQ(dl.clock, Clock::running);
  EXPECT_EQ(*dl.legal_due, T("2026-03-03 17:00"));
  EXPECT_EQ(dl.chain, (std::vector<Instant>{T("2026-03-03 17:00"), T("2026-03-09 17:00")}));
  EXPECT_EQ(*dl.current_due, T("2026-03-09 17:00"));
}

TEST(Messages, WorkingTimeInDaysAndHours) {
  auto day = hours(8);
  EXPECT_EQ(messages::working_time(hours(12) + minutes(30), day), "1 ngày 4,5 giờ làm việc");
  EXPECT_EQ(messages::working_time(hours(6), day), "6 giờ làm việc");
  EXPECT_EQ(messages::working_time(hours(16), day), "2 ngày làm việc");
  EXPECT_EQ(messages::working_time(minutes(30), day), "30 phút làm việc");
  EXPECT_EQ(messages::working_time(seconds(0), day), "0 giờ làm việc");
}

}  // namespace
}  // namespace motcua::sla
