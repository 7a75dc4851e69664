#pragma once
// A service as the status page and the metrics see it: a runtime from a real config, a clock the
// test sets, sources with realistic state, evaluations built from findings, and a real state file.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "config/config.hpp"
#include "daemon/metrics.hpp"
#include "daemon/service_state.hpp"
#include "net/router.hpp"
#include "sla/time.hpp"
#include "store/database.hpp"
#include "tests/support/process.hpp"

namespace motcua::daemon::testing {

inline sla::Instant at(const char* rfc3339) {
  return *sla::parse_rfc3339(rfc3339);
}

inline constexpr const char* kConfig = R"(
[daemon]
state_db = "state.db"

[[source]]
name = "motcua"
kind = "file"
path = "dossiers.json"
)";

inline sla::Finding finding(sla::Rule rule, std::string agency, std::string agency_name,
                            std::string dossier, std::string procedure_name,
                            std::optional<double> hours_late = std::nullopt) {
  sla::Finding f;
  f.rule = rule;
  f.severity = rule == sla::Rule::overdue ? sla::Severity::critical : sla::Severity::warning;
  f.dossier = std::move(dossier);
  f.source = "motcua";
  f.agency = std::move(agency);
  f.agency_name = std::move(agency_name);
  f.procedure = "1.009972";
  f.procedure_name = std::move(procedure_name);
  f.since = at("2026-03-09T17:00:00+07:00");
  f.due = at("2026-03-09T17:00:00+07:00");
  if (rule == sla::Rule::overdue) f.overdue_working_hours = hours_late.value_or(1.0);
  if (rule == sla::Rule::due_soon) f.remaining_working_hours = 4.0;
  f.message = "Hồ sơ " + f.dossier + " cần xử lý.";
  return f;
}

class ServiceFixture {
 public:
  ServiceFixture()
      : runtime(Runtime::from(config::parse_config(kConfig, dir.path() / "config.toml"))),
        metrics(std::make_shared<Metrics>()),
        state(
            runtime, [this] { return now; }, metrics),
        db(dir.path() / "state.db") {}

  // Three sources: one healthy, one failing, one that has never synced.
  void set_realistic_sources() {
    SourceStatus ok;
    ok.name = "motcua";
    ok.kind = config::SourceKind::motcua;
    ok.synced_once = true;
    ok.last_success = now - std::chrono::minutes(3);
    ok.last_attempt = ok.last_success;
    ok.dossiers = 120345;
    SourceStatus failing;
    failing.name = "dvc";
    failing.kind = config::SourceKind::dvc;
    failing.synced_once = true;
    failing.last_success = now - std::chrono::hours(2);
    failing.last_failure = now - std::chrono::minutes(1);
    failing.last_error = "HTTP 502 từ cổng \"DVC\" <gateway>";
    failing.consecutive_failures = 4;
    SourceStatus fresh;
    fresh.name = "tệp-hồ-sơ";
    fresh.kind = config::SourceKind::file;
    state.set_sources({ok, failing, fresh});
  }

  void publish(std::vector<sla::Finding> findings, std::int64_t dossiers = 1000) {
    auto e = std::make_shared<Evaluation>();
    e->at = now;
    e->findings = std::move(findings);
    e->dossiers = dossiers;
    e->took = std::chrono::milliseconds(850);
    state.publish(std::move(e));
  }

  ::motcua::testing::TempDir dir;
  sla::Instant now = at("2026-03-10T10:00:00+07:00");
  std::shared_ptr<const Runtime> runtime;
  std::shared_ptr<Metrics> metrics;
  ServiceState state;
  store::Database db;
};

// A router's answer, without a socket.
inline net::ServerResponse call(const net::Router& router, const std::string& target) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, router.handle(net::ServerRequest::make("GET", target)),
                                      boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace motcua::daemon::testing
