#include "tests/alerts/webhook_receiver.hpp"

#include <chrono>
#include <deque>
#include <mutex>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/net/io_thread.hpp"

namespace motcua::alerts::fixtures {
namespace {

namespace asio = boost::asio;

// Long enough to outlast any client timeout of a test, short enough that nothing waits forever.
constexpr std::chrono::seconds kStallLimit{60};

// The receiver's side of the contract, written independently of alerts/hmac.cpp (OpenSSL's
// one-shot HMAC): "sha256=" and the lower-case hex HMAC-SHA256 of the exact body bytes.
bool signature_matches(const std::string& secret, const std::string& body,
                       const std::string& signature) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length))
    return false;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string expected = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    expected.push_back(kHex[digest[i] >> 4]);
    expected.push_back(kHex[digest[i] & 0x0f]);
  }
  // Constant time, as a real receiver must compare, so the test receiver is a model to copy.
  return signature.size() == expected.size() &&
         CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
}

}  // namespace

struct detail::ReceiverState {
  asio::any_io_executor executor;
  std::string secret;
  mutable std::mutex mutex;
  std::deque<ReceiverAnswer> answers;
  std::vector<ReceivedWebhook> requests;
  std::vector<std::shared_ptr<asio::steady_timer>> stalls;
};

namespace {

net::ServerResponse respond(const ReceiverAnswer& answer) {
  net::ServerResponse response;
  response.status = answer.status;
  response.body = answer.body;
  if (answer.retry_after) response.headers.emplace_back("Retry-After", *answer.retry_after);
  return response;
}

}  // namespace

namespace {

// A free coroutine over the shared state: it may outlive the receiver object (not the state).
asio::awaitable<net::ServerResponse> handle(std::shared_ptr<detail::ReceiverState> state,
                                            net::ServerRequest request) {
  ReceivedWebhook received;
  received.method = request.method;
  received.path = request.path;
  received.headers = request.headers;
  received.body = request.body;
  received.signature = request.header("X-Motcua-Signature");
  received.signature_valid = signature_matches(state->secret, request.body, received.signature);
  const bool refused = !state->secret.empty() && !received.signature_valid;

  ReceiverAnswer answer;
  std::shared_ptr<asio::steady_timer> stall;
  {
    std::lock_guard lock(state->mutex);
    state->requests.push_back(std::move(received));
    if (!refused && !state->answers.empty()) {
      answer = std::move(state->answers.front());
      state->answers.pop_front();
    }
    if (!refused && answer.stall) {
      stall = std::make_shared<asio::steady_timer>(state->executor, kStallLimit);
      state->stalls.push_back(stall);
    }
  }
  if (refused) co_return net::ServerResponse::json_error(401, "signature does not match");
  if (stall) {
    co_await stall->async_wait(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(state->mutex);
    std::erase(state->stalls, stall);
  }
  co_return respond(answer);
}

}  // namespace

WebhookReceiver::WebhookReceiver(asio::any_io_executor executor, Options options)
    : state_(std::make_shared<detail::ReceiverState>()), tls_(options.certificate.has_value()) {
  state_->executor = executor;
  state_->secret = std::move(options.secret);

  net::Router router;
  auto state = state_;
  router.add("POST", "/hook", net::Router::AsyncHandler([state](net::ServerRequest request) {
               return handle(state, std::move(request));
             }));
  router.add("POST", "/hook/{name}", net::Router::AsyncHandler([state](net::ServerRequest request) {
               return handle(state, std::move(request));
             }));

  net::ServerOptions server_options;
  if (options.certificate) {
    server_options.tls_certificate_file = options.certificate->certificate_file;
    server_options.tls_private_key_file = options.certificate->private_key_file;
  }
  server_ =
      std::make_unique<net::HttpServer>(executor, std::move(server_options), std::move(router));
  server_->start();
}

WebhookReceiver::~WebhookReceiver() {
  release_stalled();
  server_.reset();
}

std::uint16_t WebhookReceiver::port() const {
  return server_->port();
}

std::string WebhookReceiver::url(std::string_view host, std::string_view path) const {
  return std::string(tls_ ? "https" : "http") + "://" + std::string(host) + ":" +
         std::to_string(port()) + std::string(path);
}

void WebhookReceiver::answer_next(ReceiverAnswer answer) {
  std::lock_guard lock(state_->mutex);
  state_->answers.push_back(std::move(answer));
}

void WebhookReceiver::release_stalled() {
  std::vector<std::shared_ptr<asio::steady_timer>> stalls;
  {
    std::lock_guard lock(state_->mutex);
    stalls = state_->stalls;
  }
  // Timers are touched only on the loop's thread.
  for (auto& timer : stalls)
    asio::post(state_->executor, [timer] { timer->cancel(); });
}

std::vector<ReceivedWebhook> WebhookReceiver::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

std::size_t WebhookReceiver::count() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests.size();
}

bool WebhookReceiver::wait_for(std::size_t n) const {
  return net::fixtures::eventually([&] { return count() >= n; });
}

std::size_t WebhookReceiver::stalled() const {
  std::lock_guard lock(state_->mutex);
  return state_->stalls.size();
}

}  // namespace motcua::alerts::fixtures
