// motcua-bench-alerts: synthetic findings become alerts, grouped notifications in the SQLite
// outbox, and POSTs to a webhook receiver on 127.0.0.1. Target (the issue): 10,000 alerts in 500
// groups all delivered within 10 s of the state change. bench/README.md explains the numbers.
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "alerts/alert.hpp"
#include "alerts/courier.hpp"
#include "alerts/dispatcher.hpp"
#include "bench/measure.hpp"
#include "config/config.hpp"
#include "config/holidays.hpp"
#include "net/http_server.hpp"
#include "sla/calendar.hpp"
#include "sla/finding.hpp"
#include "sla/time.hpp"
#include "store/alert_store.hpp"
#include "store/database.hpp"
#include "store/outbox.hpp"

namespace {

using motcua::bench::parse_count;
using motcua::bench::peak_rss_mb;
using motcua::bench::seconds_of;

namespace asio = boost::asio;
namespace alerts = motcua::alerts;
namespace config = motcua::config;
namespace net = motcua::net;
namespace sla = motcua::sla;
namespace store = motcua::store;
using Stopwatch = std::chrono::steady_clock;

constexpr std::string_view kUsage =
    "usage: motcua-bench-alerts [--alerts N] [--groups N] [--receiver-delay-ms N] [--check]\n"
    "  --alerts N             alerts of the first round (default 10000)\n"
    "  --groups N             agencies, one notification group each, at most --alerts\n"
    "                         (default 500)\n"
    "  --receiver-delay-ms N  the receiver answers each request N ms after it arrived, as a\n"
    "                         remote one would (default 0)\n"
    "  --check                exit 1 if a notification of the first round arrives more than\n"
    "                         10 s after the state change\n";

// The issue's target: every notification of the first round delivered within this.
constexpr double kTargetDeliverySeconds = 10.0;
constexpr std::chrono::seconds kUtcOffset = std::chrono::hours(7);

struct Options {
  std::uint64_t alerts = 10'000;
  std::uint64_t groups = 500;
  std::uint64_t receiver_delay_ms = 0;
  bool check = false;
};

bool parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--check") {
      o.check = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage.data(), stdout);
      std::exit(0);
    }
    if (arg != "--alerts" && arg != "--groups" && arg != "--receiver-delay-ms") {
      std::fprintf(stderr, "motcua-bench-alerts: unknown option %s\n", argv[i]);
      return false;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "motcua-bench-alerts: %s needs a value\n", argv[i]);
      return false;
    }
    const std::string_view value = argv[++i];
    bool ok = false;
    if (arg == "--alerts")
      ok = parse_count(value, o.alerts);
    else if (arg == "--groups")
      ok = parse_count(value, o.groups) && o.groups > 0;
    else
      ok = parse_count(value, o.receiver_delay_ms);
    if (!ok) {
      std::fprintf(stderr, "motcua-bench-alerts: bad value '%s' for %s\n", argv[i], argv[i - 1]);
      return false;
    }
  }
  if (o.alerts < o.groups) {
    std::fprintf(stderr, "motcua-bench-alerts: --alerts must be at least --groups\n");
    return false;
  }
  return true;
}

// CPU time of the calling thread (user and system), in seconds: on a shared machine the wall time
// also counts waiting for a core.
double thread_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  const auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(usage.ru_utime) + s(usage.ru_stime);
}

// Bytes the calling thread passed to write system calls (the SQLite log and sockets alike), from
// /proc/thread-self/io; 0 when unavailable.
std::uint64_t thread_written_bytes() {
  std::ifstream in("/proc/thread-self/io");
  std::string key;
  std::uint64_t value = 0;
  while (in >> key >> value)
    if (key == "wchar:") return value;
  return 0;
}

// A fresh folder under the system's temporary directory, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "motcua-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary folder");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A webhook receiver on 127.0.0.1 with its own thread: answers 200 at once and notes when each
// request arrived (its handler runs once the whole request has been read).
class LoopbackReceiver {
 public:
  struct Arrival {
    Stopwatch::time_point at;
    std::size_t body_bytes = 0;
  };

