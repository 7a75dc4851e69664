#include "daemon/service.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stop_token>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "alerts/courier.hpp"
#include "alerts/dispatcher.hpp"
#include "alerts/email.hpp"
#include "daemon/api.hpp"
#include "daemon/metrics.hpp"
#include "daemon/one_shot.hpp"
#include "daemon/sd_notify.hpp"
#include "net/http_server.hpp"
#include "store/alert_store.hpp"
#include "store/outbox.hpp"

namespace motcua::daemon {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

sla::Instant system_now() {
  return std::chrono::floor<seconds>(std::chrono::system_clock::now());
}

// The connections besides the one holding the lock: the API and delivery read and write little,
// so their page caches stay small; the sources' connections write the dossiers and keep the
// default cache (the key index).
store::DatabaseOptions small_connection() {
  store::DatabaseOptions o;
  o.cache_kib = 8 * 1024;
  o.busy_timeout = milliseconds(30000);
  return o;
}

store::DatabaseOptions writer_connection() {
  store::DatabaseOptions o = kSyncDatabaseOptions;
  o.busy_timeout = milliseconds(30000);
  return o;
}

// After n consecutive failures a source waits poll_interval·2^(n-1), at most 30 minutes (or its
// poll_interval when that is longer), less up to a tenth at random so that sources that failed
// together do not retry together. A failing government system is not asked harder.
milliseconds next_delay(const config::SourceConfig& src, int failures, std::mt19937_64& random) {
  const milliseconds interval = duration_cast<milliseconds>(src.poll_interval);
  if (failures <= 0) return interval;
  const milliseconds cap = std::max<milliseconds>(interval, std::chrono::minutes(30));
  milliseconds d = interval;
  for (int i = 1; i < failures && d < cap; ++i)
    d *= 2;
  d = std::min(d, cap);
  std::uniform_int_distribution<std::int64_t> jitter(0, d.count() / 10);
  return d - milliseconds(jitter(random));
}

// How often the delivery loop wakes when nothing asks it to: often enough that group_wait and
// group_interval are kept to about a second when they are short, at most every 10 seconds.
milliseconds delivery_tick(const config::Config& cfg) {
  milliseconds tick(10000);
  for (const auto& r : cfg.routes)
    for (const auto d : {r.group_wait, r.group_interval})
      tick = std::min(tick, duration_cast<milliseconds>(d) / 2);
  return std::max(tick, milliseconds(500));
}

// Syncs and evaluations are throughput work; the API and delivery answer people and receivers.
// On two cores a full sync, an evaluation and the API compete for the same CPU, and the API's
// p99 went past 100 ms; a nicer value for the worker threads keeps it answering. Linux takes a
// thread id here (setpriority(2), NOTES). Once per thread; a refusal changes nothing.
void lower_this_thread_priority() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  const int current = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), std::min(current + 10, 19));
}

std::string_view outcome_name(alerts::DeliveryOutcome o) {
  switch (o) {
    case alerts::DeliveryOutcome::delivered:
      return "delivered";
    case alerts::DeliveryOutcome::retry:
      return "retry";
    case alerts::DeliveryOutcome::dead:
      return "dead";
  }
  return "retry";
}

std::string status_line(const Evaluation& e, std::int64_t firing) {
  std::size_t overdue = 0, due_soon = 0;
  for (const auto& f : e.findings) {
    if (f.rule == sla::Rule::overdue) ++overdue;
    if (f.rule == sla::Rule::due_soon) ++due_soon;
  }
  return std::to_string(e.dossiers) + " dossiers, " + std::to_string(e.findings.size()) +
         " findings (" + std::to_string(overdue) + " overdue, " + std::to_string(due_soon) +
         " due soon), " + std::to_string(firing) + " alerts firing";
}

