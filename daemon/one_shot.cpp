#include "daemon/one_shot.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fstream>
#include <optional>

#include "connectors/file_source.hpp"
#include "connectors/motcua_sync.hpp"
#include "connectors/upstream_session.hpp"
#include "daemon/store_sink.hpp"
#include "net/http_client.hpp"
#include "store/dossier_store.hpp"

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

namespace {

// A secret from its file: the first line, without the line ending (editors add one).
std::string read_secret(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::string secret;
  std::getline(in, secret);
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  return secret;
}

// The state the HTTP sources sync into, opened on first use.
struct State {
  explicit State(const std::filesystem::path& file)
      : db(file), dossiers(db), sync(db, dossiers), quarantine(db) {}
  store::Database db;
  store::DossierStore dossiers;
  store::SyncState sync;
  store::Quarantine quarantine;
};

// Source kind `motcua`: one incremental sync into the store, then every stored dossier of the
// source is evaluated, in batches so memory stays flat however many are stored.
void sync_and_evaluate(const config::SourceConfig& src, const connectors::RecordMapping& mapping,
                       State& state, const sla::Evaluator& evaluator, sla::Instant now,
                       SourceRun& run, std::vector<sla::Finding>& findings) {
  connectors::UpstreamEndpoint endpoint;
  endpoint.url = src.url;
  endpoint.username = src.username;
  if (src.password_file) endpoint.password = read_secret(*src.password_file);
  endpoint.dstcode = src.dstcode;
  endpoint.madonvi = src.madonvi;
  endpoint.session_expired_code = src.session_expired_code;

  net::ClientOptions client_options;
  client_options.verify_tls = src.tls_verify;
  client_options.ca_file = src.ca_file;
  client_options.request_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(src.timeout);
  boost::asio::io_context io;
  net::HttpClient client(io.get_executor(), client_options);
  connectors::UpstreamSession session(client, endpoint);
  StoreSink sink(state.db, state.sync, state.quarantine, src.name, [now] { return now; });
  connectors::SyncOptions options;
  options.page_size = static_cast<std::size_t>(src.page_size);
  state.sync.record_attempt(src.name, now);
  auto future =
      boost::asio::co_spawn(io, connectors::sync_motcua(session, mapping, src.name, sink, options),
                            boost::asio::use_future);
  io.run();
  const connectors::SyncReport report = future.get();
  run.records = report.records;
  run.bad = report.bad;
  if (report.ok()) {
    state.sync.record_success(src.name, now);
  } else {
    state.sync.record_failure(src.name, now, report.error);
    spdlog::error("source {}: {}", src.name, report.error);
  }
  // "Exit non-zero only when a source could not be read at all": a sync that stopped midway
  // still read the source, and what it committed is evaluated.
  run.read = report.ok() || report.reachable;
  if (!run.read) run.error = report.error;
  spdlog::info("source {}: {} records fetched ({} new, {} changed), {} bad, {} pages in {} ms",
               src.name, report.records, report.inserted, report.updated, report.bad, report.pages,
               report.duration.count());
  state.dossiers.for_each(src.name, 10000, [&](std::span<const sla::Dossier> batch) {
    run.dossiers += batch.size();
    for (const auto& d : batch)
      evaluator.evaluate(d, now, findings);
  });
}

}  // namespace

CycleResult run_cycle(const config::Config& cfg,
                      const std::vector<connectors::RecordMapping>& mappings,
                      const sla::Evaluator& evaluator, sla::Instant now) {
  CycleResult result;
  std::optional<State> state;
  for (std::size_t i = 0; i < cfg.sources.size(); ++i) {
    const auto& src = cfg.sources[i];
    SourceRun run;
    run.name = src.name;
    if (src.kind == config::SourceKind::motcua) {
      try {
        if (!state) state.emplace(cfg.daemon.state_db);
        sync_and_evaluate(src, mappings[i], *state, evaluator, now, run, result.findings);
      } catch (const std::exception& e) {
        run.read = false;
        run.error = e.what();
        spdlog::error("source {}: {}", src.name, run.error);
      }
      result.sources.push_back(std::move(run));
      continue;
    }
    if (src.kind != config::SourceKind::file) {
      run.error = "source kind '" + std::string(config::source_kind_name(src.kind)) +
                  "' (the portal lookups) is not wired into motcua-watchd yet";
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
