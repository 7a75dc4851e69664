#include "net/http_server.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <stdexcept>
#include <unordered_set>
#include <utility>

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "net/byte_stream.hpp"

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

// How long a connection we are closing after an error is drained, so that the client reads our
// answer instead of a reset caused by its unread request bytes.
constexpr std::chrono::milliseconds kLinger{2000};

// One open client connection, as stop() sees it.
struct SessionEntry {
  beast::tcp_stream* tcp = nullptr;
  bool idle = false;  // waiting for the first byte of a request
};

}  // namespace

struct detail::ServerState {
  asio::any_io_executor strand;
  ServerOptions options;
  Router router;
  tcp::acceptor acceptor;
  std::optional<ssl::context> tls;
  std::unordered_set<SessionEntry*> sessions;
  std::uint16_t port = 0;  // bound at construction; read from any thread
  std::atomic<std::size_t> open{0};
  bool started = false;
  bool stopping = false;

  ServerState(asio::any_io_executor executor, ServerOptions opts, Router r)
      : strand(asio::make_strand(executor)),
        options(std::move(opts)),
        router(std::move(r)),
        acceptor(strand) {}

  void report(std::string_view text) const {
    if (options.on_error) options.on_error(text);
  }
};

namespace {

using State = detail::ServerState;

std::string describe(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

// Registers a session for stop() and counts it for max_connections, for as long as it lives.
class SessionRegistration {
 public:
  SessionRegistration(State& state, SessionEntry& entry) : state_(state), entry_(entry) {
    state_.sessions.insert(&entry_);
  }
  ~SessionRegistration() {
    state_.sessions.erase(&entry_);
    --state_.open;
  }
  SessionRegistration(const SessionRegistration&) = delete;
  SessionRegistration& operator=(const SessionRegistration&) = delete;

 private:
  State& state_;
  SessionEntry& entry_;
};

// Half-closes and drains for a moment before the socket is closed (see kLinger).
asio::awaitable<void> linger_and_close(beast::tcp_stream& tcp) {
  error_code ignored;
  tcp.socket().shutdown(tcp::socket::shutdown_send, ignored);
  tcp.expires_after(kLinger);
  char sink[4096];
  for (;;) {
    auto [ec, n] = co_await tcp.async_read_some(asio::buffer(sink), use_tuple);
    (void)n;
    if (ec) break;
  }
  tcp.close();
}

// The answer to a request that broke a limit or the protocol, or nullopt when the connection
// should just be closed (the client went away, or was too slow).
std::optional<ServerResponse> answer_to_read_error(const error_code& ec,
                                                   const ServerOptions& options) {
  if (ec == http::error::header_limit)
    return ServerResponse::json_error(
        431, "request header larger than " + std::to_string(options.max_header_bytes) + " bytes");
  if (ec == http::error::body_limit)
    return ServerResponse::json_error(
        413, "request body larger than " + std::to_string(options.max_body_bytes) + " bytes");
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec == beast::error::timeout)
    return std::nullopt;
  if (ec.category() == http::make_error_code(http::error::bad_version).category())
    return ServerResponse::json_error(400, "malformed request: " + ec.message());
  return std::nullopt;
}

ServerRequest without_body(const ServerRequest& request) {
  ServerRequest copy;
  copy.method = request.method;
  copy.target = request.target;
  copy.path = request.path;
  copy.query = request.query;
  copy.headers = request.headers;
  copy.remote = request.remote;
  return copy;
}

// A response as Beast serializes it. HEAD gets the length of the body it would have had.
http::response<http::string_body> to_message(ServerResponse& response, unsigned version, bool head,
                                             bool keep_alive) {
  http::response<http::string_body> message;
  message.version(version);
  message.result(static_cast<unsigned>(response.status));
  if (!response.content_type.empty()) message.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers)
    message.insert(name, value);
  message.keep_alive(keep_alive);
  const int status = response.status;
  if (status < 200 || status == 204 || status == 304) return message;  // RFC 9110: no content
  if (head || response.truncate_body_to) {
    message.content_length(response.body.size());
  } else {
    message.body() = std::move(response.body);
    message.prepare_payload();
  }
  return message;
}

