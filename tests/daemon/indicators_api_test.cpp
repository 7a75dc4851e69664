// GET /api/v1/indicators against a real state file: dossiers stored through the store API, portal
// answers recorded through the portal store, a controlled clock, requests through the Router.
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "config/config.hpp"
#include "daemon/api.hpp"
#include "daemon/service_state.hpp"
#include "store/database.hpp"
#include "store/dossier_store.hpp"
#include "store/portal_store.hpp"
#include "tests/support/process.hpp"

namespace motcua::daemon {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono;
using ::testing::HasSubstr;
using ::testing::StartsWith;

sla::Instant T(const std::string& text) {
  return sla::parse_rfc3339(text + ":00+07:00").value();
}

constexpr const char* kBuilding = "000.00.12.H37";
constexpr const char* kHealth = "000.00.20.H37";
constexpr const char* kFileAgency = "000.00.30.H37";

sla::Dossier dossier(const std::string& agency, const std::string& n, const std::string& received,
                     const std::string& due, std::string source = "motcua") {
  sla::Dossier d;
  d.code = agency + "-260301-" + n;
  d.source = std::move(source);
  d.procedure = "1.004227";
  d.agency = agency;
  d.agency_name = agency == kBuilding ? "Sở Xây dựng" : "Sở Y tế";
  d.status = sla::Status::processing;
  d.channel = 1;
  d.received_at = T(received);
  d.due_at = T(due);
  return d;
}

sla::Dossier finished(sla::Dossier d, const std::string& at) {
  d.status = sla::Status::returned;
  d.finished_at = T(at);
  return d;
}

std::string config_toml(bool with_portal) {
  std::string toml = R"([daemon]
state_db = "state.db"

[[source]]
name = "motcua"
kind = "motcua"
url = "http://127.0.0.1:9/motcua"
)";
  if (with_portal)
    toml += R"(
[[source]]
name = "dvc"
kind = "dvc"
url = "http://127.0.0.1:9/dvc"
)";
  return toml;
}

class IndicatorsApiTest : public ::testing::Test {
 protected:
  IndicatorsApiTest()
      : db(dir.path() / "state.db"),
        state(
            runtime(true), [this] { return now; }, nullptr),
        ctx{state, db} {
    add_indicator_routes(router, ctx);
  }

  std::shared_ptr<const Runtime> runtime(bool with_portal) {
    return Runtime::from(config::parse_config(config_toml(with_portal), dir.path() / "c.toml"));
  }

  // The hand-made set of March 2026 (see each line), "today" being Friday 20/03.
  void store_march() {
    std::vector<sla::Dossier> ds;
    auto a1 = finished(dossier(kBuilding, "0001", "2026-03-02T08:00", "2026-03-10T17:00"),
                       "2026-03-10T17:00");  // on time to the second
    a1.channel = 2;
    auto a2 = finished(dossier(kBuilding, "0002", "2026-03-02T08:00", "2026-03-10T17:00"),
                       "2026-03-11T09:00");  // late, no apology
    auto a3 = dossier(kBuilding, "0003", "2026-03-03T08:00", "2026-03-12T17:00");  // overdue
    a3.channel = 2;
    auto b1 = finished(dossier(kHealth, "0001", "2026-03-04T08:00", "2026-03-12T17:00"),
                       "2026-03-06T10:00");  // early, but asked twice for supplements
    b1.supplements.resize(2);
    b1.supplements[0].reason = b1.supplements[1].reason = "Thiếu giấy tờ";
    auto b2 = finished(dossier(kHealth, "0002", "2026-02-20T08:00", "2026-03-05T17:00"),
                       "2026-03-04T10:00");  // received in February, finished in March
    auto b3 = finished(dossier(kHealth, "0003", "2026-02-10T08:00", "2026-02-25T17:00"),
                       "2026-02-20T10:00");  // all in February
    // A source no longer configured.
    auto gone = dossier(kHealth, "0009", "2026-03-05T08:00", "2026-03-06T17:00", "old");
    for (auto* d : {&a1, &a2, &a3, &b1, &b2, &b3, &gone})
      records.push_back({*d, "{}"});
    store::DossierStore(db).upsert(records, T("2026-03-20T09:00"));
    store::PortalStore portal(db);
    std::vector<store::PortalObservation> seen = {
        {"motcua", a1.code, true, a1.status, a1.finished_at, "{}"},
        {"motcua", a2.code, false, {}, {}, ""}};
    portal.record("dvc", seen, T("2026-03-20T09:30"));

    // A file source's dossier reaches the API through the evaluation.
    auto evaluation = std::make_shared<Evaluation>();
    evaluation->at = T("2026-03-20T09:45");
    auto f1 = dossier(kFileAgency, "0001", "2026-03-05T08:00", "2026-03-30T17:00", "files");
    f1.agency_name = "UBND huyện";
    evaluation->file_dossiers.push_back(f1);
    state.publish(evaluation);
  }

