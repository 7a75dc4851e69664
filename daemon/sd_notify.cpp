#include "daemon/sd_notify.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <system_error>

namespace motcua::daemon {
namespace {

// Closes the socket on every path out of send().
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

template <typename Number>
std::optional<Number> parse_decimal(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  const char* end = text + std::strlen(text);
  Number value{};
  auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

}  // namespace

SystemdNotifier SystemdNotifier::from_environment() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  return SystemdNotifier(path ? path : "");
}

SystemdNotifier::SystemdNotifier(std::string socket_path) : socket_path_(std::move(socket_path)) {}

SystemdNotifier::SystemdNotifier(const SystemdNotifier& other)
    : socket_path_(other.socket_path_), error_logged_(other.error_logged_.load()) {}

SystemdNotifier& SystemdNotifier::operator=(const SystemdNotifier& other) {
  socket_path_ = other.socket_path_;
  error_logged_ = other.error_logged_.load();
  return *this;
}

std::string SystemdNotifier::status_line(std::string_view status) {
  std::string line = "STATUS=";
  line.reserve(line.size() + status.size());
  for (char c : status) {
    const auto byte = static_cast<unsigned char>(c);
    // Bytes from 0x80 up are UTF-8 (Vietnamese text) and pass through.
    line += byte < 0x20 || byte == 0x7f ? ' ' : c;
  }
  return line;
}

void SystemdNotifier::ready(std::string_view status) {
  send("READY=1\n" + status_line(status));
}

void SystemdNotifier::status(std::string_view status) {
  send(status_line(status));
}

void SystemdNotifier::watchdog() {
  send("WATCHDOG=1");
}

void SystemdNotifier::stopping(std::string_view status) {
  send("STOPPING=1\n" + status_line(status));
}

void SystemdNotifier::reloading() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1'000'000ULL +
                    static_cast<unsigned long long>(now.tv_nsec) / 1'000ULL;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

bool SystemdNotifier::send(std::string_view message) {
  if (!enabled()) return true;
  auto fail = [&](const std::string& why) {
    // The service keeps working without systemd hearing from it (at worst the watchdog or the
    // start timeout restarts it, which the journal then explains), so this is logged, not thrown.
    if (!error_logged_.exchange(true))
      spdlog::warn("sd_notify: cannot notify systemd at '{}': {} (further errors not logged)",
                   socket_path_, why);
    return false;
  };

  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // A path, or '@' for a name in the abstract namespace (a leading NUL, not NUL-terminated).
  // systemd 253's "vsock:" addresses are not used by a system service on one host.
  if (socket_path_.front() != '/' && socket_path_.front() != '@')
    return fail("not an absolute path or an abstract socket name");
  if (socket_path_.size() > sizeof(address.sun_path)) return fail("the socket path is too long");
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  if (socket_path_.front() == '@') address.sun_path[0] = '\0';
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  if (socket_path_.front() == '/' && socket_path_.size() < sizeof(address.sun_path)) ++length;

  // A socket per message, as sd_notify(3) does: nothing to keep open across fork or reload, and
  // a watchdog ping every few seconds costs nothing measurable.
  Socket socket(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (socket.fd() < 0) return fail(errno_text(errno));
  // MSG_DONTWAIT: a manager too busy to drain its queue must not stall the daemon's thread;
  // the message is dropped and the next one (status, watchdog) follows soon.
  const ssize_t sent =
      ::sendto(socket.fd(), message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
               reinterpret_cast<const sockaddr*>(&address), length);
  if (sent < 0) return fail(errno_text(errno));
  if (static_cast<std::size_t>(sent) != message.size()) return fail("short write");
  return true;
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval(
    const char* watchdog_usec, const char* watchdog_pid) {
  const auto usec = parse_decimal<std::uint64_t>(watchdog_usec);
  if (!usec || *usec == 0) return std::nullopt;
  // WATCHDOG_PID names the process systemd expects the pings from; a child that inherited the
  // environment must not ping for its parent.
  if (watchdog_pid != nullptr) {
    const auto pid = parse_decimal<pid_t>(watchdog_pid);
    if (!pid || *pid != ::getpid()) return std::nullopt;
  }
  // Half the timeout, as sd_watchdog_enabled(3) advises, so one late ping is not fatal.
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(*usec / 2));
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval_from_environment() {
  return watchdog_interval(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"));
}

}  // namespace motcua::daemon
