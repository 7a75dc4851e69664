// motcua-bench-evaluate: evaluates synthetic running dossiers against every dossier rule and
// measures the working calendar. Target (the issue): 1,000,000 dossiers in under 1 s on one core
// and under 300 MB peak memory. bench/README.md explains the numbers and how to run it.
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/measure.hpp"
#include "config/holidays.hpp"
#include "simulator/synthetic_dossiers.hpp"
#include "sla/calendar.hpp"
#include "sla/finding.hpp"
#include "sla/rules.hpp"
#include "sla/time.hpp"

namespace {

using motcua::bench::parse_count;
using motcua::bench::peak_rss_mb;
using motcua::bench::seconds_of;

namespace sim = motcua::sim;
namespace config = motcua::config;
namespace sla = motcua::sla;
using Stopwatch = std::chrono::steady_clock;
using std::chrono::seconds;

constexpr std::string_view kUsage =
    "usage: motcua-bench-evaluate [--dossiers N] [--batch N] [--seed N] [--now RFC3339]\n"
    "                             [--calendar-ops N] [--check]\n"
    "  --dossiers N      dossiers to generate and evaluate (default 1000000)\n"
    "  --batch N         dossiers generated and evaluated at a time (default 10000)\n"
    "  --seed N          seed of the synthetic data (default 20260310)\n"
    "  --now T           the instant of evaluation (default 2026-03-10T10:00:00+07:00)\n"
    "  --calendar-ops N  calls per working-calendar operation (default 4000000)\n"
    "  --check           exit 1 if evaluation takes over 1 s or peak RSS exceeds 300 MB\n";

// The targets, checked with --check.
constexpr double kTargetEvaluateSeconds = 1.0;
constexpr double kTargetPeakRssMb = 300.0;

// Rules the synthetic data must trigger; none of them firing means the generator is broken.
constexpr std::array kMustFire{
    sla::Rule::overdue,         sla::Rule::due_soon,     sla::Rule::step_overdue,
    sla::Rule::apology_missing, sla::Rule::apology_late, sla::Rule::repeat_supplement,
    sla::Rule::reason_missing,
};

struct Options {
  std::uint64_t dossiers = 1'000'000;
  std::uint64_t batch = 10'000;
  std::uint64_t seed = 20260310;
  sla::Instant now = *sla::parse_rfc3339("2026-03-10T10:00:00+07:00");
  std::uint64_t calendar_ops = 4'000'000;
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
    if (arg != "--dossiers" && arg != "--batch" && arg != "--seed" && arg != "--now" &&
        arg != "--calendar-ops") {
      std::fprintf(stderr, "motcua-bench-evaluate: unknown option %s\n", argv[i]);
      return false;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "motcua-bench-evaluate: %s needs a value\n", argv[i]);
      return false;
    }
    const std::string_view value = argv[++i];
    bool ok = false;
    if (arg == "--dossiers") {
      ok = parse_count(value, o.dossiers);
    } else if (arg == "--batch") {
      ok = parse_count(value, o.batch) && o.batch > 0;
    } else if (arg == "--seed") {
      ok = parse_count(value, o.seed);
    } else if (arg == "--calendar-ops") {
      ok = parse_count(value, o.calendar_ops);
    } else {
      const auto t = sla::parse_rfc3339(value);
      if (t) o.now = *t;
      ok = t.has_value();
    }
    if (!ok) {
      std::fprintf(stderr, "motcua-bench-evaluate: bad value '%s' for %s\n", argv[i], argv[i - 1]);
      return false;
    }
  }
  return true;
}

// A field of /proc/self/status such as VmHWM, in MB (0 when unavailable).
double proc_status_mb(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, field.size(), field) == 0 && line.size() > field.size() &&
        line[field.size()] == ':')
      return std::strtod(line.c_str() + field.size() + 1, nullptr) / 1024.0;
  return 0;
}

struct DataMix {
  std::array<std::uint64_t, 5> by_clock{};  // sla::Clock
  std::uint64_t steps = 0;
  std::uint64_t with_supplements = 0;
  std::uint64_t with_repeat_supplements = 0;
  std::uint64_t with_apologies = 0;
  std::uint64_t with_second_apology = 0;

  void add(const sla::Dossier& d) {
    ++by_clock[static_cast<std::size_t>(d.clock())];
    steps += d.steps.size();
    with_supplements += !d.supplements.empty();
    with_repeat_supplements += d.supplements.size() > 1;
    with_apologies += !d.apologies.empty();
    with_second_apology += d.apologies.size() > 1;
  }
};

struct EvaluationResult {
  std::uint64_t dossiers = 0;
  Stopwatch::duration generate{};
  Stopwatch::duration evaluate{};
  std::array<std::uint64_t, sla::kRuleCount> per_rule{};
  std::uint64_t findings = 0;
  std::uint64_t message_bytes = 0;
  std::size_t largest_batch_findings = 0;
  DataMix mix;
};