// Frees published evaluations on a thread of its own (see evaluate_job). Once closed (the service
// going away; sessions of the API may still hold an evaluation until their io_context goes),
// an evaluation is freed where it is let go.
class Reaper {
 public:
  void free(const Evaluation* e) {
    std::lock_guard lock(mutex_);
    if (open_)
      asio::post(pool_, [e] { delete e; });
    else
      delete e;
  }
  // Frees what was handed over so far, then frees inline from here on.
  void close() {
    {
      std::lock_guard lock(mutex_);
      open_ = false;
    }
    pool_.join();
  }

 private:
  std::mutex mutex_;
  bool open_ = true;
  asio::thread_pool pool_{1};
};

}  // namespace

struct Service::Impl {
  // One configured source: its timer and, while a sync runs, its job on the pool.
  struct Slot {
    explicit Slot(asio::io_context& io) : timer(io) {}
    asio::steady_timer timer;
    bool running = false;
    bool removed = false;
    int failures = 0;
    std::unique_ptr<StateStore> store;  // touched only by the running job
  };

  Impl(std::shared_ptr<const Runtime> runtime, ServiceOptions o)
      : options(std::move(o)),
        state(runtime, options.clock ? options.clock : ServiceState::Clock(system_now), nullptr),
        main_store(runtime->cfg.daemon.state_db, true),
        api_db(runtime->cfg.daemon.state_db, small_connection()),
        api_context{state, api_db},
        signals(control),
        watchdog_timer(control),
        stop_timer(control),
        delivery_wake(deliver_io),
        notifier(SystemdNotifier::from_environment()),
        random(std::random_device{}()) {
    init_sources(*runtime);
    net::ServerOptions server_options;
    server_options.host = runtime->cfg.daemon.listen_host;
    server_options.port = runtime->cfg.daemon.listen_port;
    server_options.on_request = [this](const net::ServerRequest& r, int status,
                                       std::chrono::microseconds took) {
      state.metrics().http_request(route_label(r.path), status, took);
    };
    server_options.on_error = [](std::string_view what) { spdlog::warn("api: {}", what); };
    server.emplace(api_io.get_executor(), server_options, make_api_router(api_context));
  }

  ~Impl() {
    // Whatever still holds an evaluation lets go of it here, and the reaper frees it before it
    // goes (a thread_pool destroyed with work queued would drop the work, leaking it).
    server.reset();
    state.publish(nullptr);
    reaper->close();
  }

  // --- sources -----------------------------------------------------------------------------

  SourceStatus status_from_store(const config::SourceConfig& src) {
    SourceStatus s;
    s.name = src.name;
    s.kind = src.kind;
    if (auto h = main_store.sync.source_health(src.name)) {
      s.last_attempt = h->last_attempt;
      s.last_success = h->last_success;
      s.last_failure = h->last_failure;
      s.last_error = h->last_error;
      s.consecutive_failures = h->consecutive_failures;
    }
    if (src.kind == config::SourceKind::motcua) s.dossiers = main_store.dossiers.count(src.name);
    return s;
  }

  void init_sources(const Runtime& rt) {
    std::vector<SourceStatus> statuses;
    for (const auto& src : rt.cfg.sources) {
      statuses.push_back(status_from_store(src));
      slots.emplace(src.name, std::make_unique<Slot>(control));
    }
    state.set_sources(std::move(statuses));
  }

  void schedule(const std::string& name, milliseconds delay) {
    auto it = slots.find(name);
    if (it == slots.end() || stopping) return;
    Slot& slot = *it->second;
    const auto next = state.now() + duration_cast<seconds>(delay);
    state.update_source(name, [&](SourceStatus& s) { s.next_run = next; });
    slot.timer.expires_after(delay);
    slot.timer.async_wait([this, name](boost::system::error_code ec) {
      if (!ec) start_sync(name);
    });
  }

