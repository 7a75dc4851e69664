#pragma once
// The webhook notifier: a notification rendered as JSON (our own format, or Alertmanager's webhook
// format version 4 so that receivers written for Alertmanager work unchanged), signed with
// HMAC-SHA256 when the receiver has a secret, and POSTed over HTTP(S). One attempt per call; the
// outbox retries according to the DeliveryResult.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "alerts/delivery.hpp"
#include "alerts/notification.hpp"
#include "net/http_client.hpp"

namespace motcua::alerts {

// Header names of a webhook request.
inline constexpr std::string_view kSignatureHeader = "X-Motcua-Signature";  // "sha256=<hex>"
inline constexpr std::string_view kIdempotencyHeader = "Idempotency-Key";

// Our format ("native"): see the README, section "Webhooks".
std::string native_payload(const Notification& notification);
// Alertmanager's webhook payload, version "4" (prometheus.io, configuration, webhook_config).
std::string alertmanager_payload(const Notification& notification);

// The value of kSignatureHeader for `body`: "sha256=" and the hex HMAC-SHA256 under `secret`.
std::string webhook_signature(std::string_view secret, std::string_view body);

// A receiver's Retry-After (RFC 9110 section 10.2.3): delta-seconds, or an HTTP-date in any of
// the three formats a recipient must accept (IMF-fixdate, RFC 850, asctime), counted from `now`.
// A date in the past is 0 s; longer than a day is a day. nullopt when the value is malformed.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// At most `max_bytes` of a receiver's answer for the people who read the dead letters, on one
// line: control characters, backslashes and invalid UTF-8 escaped (\n, \t, \\, \xNN), multi-byte
// characters kept whole, and "…" when cut.
std::string body_excerpt(std::string_view body, std::size_t max_bytes = 256);

// What one attempt came to: 2xx delivered; 408, 429 and 5xx retry (with the receiver's
// Retry-After); other statuses dead (redirects are not followed: the URL needs fixing); a
// request that could not be formed (bad URL) dead; every transport failure (refused, timeout,
// TLS) retry.
DeliveryResult classify_webhook_result(const net::HttpResult& result,
                                       std::chrono::system_clock::time_point now);

struct WebhookPost {
  std::string url;
  std::string body;  // JSON, sent as is
  // With a secret the body is signed (kSignatureHeader); an empty secret is refused (dead), as it
  // would authenticate nothing.
  std::optional<std::string> secret;
  std::string idempotency_key;  // kIdempotencyHeader; omitted when empty
  // Bounds connecting (with the TLS handshake) and, separately, the request and its response.
  std::chrono::milliseconds timeout{10000};
};

class WebhookSender {
 public:
  // `options` apply to every post except their timeouts, which each post sets; TLS certificates
  // are verified unless options.verify_tls is false. Throws like net::HttpClient.
  explicit WebhookSender(boost::asio::any_io_executor executor, net::ClientOptions options = {});
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // One POST. Never throws for network or HTTP failures. Call from coroutines on the sender's
  // executor (one thread or a strand), as net::HttpClient requires.
  boost::asio::awaitable<DeliveryResult> post(WebhookPost post);

 private:
  net::HttpClient& client_for(std::chrono::milliseconds timeout);

  boost::asio::any_io_executor executor_;
  net::ClientOptions options_;
  // One client per distinct timeout (receivers have few), each keeping its connections alive.
  std::map<std::chrono::milliseconds, std::unique_ptr<net::HttpClient>> clients_;
};

}  // namespace motcua::alerts
