// Portal lookups against motcua-sim over real HTTP: found and not found, the bound on lookups in
// flight and on the request rate (measured where the requests arrive, on the server), a refused
// login and a portal that is down without a storm, and the statutory times of LayThuTuc.
#include "connectors/dvc_lookup.hpp"

#include <algorithm>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/connectors/upstream_fixture.hpp"

namespace motcua::connectors {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::sim_options;
using testing::UpstreamFixture;
using Clock = std::chrono::steady_clock;

json::object one_stop_record(const std::string& code, const std::string& status,
                             const std::string& finished) {
  return json::object{{"MaHoSo", code},
                      {"MaTTHC", "1.004227"},
                      {"TrangThaiHoSo", status},
                      {"NgayTiepNhan", "20260302090000"},
                      {"NgayHenTra", "20260309170000"},
                      {"NgayKetThucXuLy", finished},
                      {"NgayCapNhat", "20260306100000"}};
}

class DvcLookupTest : public UpstreamFixture {
 protected:
  DvcLookupTest() : UpstreamFixture(sim_options(300)), session(client, endpoint("dvc")) {}

  LookupReport lookup(std::vector<std::string> codes, LookupOptions options) {
    return io.run(lookup_dossiers(session, mapping, "dvc", std::move(codes), options), 60s);
  }

  void fault(sim::Fault::Kind kind, int count, std::chrono::milliseconds delay = 0ms) {
    sim::Fault f;
    f.kind = kind;
    f.target = "TraCuuHoSo";
    f.count = count;
    f.delay = delay;
    sim.add_fault(f);
  }

  std::vector<std::string> codes(std::size_t n) {
    std::vector<std::string> out;
    for (const auto& [code, raw] : listing()) {
      if (out.size() == n) break;
      out.push_back(code);
    }
    return out;
  }

  // Logs in with one lookup, so that measurements see lookups only, and forgets it.
  void log_in_and_forget(const std::string& code) {
    ASSERT_TRUE(io.run(session.call("TraCuuHoSo", {{"MaHoSo", code}})).ok());
    ASSERT_TRUE(testing::eventually([&] { return log.count_path("/dvc/service") == 1; }));
    log.clear();
  }

  // The server-side intervals of the TraCuuHoSo calls, in the order they arrived.
  std::vector<testing::Served> lookups_served(std::size_t expected) {
    EXPECT_TRUE(testing::eventually([&] { return log.count_path("/dvc/service") >= expected; }));
    std::vector<testing::Served> out;
    for (auto& e : log.entries())
      if (e.service == "TraCuuHoSo") out.push_back(e);
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.started < b.started; });
    return out;
  }

  RecordMapping mapping;
  UpstreamSession session;
};

TEST_F(DvcLookupTest, FoundMissingAndUnreadableCopies) {
  sim.add_scenario(one_stop_record("000.00.12.H37-260302-0901", "4", ""),
                   one_stop_record("000.00.12.H37-260302-0901", "4", ""));
  sim.add_scenario(one_stop_record("000.00.12.H37-260302-0902", "10", "20260306100000"),
                   std::nullopt);
  sim.add_scenario(one_stop_record("000.00.12.H37-260302-0903", "9", "20260305160000"),
                   one_stop_record("000.00.12.H37-260302-0903", "9", "20260231160000"));
  LookupOptions o;
  o.rate_limit = 0;
  const LookupReport report = lookup({"000.00.12.H37-260302-0901", "000.00.12.H37-260302-0902",
                                      "000.00.12.H37-260302-0903", "000.00.99.H37-260101-9999"},
                                     o);
  ASSERT_EQ(report.results.size(), 4u);
  EXPECT_TRUE(report.reachable);
  EXPECT_EQ(report.requests, 4u);

  const PortalLookup& synced = report.results[0];
  EXPECT_EQ(synced.code, "000.00.12.H37-260302-0901");
  EXPECT_TRUE(synced.ok()) << synced.error;
  EXPECT_TRUE(synced.found);
  EXPECT_EQ(synced.status, sla::Status::processing);
  EXPECT_FALSE(synced.finished_at);
  ASSERT_TRUE(synced.dossier);
  EXPECT_EQ(synced.dossier->source, "dvc");
  EXPECT_THAT(synced.raw, HasSubstr("\"MaHoSo\":\"000.00.12.H37-260302-0901\""));

  const PortalLookup& missing = report.results[1];
  EXPECT_TRUE(missing.ok()) << missing.error;
  EXPECT_FALSE(missing.found);
  EXPECT_TRUE(missing.raw.empty());

  const PortalLookup& unreadable = report.results[2];
  EXPECT_TRUE(unreadable.found);
  EXPECT_THAT(unreadable.error, HasSubstr("NgayKetThucXuLy"));
  EXPECT_FALSE(unreadable.raw.empty());

  EXPECT_TRUE(report.results[3].ok());
  EXPECT_FALSE(report.results[3].found);

  EXPECT_EQ(report.found, 1u);
  EXPECT_EQ(report.missing, 2u);
  EXPECT_EQ(report.failed, 1u);
}

