// The running service from outside (issue "The running service"): `motcua-watchd --config FILE`
// as a real process beside motcua-sim, an SMTP server (Debian's aiosmtpd, STARTTLS and AUTH, a CA
// made by the test) and a webhook receiver that checks signatures, all on 127.0.0.1 with random
// ports. The daemon runs on the real clock, so the scenario dossiers' deadlines are set a few
// seconds from now; every expectation is a condition awaited until a deadline, and the time
// windows asserted are the contract's (group_wait plus a poll plus a tolerance).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "net/http_client.hpp"
#include "tests/alerts/smtp_server.hpp"
#include "tests/alerts/webhook_receiver.hpp"
#include "tests/net/certificates.hpp"
#include "tests/net/io_thread.hpp"
#include "tests/net/raw_socket.hpp"
#include "tests/support/captured_process.hpp"
#include "tests/support/notify_socket.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sim_process.hpp"

namespace motcua::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using net::fixtures::eventually;
using ::testing::HasSubstr;
using SystemTime = std::chrono::system_clock::time_point;

constexpr const char* kAgencyA = "000.00.12.H37";  // Sở Xây dựng
constexpr const char* kAgencyB = "000.00.13.H37";  // Sở Tư pháp
constexpr const char* kToken = "9f0c6e1d4b7a2c58e3f1a0b9d8c7e6f5";
constexpr const char* kSecret = "bí mật chung";
// From start to "listening", and from there to the first sync (readiness).
constexpr auto kStartLimit = 60s;
// What the contract allows beyond group_wait and one poll for a notification to arrive.
constexpr auto kTolerance = 10s;
constexpr auto kGroupWait = 1s;
constexpr auto kPoll = 1s;

