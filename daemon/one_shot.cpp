#include "daemon/one_shot.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fstream>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>

#include "alerts/alert.hpp"
#include "alerts/courier.hpp"
#include "alerts/dispatcher.hpp"
#include "alerts/email.hpp"
#include "connectors/dvc_lookup.hpp"
#include "connectors/file_source.hpp"
#include "connectors/motcua_sync.hpp"
#include "connectors/upstream_session.hpp"
#include "daemon/store_sink.hpp"
#include "net/http_client.hpp"
#include "store/alert_store.hpp"
#include "store/dossier_store.hpp"
#include "store/outbox.hpp"
#include "store/portal_store.hpp"
#include "store/quarantine.hpp"
#include "store/state_lock.hpp"
#include "store/sync_state.hpp"

namespace motcua::daemon {

StateStore::StateStore(const std::filesystem::path& file, bool take_lock,
                       const store::DatabaseOptions& options)
    : lock(take_lock ? std::make_unique<store::StateLock>(file) : nullptr),
      db(file, options),
      dossiers(db),
      sync(db, dossiers),
      portal(db),
      quarantine(db) {}

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

connectors::UpstreamEndpoint endpoint_of(const config::SourceConfig& src) {
  connectors::UpstreamEndpoint endpoint;
  endpoint.url = src.url;
  endpoint.username = src.username;
  if (src.password_file) endpoint.password = config::read_secret_file(*src.password_file);
  endpoint.dstcode = src.dstcode;
  endpoint.madonvi = src.madonvi;
  endpoint.session_expired_code = src.session_expired_code;
  return endpoint;
}

net::ClientOptions client_options_of(const config::SourceConfig& src) {
  net::ClientOptions options;
  options.verify_tls = src.tls_verify;
  options.ca_file = src.ca_file;
  options.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(src.timeout);
  return options;
}

// Runs one upstream conversation of a source to its end on a private io_context. A stop request
// stops the io_context wherever the conversation is (a request in flight is abandoned) and
// throws Cancelled; what the sink committed stays committed.
template <typename Work>
auto run_upstream(const config::SourceConfig& src, std::stop_token stop, Work work) {
  boost::asio::io_context io;
  net::HttpClient client(io.get_executor(), client_options_of(src));
  connectors::UpstreamSession session(client, endpoint_of(src));
  auto future = boost::asio::co_spawn(io, work(session), boost::asio::use_future);
  {
    std::stop_callback on_stop(stop, [&io] { io.stop(); });
    io.run();
  }
  if (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    throw Cancelled("source " + src.name + ": stopped");
  return future.get();
}

// Reports the bad records of a page on stderr with their position and reason (as for files; the
// quarantine keeps the raw text), then hands the page on. At most kShown per page are named, so a
// vendor change that breaks every record does not flood the journal.
class ReportingSink final : public connectors::SyncSink {
 public:
  ReportingSink(connectors::SyncSink& inner, std::string source)
      : inner_(inner), source_(std::move(source)) {}
  std::optional<connectors::Cursor> cursor() override { return inner_.cursor(); }
  connectors::CommitCounts commit_page(std::vector<connectors::FetchedRecord> records,
                                       std::vector<connectors::RejectedRecord> bad,
                                       const connectors::CursorChange& change) override {
    constexpr std::size_t kShown = 10;
    for (std::size_t i = 0; i < bad.size() && i < kShown; ++i)
      spdlog::warn("source {}: {}: bad record quarantined: {}", source_, bad[i].position,
                   bad[i].reason);
    if (bad.size() > kShown)
      spdlog::warn(
          "source {}: {} more bad records on this page quarantined (see the quarantine "
          "table)",
          source_, bad.size() - kShown);
    return inner_.commit_page(std::move(records), std::move(bad), change);
  }

 private:
  connectors::SyncSink& inner_;
  std::string source_;
};

// Source kind `motcua`: one incremental sync into the store.
void sync_motcua(const config::SourceConfig& src, const connectors::RecordMapping& mapping,
                 StateStore& state, sla::Instant now, SourceRun& run, std::stop_token stop) {
  StoreSink store(
      state.db, state.sync, state.quarantine, src.name, [now] { return now; }, kDaemonSinkOptions);
  ReportingSink sink(store, src.name);
  connectors::SyncOptions options;
  options.page_size = static_cast<std::size_t>(src.page_size);
  state.sync.record_attempt(src.name, now);
  connectors::SyncReport report;
  try {
    report = run_upstream(src, stop, [&](connectors::UpstreamSession& session) {
      return connectors::sync_motcua(session, mapping, src.name, sink, options);
    });
  } catch (const Cancelled&) {
    store.flush();  // a stop keeps the pages already taken: the next sync starts after them
    throw;
  }
  store.flush();  // what was committed before a failure is kept
  const connectors::CommitCounts written = store.totals();
  report.inserted = written.inserted;
  report.updated = written.updated;
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
}

// How many dossiers one cycle asks the portal about: what `rate_limit` allows in one
// `poll_interval`, so a cycle never runs into the next.
std::size_t lookups_per_cycle(const config::SourceConfig& src) {
  constexpr std::size_t kUnlimited = 10000;
  if (src.rate_limit <= 0) return kUnlimited;
  const double budget = src.rate_limit * static_cast<double>(src.poll_interval.count());
  return std::clamp<std::size_t>(static_cast<std::size_t>(budget), 1, 1000000);
}

// Source kind `dvc`: the stored dossiers received within `lookback` that the portal has not yet
// confirmed in the state the one-stop system shows are looked up; the answers are stored for
// portal_missing and status_mismatch. A copy that cannot be read is quarantined.
void lookup_source(const config::SourceConfig& src, const connectors::RecordMapping& mapping,
                   StateStore& state, sla::Instant now, SourceRun& run, std::stop_token stop) {
  state.sync.record_attempt(src.name, now);
  const auto candidates =
      state.portal.due_for_lookup(src.name, now - src.lookback, lookups_per_cycle(src));
  std::vector<std::string> codes;
  codes.reserve(candidates.size());
  for (const auto& c : candidates)
    codes.push_back(c.code);
  connectors::LookupOptions options;
  options.concurrency = static_cast<std::size_t>(std::max(1, src.concurrency));
  options.rate_limit = src.rate_limit;
  const connectors::LookupReport report =
      codes.empty() ? connectors::LookupReport{}
                    : run_upstream(src, stop, [&](connectors::UpstreamSession& session) {
                        return connectors::lookup_dossiers(session, mapping, src.name,
                                                           std::move(codes), options);
                      });

  std::vector<store::PortalObservation> seen;
  std::vector<store::QuarantineEntry> unreadable;
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const auto& r = report.results[i];
    if (r.ok()) {
      seen.push_back({candidates[i].source, r.code, r.found,
                      r.found ? std::optional(r.status) : std::nullopt, r.finished_at, r.raw});
    } else if (r.found) {
      unreadable.push_back({src.name, "TraCuuHoSo " + r.code, r.error, r.raw});
      spdlog::warn("source {}: {}", src.name, r.error);
    } else if (r.looked_up) {
      spdlog::warn("source {}: {}", src.name, r.error);
    }
  }
  {
    store::Transaction tx(state.db);
    if (!unreadable.empty()) state.quarantine.add(unreadable, now);
    state.portal.record(src.name, seen, now);
    tx.commit();
  }
  run.records = report.requests;
  run.dossiers = seen.size();
  run.bad = unreadable.size();
  // Read when there was nothing to ask or at least one dossier got a real answer (found or not
  // found); an HTTP 503 for every lookup is no answer.
  const bool answered = candidates.empty() || report.found + report.missing > 0;
  const bool ok = answered && report.error.empty();
  const std::string why = !report.error.empty() ? report.error
                          : report.results.empty()
                              ? std::string("no lookup was answered")
                              : "no lookup was answered; the last: " + report.results.back().error;
  if (ok) {
    state.sync.record_success(src.name, now);
  } else {
    state.sync.record_failure(src.name, now, why);
    spdlog::error("source {}: {}", src.name, why);
  }
  run.read = answered;
  if (!run.read) run.error = why;
  spdlog::info(
      "source {}: {} dossiers looked up on the portal ({} found, {} missing, {} failed) "
      "in {} ms",
      src.name, report.requests, report.found, report.missing, report.failed,
      report.duration.count());
}

// The store-side facts of one source's dossiers, indexed by code for the evaluation pass.
class SourceFacts {
 public:
  SourceFacts(StateStore& state, const std::string& source,
              const std::vector<std::string>& portals) {
    for (const auto& c : state.dossiers.unexplained_deadline_changes(source)) {
      sla::DeadlineEdit& e = edits_.emplace_back();
      e.field = c.field == store::DeadlineField::due_at ? sla::DeadlineEdit::Field::due_at
                                                        : sla::DeadlineEdit::Field::finished_at;
      e.old_value = c.old_value;
      e.new_value = c.new_value;
      e.observed_at = c.observed_at;
      edit_codes_.push_back(c.code);
    }
    for (auto& p : state.portal.disagreements(source)) {
      // Answers of a portal no longer configured say nothing now.
      if (std::find(portals.begin(), portals.end(), p.portal) == portals.end()) continue;
      copies_.push_back({std::move(p.portal), p.last_checked_at, p.found, p.status, p.finished_at});
      copy_codes_.push_back(std::move(p.code));
    }
    index(edit_codes_, edits_index_);
    index(copy_codes_, copies_index_);
  }