TEST_F(DvcLookupTest, GeneratedDossiersAreFoundOrMissingAsThePortalHoldsThem) {
  const auto all = codes(10000);
  ASSERT_GT(all.size(), 50u);
  LookupOptions o;
  o.rate_limit = 0;
  o.concurrency = 8;
  const LookupReport report = lookup(all, o);
  ASSERT_EQ(report.results.size(), all.size());
  EXPECT_EQ(report.failed, 0u);
  EXPECT_GT(report.found, all.size() / 2);
  EXPECT_GT(report.missing, 0u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(report.results[i].code, all[i]);
    if (report.results[i].found) {
      ASSERT_TRUE(report.results[i].dossier) << report.results[i].error;
      EXPECT_EQ(report.results[i].dossier->code, all[i]);
      EXPECT_EQ(report.results[i].status, report.results[i].dossier->status);
    }
  }
}

TEST_F(DvcLookupTest, ConcurrencyBoundsTheLookupsInFlight) {
  const auto some = codes(12);
  ASSERT_EQ(some.size(), 12u);
  log_in_and_forget(some[0]);
  fault(sim::Fault::Kind::delay, -1, 150ms);
  LookupOptions o;
  o.rate_limit = 0;
  o.concurrency = 3;
  const LookupReport report = lookup(some, o);
  EXPECT_EQ(report.failed, 0u);

  const auto served = lookups_served(12);
  ASSERT_EQ(served.size(), 12u);
  std::vector<std::pair<Clock::time_point, int>> edges;
  for (const auto& s : served) {
    edges.emplace_back(s.started, +1);
    edges.emplace_back(s.finished, -1);
  }
  std::sort(edges.begin(), edges.end());  // an end sorts before a start at the same instant
  int in_flight = 0;
  int most = 0;
  for (const auto& [at, step] : edges)
    most = std::max(most, in_flight += step);
  EXPECT_EQ(most, 3);
}

TEST_F(DvcLookupTest, RateLimitSpacesTheRequestsAtTheServer) {
  const auto some = codes(25);
  ASSERT_EQ(some.size(), 25u);
  log_in_and_forget(some[0]);
  LookupOptions o;
  o.rate_limit = 20;  // one request every 50 ms
  o.burst = 1;
  o.concurrency = 4;
  const LookupReport report = lookup(some, o);
  EXPECT_EQ(report.failed, 0u);

  const auto served = lookups_served(25);
  ASSERT_EQ(served.size(), 25u);
  // Any k+1 consecutive arrivals span at least k intervals, less a little scheduling jitter.
  const auto interval = 50ms;
  const auto jitter = 20ms;
  for (std::size_t k : {1u, 5u, 10u, 24u})
    for (std::size_t i = 0; i + k < served.size(); ++i)
      EXPECT_GE(served[i + k].started - served[i].started, k * interval - jitter)
          << "requests " << i << " to " << i + k;
  // ... and the limiter is not much slower than the rate either.
  EXPECT_LT(served.back().started - served.front().started, 24 * interval + 500ms);
}

TEST_F(DvcLookupTest, BurstLetsTheFirstRequestsStartTogether) {
  const auto some = codes(8);
  log_in_and_forget(some[0]);
  LookupOptions o;
  o.rate_limit = 4;  // one every 250 ms after the burst
  o.burst = 4;
  o.concurrency = 4;
  const LookupReport report = lookup(some, o);
  EXPECT_EQ(report.failed, 0u);
  const auto served = lookups_served(8);
  ASSERT_EQ(served.size(), 8u);
  EXPECT_LT(served[3].started - served[0].started, 150ms);
  EXPECT_GE(served[4].started - served[0].started, 250ms - 20ms);
  EXPECT_GE(served[7].started - served[0].started, 4 * 250ms - 20ms);
}

TEST_F(DvcLookupTest, WrongCredentialsStopTheLookupsWithoutALoginStorm) {
  UpstreamSession wrong(client, endpoint("dvc", "sai-mat-khau"));
  const auto some = codes(40);
  LookupOptions o;
  o.concurrency = 4;
  o.rate_limit = 0;
  const LookupReport report =
      io.run(lookup_dossiers(wrong, mapping, "dvc", some, o), std::chrono::seconds(20));
  ASSERT_EQ(report.results.size(), 40u);
  EXPECT_EQ(report.failed, 40u);
  EXPECT_FALSE(report.reachable);
  EXPECT_THAT(report.error, HasSubstr("refused"));
  for (const auto& r : report.results) {
    EXPECT_THAT(r.error, HasSubstr("refused"));
    EXPECT_THAT(r.error, ::testing::Not(HasSubstr("sai-mat-khau")));
  }
  ASSERT_TRUE(testing::eventually([&] { return log.count_path("/dvc/auth") >= 1; }));
  EXPECT_EQ(wrong.login_attempts(), 1u);
  EXPECT_EQ(log.count_path("/dvc/auth"), 1u);
  EXPECT_EQ(log.count_service("TraCuuHoSo"), 0u);
}