  explicit LoopbackReceiver(std::chrono::milliseconds delay) : delay_(delay) {
    net::Router router;
    router.add("POST", "/hook", net::Router::AsyncHandler([this](net::ServerRequest request) {
                 return answer(std::move(request));
               }));
    net::ServerOptions options;
    options.on_request = [this](const net::ServerRequest&, int, std::chrono::microseconds took) {
      std::lock_guard lock(mutex_);
      handling_ += took;
    };
    server_ = std::make_unique<net::HttpServer>(context_.get_executor(), std::move(options),
                                                std::move(router));
    server_->start();
    thread_ = std::thread([this] { context_.run(); });
  }
  ~LoopbackReceiver() {
    server_.reset();
    guard_.reset();
    context_.stop();
    thread_.join();
  }
  LoopbackReceiver(const LoopbackReceiver&) = delete;
  LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook";
  }

  std::vector<Arrival> arrivals() const {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }
  // Summed over requests: from a request's first byte to its response's last, as the server saw.
  std::chrono::microseconds handling() const {
    std::lock_guard lock(mutex_);
    return handling_;
  }

 private:
  asio::awaitable<net::ServerResponse> answer(net::ServerRequest request) {
    const auto at = Stopwatch::now();
    {
      std::lock_guard lock(mutex_);
      arrivals_.push_back({at, request.body.size()});
    }
    // The service time of a remote receiver (network and its own work), not a wait for anything.
    if (delay_.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, delay_);
      co_await timer.async_wait(asio::use_awaitable);
    }
    net::ServerResponse response;
    response.body = R"({"status":"ok"})";
    co_return response;
  }

  std::chrono::milliseconds delay_;
  asio::io_context context_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{context_.get_executor()};
  std::unique_ptr<net::HttpServer> server_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Arrival> arrivals_;
  std::chrono::microseconds handling_{0};
};

std::string agency_code(std::uint64_t group) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "000.%02llu.%02llu.H37",
                static_cast<unsigned long long>(group / 100),
                static_cast<unsigned long long>(group % 100));
  return buf;
}

// The n-th finding (a dossier of its own) of agency `group`; the rules rotate so that the labels
// and messages are not all alike.
sla::Finding finding(std::uint64_t group, std::uint64_t n, sla::Instant now) {
  using std::chrono::hours;
  sla::Finding f;
  const std::string agency = agency_code(group);
  char dossier[64];
  std::snprintf(dossier, sizeof dossier, "%s-260302-%05llu", agency.c_str(),
                static_cast<unsigned long long>(n));
  f.dossier = dossier;
  f.source = "motcua";
  f.agency = agency;
  f.agency_name = "Ủy ban nhân dân xã số " + std::to_string(group + 1);
  f.procedure = "1.00" + std::to_string(9900 + n % 50);
  f.procedure_name = "Cấp giấy phép xây dựng đối với công trình cấp IV, nhà ở riêng lẻ";
  f.since = now - hours(3 + static_cast<int>(n % 40));
  f.due = f.since;
  switch (n % 3) {
    case 0:
      f.rule = sla::Rule::overdue;
      f.severity = sla::Severity::critical;
      f.overdue_working_hours = 3.0 + static_cast<double>(n % 40);
      f.message =
          "Hồ sơ " + f.dossier + " đã quá hạn " + std::to_string(3 + n % 40) + " giờ làm việc";
      break;
    case 1:
      f.rule = sla::Rule::due_soon;
      f.severity = sla::Severity::warning;
      f.due = now + hours(4);
      f.remaining_working_hours = 4.0;
      f.message = "Hồ sơ " + f.dossier + " còn 4 giờ làm việc đến hạn trả kết quả";
      break;
    default:
      f.rule = sla::Rule::step_overdue;
      f.severity = sla::Severity::warning;
      f.department = "Phòng Kinh tế, Hạ tầng và Đô thị";
      f.handler = "Nguyễn Văn An";
      f.message = "Bước xử lý của hồ sơ " + f.dossier + " đã quá hạn";
      break;
  }
  return f;
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};

// Nearest rank.
Percentiles percentiles(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  const auto rank = [&](double q) {
    const auto r = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::max<std::size_t>(r, 1) - 1];
  };
  p.p50 = rank(0.50);
  p.p99 = rank(0.99);
  p.max = v.back();
  return p;
}