// Generates and evaluates in batches, reusing both vectors, as the daemon reads its store in
// batches; only Evaluator::evaluate is timed.
EvaluationResult run_evaluation(const Options& o, const sla::WorkingCalendar& calendar) {
  const sla::Evaluator evaluator(calendar, sla::RulesConfig{});
  sim::SyntheticDossiers generator(calendar, o.now, o.seed);
  std::vector<sla::Dossier> dossiers;
  std::vector<sla::Finding> findings;
  dossiers.reserve(static_cast<std::size_t>(std::min(o.batch, o.dossiers)));

  EvaluationResult r;
  while (r.dossiers < o.dossiers) {
    const auto n = static_cast<std::size_t>(std::min(o.batch, o.dossiers - r.dossiers));
    dossiers.clear();
    const auto t0 = Stopwatch::now();
    generator.append(n, dossiers);
    const auto t1 = Stopwatch::now();
    for (const sla::Dossier& d : dossiers)
      evaluator.evaluate(d, o.now, findings);
    const auto t2 = Stopwatch::now();
    r.generate += t1 - t0;
    r.evaluate += t2 - t1;

    for (const sla::Finding& f : findings) {
      ++r.per_rule[static_cast<std::size_t>(f.rule)];
      r.message_bytes += f.message.size();
    }
    for (const sla::Dossier& d : dossiers)
      r.mix.add(d);
    r.findings += findings.size();
    r.largest_batch_findings = std::max(r.largest_batch_findings, findings.size());
    findings.clear();
    r.dossiers += n;
  }
  return r;
}

struct CalendarRate {
  const char* name;
  double ops_per_second = 0;
};

// Calls per operation over random instants in 2023–2027 (local time), cycling through a pool that
// fits in cache so that the calendar, not the pool, is measured.
std::array<CalendarRate, 4> run_calendar(const Options& o, const sla::WorkingCalendar& calendar,
                                         std::int64_t& checksum) {
  constexpr std::size_t kPool = 1 << 16;
  std::mt19937_64 engine(o.seed ^ 0x9e3779b97f4a7c15ULL);
  const auto first = sla::at_local(std::chrono::sys_days{std::chrono::year{2023} / 1 / 1},
                                   seconds::zero(), calendar.utc_offset());
  const auto last = sla::at_local(std::chrono::sys_days{std::chrono::year{2028} / 1 / 1},
                                  seconds::zero(), calendar.utc_offset());
  const auto span = static_cast<std::uint64_t>((last - first).count());
  std::vector<sla::Instant> a(kPool), b(kPool);
  std::vector<seconds> amount(kPool);
  std::vector<sla::Date> day(kPool);
  for (std::size_t i = 0; i < kPool; ++i) {
    a[i] = first + seconds(engine() % span);
    b[i] = first + seconds(engine() % span);
    // Up to 20 working days, the longest procedure deadline.
    amount[i] = seconds(engine() % (20 * calendar.working_day_length().count() + 1));
    day[i] = calendar.local_date(a[i]);
  }

  std::array<CalendarRate, 4> rates{{{"working_time_between"},
                                     {"add_working_time"},
                                     {"normalize_receipt"},
                                     {"working_day_before"}}};
  auto measure = [&](CalendarRate& rate, auto&& op) {
    std::int64_t sum = 0;
    const auto t0 = Stopwatch::now();
    for (std::uint64_t i = 0; i < o.calendar_ops; ++i)
      sum += op(i & (kPool - 1));
    const double s = seconds_of(Stopwatch::now() - t0);
    rate.ops_per_second = s > 0 ? static_cast<double>(o.calendar_ops) / s : 0;
    checksum ^= sum;
  };
  measure(rates[0],
          [&](std::size_t i) { return calendar.working_time_between(a[i], b[i]).count(); });
  measure(rates[1], [&](std::size_t i) {
    return calendar.add_working_time(a[i], amount[i]).time_since_epoch().count();
  });
  measure(rates[2], [&](std::size_t i) {
    return calendar.normalize_receipt(a[i]).time_since_epoch().count();
  });
  measure(rates[3], [&](std::size_t i) {
    return static_cast<std::int64_t>(
        calendar.working_day_before(day[i]).time_since_epoch().count());
  });
  return rates;
}

