// motcua-bench-ingest: ingests the one-stop listing of a real motcua-sim process through the
// connector (connectors::sync_motcua over UpstreamSession and net::HttpClient) into a real SQLite
// file through the daemon's StoreSink. Targets (the issue): 1,000,000 dossiers at >= 50,000
// records/s end to end; an incremental sync with 1 % of them changed in under 2 s; peak memory
// under 500 MB. Beside the end-to-end rate it measures, in the same run and over the same listing,
// what Boost.JSON parsing alone and SQLite inserting alone manage. bench/README.md explains the
// numbers and how to run it.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bench/measure.hpp"
#include "connectors/mapping.hpp"
#include "connectors/motcua_sync.hpp"
#include "connectors/upstream_session.hpp"
#include "daemon/one_shot.hpp"
#include "daemon/store_sink.hpp"
#include "net/http_client.hpp"
#include "sla/time.hpp"
#include "store/database.hpp"
#include "store/dossier_store.hpp"
#include "store/quarantine.hpp"
#include "store/sync_state.hpp"
#include "tests/support/process.hpp"

namespace {

using motcua::bench::peak_rss_mb;

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace motcua;
using Stopwatch = std::chrono::steady_clock;

constexpr std::string_view kUsage =
    "usage: motcua-bench-ingest [--dossiers N] [--page-size N] [--seed N] [--state FILE] [--keep]\n"
    "                           [--sim PATH] [--upstream-delay-ms N] [--check]\n"
    "  --dossiers N   dossiers motcua-sim generates (default 1000000)\n"
    "  --page-size N  SoLuong of each listing request (default 500, the daemon's default)\n"
    "  --pages-per-transaction N  listing pages the store commits together (default: the\n"
    "                 daemon's, 8)\n"
    "  --queued-pages N  pages waiting for the store's writer thread (default: the daemon's, 2;\n"
    "                 0: the sync writes each page itself)\n"
    "  --cache-mib N  SQLite page cache of the writing connection (default: the daemon's)\n"
    "  --sqlite-page-size N  page size of the new SQLite files (default: the daemon's)\n"
    "  --upstream-delay-ms N  every listing answer of the two syncs leaves N ms late, as from\n"
    "                 an upstream far away (motcua-sim's delay fault; default 0)\n"
    "  --seed N       seed of motcua-sim's data (default 20260310)\n"
    "  --state FILE   the SQLite file to ingest into (default: in a new temporary folder)\n"
    "  --keep         keep the SQLite files afterwards\n"
    "  --sim PATH     the motcua-sim binary (default: the one of this build tree)\n"
    "  --check        exit 1 if a target is missed (the targets apply to 1,000,000 dossiers)\n";

constexpr double kTargetRecordsPerSecond = 50'000;
constexpr double kTargetIncrementalSeconds = 2.0;
constexpr double kTargetPeakRssMb = 500;

// motcua-sim generates every dossier's life as seen 20 days after its start (the horizon),
// received within the 60 days before that; nothing changes after the horizon but the nightly
// stamps. The full sync runs two hours before the horizon, on Monday 2026-03-30 at 10:00: all but
// the dossiers received in those two hours are listed, and the working morning that follows
// changes 1 % of them within minutes.
constexpr std::string_view kSimStart = "2026-03-10T12:00:00+07:00";
constexpr std::string_view kFullSyncAt = "478h";

struct Options {
  std::uint64_t dossiers = 1'000'000;
  std::size_t page_size = 500;
  std::uint64_t seed = 20260310;
  std::optional<fs::path> state;
  bool keep = false;
  fs::path sim = fs::path(MOTCUA_BINARY_DIR) / "motcua-sim";
  bool check = false;
  std::size_t pages_per_transaction = daemon::kDaemonSinkOptions.pages_per_transaction;
  std::size_t queued_pages = daemon::kDaemonSinkOptions.queued_pages;
  store::DatabaseOptions database = daemon::kSyncDatabaseOptions;
  std::chrono::milliseconds upstream_delay{0};  // of each listing answer during the syncs
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
    } else if (k == "--state" || k == "--sim") {
      auto v = value();
      if (!v || v->empty()) return std::nullopt;
      // Not one conditional assignment: with an optional and a path as its operands, `?:` yields
      // a temporary, and the assignment went nowhere.
      if (k == "--state")
        o.state = fs::path(*v);
      else
        o.sim = fs::path(*v);
    } else if (k == "--dossiers" || k == "--page-size" || k == "--seed" ||
               k == "--pages-per-transaction" || k == "--queued-pages" || k == "--cache-mib" ||
               k == "--sqlite-page-size" || k == "--upstream-delay-ms") {
      auto v = value();
      std::uint64_t parsed = 0;
      const auto n = v && bench::parse_count(*v, parsed) ? std::optional(parsed) : std::nullopt;
      if (!n || (k != "--seed" && k != "--queued-pages" && *n == 0)) return std::nullopt;
      if (k == "--queued-pages") o.queued_pages = *n;
      if (k == "--upstream-delay-ms") o.upstream_delay = std::chrono::milliseconds(*n);
      if (k == "--cache-mib") o.database.cache_kib = static_cast<std::int64_t>(*n) * 1024;
      if (k == "--sqlite-page-size") o.database.page_size = static_cast<int>(*n);
      if (k == "--dossiers") o.dossiers = *n;
      if (k == "--page-size") o.page_size = *n;
      if (k == "--seed") o.seed = *n;
      if (k == "--pages-per-transaction") o.pages_per_transaction = *n;
    } else {
      return std::nullopt;
    }
  }
  if (o.page_size > 10000) return std::nullopt;  // motcua-sim's SoLuong limit
  return o;
}

