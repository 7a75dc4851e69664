// The counters, and the exposition in the Prometheus text format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): every family once, with its
// HELP and TYPE lines before its samples, label values escaped, counters ending in `_total` and
// units in base units (seconds) in the name, as `promtool check metrics` lints them.
#include "daemon/metrics.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "daemon/service_state.hpp"
#include "daemon/version.hpp"
#include "sla/finding.hpp"
#include "store/alert_store.hpp"
#include "store/outbox.hpp"
#include "store/silence_store.hpp"

namespace motcua::daemon {

namespace {

using namespace std::chrono;

// Bucket bounds in seconds. A sync of a large province's first page set takes minutes, an
// incremental one seconds; an API answer is milliseconds unless it streams the findings.
constexpr std::array<double, 11> kSyncBuckets{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
constexpr std::array<double, 10> kEvaluationBuckets{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
constexpr std::array<double, 11> kHttpBuckets{0.0005, 0.001, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,   1,    2.5};

struct Histogram {
  std::vector<std::uint64_t> in_bucket;  // per bound, not cumulative; beyond the last: +Inf only
  std::uint64_t count = 0;
  double sum = 0;

  void observe(std::span<const double> bounds, double value) {
    if (in_bucket.empty()) in_bucket.assign(bounds.size(), 0);
    const auto it = std::lower_bound(bounds.begin(), bounds.end(), value);
    if (it != bounds.end()) ++in_bucket[static_cast<std::size_t>(it - bounds.begin())];
    ++count;
    sum += value;
  }
};

struct SourceCounters {
  std::uint64_t syncs = 0;
  std::uint64_t failures = 0;
  std::uint64_t records = 0;
  std::uint64_t bad = 0;
  Histogram duration;
};

double seconds_of(std::chrono::duration<double> d) {
  return d.count();
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 32> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc{} ? std::string(buf.data(), end) : std::string("NaN");
}

// Bucket bounds as people write them ("0.0005", not "5e-04"): a query names them in `le`.
std::string format_bound(double v) {
  std::array<char, 32> buf{};
  const auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed);
  return ec == std::errc{} ? std::string(buf.data(), end) : format_value(v);
}

// Label values may hold any UTF-8 (Vietnamese agency names); the format reserves only these three.
void append_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

using Label = std::pair<std::string_view, std::string_view>;

// `a="x",b="y"`, without braces, so a histogram can append `le`.
std::string label_body(std::initializer_list<Label> labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!out.empty()) out += ',';
    out += name;
    out += "=\"";
    append_label_value(out, value);
    out += '"';
  }
  return out;
}

// Builds the exposition family by family, so no family's samples can interleave with another's.
class Exposition {
 public:
  // HELP text escapes backslash and newline only.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    for (const char c : help) {
      if (c == '\\')
        out_ += "\\\\";
      else if (c == '\n')
        out_ += "\\n";
      else
        out_ += c;
    }
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void sample(std::string_view name, std::string_view body, double value) {
    out_ += name;
    if (!body.empty()) {
      out_ += '{';
      out_ += body;
      out_ += '}';
    }
    out_ += ' ';
    out_ += format_value(value);
    out_ += '\n';
  }

  void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
    sample(name, label_body(labels), value);
  }

  void histogram(std::string_view name, std::initializer_list<Label> labels,
                 std::span<const double> bounds, const Histogram& h) {
    const std::string body = label_body(labels);
    const std::string prefix = body.empty() ? std::string() : body + ",";
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += i < h.in_bucket.size() ? h.in_bucket[i] : 0;
      sample(bucket, prefix + "le=\"" + format_bound(bounds[i]) + "\"",
             static_cast<double>(cumulative));
    }
    sample(bucket, prefix + "le=\"+Inf\"", static_cast<double>(h.count));
    sample(std::string(name) + "_sum", body, h.sum);
    sample(std::string(name) + "_count", body, static_cast<double>(h.count));
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

double unix_seconds(sla::Instant t) {
  return static_cast<double>(t.time_since_epoch().count());
}

