#pragma once
// Plain blocking loopback sockets, for peers that misbehave in ways no HTTP library would: a
// listener that never accepts, a client that trickles bytes or sends garbage.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace motcua::net::fixtures {

// A socket on 127.0.0.1 listening with `backlog` and never accepting: the kernel completes the
// handshakes of the first few connections, which then wait forever for an answer.
class SilentListener {
 public:
  explicit SilentListener(int backlog);
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  std::uint16_t port() const { return port_; }

  // Connects sockets until one does not complete within `patience`, so that further connection
  // attempts hang in SYN retransmission. False when the kernel never stopped completing them.
  bool fill_backlog(std::chrono::milliseconds patience = std::chrono::milliseconds(300));

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  int fillers_[16];
  int filler_count_ = 0;
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; throws std::runtime_error when that fails.
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // False when the peer has closed the connection (the write failed).
  bool send(std::string_view bytes);
  // What arrives until the peer closes or `limit` passes.
  std::string read_until_closed(std::chrono::milliseconds limit);
  // What arrives until `needle` has been seen, the peer closes, or `limit` passes.
  std::string read_until(std::string_view needle, std::chrono::milliseconds limit);
  // Whether a read saw the end of the stream (or a reset).
  bool closed_by_peer() const { return closed_by_peer_; }

 private:
  int fd_ = -1;
  bool closed_by_peer_ = false;
};

// A port on 127.0.0.1 where nothing listens (bound, then released).
std::uint16_t unused_port();

}  // namespace motcua::net::fixtures