  // nullptr when the store knows nothing more about the dossier than its record.
  const sla::StoreFacts* find(const std::string& code) {
    const auto e = edits_index_.find(code);
    const auto c = copies_index_.find(code);
    if (e == edits_index_.end() && c == copies_index_.end()) return nullptr;
    facts_ = {};
    if (e != edits_index_.end())
      facts_.edits = std::span(edits_).subspan(e->second.first, e->second.second);
    if (c != copies_index_.end())
      facts_.portal = std::span(copies_).subspan(c->second.first, c->second.second);
    return &facts_;
  }

 private:
  using Index = std::unordered_map<std::string_view, std::pair<std::size_t, std::size_t>>;
  // Rows come ordered by code: each code's rows are one run.
  static void index(const std::vector<std::string>& codes, Index& out) {
    for (std::size_t i = 0; i < codes.size();) {
      std::size_t j = i;
      while (j < codes.size() && codes[j] == codes[i])
        ++j;
      out.emplace(codes[i], std::pair{i, j - i});
      i = j;
    }
  }

  std::vector<sla::DeadlineEdit> edits_;
  std::vector<std::string> edit_codes_;
  std::vector<sla::PortalCopy> copies_;
  std::vector<std::string> copy_codes_;
  Index edits_index_, copies_index_;
  sla::StoreFacts facts_;
};

// Every stored dossier of the source is evaluated, in batches so memory stays flat however many
// are stored.
void evaluate_stored(const std::string& source, StateStore& state, const sla::Evaluator& evaluator,
                     const std::vector<std::string>& portals, sla::Instant now, SourceRun& run,
                     std::vector<sla::Finding>& findings, std::stop_token stop) {
  SourceFacts facts(state, source, portals);
  state.dossiers.for_each(source, 10000, [&](std::span<const sla::Dossier> batch) {
    // Checked between batches: a stop waits for at most one batch (~10,000 dossiers).
    if (stop.stop_requested()) throw Cancelled("evaluation stopped");
    run.dossiers += batch.size();
    for (const auto& d : batch)
      evaluator.evaluate(d, now, findings, facts.find(d.code));
  });
}

void evaluate_health(const std::string& source, StateStore& state, const sla::Evaluator& evaluator,
                     sla::Instant now, std::vector<sla::Finding>& findings) {
  const auto health = state.sync.source_health(source);
  if (!health) return;
  sla::SourceFacts facts;
  facts.name = source;
  facts.first_attempt = health->first_attempt;
  facts.last_success = health->last_success;
  facts.last_error = health->last_error;
  facts.consecutive_failures = health->consecutive_failures;
  evaluator.evaluate_source(facts, now, findings);
}

void read_file_source(const config::SourceConfig& src, const connectors::RecordMapping& mapping,
                      const sla::Evaluator& evaluator, sla::Instant now, SourceRun& run,
                      std::vector<sla::Finding>& findings, std::vector<sla::Dossier>* keep) {
  auto read = connectors::read_dossier_file(src.path, mapping, src.name);
  run.read = true;
  run.records = read.records;
  run.dossiers = read.dossiers.size();
  run.bad = read.bad.size();
  run.duplicates = read.duplicates;
  for (const auto& bad : read.bad)
    spdlog::warn("source {}: {}: {}: bad record skipped: {}", src.name, src.path.string(),
                 bad.position, bad.reason);
  for (const auto& d : read.dossiers)
    evaluator.evaluate(d, now, findings);
  if (keep) std::move(read.dossiers.begin(), read.dossiers.end(), std::back_inserter(*keep));
}

}  // namespace