// yyyyMMddHHmmss at +07:00, the one-stop system's format (DOMAIN.md).
std::string compact(SystemTime t) {
  const auto local = std::chrono::floor<std::chrono::seconds>(t) + 7h;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{local - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02d", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

std::string rfc3339(SystemTime t) {
  const std::string c = compact(t);
  return c.substr(0, 4) + "-" + c.substr(4, 2) + "-" + c.substr(6, 2) + "T" + c.substr(8, 2) + ":" +
         c.substr(10, 2) + ":" + c.substr(12, 2) + "+07:00";
}

SystemTime whole_seconds(SystemTime t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}

// A running one-stop record in the wire format, received three days ago, due at `due`.
json::object record(const std::string& code, const std::string& agency, SystemTime due) {
  const auto now = std::chrono::system_clock::now();
  const std::string received = compact(now - 72h);
  json::object r;
  r["MaHoSo"] = code;
  r["MaTTHC"] = "1.009972";
  r["TenTTHC"] = "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ";
  r["MaDonViXuLy"] = agency;
  r["DonViXuLy"] = agency == kAgencyA ? "Sở Xây dựng" : "Sở Tư pháp";
  r["KenhThucHien"] = 2;
  r["ChuHoSo"] = "Hoàng Văn Bình";
  r["NgayNopHoSo"] = received;
  r["NgayTiepNhan"] = received;
  r["NgayHenTra"] = compact(due);
  r["TrangThaiHoSo"] = "4";
  r["NgayKetThucXuLy"] = "";
  r["NgayTra"] = "";
  r["NgayCapNhat"] = compact(now);
  r["QuaTrinhXuLy"] = json::array();
  r["DanhSachHoSoBoSung"] = json::array();
  r["DanhSachXinLoi"] = json::array();
  return r;
}

struct Answer {
  int status = 0;  // 0 when no HTTP answer came
  std::string body;
  std::string error;
};

// One blocking HTTP request from the test, on a private io_context.
Answer http(const std::string& method, const std::string& url, const std::string& body = {},
            net::HeaderList headers = {}) {
  boost::asio::io_context io;
  net::ClientOptions options;
  options.request_timeout = 15s;
  options.connect_timeout = 5s;
  net::HttpClient client(io.get_executor(), options);
  net::HttpRequest request;
  request.method = method;
  request.url = url;
  request.body = body;
  request.headers = std::move(headers);
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  auto future =
      boost::asio::co_spawn(io, client.request(std::move(request)), boost::asio::use_future);
  io.run();
  const net::HttpResult r = future.get();
  if (!r.ok()) return {0, {}, r.error_text};
  return {r.response->status, r.response->body, {}};
}

struct ConfigOptions {
  std::string poll_interval = "1s";
  std::string source_timeout = "30s";
  bool alerts = true;
  bool motcua = true;  // the one-stop source on the simulator
  std::string extra;   // appended as is (another [[source]], say)
};

// The daemon, the simulator and the receivers of one test, with the config written between.
class RunningService : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write("sim.password", "demo\n");
    dir.write("smtp.password", "mat-khau-thu\n");
    dir.write("hook.secret", std::string(kSecret) + "\n");
    dir.write("api.token", std::string(kToken) + "\n");
    std::filesystem::permissions(dir.path() / "api.token", std::filesystem::perms::owner_read |
                                                               std::filesystem::perms::owner_write);
  }

  void TearDown() override {
    if (daemon && HasFailure())
      std::fprintf(stderr, "--- motcua-watchd stderr ---\n%s\n", daemon->err().c_str());
  }

  void start_upstream() {
    SimOptions o;
    o.dossiers = 0;  // only what the test loads
    o.now = rfc3339(std::chrono::system_clock::now());
    sim = std::make_unique<SimProcess>(o);
  }

  void start_receivers() {
    alerts::fixtures::SmtpServerOptions smtp;
    smtp.certificate_file = certificate.certificate_file;
    smtp.private_key_file = certificate.private_key_file;
    smtp.user = "giamsat:mat-khau-thu";
    mail = std::make_unique<alerts::fixtures::SmtpServer>(smtp);
    hook = std::make_unique<alerts::fixtures::WebhookReceiver>(
        io.executor(), alerts::fixtures::WebhookReceiver::Options{kSecret});
  }

  std::string motcua_source(const ConfigOptions& o) const {
    if (!sim)  // no simulator: an empty file source, for tests of the API alone
      return "[[source]]\nname = \"motcua\"\nkind = \"file\"\npath = \"dossiers.json\"\n";
    return "[[source]]\nname = \"motcua\"\nkind = \"motcua\"\nurl = \"" + sim->motcua_url() +
           "\"\nusername = \"demo\"\npassword_file = \"sim.password\"\ndstcode = \"H37\"\n"
           "poll_interval = \"" +
           o.poll_interval + "\"\ntimeout = \"" + o.source_timeout + "\"\n";
  }

  static std::string receiver(const std::string& name, const std::string& email,
                              const std::string& hook_url) {
    return "[[receiver]]\nname = \"" + name + "\"\nemail = [\"" + email +
           "\"]\nwebhook = { url = \"" + hook_url +
           "\", secret_file = \"hook.secret\" }\nemail_working_hours_only = false\n\n";
  }
  static std::string route(const std::string& receiver, const std::string& agency) {
    return "[[route]]\nreceiver = \"" + receiver + "\"\nmatch = { agency = \"" + agency +
           "\", rule = \"overdue\" }\ngroup_by = [\"agency\"]\ngroup_wait = \"1s\"\n"
           "group_interval = \"1m\"\nrepeat_interval = \"4h\"\n\n";
  }

  std::string config_text(const ConfigOptions& o = {}) const {
    std::string text =
        "[daemon]\nstate_db = \"state.db\"\nlisten = \"127.0.0.1:0\"\n"
        "api_token_file = \"api.token\"\n\n" +
        (o.motcua ? motcua_source(o) + "\n" : std::string());
    if (o.alerts && mail) {
      text += "[smtp]\nhost = \"localhost\"\nport = " + std::to_string(mail->port()) +
              "\nstarttls = \"required\"\nusername = \"giamsat\"\n"
              "password_file = \"smtp.password\"\n"
              "from = \"Giám sát một cửa <giamsat@example.gov.vn>\"\nca_file = \"" +
              authority.ca_file().string() + "\"\n\n";
      text += receiver("so-xay-dung", "vanthu@sxd.example.gov.vn",
                       hook->url("127.0.0.1", "/hook/so-xay-dung"));
      text += receiver("so-tu-phap", "vanthu@stp.example.gov.vn",
                       hook->url("127.0.0.1", "/hook/so-tu-phap"));
      text += route("so-xay-dung", kAgencyA);
      text += route("so-tu-phap", kAgencyB);
    }
    return text + o.extra;
  }

  void write_config(const ConfigOptions& o = {}) {
    if (!sim) dir.write("dossiers.json", "[]");
    cfg = dir.write("config.toml", config_text(o));
  }

  // Starts the daemon on the config written and waits for its "listening on" line.
  void start_daemon(const std::vector<std::string>& environment = {}) {
    if (cfg.empty()) write_config();
    daemon = std::make_unique<CapturedProcess>(binary_dir() / "motcua-watchd",
                                               std::vector<std::string>{"--config", cfg.string()},
                                               environment);
    const auto port =
        daemon->wait_for_err(std::regex(R"(listening on http://127\.0\.0\.1:(\d+)/)"), kStartLimit);
    ASSERT_TRUE(port) << daemon->err();
    api = "http://127.0.0.1:" + *port;
  }

  // GET /readyz answers 200: every source has synced once.
  void wait_ready() {
    ASSERT_TRUE(eventually([&] { return http("GET", api + "/readyz").status == 200; }, kStartLimit))
        << http("GET", api + "/readyz").body << daemon->err();
  }

  void load(const json::array& records) {
    const SimAnswer a = sim->request("POST", "/_sim/scenario", json::serialize(records));
    ASSERT_EQ(a.status, 200) << a.body << a.error;
  }

  // Completed syncs of a source so far, from the daemon's log.
  std::size_t syncs_logged(const std::string& source) const {
    return daemon->count_in_err("source " + source + ": ");
  }

  // The webhook requests that reached `path`.
  std::vector<alerts::fixtures::ReceivedWebhook> webhooks_to(const std::string& path) const {
    std::vector<alerts::fixtures::ReceivedWebhook> out;
    for (auto& r : hook->requests())
      if (r.path == path) out.push_back(std::move(r));
    return out;
  }
  // The e-mails taken for `address`.
  std::vector<json::object> mails_to(const std::string& address) const {
    std::vector<json::object> out;
    for (int n = 1; n <= mail->count(); ++n) {
      const auto m = mail->message(n);
      if (!m) continue;
      for (const auto& to : m->at("rcpt_tos").as_array())
        if (to.as_string() == address) out.push_back(m->as_object());
    }
    return out;
  }

  std::optional<ExitStatus> sigterm_and_wait(std::chrono::milliseconds limit) {
    daemon->signal(SIGTERM);
    return daemon->wait_exit(limit);
  }

  TempDir dir;
  net::fixtures::TestAuthority authority;
  net::fixtures::IssuedCertificate certificate =
      authority.issue("mail", {"localhost"}, {"127.0.0.1"});
  net::fixtures::IoThread io;
  std::unique_ptr<SimProcess> sim;
  std::unique_ptr<alerts::fixtures::SmtpServer> mail;
  std::unique_ptr<alerts::fixtures::WebhookReceiver> hook;
  std::filesystem::path cfg;
  std::unique_ptr<CapturedProcess> daemon;
  std::string api;  // http://127.0.0.1:PORT
};