  void start_sync(const std::string& name) {
    auto it = slots.find(name);
    if (it == slots.end() || it->second->running || stopping) return;
    Slot& slot = *it->second;
    slot.running = true;
    ++busy;
    state.update_source(name, [](SourceStatus& s) {
      s.running = true;
      s.next_run.reset();
    });
    asio::post(sync_pool, [this, name, &slot] { sync_job(name, slot); });
  }

  // On a pool thread.
  void sync_job(const std::string& name, Slot& slot) {
    lower_this_thread_priority();
    const auto rt = state.runtime();
    SourceRun run;
    std::optional<store::SourceHealth> health;
    std::int64_t stored = -1;
    const auto started = std::chrono::steady_clock::now();
    bool cancelled = false;
    const auto it = std::find_if(rt->cfg.sources.begin(), rt->cfg.sources.end(),
                                 [&](const auto& s) { return s.name == name; });
    if (it != rt->cfg.sources.end()) {
      const auto index = static_cast<std::size_t>(it - rt->cfg.sources.begin());
      try {
        if (!slot.store)
          slot.store =
              std::make_unique<StateStore>(rt->cfg.daemon.state_db, false, writer_connection());
        sync_one(rt->cfg, rt->mappings, index, *slot.store, state.now(), run, stop.get_token());
        health = slot.store->sync.source_health(name);
        if (it->kind == config::SourceKind::motcua) stored = slot.store->dossiers.count(name);
      } catch (const Cancelled&) {
        cancelled = true;
      } catch (const std::exception& e) {
        run.read = false;
        run.error = e.what();
        spdlog::error("source {}: {}", name, run.error);
      }
    }
    const auto took = duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    asio::post(control, [this, name, run, health, stored, took, cancelled] {
      synced(name, run, health, stored, took, cancelled);
    });
  }

  void synced(const std::string& name, const SourceRun& run,
              const std::optional<store::SourceHealth>& health, std::int64_t stored,
              milliseconds took, bool cancelled) {
    --busy;
    auto it = slots.find(name);
    if (it == slots.end()) return;
    Slot& slot = *it->second;
    slot.running = false;
    if (slot.removed) {
      slots.erase(it);
      return maybe_finish_stop();
    }
    if (cancelled || stopping) return maybe_finish_stop();
    const bool ok = run.read && run.error.empty();
    slot.failures = ok ? 0 : slot.failures + 1;
    state.metrics().sync_finished(name, ok, took, run.records, run.bad);
    state.update_source(name, [&](SourceStatus& s) {
      s.running = false;
      s.synced_once = s.synced_once || run.read;
      ++s.syncs;
      if (!ok) ++s.failures;
      s.records += run.records;
      s.bad += run.bad;
      s.last_duration = took;
      if (health) {
        s.last_attempt = health->last_attempt;
        s.last_success = health->last_success;
        s.last_failure = health->last_failure;
        s.last_error = health->last_error;
        s.consecutive_failures = health->consecutive_failures;
      } else {
        // A file source, or a source whose state could not be opened.
        const auto now = state.now();
        s.last_attempt = now;
        if (ok) {
          s.last_success = now;
          s.consecutive_failures = 0;
        } else {
          s.last_failure = now;
          s.last_error = run.error;
          ++s.consecutive_failures;
        }
      }
      if (stored >= 0) s.dossiers = stored;
    });
    const auto rt = state.runtime();
    if (const auto* src = rt->cfg.source(name))
      schedule(name, next_delay(*src, slot.failures, random));
    request_evaluation();
  }

  // --- evaluation --------------------------------------------------------------------------

  // On the control thread. Syncs that end while an evaluation runs ask for one more, not one
  // each: the next evaluation sees all their dossiers.
  void request_evaluation() {
    if (stopping) return;
    if (evaluating) {
      evaluation_wanted = true;
      return;
    }
    evaluating = true;
    ++busy;
    asio::post(evaluate_pool, [this] { evaluate_job(); });
  }

