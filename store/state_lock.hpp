#pragma once
// One daemon per state file. Two motcua-watchd processes on one file would both sync and both
// notify: every alert twice, cursors racing. The lock is an flock(2) on "<state file>.lock",
// released by the kernel when the process ends however it ends (kill -9 included), so a stale
// lock never needs cleaning up. The file holds the owner's pid, for the error message.
#include <filesystem>

namespace motcua::store {

class StateLock {
 public:
  // Throws StoreError when another process holds the lock ("… is in use by another
  // motcua-watchd (pid 1234)") or the lock file cannot be created.
  explicit StateLock(const std::filesystem::path& state_file);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace motcua::store