// ---------------------------------------------------------------------------------------------
// Alerts on the real clock

TEST_F(RunningService, ADossierTurningOverdueReachesMailAndWebhookWithinGroupWait) {
  start_upstream();
  start_receivers();
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(wait_ready());

  const SystemTime due = whole_seconds(std::chrono::system_clock::now()) + 6s;
  ASSERT_NO_FATAL_FAILURE(load(json::array{record("H37-SVC-0001", kAgencyA, due)}));

  std::optional<SystemTime> mail_at, hook_at;
  const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(
      due - std::chrono::system_clock::now() + kGroupWait + kPoll + kTolerance + 5s);
  eventually(
      [&] {
        if (!mail_at && mail->count() > 0) mail_at = std::chrono::system_clock::now();
        if (!hook_at && hook->count() > 0) hook_at = std::chrono::system_clock::now();
        return mail_at && hook_at;
      },
      limit);
  ASSERT_TRUE(mail_at) << "no e-mail";
  ASSERT_TRUE(hook_at) << "no webhook";
  const auto window = kGroupWait + kPoll + kTolerance;
  const auto ms = [&](SystemTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t - due).count();
  };
  RecordProperty("mail_after_deadline_ms", std::to_string(ms(*mail_at)));
  RecordProperty("webhook_after_deadline_ms", std::to_string(ms(*hook_at)));
  // The finding exists only once the deadline has passed (strictly, in whole seconds).
  EXPECT_GE(*mail_at, due);
  EXPECT_GE(*hook_at, due);
  EXPECT_LE(*mail_at - due, window) << ms(*mail_at) << " ms";
  EXPECT_LE(*hook_at - due, window) << ms(*hook_at) << " ms";

  const auto got = mail->message(1);
  ASSERT_TRUE(got);
  const auto& m = got->as_object();
  EXPECT_TRUE(m.at("tls").as_bool());
  EXPECT_FALSE(m.at("auth").is_null());
  EXPECT_EQ(json::serialize(m.at("rcpt_tos")), R"(["vanthu@sxd.example.gov.vn"])");
  EXPECT_THAT(json::serialize(m.at("message")), HasSubstr("H37-SVC-0001"));

  const auto requests = hook->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/hook/so-xay-dung");
  EXPECT_TRUE(requests[0].signature_valid);
  EXPECT_THAT(requests[0].body, HasSubstr("H37-SVC-0001"));
  EXPECT_THAT(requests[0].body, HasSubstr(kAgencyA));
}