double percent(std::uint64_t part, std::uint64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_options(argc, argv, o)) {
    std::fputs(kUsage.data(), stderr);
    return 2;
  }

  sla::CalendarSettings settings;
  settings.tables = config::builtin_holiday_tables();
  const sla::WorkingCalendar calendar(std::move(settings));

  std::printf("motcua-bench-evaluate: %llu dossiers in batches of %llu, seed %llu, now %s\n",
              static_cast<unsigned long long>(o.dossiers), static_cast<unsigned long long>(o.batch),
              static_cast<unsigned long long>(o.seed),
              sla::format_rfc3339(o.now, calendar.utc_offset()).c_str());

  const EvaluationResult r = run_evaluation(o, calendar);
  const double rss_after_evaluate = peak_rss_mb();
  const double evaluate_s = seconds_of(r.evaluate);
  const double per_second = evaluate_s > 0 ? static_cast<double>(r.dossiers) / evaluate_s : 0;

  const auto& c = r.mix.by_clock;
  std::printf(
      "data: running %.1f%%, paused %.1f%%, finished %.1f%%, ended %.1f%%, not started %.1f%%; "
      "%.2f steps per dossier; supplementation %.1f%% (2 or more %.1f%%); apologies %.1f%% "
      "(2 or more %.1f%%)\n",
      percent(c[static_cast<std::size_t>(sla::Clock::running)], r.dossiers),
      percent(c[static_cast<std::size_t>(sla::Clock::paused)], r.dossiers),
      percent(c[static_cast<std::size_t>(sla::Clock::finished)], r.dossiers),
      percent(c[static_cast<std::size_t>(sla::Clock::ended)], r.dossiers),
      percent(c[static_cast<std::size_t>(sla::Clock::not_started)], r.dossiers),
      r.dossiers ? static_cast<double>(r.mix.steps) / static_cast<double>(r.dossiers) : 0,
      percent(r.mix.with_supplements, r.dossiers),
      percent(r.mix.with_repeat_supplements, r.dossiers), percent(r.mix.with_apologies, r.dossiers),
      percent(r.mix.with_second_apology, r.dossiers));
  std::printf("generate: %.3f s (not part of the evaluation time)\n", seconds_of(r.generate));
  std::printf("evaluate: %.3f s, %.0f dossiers/s, %.3f us per dossier\n", evaluate_s, per_second,
              r.dossiers ? evaluate_s * 1e6 / static_cast<double>(r.dossiers) : 0);
  std::printf("findings: %llu (%.1f%% of dossiers), %.1f MB of messages, at most %zu per batch\n",
              static_cast<unsigned long long>(r.findings), percent(r.findings, r.dossiers),
              static_cast<double>(r.message_bytes) / (1024.0 * 1024.0), r.largest_batch_findings);
  for (sla::Rule rule : sla::all_rules()) {
    const auto n = r.per_rule[static_cast<std::size_t>(rule)];
    if (n)
      std::printf("  %-18s %9llu  %5.2f%%\n", std::string(sla::rule_name(rule)).c_str(),
                  static_cast<unsigned long long>(n), percent(n, r.dossiers));
  }

  std::int64_t checksum = 0;
  const auto rates = run_calendar(o, calendar, checksum);
  std::printf("calendar (%llu calls each, checksum %llx):\n",
              static_cast<unsigned long long>(o.calendar_ops),
              static_cast<unsigned long long>(checksum));
  for (const auto& rate : rates)
    std::printf("  %-22s %8.1f Mops/s\n", rate.name, rate.ops_per_second / 1e6);

  const double peak = peak_rss_mb();
  std::printf("memory: peak RSS %.1f MB (getrusage; %.1f MB after evaluation), VmHWM %.1f MB\n",
              peak, rss_after_evaluate, proc_status_mb("VmHWM"));

  std::printf(
      "{\"dossiers\":%llu,\"batch\":%llu,\"seed\":%llu,\"generate_seconds\":%.4f,"
      "\"evaluate_seconds\":%.4f,\"dossiers_per_second\":%.0f,\"findings\":%llu,"
      "\"findings_per_rule\":{",
      static_cast<unsigned long long>(r.dossiers), static_cast<unsigned long long>(o.batch),
      static_cast<unsigned long long>(o.seed), seconds_of(r.generate), evaluate_s, per_second,
      static_cast<unsigned long long>(r.findings));
  bool first = true;
  for (sla::Rule rule : sla::all_rules()) {
    const auto n = r.per_rule[static_cast<std::size_t>(rule)];
    if (!n) continue;
    std::printf("%s\"%s\":%llu", first ? "" : ",", std::string(sla::rule_name(rule)).c_str(),
                static_cast<unsigned long long>(n));
    first = false;
  }
  std::printf("},\"peak_rss_mb\":%.1f,\"calendar_ops_per_second\":{", peak);
  for (std::size_t i = 0; i < rates.size(); ++i)
    std::printf("%s\"%s\":%.0f", i ? "," : "", rates[i].name, rates[i].ops_per_second);
  std::printf("}}\n");
  std::fflush(stdout);

  int status = 0;
  if (r.findings == 0) {
    std::fprintf(stderr, "motcua-bench-evaluate: no findings at all: the generator is broken\n");
    status = 1;
  }
  for (sla::Rule rule : kMustFire) {
    if (r.dossiers > 0 && r.per_rule[static_cast<std::size_t>(rule)] == 0) {
      std::fprintf(stderr, "motcua-bench-evaluate: no %s finding: the generator is broken\n",
                   std::string(sla::rule_name(rule)).c_str());
      status = 1;
    }
  }
  if (o.check) {
    if (evaluate_s > kTargetEvaluateSeconds) {
      std::fprintf(stderr, "motcua-bench-evaluate: evaluation took %.3f s, target %.1f s\n",
                   evaluate_s, kTargetEvaluateSeconds);
      status = 1;
    }
    if (peak > kTargetPeakRssMb) {
      std::fprintf(stderr, "motcua-bench-evaluate: peak RSS %.1f MB, target %.0f MB\n", peak,
                   kTargetPeakRssMb);
      status = 1;
    }
  }
  return status;
}