class Session {
 public:
  Session(std::shared_ptr<State> state, std::string remote)
      : state_(std::move(state)), remote_(std::move(remote)) {}

  // Serves requests until the client closes, a limit is hit, a response asks to close, or the
  // server stops. Returns whether the connection should be drained before closing.
  asio::awaitable<bool> serve(ByteStream& stream, SessionEntry& entry);

 private:
  asio::awaitable<bool> send(ByteStream& stream, const ServerRequest& request,
                             ServerResponse response, unsigned version, bool keep_alive,
                             Clock::time_point started);

  void record(const ServerRequest& request, int status, Clock::time_point started) const {
    if (!state_->options.on_request) return;
    state_->options.on_request(
        request, status,
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started));
  }

  std::shared_ptr<State> state_;
  std::string remote_;
};

asio::awaitable<bool> Session::serve(ByteStream& stream, SessionEntry& entry) {
  const ServerOptions& options = state_->options;
  beast::tcp_stream& tcp = stream.lowest();
  beast::flat_buffer buffer;

  for (bool first = true;; first = false) {
    // The first request on a connection must arrive within read_timeout of the accept; later
    // ones may take idle_timeout to begin, then read_timeout to arrive.
    auto deadline = Clock::now() + options.read_timeout;
    if (buffer.size() == 0) {
      if (state_->stopping) co_return false;
      entry.idle = true;
      tcp.expires_after(first ? options.read_timeout : options.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
      entry.idle = false;
      if (ec) co_return false;  // closed by the client, idle too long, or stop()
      buffer.commit(n);
      if (!first) deadline = Clock::now() + options.read_timeout;
    }
    const auto started = Clock::now();

    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser.body_limit(options.max_body_bytes);
    tcp.expires_at(deadline);
    auto [header_ec, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, use_tuple);
    (void)header_bytes;
    error_code read_ec = header_ec;
    if (!read_ec && !parser.is_done()) {
      // RFC 9110 section 10.1.1: a client waiting for "100 Continue" sends its body only then.
      const auto& header = parser.get();
      if (header.version() >= 11 && beast::iequals(header[http::field::expect], "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [ec, n] = co_await asio::async_write(
            stream, asio::buffer(kContinue.data(), kContinue.size()), use_tuple);
        (void)n;
        if (ec) co_return false;
      }
      auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, use_tuple);
      (void)body_bytes;
      read_ec = body_ec;
    }

    ServerRequest request;
    request.remote = remote_;
    if (parser.is_header_done()) {
      request.method = std::string(parser.get().method_string());
      request.target = std::string(parser.get().target());
    }
    if (read_ec) {
      auto answer = answer_to_read_error(read_ec, options);
      if (!answer) co_return false;
      co_await send(stream, request, std::move(*answer), 11, false, started);
      co_return true;
    }

    auto message = parser.release();
    const bool keep_alive = message.keep_alive();
    const unsigned version = message.version();
    for (const auto& field : message)
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    request.body = std::move(message.body());
    if (!request.parse_target()) {
      co_await send(stream, request, ServerResponse::json_error(400, "malformed request target"),
                    version, false, started);
      co_return true;
    }

    const ServerRequest summary = without_body(request);
    ServerResponse response;
    try {
      response = co_await state_->router.handle(std::move(request));
    } catch (const std::exception& e) {
      state_->report("handler for " + summary.method + " " + summary.path + " failed: " + e.what());
      response = ServerResponse::json_error(500, "internal error");
    }
    if (response.status < 100 || response.status > 599) {
      state_->report("handler for " + summary.method + " " + summary.path +
                     " returned the invalid status " + std::to_string(response.status));
      response = ServerResponse::json_error(500, "internal error");
    }
    if (!co_await send(stream, summary, std::move(response), version, keep_alive, started))
      co_return false;
  }
}