// Findings into alerts: one reconcile of the alert table; alerts of sources not completely
// evaluated are not resolved.
void record_alerts(const config::Config& cfg, store::Database& db, const CycleResult& result,
                   sla::Instant now, AlertRun& out) {
  out.enabled = true;
  std::vector<std::string> complete;
  for (const auto& s : result.sources)
    if (s.evaluated) complete.push_back(s.name);
  store::AlertStore alert_store(db);
  for (const auto& c : alerts::record_findings(alert_store, result.findings, complete, now,
                                               cfg.daemon.utc_offset)) {
    switch (c.transition) {
      case store::AlertTransition::fired:
      case store::AlertTransition::refired:
        ++out.fired;
        break;
      case store::AlertTransition::changed:
        ++out.changed;
        break;
      case store::AlertTransition::resolved:
        ++out.resolved;
        break;
    }
  }
}

namespace {

// Groups into the outbox (every group flushed), then the outbox to the receivers.
void dispatch_and_deliver(const config::Config& cfg, StateStore& state, const AlertOptions& options,
                          sla::Instant now, AlertRun& out) {
  const auto dispatched = alerts::Dispatcher(cfg, *options.calendar, state.db).run(now, true);
  out.notifications = dispatched.notifications;
  out.outbox_rows = dispatched.outbox_rows;
  out.unrouted = dispatched.unrouted;
  if (out.unrouted > 0)
    spdlog::warn("alerts: {} firing alerts match no [[route]] and notify nobody", out.unrouted);

  boost::asio::io_context io;
  std::unique_ptr<alerts::SmtpEmailChannel> email;
  if (cfg.smtp) email = std::make_unique<alerts::SmtpEmailChannel>(io.get_executor(), cfg);
  alerts::Courier courier(io.get_executor(), cfg, state.db, email.get());
  // Pass after pass until a pass finds less than a full batch due: every row due now is tried
  // once (a retried row is due later, so the loop ends).
  for (;;) {
    auto future = boost::asio::co_spawn(io, courier.deliver_due(now), boost::asio::use_future);
    io.restart();
    io.run();
    const auto pass = future.get();
    out.attempted += pass.attempted;
    out.delivered += pass.delivered;
    out.retried += pass.retried;
    out.dead += pass.dead;
    out.expired += pass.expired;
    if (pass.attempted < alerts::CourierOptions{}.batch) break;
  }
  out.pending = store::Outbox(state.db).counts().pending;
  for (const auto& row : store::Outbox(state.db).list(store::OutboxState::dead, out.dead))
    spdlog::error("alerts: {} to {} dead-lettered: {}", store::channel_name(row.message.channel),
                  row.message.receiver, row.last_error);
}

std::vector<std::string> portal_names(const config::Config& cfg) {
  std::vector<std::string> portals;
  for (const auto& src : cfg.sources)
    if (src.kind == config::SourceKind::dvc) portals.push_back(src.name);
  return portals;
}

}  // namespace

