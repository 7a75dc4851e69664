#include "daemon/demo.hpp"

#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "config/holidays.hpp"
#include "daemon/mail_sink.hpp"
#include "daemon/service.hpp"
#include "net/http_server.hpp"
#include "simulator/upstream_sim.hpp"

namespace motcua::daemon {

namespace {

// A temporary folder that is removed when the demo ends.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "motcua-demo-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary folder");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& file, std::string_view content) {
  std::ofstream out(file, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + file.string());
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

std::string random_token() {
  std::random_device device;
  std::string token;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 32; ++i)
    token.push_back(kHex[device() % 16]);
  return token;
}

// The province of the simulator, watched the way a provincial IT centre would: both upstream
// systems, every critical finding to the People's Committee office by e-mail, one message per
// agency, sent at once (the demo runs at any hour; a real office keeps e-mail to working hours).
std::string demo_config(std::uint16_t sim_port, std::uint16_t mail_port, std::uint16_t api_port) {
  const std::string sim = "http://127.0.0.1:" + std::to_string(sim_port);
  return R"(# Written by motcua-watchd --demo; see the README for every key.
[daemon]
state_db = "state.db"
listen = "127.0.0.1:)" +
         std::to_string(api_port) + R"("
api_token_file = "api.token"

[[source]]
name = "motcua"
kind = "motcua"
url = ")" +
         sim + R"(/motcua"
username = "demo"
password_file = "sim.password"
dstcode = "H37"
madonvi = "000.00.00.H37"
poll_interval = "20s"

[[source]]
name = "dvc"
kind = "dvc"
url = ")" +
         sim + R"(/dvc"
username = "demo"
password_file = "sim.password"
dstcode = "H37"
poll_interval = "30s"

[smtp]
host = "127.0.0.1"
port = )" +
         std::to_string(mail_port) +
         R"(
starttls = "off"   # the demo's mail sink on loopback; a real server needs "required"
from = "Giám sát một cửa <giamsat@langson.gov.vn>"

[[receiver]]
name = "van-phong-ubnd"
email = ["vanthu@ubnd.langson.gov.vn"]
email_working_hours_only = false

[[route]]
receiver = "van-phong-ubnd"
match = { severity = "critical" }
group_by = ["agency"]
group_wait = "5s"
group_interval = "1m"
repeat_interval = "1 working day"
)";
}

// The simulator and the mail sink on a thread of their own, as the real systems would be.
class DemoUpstream {
 public:
  DemoUpstream(std::FILE* out, std::size_t dossiers)
      : calendar_(settings()), sim_(calendar_, sim_options(dossiers)), out_(out) {
    net::Router router;
    sim_.add_routes(router);
    net::ServerOptions options;
    options.port = 0;
    server_.emplace(io_.get_executor(), options, std::move(router));
    server_->start();
    sink_.emplace(io_.get_executor(), [this](const ReceivedMail& m) { print(m); });
    thread_ = std::thread([this] { io_.run(); });
  }
  ~DemoUpstream() {
    boost::asio::post(io_, [this] {
      sink_->stop();
      server_->stop();
      io_.stop();
    });
    thread_.join();
  }

  std::uint16_t sim_port() const { return server_->port(); }
  std::uint16_t mail_port() const { return sink_->port(); }
  std::size_t dossiers() const { return sim_.dossier_count(); }

 private:
  static sla::CalendarSettings settings() {
    sla::CalendarSettings s;
    s.tables = config::builtin_holiday_tables();
    return s;
  }
  static sim::SimOptions sim_options(std::size_t dossiers) {
    sim::SimOptions o;
    o.dossiers = dossiers;
    o.start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    o.speed = 1.0;  // the province's time passes as the daemon's does
    return o;
  }

  void print(const ReceivedMail& m) {
    std::string to;
    for (const auto& r : m.to)
      to += (to.empty() ? "" : ", ") + r;
    const std::string line = "✉ Thư gửi " + to + ": " + m.header("Subject") + "\n";
    std::lock_guard lock(print_mutex_);
    std::fputs(line.c_str(), out_);
    std::fflush(out_);
  }

  sla::WorkingCalendar calendar_;
  sim::UpstreamSim sim_;
  std::FILE* out_;
  std::mutex print_mutex_;
  boost::asio::io_context io_;
  std::optional<net::HttpServer> server_;
  std::optional<MailSink> sink_;
  std::thread thread_;
};

}  // namespace

int run_demo(std::FILE* out, const DemoOptions& options) {
  TempDir dir;
  DemoUpstream upstream(out, options.dossiers);
  write_file(dir.path() / "sim.password", "demo\n");
  const std::string token = random_token();
  write_file(dir.path() / "api.token", token + "\n");

  // The documented port when it is free, else any free one.
  std::unique_ptr<Service> service;
  ServiceOptions service_options;
  service_options.config_file = dir.path() / "config.toml";
  for (const std::uint16_t port : {options.port, std::uint16_t{0}}) {
    write_file(service_options.config_file,
               demo_config(upstream.sim_port(), upstream.mail_port(), port));
    try {
      service =
          std::make_unique<Service>(Runtime::load(service_options.config_file), service_options);
      break;
    } catch (const config::ConfigErrors&) {
      throw;
    } catch (const std::exception& e) {
      if (port == 0) throw;
      spdlog::warn("demo: port {} is taken ({}); using a free one", port, e.what());
    }
  }

  const std::string url = "http://127.0.0.1:" + std::to_string(service->port()) + "/";
  std::string text = "motcua-watch — chế độ trình diễn (demo)\n";
  text += "  Hệ thống một cửa và Cổng DVC mô phỏng (motcua-sim): http://127.0.0.1:" +
          std::to_string(upstream.sim_port()) + " — " + std::to_string(upstream.dossiers()) +
          " hồ sơ\n";
  text += "  Máy chủ thư mô phỏng: 127.0.0.1:" + std::to_string(upstream.mail_port()) +
          " — thư cảnh báo được in ra dưới đây\n";
  text += "  Cấu hình và dữ liệu: " + dir.path().string() + " (xoá khi dừng)\n";
  text += "  Mã API (ghi, ví dụ tạo silence): " + token + "\n\n";
  text += "Trang trạng thái: " + url + "\n";
  text += "API: " + url + "api/v1/findings?rule=overdue · " + url + "api/v1/alerts · " + url +
          "metrics\n";
  text += "Nhấn Ctrl-C để dừng.\n\n";
  std::fputs(text.c_str(), out);
  std::fflush(out);
  return service->run();
}

}  // namespace motcua::daemon
