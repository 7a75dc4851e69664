#pragma once
// Records what a test server answered, through its per-request hook (which runs on the server's
// thread), for the test thread to inspect.
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "net/http_server.hpp"
#include "tests/net/io_thread.hpp"

namespace motcua::net::fixtures {

struct Answered {
  std::string method;
  std::string path;
  std::string remote;
  int status = 0;
};

class RequestLog {
 public:
  RequestHook hook() {
    return [this](const ServerRequest& request, int status, std::chrono::microseconds) {
      std::lock_guard lock(mutex_);
      entries_.push_back({request.method, request.path, request.remote, status});
    };
  }
  std::vector<Answered> entries() const {
    std::lock_guard lock(mutex_);
    return entries_;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }
  // The hook runs after the response is written, so possibly after the client has read it.
  bool wait_for(std::size_t count) const {
    return eventually([&] { return size() >= count; });
  }
  // Each client connection has its own remote port: this counts connections.
  std::size_t connections() const {
    std::lock_guard lock(mutex_);
    std::set<std::string> remotes;
    for (const auto& entry : entries_)
      remotes.insert(entry.remote);
    return remotes.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Answered> entries_;
};

}  // namespace motcua::net::fixtures
