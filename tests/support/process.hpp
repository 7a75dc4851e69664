#pragma once
// Runs a real binary for acceptance tests: arguments, captured stdout and stderr, exit status, and
// a deadline after which the process is killed (a hang fails the test instead of stalling CI).
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace motcua::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that ended it, if any
  bool timed_out = false;
  std::string out;
  std::string err;
};

ProcessResult run_process(const std::filesystem::path& program,
                          const std::vector<std::string>& args,
                          std::chrono::milliseconds deadline = std::chrono::seconds(60));

// A server process for acceptance tests: started with its stdout piped, killed (SIGTERM, then
// SIGKILL) when the object goes away.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::filesystem::path& program, const std::vector<std::string>& args);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  // The first line of its stdout that contains `text`, or "" when the deadline passes first or
  // the process exits.
  std::string wait_for_line(const std::string& text, std::chrono::milliseconds deadline);
  // Sends `signal` now (SIGKILL: no chance to clean up) and reaps the process. Returns the signal
  // that ended it, or 0 when it had already exited on its own.
  int kill_now(int signal);

 private:
  int pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

// The build tree's binaries and the source tree's files, from the environment ctest sets.
std::filesystem::path binary_dir();
std::filesystem::path source_dir();

// A temporary folder removed at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace motcua::testing
