#pragma once
// One io_context on its own thread per test, and bounded waits: a coroutine that does not finish,
// or a condition that does not become true, fails the test at its deadline instead of hanging.
#include <chrono>
#include <functional>
#include <future>
#include <stdexcept>
#include <thread>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace motcua::net::fixtures {

inline constexpr std::chrono::seconds kDeadline{20};

class IoThread {
 public:
  IoThread() : thread_([this] { context_.run(); }) {}
  ~IoThread() { halt(); }
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  boost::asio::any_io_executor executor() { return context_.get_executor(); }

  // Starts `task` on the loop; see wait().
  template <class T>
  std::future<T> spawn(boost::asio::awaitable<T> task) {
    return boost::asio::co_spawn(context_, std::move(task), boost::asio::use_future);
  }

  // The result of a spawned task; throws when it is not done by `limit` (the loop is halted
  // first, so that nothing runs on behind the failing test's back).
  template <class T>
  T wait(std::future<T>& future, std::chrono::milliseconds limit = kDeadline) {
    if (future.wait_for(limit) != std::future_status::ready) {
      halt();
      throw std::runtime_error("the coroutine did not finish before its deadline");
    }
    return future.get();
  }

  // Runs `task` on the loop and returns its result, within `limit`.
  template <class T>
  T run(boost::asio::awaitable<T> task, std::chrono::milliseconds limit = kDeadline) {
    auto future = spawn(std::move(task));
    return wait(future, limit);
  }

  // Stops the loop and joins its thread; pending coroutines are destroyed with the context.
  void halt() {
    guard_.reset();
    context_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{
      context_.get_executor()};
  std::thread thread_;
};

// Polls `condition` until it holds or `limit` passes; returns whether it held.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = kDeadline) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace motcua::net::fixtures