struct Round {
  const char* name = "";
  std::size_t findings = 0;
  std::size_t changes = 0;  // alert state changes record_findings reported
  double record_s = 0;
  double record_cpu_s = 0;
  std::uint64_t record_written = 0;
  std::size_t groups = 0;
  std::size_t queued = 0;
  double dispatch_s = 0;
  double dispatch_cpu_s = 0;
  std::uint64_t dispatch_written = 0;
  std::size_t passes = 0;
  alerts::CourierReport delivery;
  double deliver_s = 0;
  double deliver_cpu_s = 0;           // of the delivering thread, without the receiver's
  std::uint64_t deliver_written = 0;  // the requests and the SQLite log
  double wall_s = 0;  // from the start of record_findings to the end of the last pass
  std::size_t arrived = 0;
  std::size_t payload_bytes = 0;
  Percentiles delay;  // state change → arrival at the receiver, seconds
  double receiver_handling_s = 0;
};

// One cycle as the daemon runs it with --once: record the findings, dispatch with flush, then
// deliver pass after pass until nothing is due. The state change is the start of record_findings.
Round run_round(const char* name, const std::vector<sla::Finding>& findings, sla::Instant now,
                const config::Config& cfg, const sla::WorkingCalendar& calendar,
                store::Database& db, LoopbackReceiver& receiver) {
  Round r;
  r.name = name;
  r.findings = findings.size();
  const std::size_t arrived_before = receiver.arrivals().size();
  const auto handled_before = receiver.handling();
  const std::vector<std::string> complete{"motcua"};

  const std::uint64_t w0 = thread_written_bytes();
  const double c0 = thread_cpu_seconds();
  const auto t0 = Stopwatch::now();
  {
    store::AlertStore alert_store(db);
    r.changes = alerts::record_findings(alert_store, findings, complete, now, kUtcOffset).size();
  }
  const auto t1 = Stopwatch::now();
  const double c1 = thread_cpu_seconds();
  const std::uint64_t w1 = thread_written_bytes();
  const alerts::DispatchReport dispatched = alerts::Dispatcher(cfg, calendar, db).run(now, true);
  const auto t2 = Stopwatch::now();
  const double c2 = thread_cpu_seconds();
  const std::uint64_t w2 = thread_written_bytes();

  asio::io_context context;
  alerts::Courier courier(context.get_executor(), cfg, db, nullptr);
  store::Outbox outbox(db);
  while (true) {
    auto future = asio::co_spawn(context, courier.deliver_due(now), asio::use_future);
    context.restart();
    context.run();
    const alerts::CourierReport pass = future.get();
    ++r.passes;
    r.delivery.attempted += pass.attempted;
    r.delivery.delivered += pass.delivered;
    r.delivery.retried += pass.retried;
    r.delivery.dead += pass.dead;
    r.delivery.expired += pass.expired;
    // A pass that attempted nothing leaves only rows that are not due (retries): stop there.
    if (pass.attempted == 0 || outbox.counts().pending == 0) break;
  }
  const auto t3 = Stopwatch::now();
  const double c3 = thread_cpu_seconds();
  const std::uint64_t w3 = thread_written_bytes();

  r.record_s = seconds_of(t1 - t0);
  r.record_cpu_s = c1 - c0;
  r.dispatch_cpu_s = c2 - c1;
  r.deliver_cpu_s = c3 - c2;
  r.record_written = w1 - w0;
  r.dispatch_written = w2 - w1;
  r.deliver_written = w3 - w2;
  r.groups = dispatched.groups;
  r.queued = dispatched.outbox_rows;
  r.dispatch_s = seconds_of(t2 - t1);
  r.deliver_s = seconds_of(t3 - t2);
  r.wall_s = seconds_of(t3 - t0);
  const auto arrivals = receiver.arrivals();
  std::vector<double> delays;
  for (std::size_t i = arrived_before; i < arrivals.size(); ++i) {
    delays.push_back(seconds_of(arrivals[i].at - t0));
    r.payload_bytes += arrivals[i].body_bytes;
  }
  r.arrived = delays.size();
  r.delay = percentiles(std::move(delays));
  r.receiver_handling_s =
      std::chrono::duration<double>(receiver.handling() - handled_before).count();
  return r;
}

double per_second(std::size_t n, double s) {
  return s > 0 ? static_cast<double>(n) / s : 0;
}

