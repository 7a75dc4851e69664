// motcua-bench-api: the status API of a real motcua-watchd process under wrk, beside nginx serving
// the same bytes as static files in the same run. Targets (the issue "The running service",
// Speed), reported, not asserted: with 1,000,000 dossiers stored, GET /healthz at >= half of
// nginx's requests/s and GET /api/v1/findings?agency=X&limit=100 at p99 < 20 ms; while the daemon
// runs its full sync of those dossiers from an empty state file, p99 < 100 ms on both.
// bench/README.md explains the method and the numbers.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bench/measure.hpp"
#include "net/http_client.hpp"
#include "sla/time.hpp"
#include "tests/support/process.hpp"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace motcua;
using namespace std::chrono_literals;
using Stopwatch = std::chrono::steady_clock;

constexpr std::string_view kUsage =
    "usage: motcua-bench-api [--dossiers N] [--duration S] [--rounds N] [--threads N]\n"
    "                        [--connections N] [--seed N] [--no-side-source] [--keep]\n"
    "                        [--sim PATH] [--daemon PATH] [--check]\n"
    "  --dossiers N       dossiers motcua-sim generates and the daemon syncs (default 1000000)\n"
    "  --duration S       seconds of each wrk run (default 10)\n"
    "  --rounds N         rounds of the four runs against the synced daemon and nginx (default 3)\n"
    "  --threads N        wrk threads (default 2)\n"
    "  --connections N    wrk connections (default 50)\n"
    "  --seed N           seed of motcua-sim's data (default 20260310)\n"
    "  --no-side-source   no small file source beside the sync (then no evaluation runs during\n"
    "                     the first sync, and findings answers 503 throughout it)\n"
    "  --keep             keep the temporary folder (state file, configs, logs)\n"
    "  --sim PATH         the motcua-sim binary (default: this build tree's)\n"
    "  --daemon PATH      the motcua-watchd binary (default: this build tree's)\n"
    "  --check            exit 1 if a target is missed (the targets apply to 1,000,000 dossiers)\n";

constexpr double kTargetHealthzShareOfNginx = 0.5;
constexpr double kTargetFindingsP99Ms = 20;
constexpr double kTargetDuringSyncP99Ms = 100;
constexpr std::size_t kFindingsLimit = 100;

// motcua-sim generates every dossier's life up to a horizon 20 days after its start, received
// within the 60 days before it. Started 478 h in the past and moved forward 478 h, its clock is
// the daemon's (the system clock) two hours before the horizon: nearly every dossier exists and the
// daemon evaluates them at the instant the simulator lists them (as motcua-bench-ingest does).
constexpr auto kSimHeadStart = std::chrono::hours(478);
constexpr std::string_view kSimAdvance = "478h";
constexpr auto kSimOffset = std::chrono::hours(7);

struct Options {
  std::uint64_t dossiers = 1'000'000;
  std::uint64_t duration = 10;
  std::uint64_t rounds = 3;
  std::uint64_t threads = 2;
  std::uint64_t connections = 50;
  std::uint64_t seed = 20260310;
  bool side_source = true;
  bool keep = false;
  bool check = false;
  fs::path sim = fs::path(MOTCUA_BINARY_DIR) / "motcua-sim";
  fs::path daemon = fs::path(MOTCUA_BINARY_DIR) / "motcua-watchd";
};

std::optional<Options> parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view k = argv[i];
    const auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string_view(argv[++i]);
    };
    if (k == "--keep") {
      o.keep = true;
    } else if (k == "--check") {
      o.check = true;
    } else if (k == "--no-side-source") {
      o.side_source = false;
    } else if (k == "--sim" || k == "--daemon") {
      auto v = value();
      if (!v || v->empty()) return std::nullopt;
      (k == "--sim" ? o.sim : o.daemon) = fs::path(*v);
    } else if (k == "--dossiers" || k == "--duration" || k == "--rounds" || k == "--threads" ||
               k == "--connections" || k == "--seed") {
      auto v = value();
      std::uint64_t n = 0;
      if (!v || !bench::parse_count(*v, n) || (k != "--seed" && n == 0)) return std::nullopt;
      if (k == "--dossiers") o.dossiers = n;
      if (k == "--duration") o.duration = n;
      if (k == "--rounds") o.rounds = n;
      if (k == "--threads") o.threads = n;
      if (k == "--connections") o.connections = n;
      if (k == "--seed") o.seed = n;
    } else {
      return std::nullopt;
    }
  }
  return o;
}

