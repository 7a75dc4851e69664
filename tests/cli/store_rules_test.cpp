// The four rules that need the store, end to end: motcua-sim serves a scenario on 127.0.0.1, and
// `motcua-watchd --once` (a real process) syncs the one-stop source, looks the dossiers up on the
// portal (kind = "dvc") and reports deadline_rewritten, portal_missing, status_mismatch and
// source_stale from what it stored across runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "net/http_client.hpp"
#include "tests/support/process.hpp"

namespace motcua::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kNow = "2026-03-10T10:00:00+07:00";

// A one-stop record in the wire format (DOMAIN.md), running, received `received`.
json::object record(const std::string& code, const std::string& received, const std::string& due,
                    const std::string& updated, int status = 4) {
  json::object r;
  r["MaHoSo"] = code;
  r["MaTTHC"] = "1.009972";
  r["TenTTHC"] = "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ";
  r["MaDonViXuLy"] = "000.00.12.H37";
  r["DonViXuLy"] = "Sở Xây dựng";
  r["KenhThucHien"] = 2;
  r["ChuHoSo"] = "Hoàng Văn Bình";
  r["NgayNopHoSo"] = received;
  r["NgayTiepNhan"] = received;
  r["NgayHenTra"] = due;
  r["TrangThaiHoSo"] = std::to_string(status);
  r["NgayKetThucXuLy"] = "";
  r["NgayTra"] = "";
  r["NgayCapNhat"] = updated;
  r["QuaTrinhXuLy"] = json::array();
  r["DanhSachHoSoBoSung"] = json::array();
  r["DanhSachXinLoi"] = json::array();
  return r;
}

class StoreRules : public ::testing::Test {
 protected:
  void SetUp() override {
    sim = std::make_unique<BackgroundProcess>(
        binary_dir() / "motcua-sim",
        std::vector<std::string>{"--listen", "127.0.0.1:0", "--dossiers", "0", "--now", kNow});
    const auto line = sim->wait_for_line("listening on", std::chrono::seconds(30));
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) << line;
    port = m[1];
    dir.write("password", "demo\n");
    cfg = dir.write("config.toml", config());
  }

  std::string source(const std::string& name, const std::string& kind) const {
    return "[[source]]\nname = \"" + name + "\"\nkind = \"" + kind +
           "\"\nurl = \"http://127.0.0.1:" + port + "/" + kind +
           "\"\nusername = \"demo\"\npassword_file = \"password\"\n" +
           "dstcode = \"H37\"\ntimeout = \"5s\"\n";
  }
  std::string config() const {
    return "[daemon]\nstate_db = \"state.db\"\n\n" + source("motcua", "motcua") + "\n" +
           source("dvcqg", "dvc") + "rate_limit = 50\n";
  }

  // POSTs to the simulator's admin API; the answer must be 2xx.
  void admin(const std::string& path, const json::value& body) const {
    boost::asio::io_context io;
    net::HttpClient client(io.get_executor());
    net::HttpRequest req;
    req.method = "POST";
    req.url = "http://127.0.0.1:" + port + path;
    req.headers = {{"Content-Type", "application/json"}};
    req.body = json::serialize(body);
    auto future = boost::asio::co_spawn(io, client.request(req), boost::asio::use_future);
    io.run();
    const auto result = future.get();
    ASSERT_TRUE(result.ok()) << result.error_text;
    ASSERT_LT(result.response->status, 300) << path << ": " << result.response->body;
  }

  void load(const json::array& records, const json::object& portal) const {
    admin("/_sim/scenario", json::object{{"records", records}, {"portal", portal}});
  }

  ProcessResult once(const std::string& now = kNow) const {
    return run_process(binary_dir() / "motcua-watchd",
                       {"--config", cfg.string(), "--once", "--dry-run", "--now", now},
                       std::chrono::seconds(60));
  }

  // The findings of a run as (rule, dossier, source) triples.
  static std::vector<std::string> findings(const ProcessResult& r) {
    std::vector<std::string> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      const auto f = json::parse(line).as_object();
      out.push_back(std::string(f.at("rule").as_string()) + " " +
                    std::string(f.at("dossier").as_string()) + " " +
                    std::string(f.at("source").as_string()));
    }
    return out;
  }
  static std::string message(const ProcessResult& r, const std::string& rule) {
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      const auto f = json::parse(line).as_object();
      if (f.at("rule").as_string() == rule) return std::string(f.at("message").as_string());
    }
    return {};
  }

  TempDir dir;
  std::unique_ptr<BackgroundProcess> sim;
  std::string port;
  std::filesystem::path cfg;
};

