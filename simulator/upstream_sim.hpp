#pragma once
// motcua-sim's behaviour: the one-stop system's and the public-service portal's APIs as DOMAIN.md
// describes their transport (login → session; POST {service} calls answered with error_code and
// message), over deterministic dossiers that evolve with simulated time, with faults injected on
// request through /_sim/. The HTTP plumbing is net/'s; this is the routing table and its state.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "net/router.hpp"
#include "sla/calendar.hpp"
#include "sla/dossier.hpp"

namespace motcua::sim {

struct SimOptions {
  std::uint64_t seed = 1;
  std::size_t dossiers = 2000;
  // The simulated instant at start; it advances `speed` simulated seconds per real second.
  sla::Instant start{};
  double speed = 0.0;
  std::string username = "demo";
  std::string password = "demo";
  std::chrono::seconds session_ttl{1800};  // real time
  // How an expired or unknown session is answered: HTTP 401, or 200 with error_code 401.
  bool expiry_as_http_status = false;
  // Shares of dossiers the portal never received, or holds in an older status.
  double portal_missing_share = 0.05;
  double portal_stale_share = 0.04;
  // Deadlines rewritten by an administrator without an apology, as one system allows.
  double deadline_rewrite_share = 0.01;
};

// One injected fault: what happens to the next `count` calls (negative: every call) of `target`
// ("auth", a service name such as "LayDanhSachHoSo", or "*").
struct Fault {
  enum class Kind {
    http_500,
    http_503,
    delay,
    drop_connection,
    truncated_body,
    malformed_json,
    wrong_types,
    oversized_body,
    expire_session,
  };
  Kind kind = Kind::http_500;
  std::string target = "*";
  int count = 1;
  std::chrono::milliseconds delay{0};
};

class UpstreamSim {
 public:
  UpstreamSim(const sla::WorkingCalendar& calendar, SimOptions options);
  ~UpstreamSim();

  // /motcua/auth, /motcua/service, /dvc/auth, /dvc/service and the /_sim/ admin endpoints.
  void add_routes(net::Router& router);

  sla::Instant now() const;
  void set_now(sla::Instant t);
  void add_fault(const Fault& f);
  void clear_faults();
  // Scenario records: served as the one-stop system's records exactly as given (with their own
  // NgayCapNhat); `portal` is the portal's copy, or nullopt when the portal never got it.
  void add_scenario(boost::json::object record, std::optional<boost::json::object> portal);
  std::size_t dossier_count() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace motcua::sim