  net::ServerResponse get(const std::string& target) {
    asio::io_context io;
    auto future = asio::co_spawn(io, router.handle(net::ServerRequest::make("GET", target)),
                                 asio::use_future);
    io.run();
    return future.get();
  }

  json::object get_json(const std::string& target) {
    auto response = get(target);
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.content_type, "application/json");
    return json::parse(response.body).as_object();
  }

  testing::TempDir dir;
  store::Database db;
  sla::Instant now = T("2026-03-20T10:00");
  ServiceState state;
  ApiContext ctx;
  net::Router router;
  std::vector<store::StoredRecord> records;
};

double num(const json::value& v) {
  return v.is_int64() ? static_cast<double>(v.as_int64()) : v.as_double();
}

TEST_F(IndicatorsApiTest, TheCurrentMonthUpToTodayByDefault) {
  store_march();
  auto body = get_json("/api/v1/indicators");
  EXPECT_EQ(body.at("period").at("from"), "2026-03-01");
  EXPECT_EQ(body.at("period").at("to"), "2026-03-20");
  EXPECT_EQ(body.at("period").at("open_judged_at"), "2026-03-20T10:00:00+07:00");
  EXPECT_EQ(body.at("generated_at"), "2026-03-20T10:00:00+07:00");
  EXPECT_TRUE(body.at("agency").is_null());

  const auto& p = body.at("province").as_object();
  EXPECT_EQ(p.at("agencies"), 3);
  EXPECT_EQ(p.at("received"), 5);  // a1 a2 a3 b1 f1: not b2, b3 (February) nor the old source
  EXPECT_EQ(p.at("finished"), 4);  // a1 a2 b1 b2
  EXPECT_EQ(p.at("finished_on_time"), 2);  // a1 (at the deadline), b2
  EXPECT_EQ(p.at("finished_late"), 2);     // a2, b1 (two supplementation requests)
  EXPECT_EQ(p.at("open_overdue"), 1);      // a3
  EXPECT_EQ(p.at("late"), 3);
  EXPECT_EQ(p.at("judged"), 5);
  EXPECT_DOUBLE_EQ(num(p.at("on_time_rate")), 0.4);
  EXPECT_DOUBLE_EQ(num(p.at("late_rate")), 0.6);
  EXPECT_EQ(p.at("apology_due"), 2);  // a2, a3 missed a deadline; b1 did not
  EXPECT_EQ(p.at("apology_compliant"), 0);
  EXPECT_DOUBLE_EQ(num(p.at("apology_rate")), 0.0);
  EXPECT_EQ(p.at("received_online"), 2);
  EXPECT_DOUBLE_EQ(num(p.at("online_share")), 0.4);
  EXPECT_DOUBLE_EQ(num(p.at("online_score")), 0.8);
  EXPECT_EQ(p.at("portal_known"), 2);  // a1 found, a2 not; the rest never looked up
  EXPECT_EQ(p.at("on_portal"), 1);
  EXPECT_DOUBLE_EQ(num(p.at("sync_rate")), 0.5);

  const auto& agencies = body.at("agencies").as_array();
  ASSERT_EQ(agencies.size(), 3u);
  EXPECT_EQ(agencies[0].at("agency"), kBuilding);
  EXPECT_EQ(agencies[0].at("agency_name"), "Sở Xây dựng");
  EXPECT_EQ(agencies[0].at("late"), 2);
  EXPECT_DOUBLE_EQ(num(agencies[0].at("on_time_rate")), 1.0 / 3.0);
  EXPECT_EQ(agencies[1].at("agency"), kHealth);
  EXPECT_EQ(agencies[1].at("received"), 1);
  EXPECT_EQ(agencies[1].at("finished"), 2);
  EXPECT_TRUE(agencies[1].at("apology_rate").is_null());  // nothing late missed a promise
  EXPECT_TRUE(agencies[1].at("sync_rate").is_null());     // never looked up
  EXPECT_EQ(agencies[2].at("agency"), kFileAgency);
  EXPECT_EQ(agencies[2].at("received"), 1);
  EXPECT_TRUE(agencies[2].at("on_time_rate").is_null());  // nothing judged yet
}