// VmHWM of a process (the simulator) in MB, 0 when unavailable.
double process_hwm_mb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  return 0;
}

// CPU time (user + system) of this process, all threads, in seconds.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto tv = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return tv(usage.ru_utime) + tv(usage.ru_stime);
}

// CPU time (user + system) of another process, in seconds.
double process_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; fields >> field && i <= 15; ++i)
    if (i == 14 || i == 15) ticks += std::strtod(field.c_str(), nullptr);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The one child process of this one: the simulator (BackgroundProcess does not expose it).
int child_pid() {
  std::ifstream in("/proc/self/task/" + std::to_string(getpid()) + "/children");
  int pid = 0;
  in >> pid;
  return pid;
}

double seconds_since(Stopwatch::time_point t) {
  return std::chrono::duration<double>(Stopwatch::now() - t).count();
}

template <class T>
T run(asio::io_context& io, asio::awaitable<T> work) {
  auto result = asio::co_spawn(io, std::move(work), asio::use_future);
  io.restart();
  io.run();
  return result.get();
}

// The simulator's HTTP surface, spoken directly (the admin endpoints and the raw listing).
class SimClient {
 public:
  SimClient(asio::io_context& io, std::string base) : io_(io), base_(std::move(base)) {
    net::ClientOptions options;
    options.request_timeout = std::chrono::minutes(2);
    client_.emplace(io.get_executor(), options);
  }

  // A request, the body as sent back; throws for a transport failure or a status other than 200.
  std::string call(std::string method, const std::string& path, std::string body = {},
                   net::HeaderList headers = {}) {
    net::HttpRequest r;
    r.method = std::move(method);
    r.url = base_ + path;
    r.headers = std::move(headers);
    if (!body.empty()) r.headers.push_back({"Content-Type", "application/json"});
    r.body = std::move(body);
    net::HttpResult result = run(io_, client_->request(std::move(r)));
    if (!result.ok()) throw std::runtime_error(path + ": " + result.error_text);
    if (result.response->status != 200)
      throw std::runtime_error(path + ": HTTP " + std::to_string(result.response->status) + ": " +
                               result.response->body.substr(0, 200));
    return std::move(result.response->body);
  }