TEST_F(RunningService, ASilenceMadeThroughTheApiMutesItsAgencyOnly) {
  start_upstream();
  start_receivers();
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(wait_ready());

  const std::string silence =
      json::serialize(json::object{{"matchers", json::object{{"agency", kAgencyA}}},
                                   {"duration", "2h"},
                                   {"created_by", "kiem-thu"},
                                   {"comment", "Sở Xây dựng đang chuyển hệ thống"}});
  auto r = http("POST", api + "/api/v1/silences", silence);
  EXPECT_EQ(r.status, 401) << r.body << r.error;
  r = http("POST", api + "/api/v1/silences", silence,
           {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_EQ(r.status, 201) << r.body << r.error;
  const auto id = json::value_to<std::int64_t>(json::parse(r.body).at("id"));

  const SystemTime due = whole_seconds(std::chrono::system_clock::now()) + 3s;
  ASSERT_NO_FATAL_FAILURE(
      load(json::array{record("H37-SVC-A", kAgencyA, due), record("H37-SVC-B", kAgencyB, due)}));
  // Both turn overdue in the same evaluation, so B's notification proves the dispatch that
  // passed over A's group has run.
  ASSERT_TRUE(eventually(
      [&] {
        return !webhooks_to("/hook/so-tu-phap").empty() &&
               !mails_to("vanthu@stp.example.gov.vn").empty();
      },
      30s))
      << "B's notification did not arrive";
  EXPECT_TRUE(webhooks_to("/hook/so-xay-dung").empty());
  EXPECT_TRUE(mails_to("vanthu@sxd.example.gov.vn").empty());

  // A's alert fires all the same, shown as silenced.
  const auto alerts = http("GET", api + "/api/v1/alerts");
  ASSERT_EQ(alerts.status, 200) << alerts.body;
  EXPECT_THAT(alerts.body, HasSubstr("silenced"));

  // And stays quiet over the next cycles.
  const auto seen = syncs_logged("motcua");
  ASSERT_TRUE(eventually([&] { return syncs_logged("motcua") >= seen + 3; }, 30s));
  EXPECT_TRUE(webhooks_to("/hook/so-xay-dung").empty());
  EXPECT_TRUE(mails_to("vanthu@sxd.example.gov.vn").empty());
  EXPECT_EQ(webhooks_to("/hook/so-tu-phap").size(), 1u);

  // Lifting the silence needs the token too; once lifted, A's alert, still firing, is told.
  const std::string item = api + "/api/v1/silences/" + std::to_string(id);
  EXPECT_EQ(http("DELETE", item).status, 401);
  r = http("DELETE", item, {}, {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_EQ(r.status, 200) << r.body << r.error;
  EXPECT_TRUE(eventually(
      [&] {
        return !webhooks_to("/hook/so-xay-dung").empty() &&
               !mails_to("vanthu@sxd.example.gov.vn").empty();
      },
      kGroupWait + kPoll + kTolerance))
      << "A's notification did not come once the silence was lifted";
  EXPECT_EQ(webhooks_to("/hook/so-tu-phap").size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// SIGHUP

TEST_F(RunningService, ReloadKeepsTheOldConfigOnErrorAndTakesAValidOneWithoutRepeating) {
  start_upstream();
  start_receivers();
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(wait_ready());
  const SystemTime overdue_since = whole_seconds(std::chrono::system_clock::now()) - 1h;
  ASSERT_NO_FATAL_FAILURE(load(json::array{record("H37-SVC-R", kAgencyA, overdue_since)}));
  ASSERT_TRUE(eventually([&] { return mail->count() == 1 && hook->count() == 1; }, 30s));

  // A broken config: a duration that is none, on a known line.
  std::string broken = config_text();
  const auto at = broken.find("poll_interval = \"1s\"");
  ASSERT_NE(at, std::string::npos);
  broken.replace(at, std::string("poll_interval = \"1s\"").size(), "poll_interval = \"sometime\"");
  const auto line = 1 + std::count(broken.begin(), broken.begin() + static_cast<long>(at), '\n');
  dir.write("config.toml", broken);
  daemon->signal(SIGHUP);
  // FILE:LINE:COL of the first problem.
  const auto error_line = daemon->wait_for_err(std::regex(R"(config\.toml:(\d+):\d+: error)"), 20s);
  ASSERT_TRUE(error_line) << daemon->err();
  EXPECT_EQ(*error_line, std::to_string(line)) << daemon->err();
  ASSERT_TRUE(daemon->wait_for_err(std::regex("still running on the old one"), 10s));

  // Still serving, and the old sources still sync.
  EXPECT_EQ(http("GET", api + "/healthz").status, 200);
  const auto after_error = syncs_logged("motcua");
  EXPECT_TRUE(eventually([&] { return syncs_logged("motcua") >= after_error + 2; }, 30s));

  // A valid changed config: a second source (the portal) and a slower poll.
  ConfigOptions changed;
  changed.poll_interval = "2s";
  changed.extra = "\n[[source]]\nname = \"dvcqg\"\nkind = \"dvc\"\nurl = \"" + sim->base_url() +
                  "/dvc\"\nusername = \"demo\"\npassword_file = \"sim.password\"\n"
                  "dstcode = \"H37\"\npoll_interval = \"1s\"\nrate_limit = 50\n";
  dir.write("config.toml", config_text(changed));
  daemon->signal(SIGHUP);
  ASSERT_TRUE(daemon->wait_for_err(std::regex("reload: .* is in force"), 20s)) << daemon->err();
  ASSERT_TRUE(eventually(
      [&] {
        const auto s = http("GET", api + "/api/v1/status");
        return s.status == 200 && s.body.find("\"dvcqg\"") != std::string::npos;
      },
      20s))
      << http("GET", api + "/api/v1/status").body;

  // Both sources sync and evaluate on; what was sent is not sent again.
  const auto motcua_before = syncs_logged("motcua");
  ASSERT_TRUE(eventually(
      [&] { return syncs_logged("dvcqg") >= 2 && syncs_logged("motcua") >= motcua_before + 2; },
      30s))
      << daemon->err();
  EXPECT_EQ(mail->count(), 1);
  EXPECT_EQ(hook->count(), 1u);
  EXPECT_EQ(http("GET", api + "/healthz").status, 200);
}

TEST_F(RunningService, ARestartRepeatsNothingAlreadySent) {
  start_upstream();
  start_receivers();
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(wait_ready());
  const SystemTime overdue_since = whole_seconds(std::chrono::system_clock::now()) - 1h;
  ASSERT_NO_FATAL_FAILURE(load(json::array{record("H37-SVC-S", kAgencyA, overdue_since)}));
  ASSERT_TRUE(eventually([&] { return mail->count() == 1 && hook->count() == 1; }, 30s));
  const auto exit = sigterm_and_wait(10s);
  ASSERT_TRUE(exit);
  ASSERT_EQ(exit->code, 0);

  // The same state file: the lock is free again, and the alert's notification is on record.
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(wait_ready());
  ASSERT_TRUE(eventually([&] { return syncs_logged("motcua") >= 3; }, 30s)) << daemon->err();
  EXPECT_EQ(mail->count(), 1);
  EXPECT_EQ(hook->count(), 1u);
}

TEST_F(RunningService, ASourceRemovedAndAddedBackWhileItsSyncRunsSyncsOn) {
  start_upstream();
  dir.write("dossiers.json", "[]");
  ConfigOptions both;
  both.alerts = false;
  both.extra = "[[source]]\nname = \"tep\"\nkind = \"file\"\npath = \"dossiers.json\"\n";
  ConfigOptions file_only = both;
  file_only.motcua = false;
  cfg = dir.write("config.toml", config_text(both));
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(wait_ready());

  // A listing call that takes 8 s: the source's sync is running through both reloads.
  sim->inject("delay", "LayDanhSachHoSo", 1, 8000);
  ASSERT_TRUE(eventually(
      [&] {
        const auto status = json::parse(sim->request("GET", "/_sim/status").body);
        return json::value_to<std::size_t>(status.at("faults")) == 0;
      },
      20s));
  const auto before_reloads = syncs_logged("motcua");
  dir.write("config.toml", config_text(file_only));
  daemon->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon->count_in_err("is in force") == 1; }, 5s));
  dir.write("config.toml", config_text(both));
  daemon->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon->count_in_err("is in force") == 2; }, 5s));

  // The premise: the stuck sync has not ended yet.
  const auto seen = syncs_logged("motcua");
  ASSERT_EQ(seen, before_reloads) << "the delayed sync ended before the second reload";
  // The source is configured again: once the stuck call returns, it polls on as before.
  EXPECT_TRUE(eventually([&] { return syncs_logged("motcua") >= seen + 3; }, 30s))
      << "the one-stop source stopped syncing after it was removed and added back";
  EXPECT_TRUE(eventually([&] { return http("GET", api + "/readyz").status == 200; }, 10s))
      << http("GET", api + "/readyz").body;
}

