// The simulator's dossiers: they evolve with simulated time, and their wire format is what the
// connectors read back unchanged.
#include "simulator/timeline.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "config/holidays.hpp"
#include "connectors/mapping.hpp"
#include "simulator/synthetic_dossiers.hpp"
#include "simulator/upstream_record.hpp"

namespace motcua::sim {
namespace {

using namespace std::chrono;

const sla::WorkingCalendar& calendar() {
  static const sla::WorkingCalendar c([] {
    sla::CalendarSettings s;
    s.tables = config::builtin_holiday_tables();
    return s;
  }());
  return c;
}

const sla::Instant kHorizon = *sla::parse_rfc3339("2026-03-20T10:00:00+07:00");

std::vector<sla::Dossier> lives(std::size_t n) {
  SyntheticDossiers gen(calendar(), kHorizon, 7);
  std::vector<sla::Dossier> out;
  gen.append(n, out);
  return out;
}

TEST(Timeline, NothingBeforeSubmissionEverythingAtTheHorizon) {
  for (const auto& life : lives(500)) {
    const auto first = life.submitted_at ? *life.submitted_at : *life.received_at;
    EXPECT_FALSE(reveal(life, first - seconds(1))) << life.code;
    auto now = reveal(life, kHorizon);
    ASSERT_TRUE(now) << life.code;
    EXPECT_EQ(now->steps.size(), life.steps.size()) << life.code;
    EXPECT_EQ(now->supplements.size(), life.supplements.size()) << life.code;
    EXPECT_EQ(now->apologies.size(), life.apologies.size()) << life.code;
    // A request still unanswered at the horizon is the applicant's turn, whatever the generator's
    // label says.
    const bool pending = !life.supplements.empty() && !life.supplements.back().received_at;
    if (pending && sla::clock_of(life.status) == sla::Clock::running)
      EXPECT_EQ(now->status, sla::Status::waiting_supplement) << life.code;
    else
      EXPECT_EQ(sla::clock_of(now->status), sla::clock_of(life.status)) << life.code;
  }
}

TEST(Timeline, UpdatedAtNeverGoesBackAndMatchesAnEvent) {
  for (const auto& life : lives(300)) {
    const auto events = event_times(life);
    ASSERT_FALSE(events.empty());
    std::optional<sla::Instant> previous;
    for (sla::Instant t = events.front(); t <= kHorizon; t += hours(7)) {
      auto d = reveal(life, t);
      if (!d) continue;
      ASSERT_TRUE(d->updated_at);
      EXPECT_LE(*d->updated_at, t);
      EXPECT_TRUE(std::binary_search(events.begin(), events.end(), *d->updated_at));
      if (previous) {
        EXPECT_GE(*d->updated_at, *previous) << life.code;
      }
      previous = d->updated_at;
    }
  }
}

TEST(Timeline, FinishedDossiersWereRunningBeforeTheyFinished) {
  int checked = 0;
  for (const auto& life : lives(400)) {
    if (!life.finished_at || !life.received_at) continue;
    auto before = reveal(life, *life.finished_at - seconds(1));
    ASSERT_TRUE(before);
    EXPECT_NE(sla::clock_of(before->status), sla::Clock::finished) << life.code;
    EXPECT_FALSE(before->finished_at);
    auto after = reveal(life, *life.finished_at);
    ASSERT_TRUE(after);
    EXPECT_EQ(sla::clock_of(after->status), sla::Clock::finished) << life.code;
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

TEST(WireFormat, ConnectorsReadTheSimulatorsRecordsBack) {
  connectors::RecordMapping mapping;
  int n = 0;
  for (const auto& life : lives(300)) {
    for (bool strings : {false, true}) {
      auto d = reveal(life, kHorizon - days(5));
      if (!d) continue;
      const auto text = boost::json::serialize(upstream_record(*d, {hours(7), strings}));
      auto back = connectors::map_record(boost::json::parse(text), mapping, "motcua");
      ASSERT_TRUE(back.dossier) << back.error << "\n" << text;
      EXPECT_EQ(back.dossier->code, d->code);
      EXPECT_EQ(back.dossier->status, d->status);
      EXPECT_EQ(back.dossier->due_at, d->due_at);
      EXPECT_EQ(back.dossier->updated_at, d->updated_at);
      EXPECT_EQ(back.dossier->finished_at, d->finished_at);
      EXPECT_EQ(back.dossier->steps.size(), d->steps.size());
      EXPECT_EQ(back.dossier->supplements.size(), d->supplements.size());
      EXPECT_EQ(back.dossier->procedure_name, d->procedure_name);
      ++n;
    }
  }
  EXPECT_GT(n, 200);
}

TEST(WireFormat, DatesAreLocalCompactAndEmptyWhenAbsent) {
  EXPECT_EQ(upstream_date(sla::parse_rfc3339("2026-03-10T10:00:00Z"), hours(7)), "20260310170000");
  EXPECT_EQ(upstream_date(std::nullopt, hours(7)), "");
}

}  // namespace
}  // namespace motcua::sim
