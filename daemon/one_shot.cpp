#include "daemon/one_shot.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "connectors/file_source.hpp"

namespace motcua::daemon {

bool CycleResult::all_sources_read() const {
  return std::all_of(sources.begin(), sources.end(), [](const SourceRun& s) { return s.read; });
}

std::size_t CycleResult::records() const {
  std::size_t n = 0;
  for (const auto& s : sources)
    n += s.records;
  return n;
}

std::size_t CycleResult::bad() const {
  std::size_t n = 0;
  for (const auto& s : sources)
    n += s.bad;
  return n;
}

std::vector<connectors::RecordMapping> record_mappings(const config::Config& cfg) {
  std::vector<config::ConfigError> errors;
  std::vector<connectors::RecordMapping> out;
  for (const auto& src : cfg.sources) {
    connectors::RecordMapping m;
    m.utc_offset = cfg.daemon.utc_offset;
    for (const auto& f : src.fields) {
      if (!m.fields.set(f.logical, f.upstream)) {
        std::string known;
        for (auto name : connectors::FieldMapping::logical_names()) {
          if (!known.empty()) known += ", ";
          known += name;
        }
        errors.push_back({f.where, "unknown field '" + f.logical + "' (known: " + known + ")"});
      }
    }
    if (auto why = connectors::validate_date_format(src.date_format))
      errors.push_back({src.where, "source '" + src.name + "': date_format: " + *why});
    else
      m.date_format = src.date_format;
    for (const auto& s : src.status_codes) {
      if (s.code < 1 || s.code > sla::kMaxStatus)
        errors.push_back({s.where, "status code '" + s.upstream + "' must map to 1–10"});
      else
        m.status_codes[s.upstream] = static_cast<sla::Status>(s.code);
    }
    m.apology_step_pattern = src.apology_step_pattern;
    out.push_back(std::move(m));
  }
  if (!errors.empty()) throw config::ConfigErrors(std::move(errors));
  return out;
}

CycleResult run_cycle(const config::Config& cfg,
                      const std::vector<connectors::RecordMapping>& mappings,
                      const sla::Evaluator& evaluator, sla::Instant now) {
  CycleResult result;
  for (std::size_t i = 0; i < cfg.sources.size(); ++i) {
    const auto& src = cfg.sources[i];
    SourceRun run;
    run.name = src.name;
    if (src.kind != config::SourceKind::file) {
      run.error = "source kind '" + std::string(config::source_kind_name(src.kind)) +
                  "' needs the HTTP connectors, which this build does not have yet";
      spdlog::error("source {}: {}", src.name, run.error);
      result.sources.push_back(std::move(run));
      continue;
    }
    try {
      auto read = connectors::read_dossier_file(src.path, mappings[i], src.name);
      run.read = true;
      run.records = read.records;
      run.dossiers = read.dossiers.size();
      run.bad = read.bad.size();
      run.duplicates = read.duplicates;
      for (const auto& bad : read.bad)
        spdlog::warn("source {}: {}: {}: bad record skipped: {}", src.name, src.path.string(),
                     bad.position, bad.reason);
      for (const auto& d : read.dossiers)
        evaluator.evaluate(d, now, result.findings);
    } catch (const std::exception& e) {
      run.error = e.what();
      spdlog::error("source {}: {}", src.name, run.error);
    }
    result.sources.push_back(std::move(run));
  }
  std::sort(result.findings.begin(), result.findings.end(), sla::finding_less);
  return result;
}

std::string cycle_summary(const CycleResult& r) {
  std::array<std::size_t, sla::kRuleCount> per_rule{};
  for (const auto& f : r.findings)
    ++per_rule[static_cast<std::size_t>(f.rule)];
  std::string out = std::to_string(r.records()) + " records read, " + std::to_string(r.bad()) +
                    " bad, " + std::to_string(r.findings.size()) + " findings";
  std::string rules;
  for (auto rule : sla::all_rules()) {
    const auto n = per_rule[static_cast<std::size_t>(rule)];
    if (n == 0) continue;
    if (!rules.empty()) rules += ", ";
    rules += std::string(sla::rule_name(rule)) + " " + std::to_string(n);
  }
  if (!rules.empty()) out += " (" + rules + ")";
  for (const auto& s : r.sources)
    if (!s.read) out += "; source " + s.name + " not read: " + s.error;
  return out;
}

}  // namespace motcua::daemon
