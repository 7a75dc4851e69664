#include "net/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <stdexcept>
#include <utility>
#include <variant>

#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "net/byte_stream.hpp"
#include "net/tls_client.hpp"

namespace motcua::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

using detail::ByteStream;
using RequestMessage = http::request<http::string_body>;

std::string describe(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + " s";
  return std::to_string(duration.count()) + " ms";
}

HttpResult failed(HttpFailure failure, error_code ec, std::string text) {
  HttpResult result;
  result.failure = failure;
  result.error = ec;
  result.error_text = std::move(text);
  return result;
}

HttpResult invalid(std::string text) {
  return failed(HttpFailure::invalid_request,
                make_error_code(boost::system::errc::invalid_argument), std::move(text));
}

// Where a URL points: what the connection pool, the Host field, SNI and the messages need.
struct Endpoint {
  bool tls = false;
  std::string host;  // as resolved and verified: a name, or an address without brackets
  bool host_is_address = false;
  std::uint16_t port = 0;
  std::string authority;  // "host:port", IPv6 in brackets: for messages and the Host field
  std::string target;     // origin-form path and query
  std::string pool_key;
};

std::variant<Endpoint, std::string> parse_url(std::string_view text) {
  const auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return "invalid URL '" + std::string(text) + "': " + parsed.error().message();
  const boost::urls::url_view url = *parsed;

  Endpoint endpoint;
  const auto scheme = url.scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https)
    return "unsupported URL scheme '" + std::string(url.scheme()) + "' (only http and https)";
  endpoint.tls = scheme == boost::urls::scheme::https;
  // Credentials belong in headers, where they are not logged with the URL.
  if (url.has_userinfo()) return "user info in URL is not accepted: " + std::string(url.host());
  switch (url.host_type()) {
    case boost::urls::host_type::name:
    case boost::urls::host_type::ipv4:
      endpoint.host = url.host_address();
      break;
    case boost::urls::host_type::ipv6:
      endpoint.host = url.host_ipv6_address().to_string();
      break;
    default:
      return "URL without a usable host: " + std::string(text);
  }
  if (endpoint.host.empty()) return "URL without a host: " + std::string(text);
  endpoint.host_is_address = url.host_type() != boost::urls::host_type::name;

  const std::uint16_t default_port = endpoint.tls ? 443 : 80;
  if (url.has_port() && url.port().empty()) return "URL with an empty port: " + std::string(text);
  if (url.has_port() && url.port_number() == 0)
    return "URL with an invalid port: " + std::string(text);
  endpoint.port = url.has_port() ? url.port_number() : default_port;

  const std::string bracketed =
      url.host_type() == boost::urls::host_type::ipv6 ? "[" + endpoint.host + "]" : endpoint.host;
  endpoint.authority = bracketed + ":" + std::to_string(endpoint.port);
  endpoint.target = std::string(url.encoded_target());
  if (endpoint.target.empty() || endpoint.target.front() != '/') endpoint.target.insert(0, "/");
  endpoint.pool_key = std::string(endpoint.tls ? "https://" : "http://") + endpoint.authority;
  return endpoint;
}

