#pragma once
// One cycle over every source: read, map, evaluate. Used by --once, --demo and (later) each
// scheduled cycle's evaluation.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "connectors/mapping.hpp"
#include "sla/rules.hpp"

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

// "8 records read, 1 bad, 12 findings (overdue 3, due_soon 1, …)"
std::string cycle_summary(const CycleResult& r);

}  // namespace motcua::daemon
