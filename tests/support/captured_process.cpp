#include "tests/support/captured_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace motcua::testing {

namespace {

// This process's environment with `extra` added; an entry of `extra` replaces one of the same
// name.
std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  const auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    bool replaced = false;
    for (const auto& x : extra)
      replaced = replaced || name_of(x) == name_of(entry);
    if (!replaced) out.push_back(entry);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

CapturedProcess::CapturedProcess(const std::filesystem::path& program,
                                 const std::vector<std::string>& args,
                                 const std::vector<std::string>& environment) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> argv_storage{program.string()};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<std::string> env_storage = environment_with(environment);
  auto argv = pointers(argv_storage);
  auto envp = pointers(env_storage);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error("spawn " + program.string() + ": " + std::strerror(rc));
  }
  pid_ = pid;
  reader_ = std::thread([this, out = out_pipe[0], err = err_pipe[0]] { drain(out, err); });
}

CapturedProcess::~CapturedProcess() {
  if (!exit_) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (reader_.joinable()) reader_.join();
}

void CapturedProcess::drain(int out_fd, int err_fd) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string CapturedProcess::*sinks[2] = {&CapturedProcess::out_, &CapturedProcess::err_};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    const int n = poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got > 0) {
        std::lock_guard lock(mutex_);
        (this->*sinks[i]).append(buf, static_cast<std::size_t>(got));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
    changed_.notify_all();
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  {
    std::lock_guard lock(mutex_);
    streams_closed_ = true;
  }
  changed_.notify_all();
}

std::string CapturedProcess::out() const {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string CapturedProcess::err() const {
  std::lock_guard lock(mutex_);
  return err_;
}

std::size_t CapturedProcess::count_in_err(const std::string& text) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (auto at = err_.find(text); at != std::string::npos; at = err_.find(text, at + text.size()))
    ++n;
  return n;
}

std::optional<std::string> CapturedProcess::wait_for(std::string CapturedProcess::*stream,
                                                     const std::regex& pattern,
                                                     std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  std::unique_lock lock(mutex_);
  for (;;) {
    std::smatch m;
    const std::string& text = this->*stream;
    if (std::regex_search(text, m, pattern)) return m.size() > 1 ? m[1].str() : m[0].str();
    if (streams_closed_) return std::nullopt;
    if (changed_.wait_until(lock, until) == std::cv_status::timeout &&
        std::chrono::steady_clock::now() >= until) {
      if (std::regex_search(this->*stream, m, pattern))
        return m.size() > 1 ? m[1].str() : m[0].str();
      return std::nullopt;
    }
  }
}

std::optional<std::string> CapturedProcess::wait_for_out(const std::regex& pattern,
                                                         std::chrono::milliseconds limit) {
  return wait_for(&CapturedProcess::out_, pattern, limit);
}

std::optional<std::string> CapturedProcess::wait_for_err(const std::regex& pattern,
                                                         std::chrono::milliseconds limit) {
  return wait_for(&CapturedProcess::err_, pattern, limit);
}

void CapturedProcess::signal(int signo) const {
  if (!exit_) kill(pid_, signo);
}

std::optional<ExitStatus> CapturedProcess::wait_exit(std::chrono::milliseconds limit) {
  if (exit_) return exit_;
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t got = waitpid(pid_, &status, WNOHANG);
    if (got == pid_) {
      ExitStatus e;
      if (WIFEXITED(status)) e.code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
      exit_ = e;
      return exit_;
    }
    if (got < 0 && errno != EINTR) throw std::runtime_error("waitpid failed");
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace motcua::testing