TEST_F(DvcLookupTest, PortalDownGivesUpAfterConsecutiveFailures) {
  const auto some = codes(60);
  log_in_and_forget(some[0]);
  fault(sim::Fault::Kind::http_503, -1);
  LookupOptions o;
  o.concurrency = 2;
  o.rate_limit = 0;
  o.max_consecutive_failures = 5;
  const LookupReport report = lookup(some, o);
  EXPECT_EQ(report.failed, 60u);
  EXPECT_THAT(report.error, HasSubstr("5 lookups in a row failed"));
  EXPECT_THAT(report.error, HasSubstr("HTTP 503"));
  EXPECT_LE(report.requests, 6u);
  EXPECT_LE(log.count_service("TraCuuHoSo"), 6u);
  EXPECT_EQ(std::count_if(report.results.begin(), report.results.end(),
                          [](const auto& r) { return r.looked_up; }),
            static_cast<std::ptrdiff_t>(report.requests));
}

TEST_F(DvcLookupTest, SessionExpiryDuringParallelLookupsLogsInOnce) {
  const auto some = codes(20);
  ASSERT_TRUE(io.run(session.call("TraCuuHoSo", {{"MaHoSo", some[0]}})).ok());
  fault(sim::Fault::Kind::expire_session, 1);
  LookupOptions o;
  o.concurrency = 4;
  o.rate_limit = 0;
  const LookupReport report = lookup(some, o);
  EXPECT_EQ(report.failed, 0u);
  EXPECT_EQ(session.login_attempts(), 2u);
}

TEST_F(DvcLookupTest, ProcedureStatutoryTimePerChannel) {
  const auto rows = listing();
  ASSERT_FALSE(rows.empty());
  const std::string procedure(json::parse(rows.begin()->second).at("MaTTHC").as_string());
  const ProcedureLookup p = io.run(lookup_procedure(session, procedure));
  ASSERT_TRUE(p.ok()) << p.error;
  ASSERT_TRUE(p.found);
  EXPECT_EQ(p.procedure.code, procedure);
  EXPECT_FALSE(p.procedure.name.empty());
  ASSERT_EQ(p.procedure.times.size(), 3u);
  std::set<std::string> channels;
  for (const auto& t : p.procedure.times) {
    channels.insert(t.channel);
    EXPECT_EQ(t.unit, TimeUnit::working_days);
    EXPECT_EQ(t.unit_text, "Ngày làm việc");
    ASSERT_TRUE(t.amount);
    ASSERT_TRUE(t.duration());
    EXPECT_EQ(*t.duration(), sla::Duration::working_days(static_cast<std::int64_t>(*t.amount)));
  }
  EXPECT_EQ(channels, (std::set<std::string>{"1", "2", "3"}));

  const ProcedureLookup unknown = io.run(lookup_procedure(session, "9.999999"));
  EXPECT_TRUE(unknown.ok()) << unknown.error;
  EXPECT_FALSE(unknown.found);
}

TEST(TimeUnitTest, PortalUnitsAreReadWithOrWithoutAccents) {
  EXPECT_EQ(parse_time_unit("Ngày làm việc"), TimeUnit::working_days);
  EXPECT_EQ(parse_time_unit("ngay lam viec"), TimeUnit::working_days);
  EXPECT_EQ(parse_time_unit("Giờ làm việc"), TimeUnit::working_hours);
  EXPECT_EQ(parse_time_unit("Ngày"), TimeUnit::days);
  EXPECT_EQ(parse_time_unit("Giờ"), TimeUnit::hours);
  EXPECT_EQ(parse_time_unit("Tháng"), TimeUnit::unknown);
}

TEST(TimeUnitTest, DurationsOfStatutoryTimes) {
  StatutoryTime t;
  t.amount = 3;
  t.unit = TimeUnit::working_days;
  EXPECT_EQ(t.duration(), sla::Duration::working_days(3));
  t.amount = 0.5;
  EXPECT_FALSE(t.duration());  // half a working day: the calendar knows its length
  t.unit = TimeUnit::working_hours;
  EXPECT_EQ(t.duration(), sla::Duration::working(1800s));
  t.amount = 2;
  t.unit = TimeUnit::days;
  EXPECT_EQ(t.duration(), sla::Duration::clock(48h));
  t.unit = TimeUnit::unknown;
  EXPECT_FALSE(t.duration());
  t.unit = TimeUnit::hours;
  t.amount.reset();
  EXPECT_FALSE(t.duration());
}

}  // namespace
}  // namespace motcua::connectors
