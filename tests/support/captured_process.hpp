#pragma once
// A long-running binary (the daemon) as a real process for acceptance tests that watch it while it
// runs: extra environment variables, stdout and stderr read as they come (a thread drains both,
// so the process never blocks on a full pipe, and the test can look for a log line at any time),
// signals sent by the test, and its exit awaited with a deadline. Killed when the object goes.
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace motcua::testing {

struct ExitStatus {
  int code = -1;   // -1 when a signal ended it
  int signal = 0;  // the signal that ended it, if any
};

class CapturedProcess {
 public:
  // `environment`: "NAME=VALUE" entries added to (or replacing) this process's environment.
  CapturedProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
                  const std::vector<std::string>& environment = {});
  // SIGKILL when it still runs, then reaps it.
  ~CapturedProcess();
  CapturedProcess(const CapturedProcess&) = delete;
  CapturedProcess& operator=(const CapturedProcess&) = delete;

  int pid() const { return pid_; }
  // Everything written so far.
  std::string out() const;
  std::string err() const;

  // The first match of `pattern` in stdout (or stderr) so far or within `limit`: its first
  // capture group when it has one, else the whole match. nullopt when the deadline passes or the
  // process ends without it.
  std::optional<std::string> wait_for_out(const std::regex& pattern,
                                          std::chrono::milliseconds limit);
  std::optional<std::string> wait_for_err(const std::regex& pattern,
                                          std::chrono::milliseconds limit);
  // How many times `text` occurs in stderr so far.
  std::size_t count_in_err(const std::string& text) const;

  void signal(int signo) const;
  // The exit status once it has ended, waiting at most `limit`; nullopt while it still runs.
  std::optional<ExitStatus> wait_exit(std::chrono::milliseconds limit);

 private:
  std::optional<std::string> wait_for(std::string CapturedProcess::*stream,
                                      const std::regex& pattern, std::chrono::milliseconds limit);
  void drain(int out_fd, int err_fd);

  int pid_ = -1;
  std::optional<ExitStatus> exit_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string out_, err_;
  bool streams_closed_ = false;
  std::thread reader_;
};

}  // namespace motcua::testing
