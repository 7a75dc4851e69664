#pragma once
// The inbound HTTP(S)/1.1 server of the status API and the simulator. It owns sockets, limits and
// timeouts; what to answer is the Router's business (net/router.hpp), tested without a socket.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "net/router.hpp"
#include "net/server_message.hpp"

namespace motcua::net {
namespace detail {
struct ServerState;
}

// Called once per answered request (and per request refused by a limit, with what was known of
// it) with the status sent and the time from its first byte to its last response byte; status 0
// when the handler asked to drop the connection. For metrics and access logs.
using RequestHook =
    std::function<void(const ServerRequest&, int status, std::chrono::microseconds)>;
// Problems worth a log line that no client is told about: a handler threw, accept failed, a TLS
// handshake failed.
using ErrorHook = std::function<void(std::string_view)>;

struct ServerOptions {
  std::string host = "127.0.0.1";            // an address, or a name resolved once at construction
  std::uint16_t port = 0;                    // 0: any free port, see HttpServer::port()
  std::size_t max_header_bytes = 16 * 1024;  // larger: 431
  std::size_t max_body_bytes = 1024 * 1024;  // larger: 413
  std::size_t max_connections = 1024;        // more: 503, then the connection is closed
  // The whole request (TLS handshake apart) must arrive within this, so a client that trickles
  // bytes cannot hold a connection forever.
  std::chrono::milliseconds read_timeout{10000};
  // A kept-alive connection with no new request for this long is closed.
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};
  // Both or neither: PEM certificate chain and private key; with them the server speaks HTTPS.
  std::optional<std::filesystem::path> tls_certificate_file{};
  std::optional<std::filesystem::path> tls_private_key_file{};
  // Both run on the server's strand: keep them short.
  RequestHook on_request{};
  ErrorHook on_error{};
};

class HttpServer {
 public:
  // Binds and listens at once, so that port() is known and a port in use is reported at start-up:
  // throws std::runtime_error (address in use, unreadable TLS files) or std::invalid_argument.
  // All sessions run on a strand of `executor`; the executor may have several threads.
  HttpServer(boost::asio::any_io_executor executor, ServerOptions options, Router router);
  // Stops (see stop()).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  // Starts accepting connections.
  void start();
  // Stops accepting and closes idle connections; a request being handled is answered (with
  // Connection: close) first. Safe from any thread; returns before the closing is done.
  void stop();
  // Open client connections (those refused with 503 not counted).
  std::size_t connections() const;

 private:
  std::shared_ptr<detail::ServerState> state_;
};

}  // namespace motcua::net
