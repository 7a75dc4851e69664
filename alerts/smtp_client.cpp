#include "alerts/smtp_client.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <variant>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/host_name.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "alerts/smtp_protocol.hpp"
#include "net/tls_client.hpp"

namespace motcua::alerts {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct detail::SmtpState {
  asio::any_io_executor executor;
  SmtpOptions options;
  ssl::context tls{ssl::context::tls_client};

  // The same TLS policy as net's HTTP client: TLS 1.2 or newer, no compression, the peer's
  // certificate checked against the CA file or the system trust store.
  SmtpState(asio::any_io_executor ex, SmtpOptions opts)
      : executor(std::move(ex)), options(std::move(opts)) {
    net::configure_client_tls(tls, options.verify_tls, options.ca_file);
  }
};

// GCC 12 takes the frames of the coroutines below for memory freed by the wrong operator delete
// (a false positive of its coroutine lowering, where the frame comes from Asio's
// awaitable_frame_base::operator new; net/http_client.cpp has the same note); silenced for them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {

using State = detail::SmtpState;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string describe(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + " s";
  return std::to_string(duration.count()) + " ms";
}

std::string tls_reason(const error_code& ec, SSL* handle) {
  if (ec == ssl::error::stream_truncated) return "connection closed during the handshake";
  if (ec.category() != asio::error::get_ssl_category()) return ec.message();
  const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
  std::string text = reason ? reason : ec.message();
  const long verify = handle ? SSL_get_verify_result(handle) : X509_V_OK;
  if (verify != X509_V_OK) text += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
  return text;
}

// Why a session ended without delivering, as the outbox needs it.
struct Failure {
  DeliveryOutcome outcome = DeliveryOutcome::retry;
  std::string detail;
};

Failure retry(std::string detail) {
  return {DeliveryOutcome::retry, std::move(detail)};
}

// RFC 5321 section 4.2.1: 4yz is a transient failure, 5yz a permanent one. Anything else where
// a particular reply was expected is a server we do not understand: try again later.
Failure refused(const std::string& step, const std::string& where, const SmtpReply& reply) {
  const std::string text = step + " at " + where + ": " + reply.summary();
  if (reply.permanent()) return {DeliveryOutcome::dead, text};
  if (reply.transient()) return retry(text);
  return retry("unexpected reply to " + text);
}

bool valid_helo(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '[' || c == ']' || c == ':';
  });
}

std::string helo_name(const SmtpOptions& options) {
  if (!options.helo.empty()) return options.helo;
  error_code ec;
  std::string name = asio::ip::host_name(ec);
  // RFC 5321 section 4.1.4: without a usable name, an address literal.
  if (ec || !valid_helo(name)) return "[127.0.0.1]";
  return name;
}

// One SMTP conversation: the TCP connection, TLS on it once started, and the bytes read past the
// last reply.
class Session {
 public:
  Session(std::shared_ptr<State> state)
      : state_(std::move(state)),
        tcp_(state_->executor),
        where_(state_->options.host + ":" + std::to_string(state_->options.port)) {}

  const std::string& where() const { return where_; }
  bool encrypted() const { return tls_.has_value(); }

