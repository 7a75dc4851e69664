// motcua-sim's routing table, called without a socket (the transport is net/'s and tested there).
#include "simulator/upstream_sim.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "config/holidays.hpp"
#include "connectors/mapping.hpp"

namespace motcua::sim {
namespace {

namespace json = boost::json;
using namespace std::chrono;

const sla::WorkingCalendar& calendar() {
  static const sla::WorkingCalendar c([] {
    sla::CalendarSettings s;
    s.tables = config::builtin_holiday_tables();
    return s;
  }());
  return c;
}

const sla::Instant kStart = *sla::parse_rfc3339("2026-03-10T10:00:00+07:00");

class UpstreamSimTest : public ::testing::Test {
 protected:
  UpstreamSimTest() : sim(calendar(), options()) { sim.add_routes(router); }

  static SimOptions options() {
    SimOptions o;
    o.seed = 42;
    o.dossiers = 600;
    o.start = kStart;
    return o;
  }

  net::ServerResponse call(const std::string& method, const std::string& target,
                           const std::string& body, const std::string& dstcode = "H37") {
    auto req = net::ServerRequest::make(method, target, body);
    if (!dstcode.empty()) req.headers.emplace_back("dstcode", dstcode);
    boost::asio::io_context io;
    auto result = boost::asio::co_spawn(io, router.handle(std::move(req)), boost::asio::use_future);
    io.run();
    return result.get();
  }

  json::object call_json(const std::string& target, const json::object& body) {
    auto r = call("POST", target, json::serialize(body));
    EXPECT_EQ(r.status, 200) << r.body;
    json::error_code ec;
    auto v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body.substr(0, 200);
    return ec ? json::object{} : v.as_object();
  }

  std::string login(const std::string& system = "motcua") {
    auto a = call_json("/" + system + "/auth", {{"username", "demo"}, {"password", "demo"}});
    EXPECT_EQ(a["error_code"].to_number<int>(), 0);
    return std::string(a["session"].as_string());
  }

  json::object list(const std::string& session, const std::string& from, int page, int size) {
    return call_json("/motcua/service", {{"session", session},
                                         {"madonvi", "000.00.00.H37"},
                                         {"service", "LayDanhSachHoSo"},
                                         {"CapNhatTu", from},
                                         {"Trang", page},
                                         {"SoLuong", size}});
  }

  net::Router router;
  UpstreamSim sim;
};

TEST_F(UpstreamSimTest, LoginNeedsTheRightCredentialsAndADstcode) {
  auto bad = call_json("/motcua/auth", {{"username", "demo"}, {"password", "sai"}});
  EXPECT_NE(bad["error_code"].to_number<int>(), 0);
  EXPECT_FALSE(bad.contains("session"));
  auto no_dst = call("POST", "/motcua/auth", R"({"username":"demo","password":"demo"})", "");
  EXPECT_NE(json::parse(no_dst.body).as_object()["error_code"].to_number<int>(), 0);
  EXPECT_FALSE(login().empty());
}

TEST_F(UpstreamSimTest, UnknownSessionIsTheExpiryError) {
  auto r = list("not-a-session", "", 1, 10);
  EXPECT_EQ(r["error_code"].to_number<int>(), 401);
}

TEST_F(UpstreamSimTest, ListingIsOrderedByUpdateTimeThenCodeAndPagesAddUp) {
  const auto session = login();
  auto first = list(session, "", 1, 50);
  const auto total = first["TongSo"].to_number<std::int64_t>();
  ASSERT_GT(total, 100);
  std::vector<std::pair<std::string, std::string>> seen;
  for (int page = 1; (page - 1) * 50 < total; ++page) {
    auto answer = list(session, "", page, 50);  // the range-for below must not outlive it
    for (const auto& r : answer["data"].as_array())
      seen.emplace_back(std::string(r.at("NgayCapNhat").as_string()),
                        std::string(r.at("MaHoSo").as_string()));
  }
  EXPECT_EQ(static_cast<std::int64_t>(seen.size()), total);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
  // Many records share one NgayCapNhat, as DOMAIN.md warns.
  std::map<std::string, int> per_time;
  for (const auto& s : seen)
    ++per_time[s.first];
  EXPECT_GT(std::max_element(per_time.begin(), per_time.end(),
                             [](auto& a, auto& b) { return a.second < b.second; })
                ->second,
            1);
  // CapNhatTu is inclusive.
  const auto& middle = seen[seen.size() / 2].first;
  auto from_middle = list(session, middle, 1, 10000);
  const auto expected =
      std::count_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first >= middle; });
  EXPECT_EQ(from_middle["TongSo"].to_number<std::int64_t>(), expected);
}

TEST_F(UpstreamSimTest, RecordsMapCleanlyAndTimeMovesThem) {
  const auto session = login();
  connectors::RecordMapping mapping;
  auto before = list(session, "", 1, 10000);
  for (const auto& r : before["data"].as_array()) {
    auto m = connectors::map_record(r, mapping, "motcua");
    ASSERT_TRUE(m.dossier) << m.error;
  }
  sim.set_now(kStart + days(3));
  auto after = list(session, "", 1, 10000);
  EXPECT_GT(after["TongSo"].to_number<std::int64_t>(), before["TongSo"].to_number<std::int64_t>());
  // Records changed in the meantime come after the old cursor.
  const std::string cursor = "20260310100000";
  EXPECT_GT(list(session, cursor, 1, 1)["TongSo"].to_number<std::int64_t>(),
            before["data"].as_array().empty() ? 0 : 1);
}

