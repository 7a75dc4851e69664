#pragma once
// What systemd's side of sd_notify(3) sees: an AF_UNIX datagram socket bound in a temporary
// folder (its path goes into the service's NOTIFY_SOCKET), with every datagram that arrives kept
// in order, with the time it arrived, by a thread of its own.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.hpp"

namespace motcua::testing {

struct NotifyMessage {
  std::string text;  // "READY=1\nSTATUS=..." as sent
  std::chrono::steady_clock::time_point at;

  // Whether one of its lines is exactly `assignment` ("READY=1").
  bool has(const std::string& assignment) const;
};

class NotifySocket {
 public:
  NotifySocket();
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::vector<NotifyMessage> messages() const;
  // The index of the first message at or after `from` that has `assignment`, waiting at most
  // `limit`; nullopt when none came.
  std::optional<std::size_t> wait_for(const std::string& assignment, std::size_t from,
                                      std::chrono::milliseconds limit) const;

 private:
  void receive();

  TempDir dir_;
  std::filesystem::path path_;
  int fd_ = -1;
  int wake_[2] = {-1, -1};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<NotifyMessage> messages_;
  std::thread thread_;
};

}  // namespace motcua::testing