double seconds_since(Stopwatch::time_point t) {
  return bench::seconds_of(Stopwatch::now() - t);
}

// The 1-minute load average, printed beside every number: the machine is shared.
double load_average() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  return one;
}

// An executable on PATH (or the path itself when it has a slash), or "" when there is none.
fs::path find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string dirs = std::string(path ? path : "") + ":/usr/sbin:/sbin";
  std::istringstream in(dirs);
  for (std::string dir; std::getline(in, dir, ':');) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// A port nobody listens on right now (for nginx, whose config names its port).
std::uint16_t free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& file, std::string_view text) {
  std::ofstream out(file, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::string tail_of(const fs::path& file, std::size_t bytes = 2000) {
  const std::string text = read_text(file);
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

// The child process of this one that runs `comm` (BackgroundProcess does not expose its pid).
int child_named(std::string_view comm) {
  std::ifstream in("/proc/self/task/" + std::to_string(getpid()) + "/children");
  for (int pid = 0; in >> pid;) {
    std::string name = read_text("/proc/" + std::to_string(pid) + "/comm");
    while (!name.empty() && name.back() == '\n')
      name.pop_back();
    if (name == comm) return pid;
  }
  return 0;
}

// Whether a child has ended (a zombie until BackgroundProcess reaps it).
bool ended(int pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] == 'Z';
}

// Plain requests to the simulator and the daemon, one at a time.
class Http {
 public:
  Http() {
    net::ClientOptions options;
    options.request_timeout = std::chrono::minutes(5);
    client_.emplace(io_.get_executor(), options);
  }

  net::HttpResult send(std::string method, std::string url, std::string body = {},
                       net::HeaderList headers = {}) {
    net::HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.headers = std::move(headers);
    if (!body.empty()) r.headers.push_back({"Content-Type", "application/json"});
    r.body = std::move(body);
    auto result = asio::co_spawn(io_, client_->request(std::move(r)), asio::use_future);
    io_.restart();
    io_.run();
    return result.get();
  }

  // The response to GET, which must be 200.
  net::HttpResponse get_ok(const std::string& url) {
    auto result = send("GET", url);
    if (!result.ok()) throw std::runtime_error("GET " + url + ": " + result.error_text);
    if (result.response->status != 200)
      throw std::runtime_error("GET " + url + ": HTTP " + std::to_string(result.response->status) +
                               ": " + result.response->body.substr(0, 300));
    return std::move(*result.response);
  }

  std::string post_ok(const std::string& url, std::string body, net::HeaderList headers = {}) {
    auto result = send("POST", url, std::move(body), std::move(headers));
    if (!result.ok()) throw std::runtime_error("POST " + url + ": " + result.error_text);
    if (result.response->status != 200)
      throw std::runtime_error("POST " + url + ": HTTP " + std::to_string(result.response->status) +
                               ": " + result.response->body.substr(0, 300));
    return std::move(result.response->body);
  }

  // The status of GET, 0 when the server did not answer.
  int status_of(const std::string& url) {
    auto result = send("GET", url);
    return result.ok() ? result.response->status : 0;
  }

 private:
  asio::io_context io_;
  std::optional<net::HttpClient> client_;
};

// Waits until `ready()` holds, checking every `every`; throws `what` after `deadline`.
template <class Ready>
void wait_until(Ready&& ready, std::chrono::milliseconds deadline, const std::string& what,
                std::chrono::milliseconds every = 200ms) {
  const auto until = Stopwatch::now() + deadline;
  while (!ready()) {
    if (Stopwatch::now() > until)
      throw std::runtime_error("timed out after " + std::to_string(deadline.count() / 1000) +
                               " s waiting for " + what);
    std::this_thread::sleep_for(every);
  }
}

// ---------------------------------------------------------------------------------------------
// wrk

struct WrkResult {
  std::string label;
  double requests_per_second = 0;
  std::uint64_t requests = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
  std::uint64_t non_2xx = 0;
  std::uint64_t socket_errors = 0;  // connect + read + write + timeout
  std::uint64_t timeouts = 0;
  double load = 0;  // 1-minute load average when the run ended
  bool during_sync = false;
};

// "12.34ms", "456.78us", "1.02s", "2.00m" in milliseconds.
double wrk_time_ms(std::string_view text) {
  std::size_t unit = 0;
  while (unit < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[unit])) || text[unit] == '.'))
    ++unit;
  const double value = std::strtod(std::string(text.substr(0, unit)).c_str(), nullptr);
  const std::string_view suffix = text.substr(unit);
  if (suffix == "us") return value / 1000;
  if (suffix == "ms") return value;
  if (suffix == "s") return value * 1000;
  if (suffix == "m") return value * 60'000;
  if (suffix == "h") return value * 3'600'000;
  throw std::runtime_error("wrk printed a time it does not document: " + std::string(text));
}