TEST_F(UpstreamSimTest, PortalHasMostDossiersButNotAll) {
  const auto motcua = login();
  const auto dvc = login("dvc");
  int found = 0, missing = 0;
  auto listing = list(motcua, "", 1, 10000);
  for (const auto& r : listing["data"].as_array()) {
    const auto& rec = r.as_object();
    if (rec.at("NgayTiepNhan").as_string().empty()) continue;
    auto answer = call_json("/dvc/service", {{"session", dvc},
                                             {"madonvi", "000.00.00.H37"},
                                             {"service", "TraCuuHoSo"},
                                             {"MaHoSo", rec.at("MaHoSo")}});
    ASSERT_EQ(answer["error_code"].to_number<int>(), 0);
    (answer["result"].as_array().empty() ? missing : found)++;
  }
  EXPECT_GT(found, 10 * missing);
  EXPECT_GT(missing, 0);
}

TEST_F(UpstreamSimTest, ProcedureProcessingTime) {
  const auto dvc = login("dvc");
  auto any = list(login(), "", 1, 1)["data"].as_array().at(0).as_object();
  auto answer = call_json(
      "/dvc/service", {{"session", dvc}, {"service", "LayThuTuc"}, {"MaTTHC", any.at("MaTTHC")}});
  const auto& ways = answer["result"].as_array().at(0).as_object().at("CACHTHUCTHUCHIEN");
  const auto& time = ways.as_array().at(0).at("THOIGIAN").as_array().at(0);
  EXPECT_GT(std::stoi(std::string(time.at("THOIGIANGIAIQUYET").as_string())), 0);
  EXPECT_EQ(time.at("DONVITINH").as_string(), "Ngày làm việc");
}

TEST_F(UpstreamSimTest, FaultsApplyToTheirTargetForTheirCount) {
  const auto session = login();
  sim.add_fault({Fault::Kind::http_500, "LayDanhSachHoSo", 2, {}});
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(call("POST", "/motcua/service",
                   json::serialize(json::object{
                       {"session", session}, {"service", "LayDanhSachHoSo"}, {"SoLuong", 5}}))
                  .status,
              500);
  EXPECT_EQ(list(session, "", 1, 5)["error_code"].to_number<int>(), 0);

  sim.add_fault({Fault::Kind::malformed_json, "*", 1, {}});
  json::error_code ec;
  json::parse(
      call("POST", "/motcua/service",
           json::serialize(json::object{{"session", session}, {"service", "LayDanhSachHoSo"}}))
          .body,
      ec);
  EXPECT_TRUE(ec);

  sim.add_fault({Fault::Kind::expire_session, "LayDanhSachHoSo", 1, {}});
  EXPECT_EQ(list(session, "", 1, 5)["error_code"].to_number<int>(), 401);
  EXPECT_EQ(list(session, "", 1, 5)["error_code"].to_number<int>(), 401);  // gone for good

  const auto fresh = login();
  sim.add_fault({Fault::Kind::wrong_types, "LayDanhSachHoSo", 1, {}});
  auto spoiled = list(fresh, "", 1, 3);
  connectors::RecordMapping mapping;
  for (const auto& r : spoiled["data"].as_array())
    EXPECT_FALSE(connectors::map_record(r, mapping, "motcua").dossier);

  sim.add_fault({Fault::Kind::drop_connection, "*", 1, {}});
  EXPECT_TRUE(call("POST", "/motcua/service", "{}").close_without_response);
  sim.add_fault({Fault::Kind::truncated_body, "*", 1, {}});
  EXPECT_TRUE(
      call("POST", "/motcua/service",
           json::serialize(json::object{{"session", fresh}, {"service", "LayDanhSachHoSo"}}))
          .truncate_body_to.has_value());
}

TEST_F(UpstreamSimTest, ScenarioRecordsAreServedAsGiven) {
  const std::string record =
      R"({"MaHoSo":"000.00.12.H37-260309-9001","MaTTHC":"1.009972","NgayTiepNhan":"20260309080000",)"
      R"("NgayHenTra":"20260310090000","TrangThaiHoSo":4,"NgayCapNhat":"20260309080000"})";
  auto r = call("POST", "/_sim/scenario", R"({"records":[)" + record + R"(],"portal":{}})");
  EXPECT_EQ(r.status, 200) << r.body;
  const auto session = login();
  bool seen = false;
  auto listing = list(session, "20260309080000", 1, 10000);
  for (const auto& rec : listing["data"].as_array())
    seen = seen || rec.at("MaHoSo").as_string() == "000.00.12.H37-260309-9001";
  EXPECT_TRUE(seen);
  auto portal = call_json("/dvc/service", {{"session", login("dvc")},
                                           {"service", "TraCuuHoSo"},
                                           {"MaHoSo", "000.00.12.H37-260309-9001"}});
  EXPECT_TRUE(portal["result"].as_array().empty());
}

TEST_F(UpstreamSimTest, AdminClock) {
  auto r = call("POST", "/_sim/clock", R"({"now":"2026-04-01T08:00:00+07:00"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(sim.now(), *sla::parse_rfc3339("2026-04-01T08:00:00+07:00"));
  r = call("POST", "/_sim/clock", R"({"advance":"2h"})");
  EXPECT_EQ(sim.now(), *sla::parse_rfc3339("2026-04-01T10:00:00+07:00"));
  EXPECT_EQ(call("POST", "/_sim/clock", R"({"advance":"soon"})").status, 400);
}

}  // namespace
}  // namespace motcua::sim