  // On the evaluation thread.
  void evaluate_job() {
    const auto rt = state.runtime();
    const auto now = state.now();
    const auto started = std::chrono::steady_clock::now();
    lower_this_thread_priority();
    CycleResult result;
    // The last holder of an evaluation may be the API thread (an answer in progress, its index):
    // freeing half a million findings there stalled every queued request for a second, so the
    // memory goes back on the reaper thread wherever the last reference drops.
    std::shared_ptr<Evaluation> published(
        new Evaluation, [reaper = reaper](const Evaluation* e) { reaper->free(e); });
    published->at = now;
    try {
      if (!evaluate_store)
        evaluate_store =
            std::make_unique<StateStore>(rt->cfg.daemon.state_db, false, writer_connection());
      evaluate_sources(rt->cfg, rt->mappings, rt->evaluator, evaluate_store.get(), now, result,
                       &published->file_dossiers, stop.get_token());
      for (const auto& s : result.sources)
        published->dossiers += static_cast<std::int64_t>(s.dossiers);
      for (const auto& src : rt->cfg.sources)
        if (src.kind == config::SourceKind::motcua) published->stored_sources.push_back(src.name);
      if (!rt->cfg.routes.empty()) {
        AlertRun alerts;
        record_alerts(rt->cfg, evaluate_store->db, result, now, alerts);
        if (alerts.fired + alerts.resolved > 0)
          spdlog::info("alerts: {} fired, {} resolved", alerts.fired, alerts.resolved);
      }
      published->findings = std::move(result.findings);
      published->took = duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
      firing = store::AlertStore(evaluate_store->db).count_firing();
      state.metrics().evaluation_finished(published->took, published->dossiers);
      spdlog::debug("evaluation: {} dossiers, {} findings in {} ms", published->dossiers,
                    published->findings.size(), published->took.count());
    } catch (const Cancelled&) {
      published.reset();
    } catch (const std::exception& e) {
      spdlog::error("evaluation: {}", e.what());
      published.reset();
    }
    asio::post(control,
               [this, published, result = std::move(result)] { evaluated(published, result); });
  }

  void evaluated(const std::shared_ptr<const Evaluation>& published, const CycleResult& result) {
    --busy;
    evaluating = false;
    if (published) {
      state.publish(published);
      // A file source is read by the evaluation: what it read is its sync's outcome.
      const auto rt = state.runtime();
      for (std::size_t i = 0; i < result.sources.size() && i < rt->cfg.sources.size(); ++i) {
        if (rt->cfg.sources[i].kind != config::SourceKind::file) continue;
        const auto& run = result.sources[i];
        state.update_source(run.name, [&](SourceStatus& s) {
          s.dossiers = static_cast<std::int64_t>(run.dossiers);
          s.bad = run.bad;
          s.records = run.records;
        });
      }
      notifier.status(status_line(*published, firing));
      wake_delivery();
    }
    if (stopping) return maybe_finish_stop();
    if (!ready_sent && !state.not_ready()) {
      ready_sent = true;
      spdlog::info("ready: every source has synced once ({})",
                   published ? status_line(*published, firing) : std::string("no evaluation"));
    }
    if (evaluation_wanted) {
      evaluation_wanted = false;
      request_evaluation();
    }
  }

  // --- delivery ----------------------------------------------------------------------------

  void wake_delivery() {
    asio::post(deliver_io, [this] {
      delivery_woken = true;
      delivery_wake.cancel();
    });
  }

