#pragma once
// The e-mail notifier's transport: one SMTP session per message (RFC 5321) over TLS, either
// STARTTLS (RFC 3207) or implicit TLS from the first byte (port 465, RFC 8314), with the
// certificate and the host name verified, AUTH PLAIN or LOGIN (RFC 4954), every wait bounded, and
// every outcome a DeliveryResult: delivered, retry (nothing refused for good: no connection,
// timeout, TLS failure, 4xx) or dead (a 5xx, with the server's reply kept, or a message that
// cannot be built).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "alerts/delivery.hpp"
#include "alerts/mime.hpp"
#include "config/config.hpp"

namespace motcua::alerts {
namespace detail {
struct SmtpState;
}

struct SmtpOptions {
  std::string host;
  std::uint16_t port = 587;
  // TLS from the first byte (RFC 8314), as on port 465; `starttls` is then not used.
  bool implicit_tls = false;
  // required: never send a command after EHLO in clear text; a server that does not offer
  //   STARTTLS gets nothing (retry, with a detail that says so).
  // opportunistic: STARTTLS when offered, clear text otherwise, but credentials never go out in
  //   clear text (retry).
  // off: clear text, credentials included (a relay on the same host, say).
  config::StartTls starttls = config::StartTls::required;
  std::string username;  // empty: no AUTH
  std::string password;  // the content of password_file; never logged or returned
  bool verify_tls = true;
  std::optional<std::filesystem::path> ca_file;  // instead of the system trust store
  // Every step: resolve + connect, the TLS handshake, each reply, sending the message.
  std::chrono::milliseconds timeout{30000};
  std::string helo;  // empty: this machine's host name

  // From the [smtp] section and the password read from its password_file.
  static SmtpOptions from_config(const config::SmtpConfig& smtp, std::string password);
};

struct SmtpEnvelope {
  std::string mail_from;             // the reverse path, e.g. the From address
  std::vector<std::string> rcpt_to;  // each must pass is_valid_address
};

// What a recipient's RCPT TO came to when the server refused it.
struct RefusedRecipient {
  std::string address;
  std::string reply;       // e.g. "550 5.1.1 <x@y>: Recipient address rejected"
  bool permanent = false;  // 5xx; else 4xx, worth another try for this recipient alone
};

struct SmtpSendResult {
  // delivered: the server took the message for at least one recipient (250 after DATA).
  // retry / dead: as in DeliveryResult; dead when every recipient was refused with 5xx.
  DeliveryResult delivery;
  std::string message_id;  // from render_message, when send() built the message
  // Recipients the server refused while it took others (then `delivery` is delivered and its
  // detail names them), or every recipient when none was taken. An outbox that wants to try the
  // 4xx ones again sends to them alone, so that the others do not get the message twice.
  std::vector<RefusedRecipient> refused;
};

class SmtpClient {
 public:
  // Throws std::runtime_error when the CA file or the system trust store cannot be loaded (at
  // start-up, not per message).
  SmtpClient(boost::asio::any_io_executor executor, SmtpOptions options);
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  // Renders `message` (alerts/mime.hpp) and sends it to its To addresses with its From address
  // as the reverse path. Never throws for network, protocol or message failures. The client may
  // be destroyed while a send runs; the send completes normally.
  boost::asio::awaitable<SmtpSendResult> send(const EmailMessage& message);
  // Sends ready RFC 5322 bytes (CRLF or LF line endings; dot-stuffing is done here).
  boost::asio::awaitable<SmtpSendResult> send(SmtpEnvelope envelope, std::string message);

 private:
  std::shared_ptr<detail::SmtpState> state_;
};

}  // namespace motcua::alerts
