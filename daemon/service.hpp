#pragma once
// The long-running service (`motcua-watchd --config FILE`): every source polls on its own timer,
// an evaluation follows each sync, the outbox drains continuously and the HTTP status API
// answers, each on its own thread so that a slow source never holds up another source, the API
// or delivery. SIGTERM/SIGINT stop it cleanly, SIGHUP re-reads the config, and systemd hears of
// every state change through the notify protocol.
//
// Threads and what each owns:
//   control   (the caller of run()) signals, source timers, the watchdog, reloads
//   sources   one pool thread per running sync, each source with a store connection of its own
//   evaluate  evaluation and the alert table, one at a time, coalesced
//   deliver   the dispatcher (groups → outbox) and the courier (outbox → receivers)
//   api       the HTTP server with its own read connection
// SQLite serialises their writes (WAL, BEGIN IMMEDIATE, a busy timeout); readers never wait.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "daemon/service_state.hpp"

namespace motcua::daemon {

struct ServiceOptions {
  std::filesystem::path config_file;  // re-read on SIGHUP
  // Handle SIGTERM, SIGINT and SIGHUP; tests call stop() and reload() instead.
  bool handle_signals = true;
  // "Now" for every decision; the system clock (whole seconds) by default.
  ServiceState::Clock clock{};
  // Told the API's port once it listens (the demo prints the URL; tests use port 0).
  std::function<void(std::uint16_t)> on_listening{};
  // The longest a stop waits for in-flight work before abandoning it (rows not yet marked are
  // delivered again after a restart, with the same idempotency key).
  std::chrono::milliseconds stop_grace{5000};
};

class Service {
 public:
  // Opens the state file (taking its lock) and binds the API's address: both errors surface
  // here, before run(). Throws store::StoreError or std::runtime_error.
  Service(std::shared_ptr<const Runtime> runtime, ServiceOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Runs until stopped; returns the exit code (0 after a requested stop).
  int run();
  // Both safe from any thread and from signal context through the io_context.
  void stop();
  void reload();

  std::uint16_t port() const;
  ServiceState& state();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace motcua::daemon
