#pragma once
// One cycle over every source: read, map, evaluate. Used by --once, --demo and (later) each
// scheduled cycle's evaluation.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "connectors/mapping.hpp"
#include "sla/rules.hpp"
#include "store/database.hpp"
#include "store/dossier_store.hpp"
#include "store/portal_store.hpp"
#include "store/quarantine.hpp"
#include "store/state_lock.hpp"
#include "store/sync_state.hpp"

namespace motcua::daemon {

struct SourceRun {
  std::string name;
  bool evaluated = false;  // every dossier it holds was evaluated (its alerts may resolve)
  bool read = false;       // the source answered (bad records may still have been skipped)
  std::string error;       // why it could not be read
  std::size_t records = 0;
  std::size_t dossiers = 0;
  std::size_t bad = 0;
  std::size_t duplicates = 0;
};

// What the alerting step of a cycle did.
struct AlertRun {
  bool enabled = false;  // the config has routes
  std::size_t fired = 0, changed = 0, resolved = 0;
  std::size_t notifications = 0, outbox_rows = 0, unrouted = 0;
  std::size_t attempted = 0, delivered = 0, retried = 0, dead = 0, expired = 0;
  std::int64_t pending = 0;  // outbox rows still waiting (e-mail for the next working session…)
};

struct AlertOptions {
  const sla::WorkingCalendar* calendar = nullptr;
  bool deliver = true;  // false: --dry-run, alerts and outbox are not touched at all
};

struct CycleResult {
  std::vector<sla::Finding> findings;  // sorted by dossier, then rule
  std::vector<SourceRun> sources;
  AlertRun alerts;
  bool all_sources_read() const;
  std::size_t records() const;
  std::size_t bad() const;
};

// The connection a sync writes through (the service's sync jobs, --once), and so the ingest
// benchmark's. A page cache four times the default (256 MB, with 40 pages a transaction)
// measured 6 % more records/s in a full sync of a million dossiers, for 195 MB more peak memory
// and a slower incremental sync: not worth it.
inline constexpr store::DatabaseOptions kSyncDatabaseOptions{};

// The store over one connection to the state file. The daemon's first connection takes the
// state lock (one daemon per state file); its other threads open connections of their own
// without it.
struct StateStore {
  explicit StateStore(const std::filesystem::path& file, bool take_lock = true,
                      const store::DatabaseOptions& options = {});
  std::unique_ptr<store::StateLock> lock;  // null for the process's other connections
  store::Database db;
  store::DossierStore dossiers;
  store::SyncState sync;
  store::PortalStore portal;
  store::Quarantine quarantine;
};

// A sync or an evaluation gave up because the service is stopping; what it committed is kept.
class Cancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The mapping of every configured source, in config order. Problems (an unknown logical field
// name, a bad date format, a status code outside 1–10) are config errors at the key.
std::vector<connectors::RecordMapping> record_mappings(const config::Config& cfg);

// Reads every source, logs each bad record with its position and reason, evaluates every dossier.
// With `alerts` (and routes in the config) the findings then become alerts in the state file, every
// group is flushed to the outbox (--once does not wait for group_wait) and the outbox is
// delivered once.
CycleResult run_cycle(const config::Config& cfg,
                      const std::vector<connectors::RecordMapping>& mappings,
                      const sla::Evaluator& evaluator, sla::Instant now,
                      const AlertOptions* alerts = nullptr);

// One source's turn: `motcua` syncs incrementally into the store, `dvc` looks the stored dossiers
// up on the portal, `file` only checks the file is there (it is read when evaluated). A failure is
// reported in `run` (read, error) and logged; a stop throws Cancelled.
void sync_one(const config::Config& cfg, const std::vector<connectors::RecordMapping>& mappings,
              std::size_t index, StateStore& state, sla::Instant now, SourceRun& run,
              std::stop_token stop = {});

// Evaluates every source as of `now`: file sources are read now, stored ones read from `state`
// (which may be null when there are none), then each stored source's health (source_stale).
// Fills result.findings (sorted) and each source's `evaluated` and `dossiers`; keeps the file
// sources' dossiers in `file_dossiers` when given. A stop throws Cancelled between batches.
void evaluate_sources(const config::Config& cfg,
                      const std::vector<connectors::RecordMapping>& mappings,
                      const sla::Evaluator& evaluator, StateStore* state, sla::Instant now,
                      CycleResult& result, std::vector<sla::Dossier>* file_dossiers = nullptr,
                      std::stop_token stop = {});

// The findings of `result` into the alert table in one reconcile; the alerts of sources not
// completely evaluated are kept, not resolved. Counts transitions into `out`.
void record_alerts(const config::Config& cfg, store::Database& db, const CycleResult& result,
                   sla::Instant now, AlertRun& out);

// "8 records read, 1 bad, 12 findings (overdue 3, due_soon 1, …)"
std::string cycle_summary(const CycleResult& r);

}  // namespace motcua::daemon