// ---------------------------------------------------------------------------------------------
// SIGTERM

TEST_F(RunningService, SigtermExitsWithinTenSecondsWhileASyncIsStuck) {
  start_upstream();
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(wait_ready());
  sim->inject("delay", "LayDanhSachHoSo", 1, 60000);
  // The simulator takes the fault when the daemon's next listing call arrives: from then on that
  // call hangs for a minute.
  ASSERT_TRUE(eventually(
      [&] {
        const auto status = json::parse(sim->request("GET", "/_sim/status").body);
        return json::value_to<std::size_t>(status.at("faults")) == 0;
      },
      20s));
  const auto started = std::chrono::steady_clock::now();
  const auto exit = sigterm_and_wait(10s);
  ASSERT_TRUE(exit) << "still running 10 s after SIGTERM\n" << daemon->err();
  EXPECT_EQ(exit->code, 0) << "signal " << exit->signal << "\n" << daemon->err();
  EXPECT_LE(std::chrono::steady_clock::now() - started, 10s);
}

TEST_F(RunningService, SigtermExitsWithinTenSecondsWhileAWebhookReceiverHangs) {
  start_upstream();
  start_receivers();
  hook->answer_next(alerts::fixtures::ReceiverAnswer::stalled());
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(wait_ready());
  const SystemTime overdue_since = whole_seconds(std::chrono::system_clock::now()) - 1h;
  ASSERT_NO_FATAL_FAILURE(load(json::array{record("H37-SVC-T", kAgencyA, overdue_since)}));
  ASSERT_TRUE(eventually([&] { return hook->stalled() == 1; }, 30s));

  const auto exit = sigterm_and_wait(10s);
  ASSERT_TRUE(exit) << "still running 10 s after SIGTERM\n" << daemon->err();
  EXPECT_EQ(exit->code, 0) << "signal " << exit->signal << "\n" << daemon->err();
  hook->release_stalled();
}