// RFC 9110 section 5.6.2.
bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (const unsigned char c : text) {
    const bool ok =
        std::isalnum(c) ||
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// CR, LF or NUL in a value would let it end the header early and smuggle in another one.
bool is_field_value(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool is_idempotent(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
    if (method == m) return true;
  return false;
}

// One open connection, and the bytes read past the last response.
struct Connection {
  ByteStream stream;
  beast::flat_buffer buffer;
  Clock::time_point idle_since{};

  // Beast reads at most what the buffer has room for (at least 512 bytes), and a buffer that the
  // parser drains after every read never grows: without room made here, a 750 KB listing page
  // took 1,500 reads, each with its poll and timer reset.
  static constexpr std::size_t kReadSize = 64 * 1024;

  explicit Connection(ByteStream s) : stream(std::move(s)) { buffer.reserve(kReadSize); }

  beast::tcp_stream& lowest() { return stream.lowest(); }

  // Whether an idle connection can still carry a request: the peer has neither closed it nor
  // sent anything (an idle HTTP/1.1 connection has nothing to read; a TLS close_notify or an
  // unsolicited 408 means the server is done with it). A non-blocking peek, no I/O wait.
  bool still_open() {
    auto& socket = lowest().socket();
    if (!socket.is_open()) return false;
    char byte;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

// The readable reason of an OpenSSL error, with the certificate verification result when the
// handshake failed on the certificate.
std::string tls_reason(const error_code& ec, SSL* handle) {
  if (ec == ssl::error::stream_truncated) return "connection closed during the handshake";
  if (ec.category() != asio::error::get_ssl_category()) return ec.message();
  const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
  std::string text = reason ? reason : ec.message();
  const long verify = SSL_get_verify_result(handle);
  if (verify != X509_V_OK) text += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
  return text;
}

struct Exchange {
  std::optional<HttpResponse> response;
  bool reusable = false;
  error_code ec;
  bool wrote_nothing = false;  // the request did not leave, not even in part
  bool read_nothing = false;   // not a byte of a response arrived
  bool write_failed = false;
};

}  // namespace

struct detail::ClientState {
  asio::any_io_executor executor;
  ClientOptions options;
  ssl::context tls{ssl::context::tls_client};
  std::map<std::string, std::deque<std::unique_ptr<Connection>>> idle;

  ClientState(asio::any_io_executor ex, ClientOptions opts)
      : executor(std::move(ex)), options(std::move(opts)) {
    net::configure_client_tls(tls, options.verify_tls, options.ca_file);
  }

  std::unique_ptr<Connection> take_idle(const std::string& key) {
    const auto found = idle.find(key);
    if (found == idle.end()) return nullptr;
    auto& list = found->second;
    const auto oldest_allowed = Clock::now() - options.max_idle_time;
    std::unique_ptr<Connection> taken;
    // The most recently used connection is the least likely to have been closed by the server.
    while (!taken && !list.empty()) {
      auto candidate = std::move(list.back());
      list.pop_back();
      if (candidate->idle_since >= oldest_allowed && candidate->still_open())
        taken = std::move(candidate);
    }
    if (list.empty()) idle.erase(found);
    return taken;
  }

  void put_idle(const std::string& key, std::unique_ptr<Connection> connection) {
    if (options.max_idle_per_host == 0) return;
    auto& list = idle[key];
    if (list.size() >= options.max_idle_per_host) list.pop_front();
    connection->lowest().expires_never();
    connection->idle_since = Clock::now();
    list.push_back(std::move(connection));
  }
};

namespace {

using State = detail::ClientState;

struct Connected {
  std::unique_ptr<Connection> connection;
  HttpResult failure;
};

// Resolve, connect and (for https) shake hands, all within connect_timeout.
asio::awaitable<Connected> open_connection(std::shared_ptr<State> state, const Endpoint& endpoint) {
  const auto& options = state->options;
  const auto deadline = Clock::now() + options.connect_timeout;
  const std::string timed_out = " timed out after " + describe(options.connect_timeout);
  Connected out;

  // The resolver has no timeout of its own: a timer cancels it. Both are shared with the timer's
  // handler, which may run after this frame is gone.
  auto resolver = std::make_shared<tcp::resolver>(state->executor);
  auto timer = std::make_shared<asio::steady_timer>(state->executor, deadline);
  timer->async_wait([resolver](error_code ec) {
    if (!ec) resolver->cancel();
  });
  auto [resolve_ec, endpoints] =
      co_await resolver->async_resolve(endpoint.host, std::to_string(endpoint.port), use_tuple);
  timer->cancel();
  if (resolve_ec) {
    if (resolve_ec == asio::error::operation_aborted && Clock::now() >= deadline) {
      out.failure = failed(HttpFailure::connect, make_error_code(beast::error::timeout),
                           "resolving " + endpoint.host + timed_out);
    } else {
      out.failure = failed(HttpFailure::resolve, resolve_ec,
                           "cannot resolve " + endpoint.host + ": " + resolve_ec.message());
    }
    co_return out;
  }

  beast::tcp_stream tcp(state->executor);
  tcp.expires_at(deadline);
  auto [connect_ec, peer] = co_await tcp.async_connect(endpoints, use_tuple);
  (void)peer;
  if (connect_ec) {
    out.failure =
        failed(HttpFailure::connect, connect_ec,
               "connect to " + endpoint.authority +
                   (connect_ec == beast::error::timeout ? timed_out : ": " + connect_ec.message()));
    co_return out;
  }
  // Requests are written whole; waiting to coalesce them would only add latency.
  error_code ignored;
  tcp.socket().set_option(tcp::no_delay(true), ignored);

  if (!endpoint.tls) {
    out.connection = std::make_unique<Connection>(ByteStream(std::move(tcp)));
    co_return out;
  }

  ByteStream stream(std::move(tcp), state->tls);
  SSL* ssl_handle = stream.tls_handle();
  // RFC 6066 section 3: SNI carries host names only, never addresses.
  if (!endpoint.host_is_address) SSL_set_tlsext_host_name(ssl_handle, endpoint.host.c_str());
  if (options.verify_tls) {
    // OpenSSL's own name check (rather than a verify callback) records the reason, so a mismatch
    // reads "hostname mismatch" instead of an unexplained verification failure.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int set = endpoint.host_is_address
                        ? X509_VERIFY_PARAM_set1_ip_asc(param, endpoint.host.c_str())
                        : X509_VERIFY_PARAM_set1_host(param, endpoint.host.c_str(), 0);
    if (set != 1) {
      out.failure = failed(HttpFailure::tls, make_error_code(boost::system::errc::invalid_argument),
                           "TLS: cannot verify host " + endpoint.host);
      co_return out;
    }
  }
  stream.lowest().expires_at(deadline);
  auto [handshake_ec] = co_await stream.async_handshake(ByteStream::Role::client, use_tuple);
  if (handshake_ec) {
    out.failure =
        handshake_ec == beast::error::timeout
            ? failed(HttpFailure::connect, handshake_ec,
                     "TLS handshake with " + endpoint.authority + timed_out)
            : failed(HttpFailure::tls, handshake_ec,
                     "TLS: " + tls_reason(handshake_ec, ssl_handle) + " for host " + endpoint.host);
    co_return out;
  }
  out.connection = std::make_unique<Connection>(std::move(stream));
  co_return out;
}

asio::awaitable<Exchange> send_and_receive(Connection& connection, const RequestMessage& message,
                                           const ClientOptions& options) {
  ByteStream& stream = connection.stream;
  Exchange out;
  connection.lowest().expires_after(options.request_timeout);

  auto [write_ec, written] = co_await http::async_write(stream, message, use_tuple);
  if (write_ec) {
    out.ec = write_ec;
    out.write_failed = true;
    out.wrote_nothing = written == 0;
    out.read_nothing = true;
    co_return out;
  }

  // Interim 1xx responses (other than 101, which we never ask for) precede the real one.
  for (bool interim_seen = false;; interim_seen = true) {
    http::response_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser.body_limit(options.max_response_bytes);
    // A response to HEAD announces a body it does not carry.
    if (message.method() == http::verb::head) parser.skip(true);
    auto [read_ec, read] = co_await http::async_read(stream, connection.buffer, parser, use_tuple);
    (void)read;
    if (read_ec) {
      out.ec = read_ec;
      out.read_nothing = !interim_seen && !parser.got_some();
      co_return out;
    }
    auto response = parser.release();
    const unsigned status = response.result_int();
    if (status >= 100 && status < 200 && status != 101) continue;

    HttpResponse result;
    result.status = static_cast<int>(status);
    for (const auto& field : response)
      result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    result.body = std::move(response.body());
    // Bytes after the response would be taken for the start of the next one.
    out.reusable = !response.need_eof() && connection.buffer.size() == 0;
    out.response = std::move(result);
    co_return out;
  }
}

bool closed_by_peer(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated;
}

HttpResult exchange_failure(const Exchange& exchange, const Endpoint& endpoint,
                            const ClientOptions& options) {
  const auto& ec = exchange.ec;
  if (ec == beast::error::timeout)
    return failed(HttpFailure::timeout, ec,
                  "request to " + endpoint.authority + " timed out after " +
                      describe(options.request_timeout));
  if (ec == http::error::body_limit)
    return failed(HttpFailure::too_large, ec,
                  "response larger than " + std::to_string(options.max_response_bytes) + " bytes");
  if (ec == http::error::header_limit)
    return failed(
        HttpFailure::too_large, ec,
        "response header larger than " + std::to_string(options.max_header_bytes) + " bytes");
  if (closed_by_peer(ec))
    return failed(HttpFailure::closed, ec, "connection closed before the response was complete");
  if (exchange.write_failed)
    return failed(HttpFailure::io, ec,
                  "sending the request to " + endpoint.authority + " failed: " + ec.message());
  if (ec.category() == http::make_error_code(http::error::bad_version).category())
    return failed(HttpFailure::protocol, ec,
                  "malformed response from " + endpoint.authority + ": " + ec.message());
  return failed(HttpFailure::io, ec,
                "reading the response from " + endpoint.authority + " failed: " + ec.message());
}

// With -fsanitize=address GCC 12 takes the frame of this coroutine for memory freed by the wrong
// operator delete (a false positive of its coroutine lowering, where the frame comes from Asio's
// awaitable_frame_base::operator new); silenced for this function only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<HttpResult> perform(std::shared_ptr<State> state, HttpRequest request) {
  auto parsed = parse_url(request.url);
  if (auto* error = std::get_if<std::string>(&parsed)) co_return invalid(std::move(*error));
  const Endpoint endpoint = std::move(std::get<Endpoint>(parsed));

  if (!is_token(request.method)) co_return invalid("invalid method '" + request.method + "'");
  RequestMessage message;
  message.version(11);
  message.method_string(request.method);
  message.target(endpoint.target);
  for (const auto& [name, value] : request.headers) {
    if (!is_token(name) || !is_field_value(value))
      co_return invalid("invalid header field '" + name + "'");
    message.insert(name, value);
  }
  if (message.find(http::field::host) == message.end())
    message.set(http::field::host, endpoint.port == (endpoint.tls ? 443 : 80)
                                       ? endpoint.authority.substr(0, endpoint.authority.rfind(':'))
                                       : endpoint.authority);
  if (message.find(http::field::user_agent) == message.end() && !state->options.user_agent.empty())
    message.set(http::field::user_agent, state->options.user_agent);
  message.body() = std::move(request.body);
  message.prepare_payload();

  const bool idempotent = is_idempotent(request.method);
  for (int attempt = 0;; ++attempt) {
    auto connection = attempt == 0 ? state->take_idle(endpoint.pool_key) : nullptr;
    const bool reused = connection != nullptr;
    if (!connection) {
      auto connected = co_await open_connection(state, endpoint);
      if (!connected.connection) co_return std::move(connected.failure);
      connection = std::move(connected.connection);
    }

    Exchange result = co_await send_and_receive(*connection, message, state->options);

    if (result.response) {
      if (result.reusable) state->put_idle(endpoint.pool_key, std::move(connection));
      HttpResult ok;
      ok.response = std::move(result.response);
      co_return ok;
    }
    // A kept-alive connection the server closed just before our request is not a failure of the
    // server; send again on a fresh one, when sending twice cannot do harm.
    const bool stale = reused && closed_by_peer(result.ec) && result.read_nothing;
    if (stale && (idempotent || result.wrote_nothing)) continue;
    co_return exchange_failure(result, endpoint, state->options);
  }
}
#pragma GCC diagnostic pop

}  // namespace

HttpClient::HttpClient(asio::any_io_executor executor, ClientOptions options)
    : state_(std::make_shared<detail::ClientState>(std::move(executor), std::move(options))) {}

HttpClient::~HttpClient() = default;

asio::awaitable<HttpResult> HttpClient::request(HttpRequest request) {
  // Not a coroutine itself: the shared state is captured now, while the client surely exists.
  return perform(state_, std::move(request));
}

std::size_t HttpClient::idle_connections() const {
  std::size_t count = 0;
  for (const auto& [key, list] : state_->idle)
    count += list.size();
  return count;
}

void HttpClient::close_idle() {
  state_->idle.clear();
}

}  // namespace motcua::net
