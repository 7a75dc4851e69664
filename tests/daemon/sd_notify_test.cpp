// The sd_notify protocol against real datagram sockets standing in for systemd: one bound to a
// path in a temporary folder and one in the abstract namespace. Each test asserts the exact bytes
// systemd would read.
#include "daemon/sd_notify.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <random>
#include <string>

#include "tests/support/process.hpp"

namespace motcua::daemon {
namespace {

using namespace std::chrono;

// The manager's end: a bound datagram socket whose messages the test reads back.
class NotifyListener {
 public:
  // `name` starting with '@' is bound in the abstract namespace, like systemd's own
  // NOTIFY_SOCKET in containers and user sessions.
  explicit NotifyListener(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name_.data(), name_.size());
    if (name_.front() == '@') address.sun_path[0] = '\0';
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), length), 0)
        << std::strerror(errno);
  }
  ~NotifyListener() { ::close(fd_); }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  const std::string& name() const { return name_; }

  // The next datagram, or nullopt when none arrives within the deadline.
  std::optional<std::string> receive(milliseconds deadline = seconds(5)) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(deadline.count())) != 1) return std::nullopt;
    std::string buffer(4096, '\0');
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n < 0) return std::nullopt;
    buffer.resize(static_cast<std::size_t>(n));
    return buffer;
  }

 private:
  std::string name_;
  int fd_ = -1;
};

std::string abstract_name() {
  std::random_device random;
  return "@motcua-sd-notify-test-" + std::to_string(::getpid()) + "-" + std::to_string(random());
}

std::uint64_t monotonic_usec() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000 +
         static_cast<std::uint64_t>(now.tv_nsec) / 1'000;
}

// Restores an environment variable at the end of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class SdNotifyPathTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  NotifyListener manager{(dir.path() / "notify").string()};
  SystemdNotifier notifier{manager.name()};
};

TEST_F(SdNotifyPathTest, ReadySendsReadyAndStatus) {
  ASSERT_TRUE(notifier.enabled());
  notifier.ready("2 nguồn, đang theo dõi 1234 hồ sơ");
  EXPECT_EQ(manager.receive(), "READY=1\nSTATUS=2 nguồn, đang theo dõi 1234 hồ sơ");
}

TEST_F(SdNotifyPathTest, StatusWatchdogStoppingEachOneDatagram) {
  notifier.status("syncing motcua");
  notifier.watchdog();
  notifier.stopping("stopping on SIGTERM");
  EXPECT_EQ(manager.receive(), "STATUS=syncing motcua");
  EXPECT_EQ(manager.receive(), "WATCHDOG=1");
  EXPECT_EQ(manager.receive(), "STOPPING=1\nSTATUS=stopping on SIGTERM");
}

TEST_F(SdNotifyPathTest, StatusNewlinesCannotInjectAssignments) {
  notifier.status("source failed:\nREADY=1\r\nWATCHDOG=trigger\tend");
  EXPECT_EQ(manager.receive(), "STATUS=source failed: READY=1  WATCHDOG=trigger end");
  notifier.ready("line one\nline two");
  EXPECT_EQ(manager.receive(), "READY=1\nSTATUS=line one line two");
}

TEST_F(SdNotifyPathTest, ReloadingCarriesTheMonotonicClock) {
  const auto before = monotonic_usec();
  notifier.reloading();
  const auto after = monotonic_usec();
  auto message = manager.receive();
  ASSERT_TRUE(message);
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  ASSERT_EQ(message->substr(0, prefix.size()), prefix) << *message;
  const std::string digits = message->substr(prefix.size());
  ASSERT_FALSE(digits.empty());
  ASSERT_EQ(digits.find_first_not_of("0123456789"), std::string::npos) << digits;
  const auto usec = std::stoull(digits);
  EXPECT_GE(usec, before);
  EXPECT_LE(usec, after);
}

TEST_F(SdNotifyPathTest, FullQueueDoesNotBlockTheCaller) {
  // Nobody reads: the manager's queue fills. Every call still returns at once.
  const auto start = steady_clock::now();
  int refused = 0;
  for (int i = 0; i < 5000 && refused < 10; ++i)
    if (!notifier.send("WATCHDOG=1")) ++refused;
  EXPECT_EQ(refused, 10) << "the queue never filled";
  EXPECT_LT(steady_clock::now() - start, seconds(2));
}