// Fixed, so the route label has a bounded set of values whatever paths clients send.
constexpr std::array<std::string_view, 11> kRoutePatterns{
    "/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/status",
    "/api/v1/findings",
    "/api/v1/dossiers/{code}",
    "/api/v1/alerts",
    "/api/v1/silences",
    "/api/v1/silences/{id}",
    "/api/v1/indicators",
};

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path == "/") return segments;
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

}  // namespace

struct Metrics::Impl {
  std::map<std::string, SourceCounters, std::less<>> sources;
  std::uint64_t evaluations = 0;
  std::optional<std::int64_t> last_evaluation_dossiers;
  Histogram evaluation_duration;
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> notifications;
  std::map<std::pair<std::string, int>, std::uint64_t> http_requests;
  std::map<std::string, Histogram, std::less<>> http_duration;
  std::uint64_t reloads_ok = 0;
  std::uint64_t reloads_failed = 0;
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::sync_finished(std::string_view source, bool ok, std::chrono::milliseconds took,
                            std::uint64_t records, std::uint64_t bad) {
  std::lock_guard lock(mutex_);
  auto it = impl_->sources.find(source);
  if (it == impl_->sources.end())
    it = impl_->sources.emplace(std::string(source), SourceCounters{}).first;
  auto& s = it->second;
  ++s.syncs;
  if (!ok) ++s.failures;
  s.records += records;
  s.bad += bad;
  s.duration.observe(kSyncBuckets, seconds_of(took));
}

void Metrics::evaluation_finished(std::chrono::milliseconds took, std::int64_t dossiers) {
  std::lock_guard lock(mutex_);
  ++impl_->evaluations;
  impl_->last_evaluation_dossiers = dossiers;
  impl_->evaluation_duration.observe(kEvaluationBuckets, seconds_of(took));
}

void Metrics::notification_attempt(std::string_view receiver, std::string_view channel,
                                   std::string_view outcome) {
  std::lock_guard lock(mutex_);
  ++impl_->notifications[{std::string(receiver), std::string(channel), std::string(outcome)}];
}

void Metrics::http_request(std::string_view route, int status, std::chrono::microseconds took) {
  std::lock_guard lock(mutex_);
  ++impl_->http_requests[{std::string(route), status}];
  auto it = impl_->http_duration.find(route);
  if (it == impl_->http_duration.end())
    it = impl_->http_duration.emplace(std::string(route), Histogram{}).first;
  it->second.observe(kHttpBuckets, seconds_of(took));
}

void Metrics::config_reload(bool ok) {
  std::lock_guard lock(mutex_);
  ++(ok ? impl_->reloads_ok : impl_->reloads_failed);
}

std::string Metrics::render(const ServiceState& state, store::Database& db) const {
  // The counters are copied (a few dozen entries) so the lock is not held while the store is read.
  Impl counters;
  {
    std::lock_guard lock(mutex_);
    counters = *impl_;
  }
  const auto runtime = state.runtime();
  const auto evaluation = state.evaluation();
  const auto sources = state.sources();
  const sla::Instant now = state.now();

  Exposition x;

  x.family("motcua_build_info", "gauge", "The motcua-watchd version, as a label; always 1.");
  x.sample("motcua_build_info", {{"version", kVersion}}, 1);
  x.family("motcua_start_time_seconds", "gauge", "When the service started, in Unix seconds.");
  x.sample("motcua_start_time_seconds", {}, unix_seconds(state.started_at()));
  x.family("motcua_uptime_seconds", "gauge", "Seconds since the service started.");
  x.sample("motcua_uptime_seconds", {}, seconds_of(now - state.started_at()));

  if (runtime) {
    // The current and the next year decide every deadline that is open now.
    const int year =
        static_cast<int>(std::chrono::year_month_day(runtime->calendar.local_date(now)).year());
    const bool unconfirmed = !runtime->calendar.unconfirmed_years(year, year + 1).empty();
    x.family("motcua_calendar_unconfirmed", "gauge",
             "1 when the current or the next year has no official holiday table, so deadlines "
             "there rest on holidays computed from the statutes.");
    x.sample("motcua_calendar_unconfirmed", {}, unconfirmed ? 1 : 0);
  }

  // Every configured source has series from the start, so a rate() over a source that has not
  // synced yet is 0, not absent; a source dropped by a reload keeps its counters.
  std::vector<std::string> names;
  for (const auto& s : sources)
    names.push_back(s.name);
  for (const auto& [name, c] : counters.sources)
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  const auto counters_of = [&](const std::string& name) -> const SourceCounters& {
    static const SourceCounters kNone;
    const auto it = counters.sources.find(name);
    return it == counters.sources.end() ? kNone : it->second;
  };

  x.family("motcua_source_up", "gauge", "1 when the source's last sync succeeded.");
  for (const auto& s : sources)
    x.sample("motcua_source_up", {{"source", s.name}}, s.consecutive_failures == 0 ? 1 : 0);
  x.family("motcua_source_consecutive_failures", "gauge",
           "Syncs of the source that failed in a row since the last success.");
  for (const auto& s : sources)
    x.sample("motcua_source_consecutive_failures", {{"source", s.name}}, s.consecutive_failures);
  x.family("motcua_source_last_success_timestamp_seconds", "gauge",
           "When the source last synced successfully, in Unix seconds.");
  for (const auto& s : sources)
    if (s.last_success)
      x.sample("motcua_source_last_success_timestamp_seconds", {{"source", s.name}},
               unix_seconds(*s.last_success));
  x.family("motcua_source_lag_seconds", "gauge",
           "Seconds since the source last synced successfully.");
  for (const auto& s : sources)
    if (s.last_success)
      x.sample("motcua_source_lag_seconds", {{"source", s.name}},
               seconds_of(now - *s.last_success));
  x.family("motcua_source_dossiers", "gauge", "Dossiers of the source held now.");
  for (const auto& s : sources)
    x.sample("motcua_source_dossiers", {{"source", s.name}}, static_cast<double>(s.dossiers));

  x.family("motcua_source_syncs_total", "counter", "Syncs of the source that ended.");
  for (const auto& n : names)
    x.sample("motcua_source_syncs_total", {{"source", n}},
             static_cast<double>(counters_of(n).syncs));
  x.family("motcua_source_sync_failures_total", "counter",
           "Syncs of the source that failed or stopped midway.");
  for (const auto& n : names)
    x.sample("motcua_source_sync_failures_total", {{"source", n}},
             static_cast<double>(counters_of(n).failures));
  x.family("motcua_source_sync_duration_seconds", "histogram",
           "How long a sync of the source took.");
  for (const auto& n : names)
    x.histogram("motcua_source_sync_duration_seconds", {{"source", n}}, kSyncBuckets,
                counters_of(n).duration);
  x.family("motcua_source_records_fetched_total", "counter", "Records fetched from the source.");
  for (const auto& n : names)
    x.sample("motcua_source_records_fetched_total", {{"source", n}},
             static_cast<double>(counters_of(n).records));
  x.family("motcua_source_records_bad_total", "counter",
           "Records of the source that could not be read and were quarantined.");
  for (const auto& n : names)
    x.sample("motcua_source_records_bad_total", {{"source", n}},
             static_cast<double>(counters_of(n).bad));

  x.family("motcua_evaluations_total", "counter", "Evaluations of every dossier that ended.");
  x.sample("motcua_evaluations_total", {}, static_cast<double>(counters.evaluations));
  x.family("motcua_evaluation_duration_seconds", "histogram",
           "How long an evaluation of every dossier took.");
  x.histogram("motcua_evaluation_duration_seconds", {}, kEvaluationBuckets,
              counters.evaluation_duration);
  const std::optional<std::int64_t> evaluated =
      evaluation ? std::optional(evaluation->dossiers) : counters.last_evaluation_dossiers;
  if (evaluated) {
    x.family("motcua_evaluation_dossiers", "gauge", "Dossiers the latest evaluation judged.");
    x.sample("motcua_evaluation_dossiers", {}, static_cast<double>(*evaluated));
  }
  if (evaluation) {
    x.family("motcua_evaluation_timestamp_seconds", "gauge",
             "The instant the published evaluation judged as of, in Unix seconds.");
    x.sample("motcua_evaluation_timestamp_seconds", {}, unix_seconds(evaluation->at));

    // Views into the evaluation, which the shared_ptr keeps alive until the end of render.
    std::map<std::tuple<sla::Rule, sla::Severity, std::string_view>, std::int64_t> findings;
    for (const auto& f : evaluation->findings)
      ++findings[{f.rule, f.severity, f.agency}];
    x.family("motcua_findings", "gauge",
             "Findings of the published evaluation by rule, severity and agency code.");
    for (const auto& [key, n] : findings) {
      const auto& [rule, severity, agency] = key;
      x.sample("motcua_findings",
               {{"rule", sla::rule_name(rule)},
                {"severity", sla::severity_name(severity)},
                {"agency", agency}},
               static_cast<double>(n));
    }
  }

  x.family("motcua_alerts", "gauge", "Stored alerts by state.");
  x.sample("motcua_alerts", {{"state", "firing"}},
           static_cast<double>(store::AlertStore(db).count_firing()));
  x.family("motcua_silences_active", "gauge", "Silences in force now.");
  x.sample("motcua_silences_active", {},
           static_cast<double>(store::SilenceStore(db).active(now).size()));

  x.family("motcua_notifications_total", "counter",
           "Delivery attempts of notifications by receiver, channel and outcome.");
  for (const auto& [key, n] : counters.notifications) {
    const auto& [receiver, channel, outcome] = key;
    x.sample("motcua_notifications_total",
             {{"receiver", receiver}, {"channel", channel}, {"outcome", outcome}},
             static_cast<double>(n));
  }
  const auto outbox = store::Outbox(db).counts();
  x.family("motcua_outbox_rows", "gauge", "Rows of the notification outbox by state.");
  x.sample("motcua_outbox_rows", {{"state", store::outbox_state_name(store::OutboxState::pending)}},
           static_cast<double>(outbox.pending));
  x.sample("motcua_outbox_rows",
           {{"state", store::outbox_state_name(store::OutboxState::delivered)}},
           static_cast<double>(outbox.delivered));
  x.sample("motcua_outbox_rows", {{"state", store::outbox_state_name(store::OutboxState::dead)}},
           static_cast<double>(outbox.dead));

  x.family("motcua_http_requests_total", "counter",
           "HTTP requests answered by route pattern and status code.");
  for (const auto& [key, n] : counters.http_requests)
    x.sample("motcua_http_requests_total",
             {{"route", key.first}, {"code", std::to_string(key.second)}}, static_cast<double>(n));
  x.family("motcua_http_request_duration_seconds", "histogram",
           "Time from a request's first byte to its response's last, by route pattern.");
  for (const auto& [route, h] : counters.http_duration)
    x.histogram("motcua_http_request_duration_seconds", {{"route", route}}, kHttpBuckets, h);

  x.family("motcua_config_reloads_total", "counter",
           "Configuration reloads (SIGHUP) by result: ok (in force) or failed (the old one kept).");
  x.sample("motcua_config_reloads_total", {{"result", "ok"}},
           static_cast<double>(counters.reloads_ok));
  x.sample("motcua_config_reloads_total", {{"result", "failed"}},
           static_cast<double>(counters.reloads_failed));

  return x.take();
}

std::string route_label(std::string_view path) {
  if (path.empty() || path.front() != '/') return "other";
  const auto segments = split_path(path);
  for (const auto pattern : kRoutePatterns) {
    const auto parts = split_path(pattern);
    if (parts.size() != segments.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < parts.size() && match; ++i) {
      if (parts[i].starts_with('{'))
        match = !segments[i].empty();
      else
        match = parts[i] == segments[i];
    }
    if (match) return std::string(pattern);
  }
  return "other";
}

}  // namespace motcua::daemon