  beast::tcp_stream& lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : tcp_; }

  asio::awaitable<std::optional<Failure>> connect() {
    const auto& options = state_->options;
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    auto resolver = std::make_shared<tcp::resolver>(state_->executor);
    auto timer = std::make_shared<asio::steady_timer>(state_->executor, deadline);
    timer->async_wait([resolver](error_code ec) {
      if (!ec) resolver->cancel();
    });
    auto [resolve_ec, endpoints] =
        co_await resolver->async_resolve(options.host, std::to_string(options.port), use_tuple);
    timer->cancel();
    if (resolve_ec) {
      if (resolve_ec == asio::error::operation_aborted)
        co_return retry("resolving " + options.host + " timed out after " +
                        describe(options.timeout));
      co_return retry("cannot resolve " + options.host + ": " + resolve_ec.message());
    }
    tcp_.expires_at(deadline);
    auto [connect_ec, peer] = co_await tcp_.async_connect(endpoints, use_tuple);
    (void)peer;
    if (connect_ec == beast::error::timeout)
      co_return retry("connect to " + where_ + " timed out after " + describe(options.timeout));
    if (connect_ec) co_return retry("connect to " + where_ + ": " + connect_ec.message());
    error_code ignored;
    tcp_.socket().set_option(tcp::no_delay(true), ignored);
    co_return std::nullopt;
  }

  // The TLS handshake on the connection as it is: at once for implicit TLS, after the server's
  // 220 to STARTTLS otherwise.
  asio::awaitable<std::optional<Failure>> start_tls() {
    const auto& options = state_->options;
    // RFC 3207 section 6 (and CVE-2011-0411): whatever arrived in clear text before the
    // handshake must not be read as if it came over TLS.
    if (!buffer_.empty())
      co_return retry("server at " + where_ +
                      " sent data after its STARTTLS reply; not continuing on that connection");
    tls_.emplace(std::move(tcp_), state_->tls);
    SSL* handle = tls_->native_handle();
    error_code address_ec;
    const auto address = asio::ip::make_address(options.host, address_ec);
    const bool is_address = !address_ec;
    (void)address;
    // RFC 6066 section 3: SNI carries host names only.
    if (!is_address) SSL_set_tlsext_host_name(handle, options.host.c_str());
    if (options.verify_tls) {
      X509_VERIFY_PARAM* param = SSL_get0_param(handle);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int set = is_address ? X509_VERIFY_PARAM_set1_ip_asc(param, options.host.c_str())
                                 : X509_VERIFY_PARAM_set1_host(param, options.host.c_str(), 0);
      if (set != 1) co_return retry("TLS: cannot verify host " + options.host);
    }
    lowest().expires_after(options.timeout);
    auto [ec] = co_await tls_->async_handshake(ssl::stream_base::client, use_tuple);
    if (ec == beast::error::timeout)
      co_return retry("TLS handshake with " + where_ + " timed out after " +
                      describe(options.timeout));
    if (ec) co_return retry("TLS: " + tls_reason(ec, handle) + " for host " + options.host);
    co_return std::nullopt;
  }

  // Writes `bytes` within the step timeout; `what` names them in a failure.
  asio::awaitable<std::optional<Failure>> write(std::string_view bytes, const std::string& what) {
    lowest().expires_after(state_->options.timeout);
    error_code ec;
    if (tls_) {
      std::tie(ec, std::ignore) = co_await asio::async_write(*tls_, asio::buffer(bytes), use_tuple);
    } else {
      std::tie(ec, std::ignore) = co_await asio::async_write(tcp_, asio::buffer(bytes), use_tuple);
    }
    if (ec == beast::error::timeout)
      co_return retry("sending " + what + " to " + where_ + " timed out after " +
                      describe(state_->options.timeout));
    if (ec) co_return retry("sending " + what + " to " + where_ + " failed: " + ec.message());
    co_return std::nullopt;
  }

  struct Read {
    std::optional<SmtpReply> reply;
    Failure failure;
  };

  // One whole reply, within the step timeout. `after` names what it answers, for failures.
  asio::awaitable<Read> read_reply(const std::string& after,
                                   std::optional<std::chrono::milliseconds> limit = {}) {
    const auto timeout = limit.value_or(state_->options.timeout);
    lowest().expires_after(timeout);
    Read out;
    SmtpReplyReader reader;
    while (true) {
      const auto end = buffer_.find('\n');
      if (end != std::string::npos) {
        std::string_view line(buffer_.data(), end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto step = reader.feed(line);
        buffer_.erase(0, end + 1);
        if (step == SmtpReplyReader::Step::malformed) {
          out.failure =
              retry("malformed reply to " + after + " from " + where_ + ": " + reader.error());
          co_return out;
        }
        if (step == SmtpReplyReader::Step::done) {
          out.reply = reader.take();
          co_return out;
        }
        continue;
      }
      if (buffer_.size() > SmtpReplyReader::kMaxLineLength + 2) {
        out.failure = retry("malformed reply to " + after + " from " + where_ +
                            ": reply line longer than 4096 bytes");
        co_return out;
      }
      char chunk[2048];
      error_code ec;
      std::size_t n = 0;
      if (tls_) {
        std::tie(ec, n) = co_await tls_->async_read_some(asio::buffer(chunk), use_tuple);
      } else {
        std::tie(ec, n) = co_await tcp_.async_read_some(asio::buffer(chunk), use_tuple);
      }
      buffer_.append(chunk, n);
      if (!ec) continue;
      if (ec == beast::error::timeout) {
        out.failure =
            retry("no reply to " + after + " from " + where_ + " within " + describe(timeout));
      } else if (ec == asio::error::eof || ec == ssl::error::stream_truncated ||
                 ec == asio::error::connection_reset) {
        out.failure = retry(where_ + " closed the connection before replying to " + after);
      } else {
        out.failure =
            retry("reading the reply to " + after + " from " + where_ + " failed: " + ec.message());
      }
      co_return out;
    }
  }

  // A command and its reply; `shown` is how the command appears in failures (AUTH never shows
  // its arguments).
  asio::awaitable<Read> command(const std::string& line, const std::string& shown) {
    if (auto failed = co_await write(line + "\r\n", shown)) co_return Read{std::nullopt, *failed};
    co_return co_await read_reply(shown);
  }

  // Ends the session politely; its outcome no longer matters.
  asio::awaitable<void> quit() {
    // The outcome is known by now; a slow goodbye must not hold it up for a whole step timeout.
    const auto limit =
        std::min<std::chrono::milliseconds>(state_->options.timeout, std::chrono::seconds(5));
    lowest().expires_after(limit);
    static const std::string kQuit = "QUIT\r\n";
    error_code ec;
    if (tls_) {
      std::tie(ec, std::ignore) = co_await asio::async_write(*tls_, asio::buffer(kQuit), use_tuple);
    } else {
      std::tie(ec, std::ignore) = co_await asio::async_write(tcp_, asio::buffer(kQuit), use_tuple);
    }
    if (!ec) (void)co_await read_reply("QUIT", limit);
    error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

 private:
  std::shared_ptr<State> state_;
  beast::tcp_stream tcp_;
  std::optional<TlsStream> tls_;
  std::string where_;
  std::string buffer_;
};

SmtpSendResult failed(const Failure& failure) {
  SmtpSendResult out;
  out.delivery.outcome = failure.outcome;
  out.delivery.detail = failure.detail;
  return out;
}

SmtpSendResult dead(std::string detail) {
  return failed({DeliveryOutcome::dead, std::move(detail)});
}

// EHLO, and HELO for an old server that knows no EHLO when nothing needs an extension.
asio::awaitable<std::variant<SmtpCapabilities, Failure>> greet(Session& session,
                                                               const SmtpOptions& options,
                                                               const std::string& helo) {
  auto ehlo = co_await session.command("EHLO " + helo, "EHLO");
  if (!ehlo.reply) co_return ehlo.failure;
  if (ehlo.reply->positive()) co_return SmtpCapabilities::from_ehlo(*ehlo.reply);
  const bool needs_extensions = options.username.size() > 0 ||
                                (!session.encrypted() && options.starttls != config::StartTls::off);
  if (ehlo.reply->permanent() && !needs_extensions) {
    auto helo_reply = co_await session.command("HELO " + helo, "HELO");
    if (!helo_reply.reply) co_return helo_reply.failure;
    if (helo_reply.reply->positive()) co_return SmtpCapabilities{};
    co_return refused("HELO", session.where(), *helo_reply.reply);
  }
  co_return refused("EHLO", session.where(), *ehlo.reply);
}

asio::awaitable<std::optional<Failure>> authenticate(Session& session, const SmtpOptions& options,
                                                     const SmtpCapabilities& caps) {
  const std::string who = " as " + options.username;
  if (caps.offers_auth("PLAIN")) {
    auto r = co_await session.command(
        "AUTH PLAIN " + auth_plain_initial_response(options.username, options.password),
        "AUTH PLAIN");
    if (!r.reply) co_return r.failure;
    if (r.reply->code == 235) co_return std::nullopt;
    co_return refused("AUTH PLAIN" + who, session.where(), *r.reply);
  }
  if (caps.offers_auth("LOGIN")) {
    // The challenges' text varies ("Username:", "User Name\0"); only their order matters.
    auto r = co_await session.command("AUTH LOGIN", "AUTH LOGIN");
    if (!r.reply) co_return r.failure;
    if (r.reply->code != 334) co_return refused("AUTH LOGIN" + who, session.where(), *r.reply);
    r = co_await session.command(base64_encode(options.username), "AUTH LOGIN user name");
    if (!r.reply) co_return r.failure;
    if (r.reply->code != 334) co_return refused("AUTH LOGIN" + who, session.where(), *r.reply);
    r = co_await session.command(base64_encode(options.password), "AUTH LOGIN password");
    if (!r.reply) co_return r.failure;
    if (r.reply->code == 235) co_return std::nullopt;
    co_return refused("AUTH LOGIN" + who, session.where(), *r.reply);
  }
  std::string offered;
  for (const auto& m : caps.auth)
    offered += (offered.empty() ? "" : " ") + m;
  co_return retry(
      session.where() +
      (offered.empty() ? std::string(" offers no AUTH") : " offers AUTH " + offered + " only") +
      "; a username is configured and motcua-watch speaks PLAIN and LOGIN");
}

asio::awaitable<SmtpSendResult> perform(std::shared_ptr<State> state, SmtpEnvelope envelope,
                                        std::string message, std::string message_id) {
  const SmtpOptions& options = state->options;
  if (!is_valid_address(envelope.mail_from))
    co_return dead("invalid reverse path '" + mime_detail::neutralise(envelope.mail_from) + "'");
  if (envelope.rcpt_to.empty()) co_return dead("no recipients");
  for (const auto& rcpt : envelope.rcpt_to)
    if (!is_valid_address(rcpt))
      co_return dead("invalid recipient address '" + mime_detail::neutralise(rcpt) + "'");
  const std::string helo = helo_name(options);
  if (!valid_helo(helo))
    co_return dead("invalid helo name '" + mime_detail::neutralise(helo) + "'");
  const std::string data = dot_stuff(message);

  Session session(state);
  if (auto f = co_await session.connect()) co_return failed(*f);
  if (options.implicit_tls)
    if (auto f = co_await session.start_tls()) co_return failed(*f);

  auto greeting = co_await session.read_reply("the connection (greeting)");
  if (!greeting.reply) co_return failed(greeting.failure);
  if (greeting.reply->code != 220) {
    const auto f = refused("greeting", session.where(), *greeting.reply);
    co_await session.quit();
    co_return failed(f);
  }

  auto greeted = co_await greet(session, options, helo);
  if (auto* f = std::get_if<Failure>(&greeted)) {
    co_await session.quit();
    co_return failed(*f);
  }
  auto caps = std::get<SmtpCapabilities>(greeted);

  if (!session.encrypted() && options.starttls != config::StartTls::off) {
    if (caps.starttls) {
      auto r = co_await session.command("STARTTLS", "STARTTLS");
      if (!r.reply) co_return failed(r.failure);
      if (r.reply->code != 220) {
        const auto f = refused("STARTTLS", session.where(), *r.reply);
        co_await session.quit();
        // A server that refuses the TLS it offered is misconfigured or overloaded; no 5xx to
        // STARTTLS says anything about this message.
        co_return failed(retry(f.detail));
      }
      if (auto f = co_await session.start_tls()) co_return failed(*f);
      // RFC 3207 section 4.2: forget what the server said before TLS, and ask again.
      greeted = co_await greet(session, options, helo);
      if (auto* f = std::get_if<Failure>(&greeted)) {
        co_await session.quit();
        co_return failed(*f);
      }
      caps = std::get<SmtpCapabilities>(greeted);
    } else if (options.starttls == config::StartTls::required) {
      co_await session.quit();
      // Not dead: the message is fine, the server (or something between) is not; the outbox
      // keeps it until TLS is back, and the detail tells the operator why.
      co_return failed(retry(session.where() +
                             " does not offer STARTTLS and starttls = \"required\"; nothing was "
                             "sent in clear text"));
    }
  }

  if (!options.username.empty()) {
    if (!session.encrypted() && options.starttls != config::StartTls::off) {
      co_await session.quit();
      co_return failed(retry(session.where() +
                             " offers no TLS; the password is not sent in clear text (set "
                             "starttls = \"off\" to allow that)"));
    }
    if (auto f = co_await authenticate(session, options, caps)) {
      co_await session.quit();
      co_return failed(*f);
    }
  }

  if (caps.size_limit && message.size() > *caps.size_limit) {
    co_await session.quit();
    co_return dead("the message of " + std::to_string(message.size()) +
                   " bytes exceeds the SIZE limit of " + std::to_string(*caps.size_limit) +
                   " bytes at " + session.where());
  }

  auto mail = co_await session.command("MAIL FROM:<" + envelope.mail_from + ">", "MAIL FROM");
  if (!mail.reply) co_return failed(mail.failure);
  if (!mail.reply->positive()) {
    const auto f = refused("MAIL FROM:<" + envelope.mail_from + ">", session.where(), *mail.reply);
    co_await session.quit();
    co_return failed(f);
  }

  SmtpSendResult out;
  out.message_id = message_id;
  std::vector<std::string> accepted;
  for (const auto& rcpt : envelope.rcpt_to) {
    auto r = co_await session.command("RCPT TO:<" + rcpt + ">", "RCPT TO:<" + rcpt + ">");
    if (!r.reply) {
      auto result = failed(r.failure);
      result.message_id = message_id;
      co_return result;
    }
    if (r.reply->positive())
      accepted.push_back(rcpt);
    else
      out.refused.push_back({rcpt, r.reply->summary(), r.reply->permanent()});
  }

  std::string refused_text;
  for (const auto& r : out.refused)
    refused_text += (refused_text.empty() ? "" : "; ") + ("<" + r.address + ">: " + r.reply);

  if (accepted.empty()) {
    co_await session.quit();
    const bool any_transient = std::any_of(out.refused.begin(), out.refused.end(),
                                           [](const RefusedRecipient& r) { return !r.permanent; });
    out.delivery.outcome = any_transient ? DeliveryOutcome::retry : DeliveryOutcome::dead;
    out.delivery.detail = "every recipient refused at " + session.where() + ": " + refused_text;
    co_return out;
  }

  auto go = co_await session.command("DATA", "DATA");
  if (!go.reply) {
    auto result = failed(go.failure);
    result.message_id = message_id;
    co_return result;
  }
  if (go.reply->code != 354) {
    auto result = failed(refused("DATA", session.where(), *go.reply));
    result.message_id = message_id;
    co_await session.quit();
    co_return result;
  }
  if (auto f = co_await session.write(data, "the message")) {
    auto result = failed(*f);
    result.message_id = message_id;
    co_return result;
  }
  auto done = co_await session.read_reply("the end of the message");
  if (!done.reply) {
    // The server may have taken the message and lost the connection before saying so; a retry
    // can then deliver it twice (with the same Message-ID when the caller fixed it).
    auto result = failed(retry(done.failure.detail + " (the message may have been delivered)"));
    result.message_id = message_id;
    co_return result;
  }
  if (!done.reply->positive()) {
    auto result = failed(refused("the message", session.where(), *done.reply));
    result.message_id = message_id;
    result.refused = std::move(out.refused);
    co_await session.quit();
    co_return result;
  }
  out.delivery.outcome = DeliveryOutcome::delivered;
  out.delivery.detail = done.reply->summary();
  if (!out.refused.empty())
    out.delivery.detail += " (delivered to " + std::to_string(accepted.size()) + " of " +
                           std::to_string(envelope.rcpt_to.size()) +
                           " recipients; refused: " + refused_text + ")";
  co_await session.quit();
  co_return out;
}

}  // namespace
#pragma GCC diagnostic pop