TEST_F(IndicatorsApiTest, AnExplicitPeriodIncludesItsLastDay) {
  store_march();
  auto body = get_json("/api/v1/indicators?from=2026-02-01&to=2026-02-28");
  const auto& p = body.at("province").as_object();
  EXPECT_EQ(p.at("received"), 2);      // b2, b3
  EXPECT_EQ(p.at("finished"), 1);      // b3
  EXPECT_EQ(p.at("open_overdue"), 0);  // b2 open at the end, due 05/03
  EXPECT_DOUBLE_EQ(num(p.at("on_time_rate")), 1.0);
  EXPECT_EQ(body.at("period").at("open_judged_at"), "2026-03-01T00:00:00+07:00");

  // The last day counts whole: a3 was received on 03/03 at 08:00.
  body = get_json("/api/v1/indicators?from=2026-03-03&to=2026-03-03");
  EXPECT_EQ(body.at("province").at("received"), 1);
}

TEST_F(IndicatorsApiTest, AnAgencyFilterKeepsTheProvinceTotals) {
  store_march();
  auto body = get_json(std::string("/api/v1/indicators?agency=") + kHealth);
  EXPECT_EQ(body.at("agency"), kHealth);
  ASSERT_EQ(body.at("agencies").as_array().size(), 1u);
  EXPECT_EQ(body.at("agencies").at(0).at("agency"), kHealth);
  EXPECT_EQ(body.at("province").at("received"), 5);
  EXPECT_TRUE(get_json("/api/v1/indicators?agency=nobody").at("agencies").as_array().empty());
}

TEST_F(IndicatorsApiTest, BadQueriesAre400s) {
  for (const char* target :
       {"/api/v1/indicators?from=2026-13-01", "/api/v1/indicators?to=2026-02-30",
        "/api/v1/indicators?from=yesterday", "/api/v1/indicators?from=2026-03-02&to=2026-03-01",
        "/api/v1/indicators?from=2025-01-01&to=2026-01-02", "/api/v1/indicators?format=xml",
        "/api/v1/indicators?form=2026-03-01"}) {
    auto response = get(target);
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_THAT(response.body, HasSubstr("\"error\"")) << target;
  }
  // A whole leap year is allowed.
  EXPECT_EQ(get("/api/v1/indicators?from=2024-01-01&to=2024-12-31").status, 200);
}

TEST_F(IndicatorsApiTest, CsvForExcelHasAByteOrderMark) {
  store_march();
  auto response = get("/api/v1/indicators?format=csv&from=2026-03-01&to=2026-03-31");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/csv; charset=utf-8");
  EXPECT_THAT(response.body, StartsWith("\xEF\xBB\xBF"
                                        "agency,agency_name,received,finished,"));
  EXPECT_THAT(response.body, HasSubstr("\r\n,Toàn tỉnh,5,4,2,2,1,3,5,0.4,0.6,2,0,0,2,0.4,0.8,"));
  EXPECT_THAT(response.body, HasSubstr(std::string("\r\n") + kHealth + ",Sở Y tế,1,2,1,1,0,1,2,"));
  EXPECT_THAT(net::find_header(response.headers, "Content-Disposition"),
              HasSubstr("chi-so-2026-03-01-2026-03-31.csv"));
}