WrkResult parse_wrk(const std::string& out) {
  WrkResult r;
  bool have_rate = false, have_p99 = false;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == "Requests/sec:") {
      words >> r.requests_per_second;
      have_rate = true;
    } else if (first == "Latency") {
      std::string avg, stdev, max;
      if (words >> avg >> stdev >> max && avg != "Distribution") r.max_ms = wrk_time_ms(max);
    } else if (first == "50%" || first == "90%" || first == "99%") {
      std::string t;
      words >> t;
      const double ms = wrk_time_ms(t);
      (first == "50%" ? r.p50_ms : first == "90%" ? r.p90_ms : r.p99_ms) = ms;
      if (first == "99%") have_p99 = true;
    } else if (line.find("requests in") != std::string::npos) {
      r.requests = std::strtoull(first.c_str(), nullptr, 10);
    } else if (line.find("Non-2xx or 3xx responses:") != std::string::npos) {
      r.non_2xx = std::strtoull(line.substr(line.find(':') + 1).c_str(), nullptr, 10);
    } else if (first == "Socket") {
      // "Socket errors: connect 0, read 0, write 0, timeout 0"
      std::string word;
      std::uint64_t n = 0;
      std::string name;
      while (words >> word) {
        if (word == "errors:") continue;
        if (std::isdigit(static_cast<unsigned char>(word[0]))) {
          n = std::strtoull(word.c_str(), nullptr, 10);
          r.socket_errors += n;
          if (name == "timeout") r.timeouts = n;
        } else {
          name = word;
        }
      }
    }
  }
  if (!have_rate || !have_p99) throw std::runtime_error("cannot read wrk's output:\n" + out);
  return r;
}

struct Wrk {
  fs::path program;
  const Options& options;

  WrkResult run(const std::string& label, const std::string& url) const {
    // wrk drops a request that takes longer than --timeout (2 s by default) from its latency
    // histogram and counts it as a socket error instead: 10 s keeps slow answers in the p99.
    const auto result = testing::run_process(
        program,
        {"-t" + std::to_string(options.threads), "-c" + std::to_string(options.connections),
         "-d" + std::to_string(options.duration) + "s", "--timeout", "10s", "--latency", url},
        std::chrono::seconds(options.duration + 60));
    if (result.timed_out || result.exit_code != 0)
      throw std::runtime_error("wrk " + url + " failed (exit " + std::to_string(result.exit_code) +
                               "): " + result.err + result.out);
    WrkResult r = parse_wrk(result.out);
    r.label = label;
    r.load = load_average();
    return r;
  }
};

