#pragma once
// The outbound HTTP(S)/1.1 client of the connectors and the webhook notifier: one request at a
// time per call, connections kept alive per (scheme, host, port), TLS verified by default, every
// wait bounded, every failure a value with a readable sentence instead of an exception.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "net/headers.hpp"

namespace motcua::net {
namespace detail {
struct ClientState;
}

struct HttpRequest {
  std::string method = "GET";
  std::string url{};     // http:// or https://, no user info
  HeaderList headers{};  // Host, User-Agent and Content-Length are added unless given
  std::string body{};
};

struct HttpResponse {
  int status = 0;
  HeaderList headers{};
  std::string body{};

  std::string header(std::string_view name) const { return find_header(headers, name); }
};

struct ClientOptions {
  // Resolving, connecting and the TLS handshake together.
  std::chrono::milliseconds connect_timeout{10000};
  // From the first byte of the request to the last byte of the response.
  std::chrono::milliseconds request_timeout{30000};
  std::size_t max_response_bytes = 64 * 1024 * 1024;  // the body
  std::size_t max_header_bytes = 64 * 1024;
  bool verify_tls = true;
  // PEM file of the certificate authorities to trust instead of the system's trust store.
  std::optional<std::filesystem::path> ca_file{};
  std::size_t max_idle_per_host = 4;
  // Idle connections older than this are closed instead of reused: servers drop idle
  // connections after a while, and a request sent into a dying one fails.
  std::chrono::milliseconds max_idle_time{15000};
  std::string user_agent = "motcua-watch/0.1";
};

// Why a request failed, for callers that decide whether to retry.
enum class HttpFailure {
  none,
  invalid_request,  // bad URL or scheme, user info in the URL, malformed header: do not retry
  resolve,          // the host name did not resolve
  connect,          // refused, unreachable, or connect_timeout expired
  tls,              // handshake failed: certificate not trusted, wrong host name, protocol
  timeout,          // request_timeout expired
  too_large,        // the response exceeded max_response_bytes or max_header_bytes
  closed,           // the server closed the connection before the response was complete
  protocol,         // the response was not valid HTTP/1.1
  io,               // any other transport error
};

struct HttpResult {
  std::optional<HttpResponse> response{};  // any status, 5xx included
  std::error_code error{};
  HttpFailure failure = HttpFailure::none;
  // A sentence for logs and the status API, e.g. "connect to 127.0.0.1:8443 timed out after
  // 10 s", "TLS: certificate verify failed (self-signed certificate) for host localhost".
  std::string error_text{};

  bool ok() const { return response.has_value(); }
};

class HttpClient {
 public:
  // Throws std::runtime_error when the CA file cannot be loaded (at start-up, not per request).
  explicit HttpClient(boost::asio::any_io_executor executor, ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Never throws for network or protocol failures. Call from coroutines on this client's
  // executor (one thread or a strand): the idle connections are not guarded by a lock. The
  // client may be destroyed while a request is running; the request completes normally.
  //
  // An idle connection that the server has closed in the meantime is replaced by a fresh one and
  // the request sent again, once, when that is safe: the method is idempotent or not a byte of
  // the request was sent.
  boost::asio::awaitable<HttpResult> request(HttpRequest request);

  // Idle connections kept for reuse (for tests and metrics). Like request(), on the executor.
  std::size_t idle_connections() const;
  // Closes the idle connections, e.g. before a reload changes the upstream address.
  void close_idle();

 private:
  std::shared_ptr<detail::ClientState> state_;
};

}  // namespace motcua::net
