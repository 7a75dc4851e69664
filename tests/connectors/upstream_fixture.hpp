#pragma once
// A real upstream for the connector tests: motcua-sim's routes behind net::HttpServer on
// 127.0.0.1, one io_context thread for the server and the client, and a log of what the server
// answered (written by its request hook) for assertions about logins, retries and rates.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "config/holidays.hpp"
#include "connectors/upstream_session.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/router.hpp"
#include "simulator/upstream_sim.hpp"
#include "sla/calendar.hpp"
#include "tests/net/io_thread.hpp"

namespace motcua::connectors::testing {

using net::fixtures::eventually;
using net::fixtures::IoThread;

inline const sla::WorkingCalendar& calendar() {
  static const sla::WorkingCalendar c([] {
    sla::CalendarSettings s;
    s.tables = config::builtin_holiday_tables();
    return s;
  }());
  return c;
}

// A Tuesday morning: the one-stop system's nightly job stamped 22:00:00 on Monday evening.
inline const sla::Instant kStart = *sla::parse_rfc3339("2026-03-10T10:00:00+07:00");

inline sim::SimOptions sim_options(std::size_t dossiers = 600) {
  sim::SimOptions o;
  o.seed = 7;
  o.dossiers = dossiers;
  o.start = kStart;
  return o;
}

// One request as the server saw it: its timing and status from the server's RequestHook, its
// service and session from the body (which the hook does not get), read by a routing shim in
// front of the simulator's handlers.
struct Served {
  std::string path;     // "/motcua/auth", "/dvc/service", ...
  std::string service;  // of a service call, else ""
  std::string session;  // the token a service call carried
  int status = 0;
  std::chrono::steady_clock::time_point started;   // first byte of the request
  std::chrono::steady_clock::time_point finished;  // last byte of the response
};

class ServedLog {
 public:
  net::RequestHook hook() {
    return [this](const net::ServerRequest& request, int status, std::chrono::microseconds took) {
      std::lock_guard lock(mutex_);
      Served* s = nullptr;
      // Requests are answered in arrival order on each connection, not across connections: take
      // the oldest unanswered body note for this path.
      for (auto& e : entries_)
        if (e.status == -1 && e.path == request.path) {
          s = &e;
          break;
        }
      if (s == nullptr) {
        entries_.push_back(Served{request.path, "", "", -1, {}, {}});
        s = &entries_.back();
      }
      s->status = status;
      s->finished = std::chrono::steady_clock::now();
      s->started = s->finished - took;
    };
  }
  // Called by the shim with the body, before the simulator answers.
  void note(const std::string& path, const std::string& body) {
    Served s;
    s.path = path;
    s.status = -1;
    boost::json::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (!ec && v.is_object()) {
      if (auto* x = v.as_object().if_contains("service"); x && x->is_string())
        s.service = std::string(x->as_string());
      if (auto* x = v.as_object().if_contains("session"); x && x->is_string())
        s.session = std::string(x->as_string());
    }
    std::lock_guard lock(mutex_);
    entries_.push_back(std::move(s));
  }
  // Answered requests only (the hook runs after the answer is written).
  std::vector<Served> entries() const {
    std::lock_guard lock(mutex_);
    std::vector<Served> out;
    for (const auto& e : entries_)
      if (e.status != -1) out.push_back(e);
    return out;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }
  // Answered requests to paths ending in `suffix` ("/auth").
  std::size_t count_path(std::string_view suffix) const {
    std::size_t n = 0;
    for (const auto& e : entries())
      if (e.path.ends_with(suffix)) ++n;
    return n;
  }
  // Calls of the service `name` that reached the server, answered or not.
  std::size_t count_service(std::string_view name) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& e : entries_)
      if (e.service == name) ++n;
    return n;
  }
  // Every session token sent, for checks that no message carries one.
  std::vector<std::string> sessions() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& e : entries_)
      if (!e.session.empty()) out.push_back(e.session);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Served> entries_;
};

class UpstreamFixture : public ::testing::Test {
 protected:
  explicit UpstreamFixture(sim::SimOptions options = sim_options(),
                           net::ClientOptions client_options = {})
      : sim(calendar(), std::move(options)), client(io.executor(), client_options) {
    sim.add_routes(*sim_router);
    net::Router router;
    for (const char* path : {"/motcua/auth", "/motcua/service", "/dvc/auth", "/dvc/service"}) {
      router.add("POST", path,
                 net::Router::AsyncHandler(
                     [this](net::ServerRequest r) -> boost::asio::awaitable<net::ServerResponse> {
                       log.note(r.path, r.body);
                       co_return co_await sim_router->handle(std::move(r));
                     }));
    }
    net::ServerOptions server_options;
    server_options.on_request = log.hook();
    server = std::make_unique<net::HttpServer>(io.executor(), server_options, std::move(router));
    server->start();
  }

  // The loop stops before the objects its coroutines use go away.
  void TearDown() override { io.halt(); }

  std::string base(std::string_view system) const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + "/" + std::string(system);
  }

  UpstreamEndpoint endpoint(std::string_view system = "motcua",
                            std::string password = "demo") const {
    UpstreamEndpoint e;
    e.url = base(system);
    e.username = "demo";
    e.password = std::move(password);
    e.dstcode = "H37";
    e.madonvi = "000.00.00.H37";
    return e;
  }

  // The simulator's own listing at its current time, code → record text, through a session of
  // its own (its requests are taken out of the log).
  std::map<std::string, std::string> listing() {
    const std::size_t before = log.count_path("/motcua/service");
    UpstreamSession truth(client, endpoint());
    boost::json::object params{{"CapNhatTu", ""}, {"Trang", 1}, {"SoLuong", 10000}};
    CallResult r = io.run(truth.call("LayDanhSachHoSo", params));
    EXPECT_TRUE(r.ok()) << r.error.message;
    std::map<std::string, std::string> out;
    if (!r.ok()) return out;
    EXPECT_LT(r.answer.at("TongSo").to_number<std::int64_t>(), 10000);
    for (const auto& v : r.answer.at("data").as_array())
      out[std::string(v.at("MaHoSo").as_string())] = boost::json::serialize(v);
    // The hook runs after the answer is written: wait for both requests before forgetting them.
    eventually([&] { return log.count_path("/motcua/service") > before; });
    log.clear();
    return out;
  }

  IoThread io;  // first: the loop outlives everything that uses it
  ServedLog log;
  sim::UpstreamSim sim;
  std::shared_ptr<net::Router> sim_router = std::make_shared<net::Router>();
  net::HttpClient client;
  std::unique_ptr<net::HttpServer> server;
};

}  // namespace motcua::connectors::testing