void print_run(const WrkResult& r) {
  std::printf("  %-34s %9.0f req/s  p50 %7.2f  p90 %7.2f  p99 %7.2f  max %8.2f ms", r.label.c_str(),
              r.requests_per_second, r.p50_ms, r.p90_ms, r.p99_ms, r.max_ms);
  if (r.non_2xx) std::printf("  non-2xx %llu", static_cast<unsigned long long>(r.non_2xx));
  if (r.socket_errors)
    std::printf("  socket errors %llu (timeouts %llu)",
                static_cast<unsigned long long>(r.socket_errors),
                static_cast<unsigned long long>(r.timeouts));
  std::printf("  load %.2f\n", r.load);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The median req/s and p99 of the runs with `label`, and their worst p99.
struct Summary {
  std::size_t runs = 0;
  double requests_per_second = 0;
  double p99_ms = 0;
  double worst_p99_ms = 0;
  std::uint64_t non_2xx = 0, socket_errors = 0;
};

Summary summarize(const std::vector<WrkResult>& runs, const std::string& label) {
  Summary s;
  std::vector<double> rates, p99s;
  for (const auto& r : runs) {
    if (r.label != label) continue;
    ++s.runs;
    rates.push_back(r.requests_per_second);
    p99s.push_back(r.p99_ms);
    s.worst_p99_ms = std::max(s.worst_p99_ms, r.p99_ms);
    s.non_2xx += r.non_2xx;
    s.socket_errors += r.socket_errors;
  }
  s.requests_per_second = median(rates);
  s.p99_ms = median(p99s);
  return s;
}

json::object summary_json(const Summary& s) {
  return {{"runs", s.runs},       {"requests_per_second", std::llround(s.requests_per_second)},
          {"p99_ms", s.p99_ms},   {"worst_p99_ms", s.worst_p99_ms},
          {"non_2xx", s.non_2xx}, {"socket_errors", s.socket_errors}};
}

// ---------------------------------------------------------------------------------------------
// The daemon

std::string daemon_config(const std::string& sim_base, bool side_source,
                          std::string_view motcua_poll) {
  std::string c = R"(# Written by motcua-bench-api.
[daemon]
state_db = "state.db"
listen = "127.0.0.1:0"

[[source]]
name = "motcua"
kind = "motcua"
url = ")" + sim_base +
                  R"(/motcua"
username = "demo"
password_file = "sim.password"
dstcode = "H37"
madonvi = "000.00.00.H37"
poll_interval = ")" +
                  std::string(motcua_poll) +
                  R"("
)";
  if (side_source)
    c += R"(
# A few hundred records read from a file every 15 s: each read asks for an evaluation, which
# reads whatever the motcua sync has stored so far, so findings has answers during the sync.
[[source]]
name = "side"
kind = "file"
path = "side.json"
poll_interval = "15s"
)";
  return c;
}

// motcua-watchd in its own process, its log in a file.
class Daemon {
 public:
  Daemon(const fs::path& program, const fs::path& config, const fs::path& log)
      : log_(log),
        process_("/bin/sh", {"-c", R"(exec "$0" --config "$1" >"$2" 2>&1)", program.string(),
                             config.string(), log.string()}) {
    std::string port;
    wait_until(
        [&] {
          const std::string text = read_text(log_);
          const auto at = text.find("listening on http://127.0.0.1:");
          if (at == std::string::npos) {
            if (text.find("error") != std::string::npos && child_named("motcua-watchd") == 0)
              throw std::runtime_error("motcua-watchd did not start:\n" + text);
            return false;
          }
          const auto begin = at + std::string_view("listening on http://127.0.0.1:").size();
          port = text.substr(begin, text.find('/', begin) - begin);
          return true;
        },
        120s, "motcua-watchd to listen (log " + log_.string() + ")");
    base_ = "http://127.0.0.1:" + port;
    pid_ = child_named("motcua-watchd");
  }

  const std::string& base() const { return base_; }
  int pid() const { return pid_; }

  // SIGTERM, and the daemon's own clean stop (it finishes or abandons in-flight work).
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    wait_until([&] { return ended(pid_); }, 60s, "motcua-watchd to stop");
    pid_ = 0;
  }

 private:
  fs::path log_;
  testing::BackgroundProcess process_;
  std::string base_;
  int pid_ = 0;
};

struct SourceState {
  bool synced = false;  // the first sync ended
  std::int64_t syncs = 0, failures = 0, dossiers = 0, last_duration_ms = 0;
  bool running = false;
  std::string last_error;
};

struct DaemonStatus {
  bool evaluated = false;
  std::int64_t dossiers_evaluated = 0, findings = 0, evaluation_ms = 0;
  std::map<std::string, SourceState> sources;
};

DaemonStatus daemon_status(Http& http, const std::string& base) {
  const json::value v = json::parse(http.get_ok(base + "/api/v1/status").body);
  const auto& o = v.as_object();
  DaemonStatus s;
  const auto integer = [](const json::value& x) {
    return x.is_null() ? std::int64_t{0} : x.to_number<std::int64_t>();
  };
  s.evaluated = !o.at("evaluated_at").is_null();
  s.dossiers_evaluated = integer(o.at("dossiers_evaluated"));
  s.findings = integer(o.at("findings"));
  s.evaluation_ms = integer(o.at("evaluation_ms"));
  for (const auto& src : o.at("sources").as_array()) {
    const auto& so = src.as_object();
    SourceState st;
    st.syncs = integer(so.at("syncs"));
    st.synced = st.syncs > 0;
    st.failures = integer(so.at("failures"));
    st.dossiers = integer(so.at("dossiers"));
    st.running = so.at("running").as_bool();
    st.last_duration_ms = integer(so.at("last_duration_ms"));
    if (so.at("last_error").is_string()) st.last_error = so.at("last_error").as_string().c_str();
    s.sources[so.at("name").as_string().c_str()] = st;
  }
  return s;
}