  std::string post(const std::string& path, std::string body, net::HeaderList headers = {}) {
    return call("POST", path, std::move(body), std::move(headers));
  }

  void login() {
    const json::value answer = json::parse(
        post("/motcua/auth", R"({"username":"demo","password":"demo"})", {{"dstcode", "H37"}}));
    session_ = std::string(answer.at("session").as_string());
  }

  std::string advance(std::string_view by) {
    json::object o{{"advance", by}};
    return post("/_sim/clock", json::serialize(o));
  }

  // The body of one listing page, exactly as the connector receives it.
  std::string listing(std::string_view from, std::size_t page, std::size_t size) {
    json::object o{{"session", session_},
                   {"madonvi", "000.00.00.H37"},
                   {"service", "LayDanhSachHoSo"},
                   {"CapNhatTu", from},
                   {"Trang", page},
                   {"SoLuong", size}};
    return post("/motcua/service", json::serialize(o));
  }

  // Every listing answer from now on leaves `delay` late, as from an upstream far away or busy.
  void delay_listing(std::chrono::milliseconds delay) {
    json::object o{{"kind", "delay"},
                   {"target", "LayDanhSachHoSo"},
                   {"count", -1},
                   {"delay_ms", delay.count()}};
    post("/_sim/faults", json::serialize(o));
  }

  void clear_faults() { call("DELETE", "/_sim/faults"); }

  std::int64_t listed(std::string_view from) {
    return json::parse(listing(from, 1, 1)).at("TongSo").to_number<std::int64_t>();
  }

 private:
  asio::io_context& io_;
  std::string base_;
  std::optional<net::HttpClient> client_;
  std::string session_;
};

// The daemon's state for one source, as daemon/one_shot.cpp opens it.
struct State {
  State(const fs::path& file, const store::DatabaseOptions& options)
      : db(file, options), dossiers(db), sync(db, dossiers), quarantine(db) {}
  store::Database db;
  store::DossierStore dossiers;
  store::SyncState sync;
  store::Quarantine quarantine;
};

struct SyncRun {
  connectors::SyncReport report;
  double seconds = 0;
  double cpu = 0;      // of this process (the daemon's side)
  double sim_cpu = 0;  // of motcua-sim
};

int g_sim_pid = 0;

SyncRun sync_once(asio::io_context& io, const std::string& base, State& state,
                  const connectors::RecordMapping& mapping, const Options& o, sla::Instant now) {
  connectors::UpstreamEndpoint endpoint;
  endpoint.url = base + "/motcua";
  endpoint.username = "demo";
  endpoint.password = "demo";
  endpoint.dstcode = "H37";
  endpoint.madonvi = "000.00.00.H37";
  net::ClientOptions client_options;
  client_options.request_timeout = std::chrono::minutes(2);
  net::HttpClient client(io.get_executor(), client_options);
  connectors::UpstreamSession session(client, endpoint);
  daemon::StoreSinkOptions sink_options;
  sink_options.pages_per_transaction = o.pages_per_transaction;
  sink_options.queued_pages = o.queued_pages;
  daemon::StoreSink sink(
      state.db, state.sync, state.quarantine, "motcua", [now] { return now; }, sink_options);
  connectors::SyncOptions options;
  options.page_size = o.page_size;
  const auto started = Stopwatch::now();
  const double cpu = cpu_seconds();
  const double sim_cpu = process_cpu_seconds(g_sim_pid);
  SyncRun r;
  r.report = run(io, connectors::sync_motcua(session, mapping, "motcua", sink, options));
  sink.flush();
  r.seconds = seconds_since(started);
  r.report.inserted = sink.totals().inserted;
  r.report.updated = sink.totals().updated;
  r.cpu = cpu_seconds() - cpu;
  r.sim_cpu = process_cpu_seconds(g_sim_pid) - sim_cpu;
  return r;
}

