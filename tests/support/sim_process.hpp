#pragma once
// motcua-sim as a real process on a random loopback port (HTTP, or HTTPS with a certificate the
// test made), and a blocking client for what acceptance tests do to it from outside: the /_sim/
// admin endpoints (faults, clock, sessions) and the whole one-stop listing, to compare with what
// the daemon stored.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace motcua::testing {

struct SimOptions {
  std::size_t dossiers = 500;
  unsigned seed = 5;
  std::string now = "2026-03-10T10:00:00+07:00";
  // Both or neither: serve HTTPS with this certificate chain and key.
  std::optional<std::filesystem::path> tls_cert{}, tls_key{};
  // The CA the test client trusts when the simulator serves HTTPS.
  std::optional<std::filesystem::path> ca_file{};
  std::vector<std::string> extra_args{};  // e.g. --session-ttl 1, --expiry-as-http
};

struct SimAnswer {
  int status = 0;  // 0 when no HTTP answer came
  std::string body;
  std::string error;  // the transport failure, when status is 0
};

// One dossier as the one-stop listing shows it.
struct ListedRecord {
  std::string code;     // MaHoSo
  std::string updated;  // NgayCapNhat, yyyyMMddHHmmss (sorts as text)
};

class SimProcess {
 public:
  // Starts the simulator and waits for its "listening on" line; throws when it does not come.
  explicit SimProcess(SimOptions options = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT".
  const std::string& base_url() const { return base_url_; }
  // The one-stop system's base URL for a source's `url`.
  std::string motcua_url() const { return base_url_ + "/motcua"; }

  SimAnswer request(const std::string& method, const std::string& path,
                    const std::string& body = "");

  // POST /_sim/faults; throws unless the simulator took it.
  void inject(const std::string& kind, const std::string& target, int count, int delay_ms = 0);
  void clear_faults();
  void expire_sessions();
  void advance_clock(const std::string& by);

  // The whole listing, logged in as demo:demo. Call it with no fault injected: it would take
  // them.
  std::vector<ListedRecord> listing();

 private:
  SimOptions options_;
  std::unique_ptr<BackgroundProcess> process_;
  std::string base_url_;
};

}  // namespace motcua::testing
