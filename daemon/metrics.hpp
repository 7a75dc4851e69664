#pragma once
// The service's Prometheus metrics (GET /metrics). Counters are kept here, incremented by the
// service as things happen; gauges are read at scrape time from the service state and the store,
// so they are never stale. The exposition is the Prometheus text format 0.0.4 and passes
// `promtool check metrics`.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "store/database.hpp"

namespace motcua::daemon {

class ServiceState;

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // A sync of a source ended (ok: it completed; else it failed or stopped midway).
  void sync_finished(std::string_view source, bool ok, std::chrono::milliseconds took,
                     std::uint64_t records, std::uint64_t bad);
  // An evaluation of every stored dossier ended.
  void evaluation_finished(std::chrono::milliseconds took, std::int64_t dossiers);
  // One delivery attempt of an outbox row. `channel`: "email" | "webhook"; `outcome`:
  // "delivered" | "retry" | "dead" | "expired".
  void notification_attempt(std::string_view receiver, std::string_view channel,
                            std::string_view outcome);
  // One HTTP request answered; `route` from route_label() (never the raw path: a dossier code
  // in a label would grow the series without bound).
  void http_request(std::string_view route, int status, std::chrono::microseconds took);
  // A SIGHUP reload (ok: the new config is in force).
  void config_reload(bool ok);

  // The whole exposition: the counters above plus gauges from `state` (per-source sync state and
  // lag, findings by rule, severity and agency, the calendar-unconfirmed flag, build info,
  // uptime) and from `db` (alerts by state, outbox depth by state).
  std::string render(const ServiceState& state, store::Database& db) const;

 private:
  struct Impl;
  // One lock for every counter: an increment is a few map operations, far cheaper than the work
  // it counts; a scrape copies the counters under it and reads the state and the store without.
  mutable std::mutex mutex_;
  std::unique_ptr<Impl> impl_;
};

// The route pattern a request path falls under, for the `route` label:
// "/api/v1/dossiers/{code}" for "/api/v1/dossiers/000.00.12.H37-260301-0007", "other" for paths
// that are not routes.
std::string route_label(std::string_view path);

}  // namespace motcua::daemon
