#include "tests/support/notify_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace motcua::testing {

bool NotifyMessage::has(const std::string& assignment) const {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line == assignment) return true;
  return false;
}

NotifySocket::NotifySocket() : path_(dir_.path() / "notify") {
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string p = path_.string();
  if (p.size() >= sizeof address.sun_path) throw std::runtime_error("socket path too long: " + p);
  std::memcpy(address.sun_path, p.c_str(), p.size() + 1);
  if (bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      pipe2(wake_, O_CLOEXEC) != 0) {
    const std::string why = std::strerror(errno);
    close(fd_);
    throw std::runtime_error("bind " + p + ": " + why);
  }
  thread_ = std::thread([this] { receive(); });
}

NotifySocket::~NotifySocket() {
  const char stop = 'x';
  [[maybe_unused]] const auto n = write(wake_[1], &stop, 1);
  thread_.join();
  close(fd_);
  close(wake_[0]);
  close(wake_[1]);
}

void NotifySocket::receive() {
  char buf[4096];
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    const ssize_t got = recv(fd_, buf, sizeof buf, 0);
    if (got < 0) continue;
    {
      std::lock_guard lock(mutex_);
      messages_.push_back(NotifyMessage{std::string(buf, static_cast<std::size_t>(got)),
                                        std::chrono::steady_clock::now()});
    }
    changed_.notify_all();
  }
}

std::vector<NotifyMessage> NotifySocket::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

std::optional<std::size_t> NotifySocket::wait_for(const std::string& assignment, std::size_t from,
                                                  std::chrono::milliseconds limit) const {
  const auto until = std::chrono::steady_clock::now() + limit;
  std::unique_lock lock(mutex_);
  for (;;) {
    for (std::size_t i = from; i < messages_.size(); ++i)
      if (messages_[i].has(assignment)) return i;
    if (changed_.wait_until(lock, until) == std::cv_status::timeout) {
      for (std::size_t i = from; i < messages_.size(); ++i)
        if (messages_[i].has(assignment)) return i;
      return std::nullopt;
    }
  }
}

}  // namespace motcua::testing
