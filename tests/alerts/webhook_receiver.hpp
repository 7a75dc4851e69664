#pragma once
// A webhook receiver for tests: a real net::HttpServer on 127.0.0.1 (HTTP, or HTTPS with a test
// certificate) that records every request, checks its signature with the shared secret the way a
// receiver would (its own HMAC, not ours), and answers what the test tells it to: 200 by default,
// any status with a Retry-After, or nothing at all until released (a stalled receiver).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "net/headers.hpp"
#include "net/http_server.hpp"
#include "tests/net/certificates.hpp"

namespace motcua::alerts::fixtures {
namespace detail {
struct ReceiverState;
}

struct ReceivedWebhook {
  std::string method;
  std::string path;
  net::HeaderList headers;
  std::string body;
  // The X-Motcua-Signature as received ("" when absent) and whether it is the HMAC-SHA256 of the
  // body under the receiver's secret.
  std::string signature;
  bool signature_valid = false;

  std::string header(std::string_view name) const { return net::find_header(headers, name); }
};

// How to answer one request.
struct ReceiverAnswer {
  int status = 200;
  std::string body = R"({"status":"ok"})";
  std::optional<std::string> retry_after{};
  // Send nothing until release_stalled() or the receiver stops.
  bool stall = false;

  static ReceiverAnswer failing(int status, std::optional<std::string> retry_after = {},
                                std::string body = R"({"error":"failing on request"})") {
    return {status, std::move(body), std::move(retry_after), false};
  }
  static ReceiverAnswer stalled() { return {200, {}, {}, true}; }
};

class WebhookReceiver {
 public:
  struct Options {
    // Requests whose signature is missing or wrong are answered 401 (and still recorded).
    // Empty: signatures are not required (but still checked when one comes with an empty key).
    std::string secret{};
    // With a certificate, HTTPS.
    std::optional<net::fixtures::IssuedCertificate> certificate{};
  };

  WebhookReceiver(boost::asio::any_io_executor executor, Options options);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::uint16_t port() const;
  // e.g. "http://127.0.0.1:41234/hook"
  std::string url(std::string_view host = "127.0.0.1", std::string_view path = "/hook") const;

  // The next requests take these answers in order; after them, 200.
  void answer_next(ReceiverAnswer answer);
  // Answers every stalled request now (with 200), e.g. before the test ends.
  void release_stalled();

  std::vector<ReceivedWebhook> requests() const;
  std::size_t count() const;
  // Whether `n` requests have arrived within the fixtures' deadline.
  bool wait_for(std::size_t n) const;
  // Requests currently stalled.
  std::size_t stalled() const;

 private:
  std::shared_ptr<detail::ReceiverState> state_;
  bool tls_ = false;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace motcua::alerts::fixtures