// The agency with the most findings among the first 1000 (of the latest evaluation), or "" when
// there is no evaluation yet.
std::string busiest_agency(Http& http, const std::string& base) {
  auto result = http.send("GET", base + "/api/v1/findings?limit=1000");
  if (!result.ok() || result.response->status != 200) return {};
  std::map<std::string, int> count;
  const json::value answer = json::parse(result.response->body);
  for (const auto& f : answer.as_array())
    ++count[f.at("agency").as_string().c_str()];
  std::string best;
  int most = 0;
  for (const auto& [agency, n] : count)
    if (n > most) best = agency, most = n;
  return best;
}

std::string findings_url(const std::string& base, const std::string& agency) {
  // Agency codes are digits, dots and letters ("000.00.12.H37"): nothing to escape.
  return base + "/api/v1/findings?agency=" + agency + "&limit=" + std::to_string(kFindingsLimit);
}

// ---------------------------------------------------------------------------------------------
// nginx

// nginx serving `healthz` at /healthz and `findings` at /api/v1/findings (query ignored), in its
// own prefix folder so it needs nothing of the system's nginx.
class Nginx {
 public:
  Nginx(const fs::path& program, const fs::path& dir, const std::string& healthz,
        const std::string& findings) {
    fs::create_directories(dir / "www");
    fs::create_directories(dir / "temp");
    write_text(dir / "www" / "healthz.json", healthz);
    write_text(dir / "www" / "findings.json", findings);
    port_ = free_port();
    const std::string d = dir.string();
    // One worker, like the daemon's one API thread; access log off, as the daemon writes none
    // (it counts requests for /metrics). keepalive_requests as high as the daemon's (no limit),
    // so that neither server makes wrk reconnect.
    std::string conf = "worker_processes 1;\n";
    if (geteuid() == 0) conf += "user root;\n";  // as the current user: the folder is 0700
    conf += "pid " + d + "/nginx.pid;\nerror_log " + d + "/error.log warn;\n" +
            "events { worker_connections 1024; }\n"
            "http {\n"
            "  access_log off;\n"
            "  client_body_temp_path " +
            d +
            "/temp/body;\n"
            "  proxy_temp_path " +
            d +
            "/temp/proxy;\n"
            "  fastcgi_temp_path " +
            d +
            "/temp/fastcgi;\n"
            "  uwsgi_temp_path " +
            d +
            "/temp/uwsgi;\n"
            "  scgi_temp_path " +
            d +
            "/temp/scgi;\n"
            "  keepalive_requests 100000000;\n"
            "  keepalive_timeout 30s;\n"
            "  default_type application/json;\n"
            "  server {\n"
            "    listen 127.0.0.1:" +
            std::to_string(port_) +
            ";\n"
            "    root " +
            d +
            "/www;\n"
            "    location = /healthz { try_files /healthz.json =404; }\n"
            "    location = /api/v1/findings { try_files /findings.json =404; }\n"
            "  }\n"
            "}\n";
    const fs::path conf_file = dir / "nginx.conf";
    write_text(conf_file, conf);
    const auto test = testing::run_process(program, {"-t", "-p", d, "-c", conf_file.string()});
    if (test.exit_code != 0)
      throw std::runtime_error("nginx rejects its config " + conf_file.string() + ":\n" + test.err);
    process_.emplace(
        program, std::vector<std::string>{"-p", d, "-c", conf_file.string(), "-g", "daemon off;"});
    base_ = "http://127.0.0.1:" + std::to_string(port_);
  }

  const std::string& base() const { return base_; }