void sync_one(const config::Config& cfg, const std::vector<connectors::RecordMapping>& mappings,
              std::size_t index, StateStore& state, sla::Instant now, SourceRun& run,
              std::stop_token stop) {
  const auto& src = cfg.sources[index];
  run.name = src.name;
  try {
    switch (src.kind) {
      case config::SourceKind::motcua:
        sync_motcua(src, mappings[index], state, now, run, stop);
        break;
      case config::SourceKind::dvc:
        lookup_source(src, mappings[index], state, now, run, stop);
        break;
      case config::SourceKind::file:
        // Read when evaluated: the file is the store.
        run.read = std::filesystem::exists(src.path);
        if (!run.read) run.error = "cannot read " + src.path.string();
        break;
    }
  } catch (const Cancelled&) {
    throw;
  } catch (const std::exception& e) {
    run.read = false;
    run.error = e.what();
    spdlog::error("source {}: {}", src.name, run.error);
  }
}

void evaluate_sources(const config::Config& cfg,
                      const std::vector<connectors::RecordMapping>& mappings,
                      const sla::Evaluator& evaluator, StateStore* state, sla::Instant now,
                      CycleResult& result, std::vector<sla::Dossier>* file_dossiers,
                      std::stop_token stop) {
  result.sources.resize(cfg.sources.size());
  const auto portals = portal_names(cfg);
  // Each source's failure is its own: the others are still evaluated.
  const auto each = [&](config::SourceKind kind, auto&& step) {
    for (std::size_t i = 0; i < cfg.sources.size(); ++i) {
      const auto& src = cfg.sources[i];
      if (src.kind != kind) continue;
      SourceRun& run = result.sources[i];
      run.name = src.name;
      try {
        if (kind != config::SourceKind::file && !state)
          throw std::logic_error("no state file open for source " + src.name);
        step(src, mappings[i], run);
      } catch (const Cancelled&) {
        throw;
      } catch (const std::exception& e) {
        run.read = false;
        run.evaluated = false;
        run.error = e.what();
        spdlog::error("source {}: {}", src.name, run.error);
      }
    }
  };
  using Mapping = connectors::RecordMapping;
  each(config::SourceKind::file, [&](const auto& src, const Mapping& mapping, SourceRun& run) {
    read_file_source(src, mapping, evaluator, now, run, result.findings, file_dossiers);
    run.evaluated = true;
  });
  each(config::SourceKind::motcua, [&](const auto& src, const Mapping&, SourceRun& run) {
    // A sync that could not read the source at all still leaves what earlier cycles stored.
    evaluate_stored(src.name, *state, evaluator, portals, now, run, result.findings, stop);
    run.evaluated = true;
  });
  for (const auto kind : {config::SourceKind::motcua, config::SourceKind::dvc})
    each(kind, [&](const auto& src, const Mapping&, SourceRun&) {
      evaluate_health(src.name, *state, evaluator, now, result.findings);
    });
  std::sort(result.findings.begin(), result.findings.end(), sla::finding_less);
}