std::string rate(double records, double seconds) {
  char out[64];
  std::snprintf(out, sizeof out, "%.0f", seconds > 0 ? records / seconds : 0.0);
  return out;
}

// The limits, over the same listing the sync read: every page fetched once (not timed as part of
// either limit), then its body parsed with Boost.JSON (timed: "JSON alone"), mapped as the
// connector maps (timed separately) and upserted into a fresh SQLite file, one transaction per
// page as the sink commits (timed: "SQLite alone"). One page at a time, so memory stays at a page.
struct Limits {
  std::size_t pages = 0;
  std::size_t records = 0;
  std::size_t bytes = 0;
  double fetch_seconds = 0;
  double parse_seconds = 0;
  double map_seconds = 0;
  double insert_seconds = 0;
  double sim_cpu = 0;  // motcua-sim's CPU time while serving the pages
};

Limits measure_limits(SimClient& sim, const fs::path& file,
                      const connectors::RecordMapping& mapping, std::size_t page_size,
                      std::size_t pages_per_transaction, const store::DatabaseOptions& options,
                      sla::Instant now) {
  Limits l;
  State fresh(file, options);
  const double sim_cpu = process_cpu_seconds(g_sim_pid);
  std::optional<store::Transaction> merged;  // as StoreSink merges pages
  for (std::size_t page = 1;; ++page) {
    auto t = Stopwatch::now();
    std::string body = sim.listing("", page, page_size);
    l.fetch_seconds += seconds_since(t);
    l.bytes += body.size();

    t = Stopwatch::now();
    json::value answer = json::parse(body);
    l.parse_seconds += seconds_since(t);

    const json::array& data = answer.at("data").as_array();
    if (data.empty()) break;
    t = Stopwatch::now();
    std::vector<store::StoredRecord> rows;
    rows.reserve(data.size());
    for (const json::value& record : data) {
      connectors::MapResult m = connectors::map_record(record, mapping, "motcua");
      if (!m.dossier) throw std::runtime_error("record " + m.code + " does not map: " + m.error);
      rows.push_back({std::move(*m.dossier), json::serialize(record)});
    }
    l.map_seconds += seconds_since(t);

    t = Stopwatch::now();
    if (!merged) merged.emplace(fresh.db);
    {
      store::Transaction tx(fresh.db);
      fresh.dossiers.upsert(rows, now);
      tx.commit();
    }
    if ((l.pages + 1) % pages_per_transaction == 0) {
      merged->commit();
      merged.reset();
    }
    l.insert_seconds += seconds_since(t);
    ++l.pages;
    l.records += data.size();
    if (data.size() < page_size) break;
  }
  if (merged) {
    const auto t = Stopwatch::now();
    merged->commit();
    l.insert_seconds += seconds_since(t);
  }
  l.sim_cpu = process_cpu_seconds(g_sim_pid) - sim_cpu;
  return l;
}

