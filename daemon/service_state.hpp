#pragma once
// What the running service knows at a moment, shared between its threads and read by the HTTP
// status API: the configuration in force, the latest evaluation and each source's sync state.
// Every getter returns a value or an immutable snapshot, so a reader never holds a lock while it
// formats an answer, and a sync or an evaluation never waits for a reader.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "connectors/mapping.hpp"
#include "sla/calendar.hpp"
#include "sla/dossier.hpp"
#include "sla/finding.hpp"
#include "sla/rules.hpp"

namespace motcua::daemon {

class Metrics;

// Everything derived from one configuration file; replaced as a whole when SIGHUP brings a valid
// new one, so a cycle that started on the old configuration finishes on it.
struct Runtime {
  // Throws config::ConfigErrors (FILE:LINE:COL) for a config, mapping, template, calendar or
  // token file that is not usable.
  static std::shared_ptr<const Runtime> load(const std::filesystem::path& config_file);
  // From a config already loaded (tests, the demo).
  static std::shared_ptr<const Runtime> from(config::Config cfg);

  explicit Runtime(config::Config c);
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  config::Config cfg;
  std::vector<connectors::RecordMapping> mappings;  // one per source, in config order
  sla::WorkingCalendar calendar;
  sla::Evaluator evaluator;              // refers to `calendar`
  std::optional<std::string> api_token;  // from [daemon] api_token_file; none: writes refused
};

// One evaluation of every source's dossiers, immutable once published.
struct Evaluation {
  sla::Instant at{};                   // the instant evaluated as of
  std::vector<sla::Finding> findings;  // sorted by dossier, then rule (sla::finding_less)
  std::int64_t dossiers = 0;           // dossiers evaluated
  // The dossiers of `kind = "file"` sources, which are read each cycle and never stored (the
  // store's dossiers are read from the store).
  std::vector<sla::Dossier> file_dossiers;
  // The sources whose stored dossiers were evaluated (the configured `motcua` sources): a source
  // removed from the config keeps its rows in the store but no longer counts.
  std::vector<std::string> stored_sources;
  std::chrono::milliseconds took{0};
};

// A source as the service sees it. Store-backed facts (last success, error) survive restarts;
// the counters count since the process started.
struct SourceStatus {
  std::string name;
  config::SourceKind kind = config::SourceKind::file;
  bool synced_once = false;  // since start: a sync or read that reached the source
  bool running = false;      // a sync is in progress now
  std::optional<sla::Instant> last_attempt;
  std::optional<sla::Instant> last_success;
  std::optional<sla::Instant> last_failure;
  std::string last_error;
  int consecutive_failures = 0;
  std::optional<sla::Instant> next_run;
  std::int64_t dossiers = 0;   // held now (stored, or read from the file)
  std::uint64_t syncs = 0;     // since start
  std::uint64_t failures = 0;  // since start
  std::uint64_t records = 0;   // fetched since start
  std::uint64_t bad = 0;       // quarantined since start
  std::chrono::milliseconds last_duration{0};
};

class ServiceState {
 public:
  using Clock = std::function<sla::Instant()>;
  // `clock` gives "now" to everything that asks (the API's ages and periods); `metrics` may be
  // shared by several states in tests.
  ServiceState(std::shared_ptr<const Runtime> runtime, Clock clock,
               std::shared_ptr<Metrics> metrics);

  std::shared_ptr<const Runtime> runtime() const;
  void set_runtime(std::shared_ptr<const Runtime> runtime);

  // Null before the first evaluation.
  std::shared_ptr<const Evaluation> evaluation() const;
  void publish(std::shared_ptr<const Evaluation> evaluation);

  // In config order.
  std::vector<SourceStatus> sources() const;
  void set_sources(std::vector<SourceStatus> sources);
  // Changes one source's status under the lock; nothing happens for an unknown name.
  void update_source(const std::string& name, const std::function<void(SourceStatus&)>& change);

  // Every source has been read once since start (readiness); else why not, e.g.
  // "source motcua has not synced yet".
  std::optional<std::string> not_ready() const;

  sla::Instant now() const { return clock_(); }
  sla::Instant started_at() const { return started_at_; }
  Metrics& metrics() const { return *metrics_; }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Runtime> runtime_;
  std::shared_ptr<const Evaluation> evaluation_;
  std::vector<SourceStatus> sources_;
  Clock clock_;
  sla::Instant started_at_;
  std::shared_ptr<Metrics> metrics_;
};

}  // namespace motcua::daemon