TEST(SdNotifyAbstractTest, AbstractSocketGetsTheExactDatagrams) {
  NotifyListener manager(abstract_name());
  ScopedEnv socket("NOTIFY_SOCKET", manager.name().c_str());
  auto notifier = SystemdNotifier::from_environment();
  ASSERT_TRUE(notifier.enabled());
  EXPECT_EQ(notifier.socket_path(), manager.name());
  notifier.ready("ready");
  notifier.watchdog();
  EXPECT_EQ(manager.receive(), "READY=1\nSTATUS=ready");
  EXPECT_EQ(manager.receive(), "WATCHDOG=1");
}

TEST(SdNotifyDisabledTest, UnsetOrEmptyNotifySocketMakesEveryCallANoOp) {
  for (const char* value : {static_cast<const char*>(nullptr), ""}) {
    ScopedEnv socket("NOTIFY_SOCKET", value);
    auto notifier = SystemdNotifier::from_environment();
    EXPECT_FALSE(notifier.enabled());
    notifier.ready("ready");
    notifier.status("status");
    notifier.watchdog();
    notifier.reloading();
    notifier.stopping("bye");
    EXPECT_TRUE(notifier.send("READY=1"));
  }
}

TEST(SdNotifyFaultTest, NoListenerIsReportedNotThrown) {
  testing::TempDir dir;
  SystemdNotifier notifier((dir.path() / "nobody-listens").string());
  EXPECT_NO_THROW(notifier.ready("ready"));
  EXPECT_FALSE(notifier.send("WATCHDOG=1"));
  EXPECT_FALSE(notifier.send("WATCHDOG=1"));  // logged once only; still no throw
}

TEST(SdNotifyFaultTest, RelativeOrOverlongSocketPathIsRefused) {
  EXPECT_FALSE(SystemdNotifier("run/notify").send("READY=1"));
  EXPECT_FALSE(SystemdNotifier("/" + std::string(200, 'x')).send("READY=1"));
}

TEST(SdNotifyWatchdogTest, HalfOfWatchdogUsec) {
  EXPECT_EQ(SystemdNotifier::watchdog_interval("30000000", nullptr), seconds(15));
  EXPECT_EQ(SystemdNotifier::watchdog_interval("3", nullptr), microseconds(1));
}

TEST(SdNotifyWatchdogTest, WatchdogPidMustBeThisProcess) {
  const std::string self = std::to_string(::getpid());
  const std::string other = std::to_string(::getpid() + 1);
  EXPECT_EQ(SystemdNotifier::watchdog_interval("30000000", self.c_str()), seconds(15));
  EXPECT_EQ(SystemdNotifier::watchdog_interval("30000000", other.c_str()), std::nullopt);
  EXPECT_EQ(SystemdNotifier::watchdog_interval("30000000", "abc"), std::nullopt);
}

TEST(SdNotifyWatchdogTest, UnsetZeroOrMalformedMeansNoWatchdog) {
  EXPECT_EQ(SystemdNotifier::watchdog_interval(nullptr, nullptr), std::nullopt);
  EXPECT_EQ(SystemdNotifier::watchdog_interval("", nullptr), std::nullopt);
  EXPECT_EQ(SystemdNotifier::watchdog_interval("0", nullptr), std::nullopt);
  EXPECT_EQ(SystemdNotifier::watchdog_interval("-5", nullptr), std::nullopt);
  EXPECT_EQ(SystemdNotifier::watchdog_interval("30s", nullptr), std::nullopt);
}

TEST(SdNotifyWatchdogTest, FromTheEnvironment) {
  const std::string self = std::to_string(::getpid());
  {
    ScopedEnv usec("WATCHDOG_USEC", "30000000");
    ScopedEnv pid("WATCHDOG_PID", self.c_str());
    EXPECT_EQ(SystemdNotifier::watchdog_interval_from_environment(), seconds(15));
  }
  {
    ScopedEnv usec("WATCHDOG_USEC", "10000000");
    ScopedEnv pid("WATCHDOG_PID", nullptr);
    EXPECT_EQ(SystemdNotifier::watchdog_interval_from_environment(), seconds(5));
  }
  {
    ScopedEnv usec("WATCHDOG_USEC", nullptr);
    ScopedEnv pid("WATCHDOG_PID", self.c_str());
    EXPECT_EQ(SystemdNotifier::watchdog_interval_from_environment(), std::nullopt);
  }
}

}  // namespace
}  // namespace motcua::daemon