void print_sync(const char* what, const SyncRun& r) {
  const auto& p = r.report;
  std::printf(
      "%s: %zu records (%zu new, %zu changed, %zu again, %zu bad) in %.2f s = %s records/s; "
      "%zu pages, %zu commits, %zu group passes\n",
      what, p.records, p.inserted, p.updated, p.redelivered, p.bad, r.seconds,
      rate(static_cast<double>(p.records), r.seconds).c_str(), p.pages, p.commits, p.group_passes);
  const double n = static_cast<double>(std::max<std::size_t>(p.records, 1));
  std::printf(
      "  CPU: this process %.2f s (%.1f us a record), motcua-sim %.2f s (%.1f us a record)\n",
      r.cpu, 1e6 * r.cpu / n, r.sim_cpu, 1e6 * r.sim_cpu / n);
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Options> parsed = parse_args(argc, argv);
  if (!parsed) {
    std::fputs(kUsage.data(), stderr);
    return 2;
  }
  const Options& o = *parsed;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows while a long run goes on
  try {
    std::optional<testing::TempDir> temp;
    fs::path file;
    if (o.state) {
      file = *o.state;
      for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(file.string() + suffix);
    } else if (o.keep) {
      const fs::path dir =
          fs::temp_directory_path() / ("motcua-bench-ingest-" + std::to_string(getpid()));
      fs::create_directories(dir);
      file = dir / "ingest.db";
    } else {
      temp.emplace();
      file = temp->path() / "ingest.db";
    }
    const fs::path limits_file = file.string() + ".limits";
    for (const char* suffix : {"", "-wal", "-shm"})
      fs::remove(limits_file.string() + suffix);

    // The simulator in a process of its own, as in production the upstream is another machine.
    auto started = Stopwatch::now();
    testing::BackgroundProcess sim_process(
        o.sim, {"--listen", "127.0.0.1:0", "--dossiers", std::to_string(o.dossiers), "--seed",
                std::to_string(o.seed), "--now", std::string(kSimStart)});
    const std::string line = sim_process.wait_for_line("listening on", std::chrono::minutes(5));
    const auto at = line.find("http://");
    if (at == std::string::npos) throw std::runtime_error("motcua-sim did not start");
    const std::string base = line.substr(at, line.find(' ', at) - at);
    const int sim_pid = child_pid();
    g_sim_pid = sim_pid;
    std::printf("motcua-sim: %s, %llu dossiers, started in %.1f s\n", base.c_str(),
                static_cast<unsigned long long>(o.dossiers), seconds_since(started));

    asio::io_context io;
    SimClient sim(io, base);
    sim.login();
    sim.advance(kFullSyncAt);
    const std::int64_t listed = sim.listed("");
    if (o.upstream_delay.count() > 0) sim.delay_listing(o.upstream_delay);
    // The simulated clock stands still (speed 0): the listing does not move during a sync.
    const auto now = *sla::parse_rfc3339(kSimStart) + std::chrono::hours(478);
    const connectors::RecordMapping mapping;

    // 1. End to end: the connector into a fresh state file.
    std::optional<State> state(std::in_place, file, o.database);
    const SyncRun full = sync_once(io, base, *state, mapping, o, now);
    const double rss_full = peak_rss_mb();
    print_sync("full sync", full);
    if (!full.report.ok()) throw std::runtime_error("full sync failed: " + full.report.error);
    const std::int64_t stored = state->dossiers.count("motcua");
    std::printf("  listed %lld, stored %lld, peak RSS %.1f MB\n", static_cast<long long>(listed),
                static_cast<long long>(stored), rss_full);

    // 2. Incremental: move the simulated clock until at least 1 % of the stored dossiers changed
    // (counted by the listing from the cursor), then sync again into the same file.
    const std::string cursor = full.report.cursor ? full.report.cursor->value : "";
    const std::size_t at_cursor =
        full.report.cursor ? full.report.cursor->codes_at_cursor.size() : 0;
    std::int64_t changed = 0;
    int minutes = 0;
    while (changed * 100 < stored && minutes < 120) {
      sim.advance("5m");
      minutes += 5;
      changed = sim.listed(cursor) - static_cast<std::int64_t>(at_cursor);
    }
    const SyncRun incremental =
        sync_once(io, base, *state, mapping, o, now + std::chrono::minutes(minutes));
    print_sync("incremental sync", incremental);
    std::printf("  clock advanced %d min: %lld listed after the cursor (%.2f %% of stored)\n",
                minutes, static_cast<long long>(changed),
                100.0 * static_cast<double>(changed) /
                    static_cast<double>(std::max<std::int64_t>(stored, 1)));
    if (!incremental.report.ok())
      throw std::runtime_error("incremental sync failed: " + incremental.report.error);
    state.reset();

    // 3. The limits over the same listing, into a fresh file (served without delay).
    sim.clear_faults();
    const Limits l = measure_limits(sim, limits_file, mapping, o.page_size, o.pages_per_transaction,
                                    o.database, now);
    const double sim_hwm = process_hwm_mb(sim_pid);
    const double rss = peak_rss_mb();
    const double n = static_cast<double>(l.records);
    std::printf("limits over %zu records in %zu pages (%.1f MB of bodies, %.0f bytes a record):\n",
                l.records, l.pages, static_cast<double>(l.bytes) / 1e6,
                n > 0 ? static_cast<double>(l.bytes) / n : 0.0);
    std::printf("  motcua-sim serving alone  %.2f s = %s records/s (its CPU: %.1f us a record)\n",
                l.fetch_seconds, rate(n, l.fetch_seconds).c_str(),
                1e6 * l.sim_cpu / std::max(n, 1.0));
    std::printf("  Boost.JSON parsing alone  %.2f s = %s records/s (%.0f MB/s)\n", l.parse_seconds,
                rate(n, l.parse_seconds).c_str(),
                static_cast<double>(l.bytes) / 1e6 / std::max(l.parse_seconds, 1e-9));
    std::printf("  mapping alone             %.2f s = %s records/s\n", l.map_seconds,
                rate(n, l.map_seconds).c_str());
    std::printf("  SQLite inserting alone    %.2f s = %s records/s\n", l.insert_seconds,
                rate(n, l.insert_seconds).c_str());
    std::printf("peak RSS %.1f MB (motcua-sim: %.1f MB)\n", rss, sim_hwm);

    std::printf(
        "{\"dossiers\":%llu,\"page_size\":%zu,\"seed\":%llu,\"records\":%zu,\"seconds\":%.3f,"
        "\"records_per_second\":%.0f,\"json_parse_records_per_second\":%.0f,"
        "\"map_records_per_second\":%.0f,\"sqlite_insert_records_per_second\":%.0f,"
        "\"sim_serve_records_per_second\":%.0f,\"incremental_records\":%zu,"
        "\"incremental_changed_share\":%.4f,\"incremental_seconds\":%.3f,\"peak_rss_mb\":%.1f,"
        "\"sim_peak_rss_mb\":%.1f}\n",
        static_cast<unsigned long long>(o.dossiers), o.page_size,
        static_cast<unsigned long long>(o.seed), full.report.records, full.seconds,
        static_cast<double>(full.report.records) / full.seconds,
        n / std::max(l.parse_seconds, 1e-9), n / std::max(l.map_seconds, 1e-9),
        n / std::max(l.insert_seconds, 1e-9), n / std::max(l.fetch_seconds, 1e-9),
        incremental.report.records,
        static_cast<double>(changed) / static_cast<double>(std::max<std::int64_t>(stored, 1)),
        incremental.seconds, rss, sim_hwm);

    if (!o.keep) {
      for (const auto& f : {file, limits_file})
        for (const char* suffix : {"", "-wal", "-shm"})
          fs::remove(f.string() + suffix);
    }

    int status = 0;
    // The sync must have stored every listed dossier, and the limits must have seen them too.
    if (stored != listed || static_cast<std::int64_t>(l.records) < listed ||
        full.report.records < static_cast<std::size_t>(listed)) {
      std::fprintf(stderr, "error: listed %lld, stored %lld, synced %zu, limits saw %zu\n",
                   static_cast<long long>(listed), static_cast<long long>(stored),
                   full.report.records, l.records);
      status = 1;
    }
    if (incremental.report.records == 0) {
      std::fprintf(stderr, "error: the incremental sync stored nothing\n");
      status = 1;
    }
    if (o.check) {
      const double e2e = static_cast<double>(full.report.records) / full.seconds;
      if (e2e < kTargetRecordsPerSecond || incremental.seconds > kTargetIncrementalSeconds ||
          rss > kTargetPeakRssMb) {
        std::fprintf(stderr, "a target is missed\n");
        status = 1;
      }
    }
    return status;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "motcua-bench-ingest: %s\n", e.what());
    return 1;
  }
}
