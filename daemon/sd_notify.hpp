#pragma once
// Tells systemd how the service is doing (sd_notify(3): readiness, status line, watchdog pings,
// reload and stop), for the unit's Type=notify and WatchdogSec=.
//
// The protocol is a few "KEY=VALUE" lines in one datagram to the AF_UNIX socket named by
// $NOTIFY_SOCKET, so it is written here rather than linked from libsystemd: libsystemd is not in
// the dependency list (DESIGN.md "Dependencies"), and the daemon then runs unchanged outside
// systemd, in containers and in tests.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace motcua::daemon {

// Safe to call from several threads; not from a raw signal handler (it logs through spdlog):
// call stopping() and reloading() from the Asio signal_set's handler.
class SystemdNotifier {
 public:
  // From $NOTIFY_SOCKET: a path, or '@' for an abstract socket. Unset or empty (not started by
  // systemd, or Type=simple): every call is a no-op.
  static SystemdNotifier from_environment();
  // An explicit socket (tests); "" means disabled.
  explicit SystemdNotifier(std::string socket_path);
  // Copies share nothing: each logs its own first error.
  SystemdNotifier(const SystemdNotifier& other);
  SystemdNotifier& operator=(const SystemdNotifier& other);

  bool enabled() const { return !socket_path_.empty(); }
  const std::string& socket_path() const { return socket_path_; }

  void ready(std::string_view status);     // READY=1, STATUS=...
  void status(std::string_view status);    // STATUS=...
  void watchdog();                         // WATCHDOG=1
  void stopping(std::string_view status);  // STOPPING=1, STATUS=...
  // RELOADING=1 with MONOTONIC_USEC: systemd 253+ needs the timestamp to match the reload to
  // the READY=1 that ends it; systemd 252 (Debian 12) ignores it. Send ready() when done.
  void reloading();

  // The watchdog ping interval: half of $WATCHDOG_USEC (as sd_watchdog_enabled(3) advises), when
  // it is set and $WATCHDOG_PID is unset or names this process; otherwise no watchdog.
  static std::optional<std::chrono::microseconds> watchdog_interval_from_environment();
  // The same from given values (nullptr: unset), for tests.
  static std::optional<std::chrono::microseconds> watchdog_interval(const char* watchdog_usec,
                                                                    const char* watchdog_pid);

  // The exact datagram for a STATUS= line: newlines would start a new assignment, so they (and
  // other control characters) become spaces.
  static std::string status_line(std::string_view status);

  // Sends one datagram; false when it could not be sent (logged once, never thrown).
  bool send(std::string_view message);

 private:
  std::string socket_path_;
  // Calls may come from several threads (the watchdog timer, the scheduler, signal handling);
  // one failure is worth one log line, not one every watchdog period.
  std::atomic<bool> error_logged_{false};
};

}  // namespace motcua::daemon