TEST_F(StoreRules, ADossierNotOnThePortalADayAfterReceiptIsMissing) {
  // Received on 06/03; by 10/03 it should long be on the portal. The other was received an hour
  // ago and is given its 24 hours.
  load(json::array{record("H37-A", "20260306080000", "20260320170000", "20260306080000"),
                   record("H37-NEW", "20260310090000", "20260320170000", "20260310090000")},
       json::object{{"H37-A", nullptr}, {"H37-NEW", nullptr}});
  auto r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(findings(r), ::testing::Contains("portal_missing H37-A motcua"));
  EXPECT_THAT(findings(r), Not(::testing::Contains("portal_missing H37-NEW motcua")));
  EXPECT_THAT(message(r, "portal_missing"), HasSubstr("chưa có trên Cổng dịch vụ công (dvcqg"));
  EXPECT_THAT(r.err, HasSubstr("source dvcqg: 2 dossiers looked up on the portal (0 found, 2 "
                               "missing, 0 failed)"));

  // The portal catches up: the next run looks it up again and the finding is gone.
  load(json::array{record("H37-A", "20260306080000", "20260320170000", "20260306080000")},
       json::object{
           {"H37-A", record("H37-A", "20260306080000", "20260320170000", "20260306080000")}});
  r = once("2026-03-10T10:30:00+07:00");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(findings(r), Not(::testing::Contains("portal_missing H37-A motcua")));
}

TEST_F(StoreRules, APortalCopyInAnotherStateADayAfterTheChangeIsAMismatch) {
  // The one-stop system moved it to "processing" on 06/03; the portal still shows "received".
  load(json::array{record("H37-B", "20260305080000", "20260320170000", "20260306090000", 4),
                   record("H37-C", "20260305080000", "20260320170000", "20260306090000", 4)},
       json::object{
           {"H37-B", record("H37-B", "20260305080000", "20260320170000", "20260305080000", 2)},
           {"H37-C", record("H37-C", "20260305080000", "20260320170000", "20260306090000", 4)}});
  auto r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(findings(r), ::testing::Contains("status_mismatch H37-B motcua"));
  EXPECT_THAT(findings(r), Not(::testing::Contains("status_mismatch H37-C motcua")));
  EXPECT_THAT(message(r, "status_mismatch"), HasSubstr("“Được tiếp nhận”"));
}

TEST_F(StoreRules, ADeadlinePushedBackWithoutRequestOrApologyIsRewritten) {
  load(json::array{record("H37-D", "20260302080000", "20260309170000", "20260302080000")},
       json::object{});
  auto r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(findings(r), ::testing::Contains("overdue H37-D motcua"));
  EXPECT_THAT(findings(r), Not(::testing::Contains("deadline_rewritten H37-D motcua")));

  // "Đặt lại hồ sơ quá hạn": the deadline moves three working days, nothing explains it.
  load(json::array{record("H37-D", "20260302080000", "20260312170000", "20260310100500")},
       json::object{});
  r = once("2026-03-10T10:10:00+07:00");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(findings(r), ::testing::Contains("deadline_rewritten H37-D motcua"));
  EXPECT_THAT(findings(r), Not(::testing::Contains("overdue H37-D motcua")));
  EXPECT_THAT(message(r, "deadline_rewritten"),
              HasSubstr("hạn trả kết quả bị sửa từ 09/03/2026 17:00 thành 12/03/2026 17:00"));
}

TEST_F(StoreRules, ASourceThatStopsAnsweringGoesStale) {
  load(json::array{record("H37-E", "20260309080000", "20260320170000", "20260309080000")},
       json::object{});
  auto r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(findings(r), Not(::testing::Contains(HasSubstr("source_stale"))));

  // Both systems answer 503 to everything from now on.
  admin("/_sim/faults", json::object{{"kind", "http_503"}, {"target", "*"}, {"count", -1}});
  admin("/_sim/faults", json::object{{"kind", "http_503"}, {"target", "auth"}, {"count", -1}});
  r = once("2026-03-10T10:20:00+07:00");
  EXPECT_EQ(r.exit_code, 1) << r.err;  // the one-stop source could not be read at all
  EXPECT_THAT(findings(r), Not(::testing::Contains(HasSubstr("source_stale"))));

  r = once("2026-03-10T11:00:00+07:00");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(findings(r), ::testing::Contains("source_stale  motcua"));
  EXPECT_THAT(findings(r), ::testing::Contains("source_stale  dvcqg")) << r.err;
  EXPECT_THAT(message(r, "source_stale"), HasSubstr("không đồng bộ được từ 10/03/2026 10:00"));
  // What was stored before is still evaluated.
  EXPECT_THAT(findings(r), ::testing::Contains(HasSubstr("H37-E")));
}

}  // namespace
}  // namespace motcua::testing