// ---------------------------------------------------------------------------------------------
// systemd

TEST_F(RunningService, TellsSystemdReadyWatchdogReloadingAndStopping) {
  NotifySocket systemd;
  write_config();  // a file source: the notify protocol needs nothing upstream
  ASSERT_NO_FATAL_FAILURE(
      start_daemon({"NOTIFY_SOCKET=" + systemd.path().string(), "WATCHDOG_USEC=1000000"}));

  const auto ready = systemd.wait_for("READY=1", 0, kStartLimit);
  ASSERT_TRUE(ready) << daemon->err();
  EXPECT_THAT(systemd.messages()[*ready].text, HasSubstr("STATUS="));
  // READY=1 comes once the API listens: it answers now, and said so before.
  EXPECT_EQ(http("GET", api + "/healthz").status, 200);
  EXPECT_THAT(daemon->err(), HasSubstr("listening on http://127.0.0.1:"));

  // Pings at half of WATCHDOG_USEC: three within two seconds and a half.
  const auto first = systemd.wait_for("WATCHDOG=1", *ready, 3s);
  ASSERT_TRUE(first);
  auto last = *first;
  for (int i = 0; i < 2; ++i) {
    const auto next = systemd.wait_for("WATCHDOG=1", last + 1, 2s);
    ASSERT_TRUE(next) << "watchdog ping " << i + 2 << " missing";
    last = *next;
  }
  {
    const auto messages = systemd.messages();
    EXPECT_LE(messages[last].at - messages[*first].at, 2500ms);
  }

  daemon->signal(SIGHUP);
  const auto reloading = systemd.wait_for("RELOADING=1", last + 1, 20s);
  ASSERT_TRUE(reloading);
  EXPECT_TRUE(systemd.wait_for("READY=1", *reloading + 1, 20s));

  daemon->signal(SIGTERM);
  EXPECT_TRUE(systemd.wait_for("STOPPING=1", *reloading + 1, 10s));
  const auto exit = daemon->wait_exit(10s);
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->code, 0);
}