 private:
  std::uint16_t port_ = 0;
  std::string base_;
  std::optional<testing::BackgroundProcess> process_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Options> parsed = parse_args(argc, argv);
  if (!parsed) {
    std::fputs(kUsage.data(), stderr);
    return 2;
  }
  const Options& o = *parsed;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows while a long run goes on
  std::optional<testing::TempDir> temp;
  try {
    // scripts/setup installs both: their absence is a broken machine, not a reason to skip.
    const fs::path wrk_program = find_program("wrk");
    const fs::path nginx_program = find_program("nginx");
    if (wrk_program.empty() || nginx_program.empty())
      throw std::runtime_error(std::string("missing ") + (wrk_program.empty() ? "wrk " : "") +
                               (nginx_program.empty() ? "nginx " : "") +
                               "(scripts/setup installs wrk and nginx-light)");
    const Wrk wrk{wrk_program, o};

    fs::path dir;
    if (o.keep) {
      dir = fs::temp_directory_path() / ("motcua-bench-api-" + std::to_string(getpid()));
      fs::create_directories(dir);
    } else {
      temp.emplace();
      dir = temp->path();
    }
    std::printf("motcua-bench-api: %llu dossiers, wrk -t%llu -c%llu -d%llus, folder %s\n",
                static_cast<unsigned long long>(o.dossiers),
                static_cast<unsigned long long>(o.threads),
                static_cast<unsigned long long>(o.connections),
                static_cast<unsigned long long>(o.duration), dir.c_str());

    // --- the simulator, its clock at the daemon's ---------------------------------------------
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const std::string sim_start = sla::format_rfc3339(now - kSimHeadStart, kSimOffset);
    auto started = Stopwatch::now();
    testing::BackgroundProcess sim_process(
        o.sim, {"--listen", "127.0.0.1:0", "--dossiers", std::to_string(o.dossiers), "--seed",
                std::to_string(o.seed), "--now", sim_start});
    const std::string line = sim_process.wait_for_line("listening on", std::chrono::minutes(5));
    const auto at = line.find("http://");
    if (at == std::string::npos) throw std::runtime_error("motcua-sim did not start");
    const std::string sim_base = line.substr(at, line.find(' ', at) - at);
    Http http;
    http.post_ok(sim_base + "/_sim/clock", json::serialize(json::object{{"advance", kSimAdvance}}));
    const json::value login =
        json::parse(http.post_ok(sim_base + "/motcua/auth",
                                 R"({"username":"demo","password":"demo"})", {{"dstcode", "H37"}}));
    const auto listing = [&](std::size_t size) {
      json::object q{{"session", login.at("session")},
                     {"madonvi", "000.00.00.H37"},
                     {"service", "LayDanhSachHoSo"},
                     {"CapNhatTu", ""},
                     {"Trang", 1},
                     {"SoLuong", size}};
      return json::parse(http.post_ok(sim_base + "/motcua/service", json::serialize(q)));
    };
    const json::value first_page = listing(o.side_source ? 300 : 1);
    const std::int64_t listed = first_page.at("TongSo").to_number<std::int64_t>();
    std::printf("motcua-sim: %lld dossiers listed at its clock, started in %.1f s  (load %.2f)\n",
                static_cast<long long>(listed), seconds_since(started), load_average());

    write_text(dir / "sim.password", "demo\n");
    if (o.side_source) write_text(dir / "side.json", json::serialize(first_page.at("data")));

    // --- measurement 2: the API while the daemon syncs everything from an empty state file ----
    write_text(dir / "sync.toml", daemon_config(sim_base, o.side_source, "1h"));
    std::vector<WrkResult> during;
    double sync_seconds = 0;
    std::int64_t stored = 0;
    {
      const auto daemon_started = Stopwatch::now();
      Daemon daemon(o.daemon, dir / "sync.toml", dir / "sync.log");
      wait_until([&] { return http.status_of(daemon.base() + "/healthz") == 200; }, 60s,
                 "/healthz to answer");
      std::printf("motcua-watchd (pid %d) listening at %s, syncing\n", daemon.pid(),
                  daemon.base().c_str());
      std::string agency;
      for (int round = 1;; ++round) {
        const DaemonStatus s = daemon_status(http, daemon.base());
        const SourceState& m = s.sources.at("motcua");
        if (m.synced) break;
        if (agency.empty() && o.side_source) {
          // The side source's first evaluation comes within a second or two.
          wait_until([&] { return daemon_status(http, daemon.base()).evaluated; }, 60s,
                     "the first evaluation");
          agency = busiest_agency(http, daemon.base());
        }
        for (const auto& [label, url] :
             {std::pair<std::string, std::string>{"daemon /healthz during sync",
                                                  daemon.base() + "/healthz"},
              {"daemon findings during sync",
               findings_url(daemon.base(), agency.empty() ? "none" : agency)}}) {
          WrkResult r = wrk.run(label, url);
          r.during_sync = !daemon_status(http, daemon.base()).sources.at("motcua").synced;
          std::printf("  round %d%s", round, r.during_sync ? "" : " (the sync ended meanwhile)");
          print_run(r);
          during.push_back(r);
        }
      }
      sync_seconds = seconds_since(daemon_started);
      DaemonStatus s = daemon_status(http, daemon.base());
      const SourceState& m = s.sources.at("motcua");
      if (m.failures > 0 || !m.last_error.empty())
        throw std::runtime_error("the sync failed: " + m.last_error + "\n" +
                                 tail_of(dir / "sync.log"));
      stored = m.dossiers;
      std::printf(
          "sync: %lld dossiers stored; the daemon's sync took %.1f s (%.1f s from its "
          "start)  (load %.2f)\n",
          static_cast<long long>(stored), static_cast<double>(m.last_duration_ms) / 1000,
          sync_seconds, load_average());
      sync_seconds = static_cast<double>(m.last_duration_ms) / 1000;
      if (stored < listed)
        throw std::runtime_error("only " + std::to_string(stored) + " of " +
                                 std::to_string(listed) + " listed dossiers stored");
      daemon.stop();
    }

    // --- measurement 1: the synced daemon at rest, beside nginx -------------------------------
    // The same state file; the side source is gone and the next poll is an hour away, so once
    // the start-up sync (nothing new) and its evaluation are done nothing but the API runs.
    write_text(dir / "rest.toml", daemon_config(sim_base, false, "1h"));
    Daemon daemon(o.daemon, dir / "rest.toml", dir / "rest.log");
    wait_until(
        [&] {
          if (http.status_of(daemon.base() + "/readyz") != 200) return false;
          const DaemonStatus s = daemon_status(http, daemon.base());
          const SourceState& m = s.sources.at("motcua");
          return !m.running && s.evaluated && s.dossiers_evaluated >= m.dossiers;
        },
        std::chrono::minutes(10), "the restarted daemon's evaluation", 500ms);
    const DaemonStatus rest = daemon_status(http, daemon.base());
    std::printf(
        "motcua-watchd restarted: %lld dossiers evaluated, %lld findings (evaluation "
        "%lld ms)  (load %.2f)\n",
        static_cast<long long>(rest.dossiers_evaluated), static_cast<long long>(rest.findings),
        static_cast<long long>(rest.evaluation_ms), load_average());
    // The alerts of the evaluation are written after it is published; let that end too.
    std::this_thread::sleep_for(3s);

    const std::string agency = busiest_agency(http, daemon.base());
    if (agency.empty()) throw std::runtime_error("no findings to ask for");
    const net::HttpResponse findings = http.get_ok(findings_url(daemon.base(), agency));
    const std::size_t returned = json::parse(findings.body).as_array().size();
    const std::string total = findings.header("X-Total-Count");
    if (returned != kFindingsLimit)
      throw std::runtime_error("agency " + agency + " has only " + std::to_string(returned) +
                               " findings");
    const net::HttpResponse healthz = http.get_ok(daemon.base() + "/healthz");
    std::printf("findings of agency %s: %s in all, %zu returned (%zu bytes)\n", agency.c_str(),
                total.c_str(), returned, findings.body.size());

    Nginx nginx(nginx_program, dir / "nginx", healthz.body, findings.body);
    wait_until([&] { return http.status_of(nginx.base() + "/healthz") == 200; }, 30s,
               "nginx to answer");
    if (http.get_ok(findings_url(nginx.base(), agency)).body != findings.body)
      throw std::runtime_error("nginx does not serve the daemon's bytes");

    std::vector<WrkResult> rest_runs;
    for (std::uint64_t round = 1; round <= o.rounds; ++round) {
      std::printf("  round %llu\n", static_cast<unsigned long long>(round));
      for (const auto& [label, url] : {
               std::pair<std::string, std::string>{"daemon /healthz", daemon.base() + "/healthz"},
               {"nginx /healthz", nginx.base() + "/healthz"},
               {"daemon findings", findings_url(daemon.base(), agency)},
               {"nginx findings", findings_url(nginx.base(), agency)},
           }) {
        rest_runs.push_back(wrk.run(label, url));
        print_run(rest_runs.back());
      }
    }

    // --- report --------------------------------------------------------------------------------
    const Summary dh = summarize(rest_runs, "daemon /healthz");
    const Summary nh = summarize(rest_runs, "nginx /healthz");
    const Summary df = summarize(rest_runs, "daemon findings");
    const Summary nf = summarize(rest_runs, "nginx findings");
    std::vector<WrkResult> overlapping;
    for (const auto& r : during)
      if (r.during_sync) overlapping.push_back(r);
    const Summary sh = summarize(overlapping, "daemon /healthz during sync");
    const Summary sf = summarize(overlapping, "daemon findings during sync");
    const double healthz_share =
        nh.requests_per_second > 0 ? dh.requests_per_second / nh.requests_per_second : 0;
    const bool healthz_ok = healthz_share >= kTargetHealthzShareOfNginx;
    const bool findings_ok =
        df.p99_ms < kTargetFindingsP99Ms && df.worst_p99_ms < kTargetFindingsP99Ms;
    const bool sync_ok = sh.runs > 0 && sf.runs > 0 && sh.worst_p99_ms < kTargetDuringSyncP99Ms &&
                         sf.worst_p99_ms < kTargetDuringSyncP99Ms && sh.socket_errors == 0 &&
                         sf.socket_errors == 0;
    const auto mark = [](bool ok) { return ok ? "met" : "MISSED"; };

    std::printf("\n%-30s %12s %10s %14s\n", "", "req/s", "p99 ms", "worst p99 ms");
    const auto row = [](const char* name, const Summary& s) {
      std::printf("%-30s %12.0f %10.2f %14.2f  (%zu runs)\n", name, s.requests_per_second, s.p99_ms,
                  s.worst_p99_ms, s.runs);
    };
    row("daemon GET /healthz", dh);
    row("nginx  GET /healthz", nh);
    row("daemon GET findings", df);
    row("nginx  GET findings", nf);
    row("daemon /healthz during sync", sh);
    row("daemon findings during sync", sf);
    std::printf("healthz: %.0f %% of nginx's req/s (target >= 50 %%: %s)\n", healthz_share * 100,
                mark(healthz_ok));
    std::printf("findings p99 %.2f ms (worst %.2f; target < 20 ms: %s)\n", df.p99_ms,
                df.worst_p99_ms, mark(findings_ok));
    std::printf(
        "during the sync (%.1f s): worst p99 healthz %.2f ms, findings %.2f ms "
        "(target < 100 ms: %s)\n",
        sync_seconds, sh.worst_p99_ms, sf.worst_p99_ms, mark(sync_ok));
    if (sh.runs == 0 || sf.runs == 0)
      std::printf("note: no wrk run ended before the sync did; use more dossiers\n");

    json::object report{
        {"dossiers", o.dossiers},
        {"stored", stored},
        {"findings", rest.findings},
        {"agency", agency},
        {"agency_findings", total},
        {"findings_bytes", findings.body.size()},
        {"wrk",
         json::object{
             {"threads", o.threads}, {"connections", o.connections}, {"duration_s", o.duration}}},
        {"daemon_healthz", summary_json(dh)},
        {"nginx_healthz", summary_json(nh)},
        {"daemon_findings", summary_json(df)},
        {"nginx_findings", summary_json(nf)},
        {"healthz_share_of_nginx", std::round(healthz_share * 1000) / 1000},
        {"sync_seconds", sync_seconds},
        {"side_source", o.side_source},
        {"during_sync_healthz", summary_json(sh)},
        {"during_sync_findings", summary_json(sf)},
        {"load_average", load_average()},
        {"targets_met",
         json::object{
             {"healthz", healthz_ok}, {"findings", findings_ok}, {"during_sync", sync_ok}}},
    };
    std::printf("%s\n", json::serialize(report).c_str());

    // A broken answer fails the run whatever the timings.
    for (const auto& r : rest_runs)
      if (r.non_2xx || r.socket_errors)
        throw std::runtime_error(r.label + ": " + std::to_string(r.non_2xx) + " non-2xx answers, " +
                                 std::to_string(r.socket_errors) + " socket errors");
    daemon.stop();
    if (o.check && !(healthz_ok && findings_ok && sync_ok)) return 1;
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "motcua-bench-api: %s\n", e.what());
    if (temp) std::fprintf(stderr, "(rerun with --keep to keep the logs)\n");
    return 1;
  }
}