// Writes the response; false when the connection must be closed now (asked for, a write failed,
// the response or the request ends the connection, or the server stops).
asio::awaitable<bool> Session::send(ByteStream& stream, const ServerRequest& request,
                                    ServerResponse response, unsigned version, bool keep_alive,
                                    Clock::time_point started) {
  const ServerOptions& options = state_->options;
  if (response.close_without_response) {
    record(request, 0, started);
    co_return false;
  }
  const int status = response.status;
  const auto truncate_to = response.truncate_body_to;
  keep_alive = keep_alive && !state_->stopping && !truncate_to;
  auto message = to_message(response, version, request.method == "HEAD", keep_alive);
  // to_message announced the whole body and left it here, for the first N bytes to be sent.
  const std::string body = truncate_to ? std::move(response.body) : std::string();

  stream.lowest().expires_after(options.write_timeout);
  error_code ec;
  if (truncate_to) {
    http::response_serializer<http::string_body> serializer(message);
    auto [header_ec, n] = co_await http::async_write_header(stream, serializer, use_tuple);
    (void)n;
    ec = header_ec;
    if (!ec) {
      auto [body_ec, m] = co_await asio::async_write(
          stream, asio::buffer(body.data(), std::min(*truncate_to, body.size())), use_tuple);
      (void)m;
      ec = body_ec;
    }
  } else {
    auto [write_ec, n] = co_await http::async_write(stream, message, use_tuple);
    (void)n;
    ec = write_ec;
  }
  record(request, status, started);
  co_return !ec && keep_alive;
}

// Answers a connection over max_connections without reading its request.
asio::awaitable<void> refuse_busy(std::shared_ptr<State> state, ByteStream& stream,
                                  const std::string& remote) {
  const auto started = Clock::now();
  auto answer = ServerResponse::json_error(503, "too many connections");
  answer.headers.emplace_back("Retry-After", "1");
  auto message = to_message(answer, 11, false, false);
  stream.lowest().expires_after(state->options.write_timeout);
  co_await http::async_write(stream, message, use_tuple);
  if (state->options.on_request) {
    ServerRequest request;
    request.remote = remote;
    state->options.on_request(
        request, 503,
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started));
  }
}

asio::awaitable<void> run_connection(std::shared_ptr<State> state, tcp::socket socket,
                                     bool over_limit) {
  SessionEntry entry;
  std::optional<SessionRegistration> registration;
  if (!over_limit) registration.emplace(*state, entry);

  error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) co_return;  // gone already
  const std::string remote = describe(peer);
  socket.set_option(tcp::no_delay(true), ec);
  Session session(state, remote);

  ByteStream stream = state->tls ? ByteStream(beast::tcp_stream(std::move(socket)), *state->tls)
                                 : ByteStream(beast::tcp_stream(std::move(socket)));
  entry.tcp = &stream.lowest();
  if (state->tls) {
    entry.idle = true;  // nothing received yet: stop() may drop it
    stream.lowest().expires_after(state->options.read_timeout);
    auto [handshake_ec] = co_await stream.async_handshake(ByteStream::Role::server, use_tuple);
    entry.idle = false;
    if (handshake_ec) {
      if (handshake_ec != asio::error::operation_aborted)
        state->report("TLS handshake with " + remote + " failed: " + handshake_ec.message());
      co_return;
    }
  }

  bool drain = true;
  if (over_limit)
    co_await refuse_busy(state, stream, remote);
  else
    drain = co_await session.serve(stream, entry);
  entry.tcp = nullptr;
  if (drain) co_await linger_and_close(stream.lowest());
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
  while (!state->stopping) {
    auto [ec, socket] = co_await state->acceptor.async_accept(state->strand, use_tuple);
    if (state->stopping) break;
    if (ec) {
      if (ec == asio::error::operation_aborted) break;
      // Out of descriptors, most likely: wait instead of spinning on the same error.
      state->report("accept on port " + std::to_string(state->port) + " failed: " + ec.message());
      asio::steady_timer pause(state->strand, std::chrono::milliseconds(100));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    const bool over_limit = state->open >= state->options.max_connections;
    if (!over_limit) ++state->open;
    asio::co_spawn(state->strand, run_connection(state, std::move(socket), over_limit),
                   [state](std::exception_ptr error) {
                     if (!error) return;
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       state->report(std::string("HTTP session failed: ") + e.what());
                     } catch (...) {
                       state->report("HTTP session failed: unknown exception");
                     }
                   });
  }
}