TEST_F(RunningService, NoWatchdogPingsWhenWatchdogPidNamesAnotherProcess) {
  NotifySocket systemd;
  write_config();
  // The watchdog is meant for process 1 here, not for the daemon (sd_watchdog_enabled(3)).
  ASSERT_NO_FATAL_FAILURE(start_daemon(
      {"NOTIFY_SOCKET=" + systemd.path().string(), "WATCHDOG_USEC=1000000", "WATCHDOG_PID=1"}));
  const auto ready = systemd.wait_for("READY=1", 0, kStartLimit);
  ASSERT_TRUE(ready) << daemon->err();
  // Five ping intervals pass without one.
  EXPECT_FALSE(systemd.wait_for("WATCHDOG=1", 0, 2500ms));
  const auto exit = sigterm_and_wait(10s);
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->code, 0);
}

// ---------------------------------------------------------------------------------------------
// Metrics

TEST_F(RunningService, MetricsPassPromtoolAndCountEachSourcesSyncs) {
  start_upstream();
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(wait_ready());
  Answer metrics;
  ASSERT_TRUE(eventually(
      [&] {
        metrics = http("GET", api + "/metrics");
        return metrics.status == 200 &&
               metrics.body.find("motcua_source_syncs_total{source=\"motcua\"}") !=
                   std::string::npos;
      },
      20s))
      << metrics.status << "\n"
      << metrics.body;
  const auto file = dir.write("metrics.txt", metrics.body);
  const auto check = run_process(
      "/bin/sh", {"-c", "/usr/bin/promtool check metrics < " + file.string() + " 2>&1"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

// ---------------------------------------------------------------------------------------------
// The API's limits

class ServiceLimits : public RunningService {
 protected:
  void SetUp() override {
    RunningService::SetUp();
    write_config();  // a file source: only the API is under test
    ASSERT_NO_FATAL_FAILURE(start_daemon());
    ASSERT_NO_FATAL_FAILURE(wait_ready());
    port = static_cast<std::uint16_t>(std::stoi(api.substr(api.rfind(':') + 1)));
  }
  std::uint16_t port = 0;
};

TEST_F(ServiceLimits, AnOversizedRequestHeaderGets431) {
  net::fixtures::RawConnection c(port);
  // The server may answer and close before it has read it all: the send's result is no matter.
  c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(17 * 1024, 'a') +
         "\r\n\r\n");
  const std::string answer = c.read_until("\r\n\r\n", 10s);
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 431")) << answer;
}

TEST_F(ServiceLimits, ASlowClientIsCutOffAfterTheReadTimeout) {
  constexpr auto kReadTimeout = 10s;  // net::ServerOptions' default
  net::fixtures::RawConnection c(port);
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.send("GET /heal"));
  const std::string answer = c.read_until_closed(kReadTimeout + 10s);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(c.closed_by_peer()) << answer;
  EXPECT_LE(took, kReadTimeout + 3s);
  // The server answers the healthz of others meanwhile and after.
  EXPECT_EQ(http("GET", api + "/healthz").status, 200);
}

TEST_F(ServiceLimits, AThousandConcurrentConnectionsEachGetTheirAnswer) {
  constexpr std::size_t kConnections = 1000;
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < 4096) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 4096);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
  }
  ASSERT_GE(limit.rlim_cur, kConnections + 100) << "the hard limit on open files is too low";

  std::vector<std::unique_ptr<net::fixtures::RawConnection>> connections;
  for (std::size_t i = 0; i < kConnections; ++i)
    connections.push_back(std::make_unique<net::fixtures::RawConnection>(port));
  // All are open before any asks.
  for (auto& c : connections)
    ASSERT_TRUE(c->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  std::size_t ok = 0;
  std::string first_failure;
  for (auto& c : connections) {
    const std::string answer = c->read_until_closed(30s);
    if (answer.rfind("HTTP/1.1 200", 0) == 0)
      ++ok;
    else if (first_failure.empty())
      first_failure = answer.empty() ? "(nothing)" : answer;
  }
  EXPECT_EQ(ok, kConnections) << first_failure;
}