SmtpOptions SmtpOptions::from_config(const config::SmtpConfig& smtp, std::string password) {
  SmtpOptions o;
  o.host = smtp.host;
  o.port = static_cast<std::uint16_t>(smtp.port);
  o.implicit_tls = smtp.implicit_tls();
  o.starttls = smtp.starttls;
  o.username = smtp.username;
  o.password = std::move(password);
  // A password file usually ends with a newline that is not part of the password.
  while (!o.password.empty() && (o.password.back() == '\n' || o.password.back() == '\r'))
    o.password.pop_back();
  o.verify_tls = smtp.tls_verify;
  o.ca_file = smtp.ca_file;
  o.timeout = smtp.timeout;
  o.helo = smtp.helo;
  return o;
}

SmtpClient::SmtpClient(asio::any_io_executor executor, SmtpOptions options)
    : state_(std::make_shared<detail::SmtpState>(std::move(executor), std::move(options))) {}

SmtpClient::~SmtpClient() = default;

asio::awaitable<SmtpSendResult> SmtpClient::send(const EmailMessage& message) {
  auto rendered = render_message(message);
  if (!rendered.ok()) {
    // send() itself is not a coroutine: the message is rendered now, so the caller's
    // EmailMessage need not outlive the call.
    return [](std::string why) -> asio::awaitable<SmtpSendResult> {
      co_return dead("the message cannot be built: " + why);
    }(std::move(rendered.error));
  }
  SmtpEnvelope envelope;
  envelope.mail_from = message.from.address;
  for (const auto& to : message.to)
    envelope.rcpt_to.push_back(to.address);
  return perform(state_, std::move(envelope), std::move(rendered.bytes),
                 std::move(rendered.message_id));
}

asio::awaitable<SmtpSendResult> SmtpClient::send(SmtpEnvelope envelope, std::string message) {
  return perform(state_, std::move(envelope), std::move(message), {});
}

}  // namespace motcua::alerts
