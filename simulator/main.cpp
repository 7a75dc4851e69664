// motcua-sim: stands in for the province's one-stop system and the public-service portal, which
// cannot be reached from tests, demos and benchmarks. See README "motcua-sim".
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "config/holidays.hpp"
#include "net/http_server.hpp"
#include "simulator/upstream_sim.hpp"
#include "sla/calendar.hpp"

namespace {

using namespace motcua;

struct Args {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9480;
  sim::SimOptions sim;
  std::optional<std::filesystem::path> tls_cert, tls_key;
};

const char* kUsage =
    "Usage: motcua-sim [--listen HOST:PORT] [--seed N] [--dossiers N] [--now RFC3339]\n"
    "                  [--speed X] [--credentials USER:PASS] [--session-ttl SECONDS]\n"
    "                  [--expiry-as-http] [--tls-cert FILE --tls-key FILE]\n"
    "\n"
    "Serves the one-stop system at /motcua/{auth,service} and the portal at /dvc/{auth,service},\n"
    "with admin endpoints under /_sim/ (status, clock, faults, scenario, sessions/expire).\n";

int usage_error(const std::string& why) {
  std::fprintf(stderr, "motcua-sim: error: %s\n%s", why.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  a.sim.start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& k = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    try {
      if (k == "--help" || k == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      } else if (k == "--listen") {
        auto v = value();
        auto colon = v ? v->rfind(':') : std::string::npos;
        if (colon == std::string::npos) return usage_error("--listen needs HOST:PORT");
        a.host = v->substr(0, colon);
        a.port = static_cast<std::uint16_t>(std::stoul(v->substr(colon + 1)));
      } else if (k == "--seed") {
        a.sim.seed = std::stoull(value().value_or("x"));
      } else if (k == "--dossiers") {
        a.sim.dossiers = std::stoull(value().value_or("x"));
      } else if (k == "--now") {
        auto t = sla::parse_rfc3339(value().value_or(""));
        if (!t) return usage_error("--now needs an RFC 3339 instant");
        a.sim.start = *t;
      } else if (k == "--speed") {
        a.sim.speed = std::stod(value().value_or("x"));
      } else if (k == "--credentials") {
        auto v = value().value_or("");
        auto colon = v.find(':');
        if (colon == std::string::npos) return usage_error("--credentials needs USER:PASS");
        a.sim.username = v.substr(0, colon);
        a.sim.password = v.substr(colon + 1);
      } else if (k == "--session-ttl") {
        a.sim.session_ttl = std::chrono::seconds(std::stoll(value().value_or("x")));
      } else if (k == "--expiry-as-http") {
        a.sim.expiry_as_http_status = true;
      } else if (k == "--tls-cert") {
        a.tls_cert = value().value_or("");
      } else if (k == "--tls-key") {
        a.tls_key = value().value_or("");
      } else {
        return usage_error("unknown argument '" + k + "'");
      }
    } catch (const std::exception&) {
      return usage_error("bad value for " + k);
    }
  }
  if (a.tls_cert.has_value() != a.tls_key.has_value())
    return usage_error("--tls-cert and --tls-key go together");

  try {
    sla::CalendarSettings settings;
    settings.tables = config::builtin_holiday_tables();
    const sla::WorkingCalendar calendar(settings);
    sim::UpstreamSim sim(calendar, a.sim);
    net::Router router;
    sim.add_routes(router);

    boost::asio::io_context io;
    net::ServerOptions options;
    options.host = a.host;
    options.port = a.port;
    options.max_body_bytes = 64 * 1024 * 1024;  // scenario uploads
    options.tls_certificate_file = a.tls_cert;
    options.tls_private_key_file = a.tls_key;
    options.on_error = [](std::string_view what) {
      std::fprintf(stderr, "motcua-sim: %.*s\n", static_cast<int>(what.size()), what.data());
    };
    net::HttpServer server(io.get_executor(), options, std::move(router));
    server.start();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto, int) {
      server.stop();
      io.stop();
    });
    // The one line scripts and tests wait for: where to connect.
    std::printf("motcua-sim listening on %s://%s:%u (%zu dossiers, seed %llu, now %s)\n",
                a.tls_cert ? "https" : "http", a.host.c_str(), server.port(), sim.dossier_count(),
                static_cast<unsigned long long>(a.sim.seed),
                sla::format_rfc3339(sim.now(), calendar.utc_offset()).c_str());
    std::fflush(stdout);
    io.run();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "motcua-sim: %s\n", e.what());
    return 1;
  }
}