// ---------------------------------------------------------------------------------------------
// The demo (README's first command)

TEST(DemoMode, ServesFindingsPrintsMailAndStopsOnSigint) {
  CapturedProcess demo(binary_dir() / "motcua-watchd", {"--demo"});
  const auto url =
      demo.wait_for_out(std::regex(R"(Trang trạng thái: (http://127\.0\.0\.1:\d+/))"), kStartLimit);
  ASSERT_TRUE(url) << demo.out() << demo.err();
  EXPECT_TRUE(eventually([&] { return http("GET", *url + "readyz").status == 200; }, 60s))
      << demo.err();
  json::value findings;
  EXPECT_TRUE(eventually(
      [&] {
        const auto r = http("GET", *url + "api/v1/findings?rule=overdue");
        if (r.status != 200) return false;
        json::error_code ec;
        findings = json::parse(r.body, ec);
        return !ec && findings.is_array() && !findings.as_array().empty();
      },
      60s))
      << json::serialize(findings);
  EXPECT_TRUE(demo.wait_for_out(std::regex("✉"), 60s)) << demo.out();

  demo.signal(SIGINT);
  const auto exit = demo.wait_exit(10s);
  ASSERT_TRUE(exit) << "still running 10 s after SIGINT\n" << demo.err();
  EXPECT_EQ(exit->code, 0) << demo.err();
}

}  // namespace
}  // namespace motcua::testing