TEST_F(IndicatorsApiTest, AnswersAreReusedForAMinuteUntilANewEvaluation) {
  store_march();
  EXPECT_EQ(get_json("/api/v1/indicators").at("province").at("received"), 5);
  auto late = dossier(kBuilding, "0004", "2026-03-19T08:00", "2026-03-27T17:00");
  store::StoredRecord r{late, "{}"};
  store::DossierStore(db).upsert(std::span(&r, 1), T("2026-03-20T10:00"));

  now += seconds(59);
  auto body = get_json("/api/v1/indicators");
  EXPECT_EQ(body.at("province").at("received"), 5);
  EXPECT_EQ(body.at("generated_at"), "2026-03-20T10:00:00+07:00");

  now += seconds(1);
  EXPECT_EQ(get_json("/api/v1/indicators").at("province").at("received"), 6);

  // A new evaluation means new data: the answer of a second ago is not reused.
  store::StoredRecord r2{dossier(kBuilding, "0005", "2026-03-19T09:00", "2026-03-27T17:00"), "{}"};
  store::DossierStore(db).upsert(std::span(&r2, 1), T("2026-03-20T10:01"));
  auto evaluation = std::make_shared<Evaluation>(*state.evaluation());
  evaluation->at = T("2026-03-20T10:01");
  state.publish(evaluation);
  now += seconds(1);
  EXPECT_EQ(get_json("/api/v1/indicators").at("province").at("received"), 7);
}

TEST_F(IndicatorsApiTest, WithoutAPortalSourceTheSyncRateIsUnknown) {
  store_march();
  state.set_runtime(runtime(false));
  const auto body = get_json("/api/v1/indicators");
  const auto& p = body.at("province").as_object();
  EXPECT_EQ(p.at("portal_known"), 0);
  EXPECT_TRUE(p.at("sync_rate").is_null());
  EXPECT_EQ(p.at("received"), 5);
}

TEST_F(IndicatorsApiTest, AnEmptyStoreAnswersZerosAndNulls) {
  const auto body = get_json("/api/v1/indicators");
  const auto& p = body.at("province").as_object();
  EXPECT_EQ(p.at("received"), 0);
  EXPECT_TRUE(p.at("on_time_rate").is_null());
  EXPECT_TRUE(p.at("online_share").is_null());
}

// The measurement behind running the scan on a worker (daemon/indicators_api.cpp):
// MOTCUA_INDICATOR_BENCH=200000 ./motcua_indicator_tests --gtest_filter='*Scan*'
TEST_F(IndicatorsApiTest, ScanTimeOfManyStoredDossiers) {
  const char* env = std::getenv("MOTCUA_INDICATOR_BENCH");
  if (!env) GTEST_SKIP() << "set MOTCUA_INDICATOR_BENCH=<dossiers> to measure";
  const int n = std::atoi(env);
  store::DossierStore dossiers(db);
  std::vector<store::StoredRecord> batch;
  const sla::Instant start = T("2025-03-21T08:00");
  for (int i = 0; i < n; ++i) {
    const sla::Instant received = start + seconds(static_cast<std::int64_t>(i) * 365 * 86400 / n);
    sla::Dossier d;
    d.agency = "000.00." + std::to_string(10 + i % 40) + ".H37";
    d.code = d.agency + "-" + std::to_string(i);
    d.source = "motcua";
    d.procedure = "1.004227";
    d.agency_name = "Sở " + std::to_string(i % 40);
    d.applicant = "Nguyễn Văn A";
    d.channel = 1 + i % 2;
    d.received_at = received;
    d.due_at = received + days(10);
    d.status = i % 10 == 0 ? sla::Status::processing : sla::Status::returned;
    if (d.status == sla::Status::returned) d.finished_at = received + days(9 + i % 3);
    d.steps.resize(4);
    for (auto& s : d.steps) {
      s.handler = "Trần Thị B";
      s.department = "Phòng Quản lý";
      s.content = "Chuyển xử lý";
      s.at = received + hours(5);
      s.status = sla::Status::processing;
    }
    batch.push_back({std::move(d), std::string(1500, 'x')});
    if (batch.size() == 5000) {
      dossiers.upsert(batch, start);
      batch.clear();
    }
  }
  dossiers.upsert(batch, start);
  now = T("2026-03-21T10:00");

  const auto t0 = steady_clock::now();
  auto body = get_json("/api/v1/indicators?from=2025-03-21&to=2026-03-20");
  const auto cold = duration_cast<milliseconds>(steady_clock::now() - t0);
  const auto t1 = steady_clock::now();
  get_json("/api/v1/indicators?from=2025-03-21&to=2026-03-20");
  const auto cached = duration_cast<microseconds>(steady_clock::now() - t1);
  std::printf("%d dossiers: scan %lld ms (received %lld), cached answer %lld µs\n", n,
              static_cast<long long>(cold.count()),
              static_cast<long long>(body.at("province").at("received").as_int64()),
              static_cast<long long>(cached.count()));
}

}  // namespace
}  // namespace motcua::daemon