// The order of a cycle (DOMAIN.md "Upstream interfaces"): every one-stop source syncs first, then
// the portals are asked about what the one-stop sources hold, then everything is evaluated, so
// the portal rules compare answers with the records they were asked about.
CycleResult run_cycle(const config::Config& cfg,
                      const std::vector<connectors::RecordMapping>& mappings,
                      const sla::Evaluator& evaluator, sla::Instant now,
                      const AlertOptions* alerts) {
  CycleResult result;
  result.sources.resize(cfg.sources.size());
  std::optional<StateStore> state;
  const bool stored = std::any_of(cfg.sources.begin(), cfg.sources.end(),
                                  [](const auto& s) { return s.kind != config::SourceKind::file; });
  const bool alerting = alerts && alerts->deliver && !cfg.routes.empty();
  if (stored || alerting) {
    try {
      state.emplace(cfg.daemon.state_db, true, kSyncDatabaseOptions);
    } catch (const std::exception& e) {
      // Every stored source is unreadable without its state file; file sources still evaluate.
      for (std::size_t i = 0; i < cfg.sources.size(); ++i) {
        result.sources[i].name = cfg.sources[i].name;
        if (cfg.sources[i].kind == config::SourceKind::file) continue;
        result.sources[i].error = e.what();
        spdlog::error("source {}: {}", cfg.sources[i].name, e.what());
      }
      if (!stored) throw;
    }
  }
  if (state) {
    for (const auto kind : {config::SourceKind::motcua, config::SourceKind::dvc})
      for (std::size_t i = 0; i < cfg.sources.size(); ++i)
        if (cfg.sources[i].kind == kind) sync_one(cfg, mappings, i, *state, now, result.sources[i]);
  }
  // The sync's outcome (read, error) stays; evaluation adds what it counts.
  const auto synced = result.sources;
  evaluate_sources(cfg, mappings, evaluator, state ? &*state : nullptr, now, result);
  for (std::size_t i = 0; i < cfg.sources.size(); ++i) {
    if (cfg.sources[i].kind == config::SourceKind::file) continue;
    auto& run = result.sources[i];
    const bool evaluated = run.evaluated;
    const auto dossiers = run.dossiers;
    run = synced[i];
    run.evaluated = evaluated;
    if (cfg.sources[i].kind == config::SourceKind::motcua) run.dossiers = dossiers;
  }
  if (alerting && state) {
    record_alerts(cfg, state->db, result, now, result.alerts);
    dispatch_and_deliver(cfg, *state, *alerts, now, result.alerts);
  }
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
  if (r.alerts.enabled) {
    const auto& a = r.alerts;
    out += "; alerts: " + std::to_string(a.fired) + " fired, " + std::to_string(a.resolved) +
           " resolved; " + std::to_string(a.notifications) + " notifications, " +
           std::to_string(a.delivered) + " delivered, " + std::to_string(a.retried) +
           " to retry, " + std::to_string(a.dead + a.expired) + " dead, " +
           std::to_string(a.pending) + " waiting";
  }
  return out;
}

}  // namespace motcua::daemon
