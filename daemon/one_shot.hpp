#pragma once
// One cycle over every source: read, map, evaluate. Used by --once, --demo and (later) each
// scheduled cycle's evaluation.
#include <cstddef>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "connectors/mapping.hpp"
#include "sla/rules.hpp"

namespace motcua::daemon {

struct SourceRun {
  std::string name;
  bool read = false;  // the source answered (bad records may still have been skipped)
  std::string error;  // why it could not be read
  std::size_t records = 0;
  std::size_t dossiers = 0;
  std::size_t bad = 0;
  std::size_t duplicates = 0;
};

struct CycleResult {
  std::vector<sla::Finding> findings;  // sorted by dossier, then rule
  std::vector<SourceRun> sources;
  bool all_sources_read() const;
  std::size_t records() const;
  std::size_t bad() const;
};

// The mapping of every configured source, in config order. Problems (an unknown logical field
// name, a bad date format, a status code outside 1–10) are config errors at the key.
std::vector<connectors::RecordMapping> record_mappings(const config::Config& cfg);

// Reads every source, logs each bad record with its position and reason, evaluates every dossier.
CycleResult run_cycle(const config::Config& cfg,
                      const std::vector<connectors::RecordMapping>& mappings,
                      const sla::Evaluator& evaluator, sla::Instant now);

// "8 records read, 1 bad, 12 findings (overdue 3, due_soon 1, …)"
std::string cycle_summary(const CycleResult& r);

}  // namespace motcua::daemon