  asio::awaitable<void> delivery_loop() {
    store::Database db(state.runtime()->cfg.daemon.state_db, small_connection());
    std::shared_ptr<const Runtime> rt;
    std::unique_ptr<alerts::SmtpEmailChannel> email;
    std::unique_ptr<alerts::Courier> courier;
    std::unique_ptr<alerts::Dispatcher> dispatcher;
    auto executor = co_await asio::this_coro::executor;
    while (!delivery_stop) {
      if (auto current = state.runtime(); current != rt) {
        // A reload: new receivers, routes and SMTP settings from here on; the groups' state is
        // in the store, so nothing is notified twice.
        courier.reset();
        dispatcher.reset();
        email.reset();
        rt = current;
        try {
          if (rt->cfg.smtp) email = std::make_unique<alerts::SmtpEmailChannel>(executor, rt->cfg);
          alerts::CourierOptions courier_options;
          courier_options.on_result = [this](const store::OutboxRow& row,
                                             const alerts::DeliveryResult& r) {
            state.metrics().notification_attempt(row.message.receiver,
                                                 store::channel_name(row.message.channel),
                                                 outcome_name(r.outcome));
            if (r.outcome == alerts::DeliveryOutcome::dead)
              spdlog::error("alerts: {} to {} dead-lettered: {}",
                            store::channel_name(row.message.channel), row.message.receiver,
                            r.detail);
          };
          courier = std::make_unique<alerts::Courier>(executor, rt->cfg, db, email.get(),
                                                      courier_options);
          dispatcher = std::make_unique<alerts::Dispatcher>(rt->cfg, rt->calendar, db);
        } catch (const std::exception& e) {
          spdlog::error("alerts: delivery cannot start: {}", e.what());
        }
      }
      delivery_woken = false;
      milliseconds wait = delivery_tick(rt->cfg);
      if (courier && dispatcher) {
        try {
          if (!rt->cfg.routes.empty()) {
            const auto d = dispatcher->run(state.now(), false);
            if (d.notifications > 0)
              spdlog::info("alerts: {} notifications queued ({} outbox rows)", d.notifications,
                           d.outbox_rows);
          }
          for (;;) {
            const auto pass = co_await courier->deliver_due(state.now());
            if (pass.attempted > 0 || pass.expired > 0)
              spdlog::info("alerts: {} delivered, {} to retry, {} dead, {} expired", pass.delivered,
                           pass.retried, pass.dead, pass.expired);
            for (std::size_t i = 0; i < pass.expired; ++i)
              state.metrics().notification_attempt("", "", "expired");
            if (pass.attempted < alerts::CourierOptions{}.batch || delivery_stop) break;
          }
          if (auto next = store::Outbox(db).next_due()) {
            const auto until = *next - state.now();
            wait = std::clamp(duration_cast<milliseconds>(until), milliseconds(0), wait);
          }
        } catch (const std::exception& e) {
          spdlog::error("alerts: {}", e.what());
        }
      }
      if (delivery_woken || delivery_stop) continue;
      delivery_wake.expires_after(wait);
      boost::system::error_code ec;
      co_await delivery_wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    delivery_done = true;
    asio::post(control, [this] { maybe_finish_stop(); });
  }

  // --- reload and stop ---------------------------------------------------------------------

  void do_reload() {
    if (stopping) return;
    notifier.reloading();
    const auto old = state.runtime();
    try {
      auto rt = Runtime::load(options.config_file);
      if (rt->cfg.daemon.state_db != old->cfg.daemon.state_db)
        throw config::ConfigErrors({{{rt->cfg.file.string(), 0, 0},
                                     "[daemon] state_db cannot change while the service runs "
                                     "(it holds the state file's lock); restart it instead"}});
      if (rt->cfg.daemon.listen != old->cfg.daemon.listen)
        spdlog::warn("reload: [daemon] listen changed to {}; the API keeps {} until a restart",
                     rt->cfg.daemon.listen, old->cfg.daemon.listen);
      spdlog::set_level(
          spdlog::level::from_str(std::string(config::log_level_name(rt->cfg.daemon.log_level))));
      state.set_runtime(rt);
      reconcile_sources(*rt);
      state.metrics().config_reload(true);
      spdlog::info("reload: {} is in force: {}", options.config_file.string(), rt->cfg.summary());
      request_evaluation();
      wake_delivery();
    } catch (const config::ConfigErrors& e) {
      for (const auto& err : e.errors)
        spdlog::error("reload: {}", err.str());
      spdlog::error("reload: the new configuration is not valid; still running on the old one");
      state.metrics().config_reload(false);
    } catch (const std::exception& e) {
      spdlog::error("reload: {}; still running on the old configuration", e.what());
      state.metrics().config_reload(false);
    }
    notifier.ready("reloaded");
  }

  // Sources kept keep their timers and counters (a changed poll_interval applies from their next
  // turn); removed ones stop; new ones sync now.
  void reconcile_sources(const Runtime& rt) {
    const auto old_statuses = state.sources();
    std::vector<SourceStatus> statuses;
    for (const auto& src : rt.cfg.sources) {
      const auto old = std::find_if(old_statuses.begin(), old_statuses.end(),
                                    [&](const auto& s) { return s.name == src.name; });
      if (old != old_statuses.end() && old->kind == src.kind) {
        statuses.push_back(*old);
      } else {
        statuses.push_back(status_from_store(src));
      }
    }
    for (auto it = slots.begin(); it != slots.end();) {
      if (rt.cfg.source(it->first)) {
        ++it;
        continue;
      }
      it->second->timer.cancel();
      if (it->second->running) {
        it->second->removed = true;
        ++it;
      } else {
        it = slots.erase(it);
      }
    }
    state.set_sources(std::move(statuses));
    for (const auto& src : rt.cfg.sources) {
      if (auto it = slots.find(src.name); it != slots.end()) {
        // Removed by an earlier reload while its sync ran, and back before that sync ended: the
        // sync's end schedules it again.
        it->second->removed = false;
        continue;
      }
      slots.emplace(src.name, std::make_unique<Slot>(control));
      schedule(src.name, milliseconds(0));
    }
  }

  void begin_stop() {
    if (stopping) return;
    stopping = true;
    spdlog::info("stopping");
    notifier.stopping("stopping");
    stop.request_stop();
    signals.cancel();
    watchdog_timer.cancel();
    for (auto& [name, slot] : slots)
      slot->timer.cancel();
    server->stop();
    asio::post(deliver_io, [this] {
      delivery_stop = true;
      delivery_wake.cancel();
    });
    stop_timer.expires_after(options.stop_grace);
    stop_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      spdlog::warn("stopping: in-flight work did not end within {} ms; abandoning it",
                   options.stop_grace.count());
      finish_stop();
    });
    maybe_finish_stop();
  }

  void maybe_finish_stop() {
    if (stopping && busy == 0 && delivery_done) finish_stop();
  }

  void finish_stop() {
    stop_timer.cancel();
    control_guard.reset();
    control.stop();
  }

  void arm_watchdog(milliseconds interval) {
    watchdog_timer.expires_after(interval);
    watchdog_timer.async_wait([this, interval](boost::system::error_code ec) {
      if (ec || stopping) return;
      // The API thread must have run a handler since the last ping: a wedged API is a reason
      // for systemd to restart the service.
      if (api_alive.exchange(false)) {
        notifier.watchdog();
      } else {
        spdlog::warn("watchdog: the API thread has not answered for {} ms; not pinging",
                     interval.count());
      }
      asio::post(api_io, [this] { api_alive = true; });
      arm_watchdog(interval);
    });
  }

  void listen_for_signals() {
    signals.async_wait([this](boost::system::error_code ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        spdlog::info("SIGHUP: reloading {}", options.config_file.string());
        do_reload();
        listen_for_signals();
      } else {
        spdlog::info("{}: stopping", signo == SIGTERM ? "SIGTERM" : "SIGINT");
        begin_stop();
      }
    });
  }

  int run() {
    if (options.handle_signals) {
      signals.add(SIGTERM);
      signals.add(SIGINT);
      signals.add(SIGHUP);
      listen_for_signals();
    }
    server->start();
    api_thread = std::thread([this] {
      auto guard = asio::make_work_guard(api_io);
      api_io.run();
    });
    asio::co_spawn(deliver_io, delivery_loop(), [this](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::critical("alerts: delivery stopped: {}", ex.what());
      }
      delivery_done = true;
      asio::post(control, [this] { maybe_finish_stop(); });
    });
    deliver_thread = std::thread([this] { deliver_io.run(); });

    const auto rt = state.runtime();
    for (const auto& src : rt->cfg.sources)
      schedule(src.name, milliseconds(0));
    if (rt->cfg.sources.empty()) request_evaluation();
    // Answers from the state file at once: the last evaluation's alerts and the sources' state
    // are known before the first sync ends.
    const auto port = server->port();
    spdlog::info("listening on http://{}:{}/ ({})", rt->cfg.daemon.listen_host, port,
                 rt->cfg.summary());
    if (options.on_listening) options.on_listening(port);
    notifier.ready("listening on " + rt->cfg.daemon.listen_host + ":" + std::to_string(port));
    // Already half of WatchdogSec, as sd_watchdog_enabled(3) advises.
    if (auto interval = SystemdNotifier::watchdog_interval_from_environment())
      arm_watchdog(duration_cast<milliseconds>(*interval));

    control.run();

    // Whatever is still running is abandoned: the io_contexts stop, pool threads end with their
    // current statement.
    api_io.stop();
    deliver_io.stop();
    if (api_thread.joinable()) api_thread.join();
    if (deliver_thread.joinable()) deliver_thread.join();
    sync_pool.join();
    evaluate_pool.join();
    spdlog::info("stopped");
    return 0;
  }

  ServiceOptions options;
  ServiceState state;
  StateStore main_store;  // holds the state lock; read by the control thread
  store::Database api_db;
  ApiContext api_context;

  asio::io_context control;
  asio::executor_work_guard<asio::io_context::executor_type> control_guard =
      asio::make_work_guard(control);
  asio::io_context api_io;
  asio::io_context deliver_io;
  asio::thread_pool sync_pool{4};
  asio::thread_pool evaluate_pool{1};
  std::shared_ptr<Reaper> reaper = std::make_shared<Reaper>();  // see evaluate_job
  std::thread api_thread, deliver_thread;

  asio::signal_set signals;
  asio::steady_timer watchdog_timer;
  asio::steady_timer stop_timer;
  asio::steady_timer delivery_wake;
  std::optional<net::HttpServer> server;
  SystemdNotifier notifier;
  std::mt19937_64 random;
  std::stop_source stop;

  // Control thread only.
  std::map<std::string, std::unique_ptr<Slot>> slots;
  int busy = 0;  // syncs and evaluations posted and not yet reported back
  bool evaluating = false;
  bool evaluation_wanted = false;
  bool stopping = false;
  bool ready_sent = false;
  // Evaluation thread only (read by the control thread after the evaluation posted back).
  std::unique_ptr<StateStore> evaluate_store;
  std::int64_t firing = 0;
  // Delivery thread only, except delivery_done (read by control after a post).
  bool delivery_woken = false;
  bool delivery_stop = false;
  std::atomic<bool> delivery_done{false};
  std::atomic<bool> api_alive{true};
};

Service::Service(std::shared_ptr<const Runtime> runtime, ServiceOptions options)
    : impl_(std::make_unique<Impl>(std::move(runtime), std::move(options))) {}

Service::~Service() = default;

int Service::run() {
  return impl_->run();
}

void Service::stop() {
  asio::post(impl_->control, [this] { impl_->begin_stop(); });
}

void Service::reload() {
  asio::post(impl_->control, [this] { impl_->do_reload(); });
}

std::uint16_t Service::port() const {
  return impl_->server->port();
}

ServiceState& Service::state() {
  return impl_->state;
}

}  // namespace motcua::daemon