tcp::endpoint listen_endpoint(const ServerOptions& options, const asio::any_io_executor& ex) {
  error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (!ec) return {address, options.port};
  tcp::resolver resolver(ex);
  const auto results =
      resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
  if (ec || results.empty())
    throw std::runtime_error("cannot resolve the listen address " + options.host + ": " +
                             ec.message());
  return results.begin()->endpoint();
}

}  // namespace

HttpServer::HttpServer(asio::any_io_executor executor, ServerOptions options, Router router)
    : state_(std::make_shared<detail::ServerState>(std::move(executor), std::move(options),
                                                   std::move(router))) {
  auto& state = *state_;
  const auto& opts = state.options;
  if (opts.max_connections == 0) throw std::invalid_argument("max_connections must be positive");
  if (opts.tls_certificate_file.has_value() != opts.tls_private_key_file.has_value())
    throw std::invalid_argument(
        "a TLS certificate needs its private key, and the key its certificate");
  if (opts.tls_certificate_file) {
    state.tls.emplace(ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(state.tls->native_handle(), TLS1_2_VERSION);
    state.tls->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                           ssl::context::single_dh_use);
    error_code ec;
    state.tls->use_certificate_chain_file(opts.tls_certificate_file->string(), ec);
    if (ec)
      throw std::runtime_error("cannot load the TLS certificate " +
                               opts.tls_certificate_file->string() + ": " + ec.message());
    state.tls->use_private_key_file(opts.tls_private_key_file->string(), ssl::context::pem, ec);
    if (ec)
      throw std::runtime_error("cannot load the TLS private key " +
                               opts.tls_private_key_file->string() + ": " + ec.message());
  }

  const auto endpoint = listen_endpoint(opts, state.strand);
  const std::string where = opts.host + ":" + std::to_string(opts.port);
  error_code ec;
  state.acceptor.open(endpoint.protocol(), ec);
  if (!ec) state.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state.acceptor.bind(endpoint, ec);
  if (!ec) state.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  state.port = state.acceptor.local_endpoint().port();
}

HttpServer::~HttpServer() {
  stop();
}

std::uint16_t HttpServer::port() const {
  return state_->port;
}

void HttpServer::start() {
  asio::dispatch(state_->strand, [state = state_] {
    if (state->started || state->stopping) return;
    state->started = true;
    asio::co_spawn(state->strand, accept_loop(state), [state](std::exception_ptr error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        state->report(std::string("HTTP accept loop failed: ") + e.what());
      } catch (...) {
        state->report("HTTP accept loop failed: unknown exception");
      }
    });
  });
}

void HttpServer::stop() {
  asio::dispatch(state_->strand, [state = state_] {
    if (state->stopping) return;
    state->stopping = true;
    error_code ignored;
    state->acceptor.close(ignored);
    for (SessionEntry* entry : state->sessions)
      if (entry->idle && entry->tcp) entry->tcp->cancel();
  });
}

std::size_t HttpServer::connections() const {
  return state_->open.load();
}

}  // namespace motcua::net