double mb(std::uint64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

void print_round(const Round& r) {
  std::printf("%s:\n", r.name);
  std::printf(
      "  record_findings: %zu findings, %zu state changes in %.3f s, CPU %.3f s, wrote %.1f MB "
      "(%.0f alerts/s)\n",
      r.findings, r.changes, r.record_s, r.record_cpu_s, mb(r.record_written),
      per_second(r.findings, r.record_s));
  std::printf(
      "  Dispatcher::run: %zu groups, %zu notifications queued in %.3f s, CPU %.3f s, wrote %.1f "
      "MB\n",
      r.groups, r.queued, r.dispatch_s, r.dispatch_cpu_s, mb(r.dispatch_written));
  std::printf(
      "  Courier::deliver_due: %zu delivered (%zu retried, %zu dead) in %zu passes, %.3f s, "
      "CPU %.3f s, wrote %.1f MB (%.0f notifications/s, %.2f ms each; receiver busy %.3f s); "
      "%.1f KB per notification\n",
      r.delivery.delivered, r.delivery.retried, r.delivery.dead, r.passes, r.deliver_s,
      r.deliver_cpu_s, mb(r.deliver_written), per_second(r.delivery.delivered, r.deliver_s),
      r.delivery.delivered ? 1e3 * r.deliver_s / static_cast<double>(r.delivery.delivered) : 0,
      r.receiver_handling_s,
      r.arrived ? static_cast<double>(r.payload_bytes) / 1024.0 / static_cast<double>(r.arrived)
                : 0);
  std::printf("  state change to arrival: p50 %.3f s, p99 %.3f s, max %.3f s; wall %.3f s\n",
              r.delay.p50, r.delay.p99, r.delay.max, r.wall_s);
}

void print_round_json(const Round& r) {
  std::printf(
      "{\"findings\":%zu,\"state_changes\":%zu,\"record_seconds\":%.4f,\"record_cpu_seconds\":%.4f,"
      "\"alerts_per_second\":%.0f,\"groups\":%zu,\"queued\":%zu,\"dispatch_seconds\":%.4f,"
      "\"dispatch_cpu_seconds\":%.4f,\"delivered\":%zu,\"retried\":%zu,\"dead\":%zu,"
      "\"deliver_seconds\":%.4f,\"deliver_cpu_seconds\":%.4f,\"notifications_per_second\":%.1f,"
      "\"payload_bytes\":%zu,\"delay_p50\":%.4f,\"delay_p99\":%.4f,\"delay_max\":%.4f,"
      "\"wall_seconds\":%.4f,\"written_bytes\":{\"record\":%llu,\"dispatch\":%llu,"
      "\"deliver\":%llu}}",
      r.findings, r.changes, r.record_s, r.record_cpu_s, per_second(r.findings, r.record_s),
      r.groups, r.queued, r.dispatch_s, r.dispatch_cpu_s, r.delivery.delivered, r.delivery.retried,
      r.delivery.dead, r.deliver_s, r.deliver_cpu_s, per_second(r.delivery.delivered, r.deliver_s),
      r.payload_bytes, r.delay.p50, r.delay.p99, r.delay.max, r.wall_s,
      static_cast<unsigned long long>(r.record_written),
      static_cast<unsigned long long>(r.dispatch_written),
      static_cast<unsigned long long>(r.deliver_written));
}

// Every notification queued was delivered and arrived.
bool complete_delivery(const Round& r) {
  return r.delivery.delivered == r.queued && r.arrived == r.queued && r.delivery.dead == 0 &&
         r.delivery.retried == 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_options(argc, argv, o)) {
    std::fputs(kUsage.data(), stderr);
    return 2;
  }

  ScratchDir dir;
  LoopbackReceiver receiver(std::chrono::milliseconds(o.receiver_delay_ms));
  // A signed webhook, as a receiver in production would have it.
  std::ofstream(dir.path() / "hook.secret") << "bí mật của sở\n";
  const config::Config cfg = config::parse_config(
      "[daemon]\nstate_db = \"state.db\"\n"
      "[[source]]\nname = \"motcua\"\nkind = \"file\"\npath = \"dossiers.json\"\n"
      "[[receiver]]\nname = \"giam-sat\"\nwebhook = { url = \"" +
          receiver.url() +
          "\", secret_file = \"hook.secret\" }\n"
          "[[route]]\nreceiver = \"giam-sat\"\ngroup_by = [\"agency\"]\n",
      dir.path() / "motcua-watch.toml");
  sla::CalendarSettings settings;
  settings.tables = config::builtin_holiday_tables();
  const sla::WorkingCalendar calendar(std::move(settings));
  store::Database db(dir.path() / "state.db");

  // Tuesday 10/03/2026, in working hours.
  const sla::Instant now = *sla::parse_rfc3339("2026-03-10T10:00:00+07:00");
  std::printf(
      "motcua-bench-alerts: %llu alerts in %llu groups, webhook %s answering after %llu ms, "
      "state %s\n",
      static_cast<unsigned long long>(o.alerts), static_cast<unsigned long long>(o.groups),
      receiver.url().c_str(), static_cast<unsigned long long>(o.receiver_delay_ms),
      (dir.path() / "state.db").c_str());

  std::vector<sla::Finding> findings;
  findings.reserve(static_cast<std::size_t>(o.alerts + o.groups));
  for (std::uint64_t i = 0; i < o.alerts; ++i)
    findings.push_back(finding(i % o.groups, i / o.groups, now));

  const auto started = Stopwatch::now();
  const Round first =
      run_round("first round (every alert new)", findings, now, cfg, calendar, db, receiver);
  print_round(first);

  // Ten minutes later one more dossier of every agency is late: every group changes.
  const sla::Instant later = now + std::chrono::minutes(10);
  const std::uint64_t per_group = (o.alerts + o.groups - 1) / o.groups;
  for (std::uint64_t g = 0; g < o.groups; ++g)
    findings.push_back(finding(g, per_group + 1, later));
  const Round second = run_round("second round (one new alert in every group)", findings, later,
                                 cfg, calendar, db, receiver);
  print_round(second);

  // The same findings again: nothing changes, nothing is sent. Every cycle costs this much.
  const Round idle = run_round("idle cycle (no change)", findings, later + std::chrono::minutes(5),
                               cfg, calendar, db, receiver);
  print_round(idle);

  const double total_s = seconds_of(Stopwatch::now() - started);
  const double peak = peak_rss_mb();
  std::printf("total: %.3f s; peak RSS %.1f MB\n", total_s, peak);

  std::printf("{\"alerts\":%llu,\"groups\":%llu,\"first\":",
              static_cast<unsigned long long>(o.alerts), static_cast<unsigned long long>(o.groups));
  print_round_json(first);
  std::printf(",\"second\":");
  print_round_json(second);
  std::printf(",\"idle\":");
  print_round_json(idle);
  std::printf(",\"receiver_delay_ms\":%llu,\"total_seconds\":%.4f,\"peak_rss_mb\":%.1f}\n",
              static_cast<unsigned long long>(o.receiver_delay_ms), total_s, peak);
  std::fflush(stdout);

  int status = 0;
  for (const Round* r : {&first, &second}) {
    if (r->queued == 0 || !complete_delivery(*r)) {
      std::fprintf(stderr,
                   "motcua-bench-alerts: %s: %zu queued, %zu delivered, %zu arrived, %zu retried, "
                   "%zu dead\n",
                   r->name, r->queued, r->delivery.delivered, r->arrived, r->delivery.retried,
                   r->delivery.dead);
      status = 1;
    }
  }
  if (first.groups != o.groups || second.queued != first.queued) {
    std::fprintf(stderr, "motcua-bench-alerts: expected %llu groups told twice, got %zu and %zu\n",
                 static_cast<unsigned long long>(o.groups), first.queued, second.queued);
    status = 1;
  }
  if (idle.queued != 0 || idle.changes != 0) {
    std::fprintf(stderr, "motcua-bench-alerts: the idle cycle changed %zu alerts, queued %zu\n",
                 idle.changes, idle.queued);
    status = 1;
  }
  if (o.check && first.delay.max > kTargetDeliverySeconds) {
    std::fprintf(stderr,
                 "motcua-bench-alerts: the last notification arrived after %.3f s, "
                 "target %.0f s\n",
                 first.delay.max, kTargetDeliverySeconds);
    status = 1;
  }
  return status;
}
