// WebhookSender against a real receiver on 127.0.0.1 (tests/alerts/webhook_receiver.hpp): what
// arrives (headers, signature, body), and what each of the receiver's answers, silences and
// certificates comes to. Faults are named cases; every wait has a deadline.
#include <chrono>
#include <ctime>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>

#include "alerts/webhook.hpp"
#include "tests/alerts/webhook_notification.hpp"
#include "tests/alerts/webhook_receiver.hpp"
#include "tests/net/certificates.hpp"
#include "tests/net/io_thread.hpp"

namespace motcua::alerts {
namespace {

using namespace std::chrono_literals;
using fixtures::ReceiverAnswer;
using fixtures::WebhookReceiver;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSecret[] = "bí-mật-chung-0123456789";

// "Tue, 10 Mar 2026 03:01:30 GMT" for `t`.
std::string http_date(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

class WebhookSenderTest : public ::testing::Test {
 protected:
  // The loop stops before the receiver and the sender it runs for go away.
  void TearDown() override { io.halt(); }

  WebhookReceiver& receive(WebhookReceiver::Options options = {.secret = kSecret}) {
    receiver = std::make_unique<WebhookReceiver>(io.executor(), std::move(options));
    return *receiver;
  }

  WebhookPost signed_post(std::string url, std::string body = {}) const {
    if (body.empty()) body = alertmanager_payload(fixtures::sample_notification());
    return {.url = std::move(url),
            .body = std::move(body),
            .secret = std::string(kSecret),
            .idempotency_key = "so-xay-dung/4f1c2a9e/3",
            .timeout = 5s};
  }

  DeliveryResult post(WebhookSender& sender, WebhookPost request) {
    return io.run(sender.post(std::move(request)));
  }

  net::fixtures::IoThread io;
  std::unique_ptr<WebhookReceiver> receiver;
};

TEST_F(WebhookSenderTest, DeliversASignedJsonPost) {
  auto& hook = receive();
  WebhookSender sender(io.executor());
  const auto body = alertmanager_payload(fixtures::sample_notification());

  const auto result = post(sender, signed_post(hook.url(), body));
  EXPECT_EQ(result.outcome, DeliveryOutcome::delivered) << result.detail;
  EXPECT_EQ(result.detail, "HTTP 200");

  const auto requests = hook.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& got = requests[0];
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.path, "/hook");
  EXPECT_EQ(got.header("Content-Type"), "application/json");
  EXPECT_THAT(got.header("User-Agent"), StartsWith("motcua-watch/"));
  EXPECT_EQ(got.header("Idempotency-Key"), "so-xay-dung/4f1c2a9e/3");
  EXPECT_TRUE(got.signature_valid) << got.signature;
  EXPECT_EQ(got.signature, webhook_signature(kSecret, body));
  EXPECT_EQ(got.body, body);  // byte for byte: the signature covers exactly these bytes
  const auto parsed = boost::json::parse(got.body);
  EXPECT_EQ(parsed.at("version").as_string(), "4");
  EXPECT_EQ(parsed.at("alerts").as_array()[0].at("annotations").at("message").as_string(),
            fixtures::kOverdueMessage);
}

TEST_F(WebhookSenderTest, NoSignatureWithoutASecret) {
  auto& hook = receive({});
  WebhookSender sender(io.executor());
  auto request = signed_post(hook.url(), native_payload(fixtures::sample_notification()));
  request.secret.reset();

  const auto result = post(sender, std::move(request));
  EXPECT_EQ(result.outcome, DeliveryOutcome::delivered) << result.detail;
  ASSERT_EQ(hook.count(), 1u);
  EXPECT_EQ(hook.requests()[0].header("X-Motcua-Signature"), "");
}

TEST_F(WebhookSenderTest, WrongSecretIsDetectedByTheReceiver) {
  auto& hook = receive();
  WebhookSender sender(io.executor());
  auto request = signed_post(hook.url());
  request.secret = "not-the-shared-secret";

  const auto result = post(sender, std::move(request));
  EXPECT_EQ(result.outcome, DeliveryOutcome::dead);
  EXPECT_EQ(result.detail, R"(HTTP 401: {"error":"signature does not match"})");
  ASSERT_EQ(hook.count(), 1u);
  EXPECT_FALSE(hook.requests()[0].signature_valid);
  EXPECT_THAT(hook.requests()[0].signature, StartsWith("sha256="));
}

TEST_F(WebhookSenderTest, AlteredBodyIsDetectedByTheReceiver) {
  auto& hook = receive();
  WebhookSender sender(io.executor());
  // Signed for one body, sent with another: what a tampering proxy would do.
  auto request = signed_post(hook.url());
  const auto signature = webhook_signature(kSecret, request.body);
  request.secret.reset();
  request.body += " ";
  net::HttpClient client(io.executor());
  const auto result = io.run(client.request(
      {.method = "POST",
       .url = request.url,
       .headers = {{"X-Motcua-Signature", signature}, {"Content-Type", "application/json"}},
       .body = request.body}));
  ASSERT_TRUE(result.ok()) << result.error_text;
  EXPECT_EQ(result.response->status, 401);
  EXPECT_FALSE(hook.requests().at(0).signature_valid);
}

TEST_F(WebhookSenderTest, EmptySecretIsRefusedBeforeSending) {
  auto& hook = receive();
  WebhookSender sender(io.executor());
  auto request = signed_post(hook.url());
  request.secret = "";

  const auto result = post(sender, std::move(request));
  EXPECT_EQ(result.outcome, DeliveryOutcome::dead);
  EXPECT_EQ(result.detail, "the webhook secret is empty; nothing was sent");
  EXPECT_EQ(hook.count(), 0u);  // the post returned without opening a connection
}

TEST_F(WebhookSenderTest, ServerErrorIsRetried) {
  auto& hook = receive();
  hook.answer_next(ReceiverAnswer::failing(500));
  WebhookSender sender(io.executor());

  const auto result = post(sender, signed_post(hook.url()));
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  EXPECT_EQ(result.detail, R"(HTTP 500: {"error":"failing on request"})");
  EXPECT_EQ(result.retry_after, std::nullopt);
}

TEST_F(WebhookSenderTest, UnavailableWithRetryAfterSecondsIsRetriedThen) {
  auto& hook = receive();
  hook.answer_next(ReceiverAnswer::failing(503, "120"));
  WebhookSender sender(io.executor());

  const auto result = post(sender, signed_post(hook.url()));
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  EXPECT_EQ(result.retry_after, 120s);
  EXPECT_THAT(result.detail, StartsWith("HTTP 503, Retry-After 120 s"));
}

TEST_F(WebhookSenderTest, TooManyRequestsWithRetryAfterSeconds) {
  auto& hook = receive();
  hook.answer_next(ReceiverAnswer::failing(429, "7", "quá nhiều yêu cầu"));
  WebhookSender sender(io.executor());

  const auto result = post(sender, signed_post(hook.url()));
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  EXPECT_EQ(result.retry_after, 7s);
  EXPECT_EQ(result.detail, "HTTP 429, Retry-After 7 s: quá nhiều yêu cầu");
}

TEST_F(WebhookSenderTest, TooManyRequestsWithRetryAfterHttpDate) {
  auto& hook = receive();
  hook.answer_next(ReceiverAnswer::failing(429, http_date(std::chrono::system_clock::now() + 90s)));
  WebhookSender sender(io.executor());

  const auto result = post(sender, signed_post(hook.url()));
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  ASSERT_TRUE(result.retry_after.has_value());
  // The date has whole seconds and the exchange takes a moment.
  EXPECT_GE(*result.retry_after, 85s);
  EXPECT_LE(*result.retry_after, 90s);
}

TEST_F(WebhookSenderTest, BadRequestIsDeadWithABoundedExcerpt) {
  auto& hook = receive();
  hook.answer_next(ReceiverAnswer::failing(
      400, std::nullopt, "Thiếu trường \"alerts\"\r\n\x1b[31m" + std::string(5000, '!')));
  WebhookSender sender(io.executor());

  const auto result = post(sender, signed_post(hook.url()));
  EXPECT_EQ(result.outcome, DeliveryOutcome::dead);
  EXPECT_THAT(result.detail, StartsWith("HTTP 400: Thiếu trường \"alerts\"\\r\\n\\x1B[31m!!!"));
  EXPECT_LE(result.detail.size(), 300u);
  EXPECT_EQ(result.detail.find('\n'), std::string::npos);
}

TEST_F(WebhookSenderTest, StalledReceiverTimesOutAndIsRetried) {
  auto& hook = receive();
  hook.answer_next(ReceiverAnswer::stalled());
  WebhookSender sender(io.executor());
  auto request = signed_post(hook.url());
  request.timeout = 300ms;

  const auto started = std::chrono::steady_clock::now();
  const auto result = post(sender, std::move(request));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  EXPECT_EQ(result.detail,
            "request to 127.0.0.1:" + std::to_string(hook.port()) + " timed out after 300 ms");
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 5s);
  // The receiver is still holding the request.
  EXPECT_TRUE(net::fixtures::eventually([&] { return hook.stalled() == 1; }));

  // The receiver recovers: the next attempt goes through on a new connection.
  hook.release_stalled();
  const auto again = post(sender, signed_post(hook.url()));
  EXPECT_EQ(again.outcome, DeliveryOutcome::delivered) << again.detail;
  EXPECT_TRUE(net::fixtures::eventually([&] { return hook.stalled() == 0; }));
}

TEST_F(WebhookSenderTest, EachPostHasItsOwnTimeout) {
  auto& hook = receive();
  hook.answer_next(ReceiverAnswer::stalled());
  hook.answer_next(ReceiverAnswer::stalled());
  WebhookSender sender(io.executor());

  auto quick = signed_post(hook.url());
  quick.timeout = 200ms;
  auto slower = signed_post(hook.url());
  slower.timeout = 400ms;
  EXPECT_THAT(post(sender, std::move(quick)).detail, HasSubstr("timed out after 200 ms"));
  EXPECT_THAT(post(sender, std::move(slower)).detail, HasSubstr("timed out after 400 ms"));
}

TEST_F(WebhookSenderTest, RetryCarriesTheSameIdempotencyKey) {
  auto& hook = receive();
  hook.answer_next(ReceiverAnswer::failing(503, "1"));
  WebhookSender sender(io.executor());

  EXPECT_EQ(post(sender, signed_post(hook.url())).outcome, DeliveryOutcome::retry);
  EXPECT_EQ(post(sender, signed_post(hook.url())).outcome, DeliveryOutcome::delivered);
  const auto requests = hook.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("Idempotency-Key"), requests[1].header("Idempotency-Key"));
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(requests[0].signature, requests[1].signature);
}

TEST_F(WebhookSenderTest, ConnectionRefusedIsRetried) {
  // A bound socket that does not listen: its port refuses connections and stays ours meanwhile.
  boost::asio::ip::tcp::socket unlistened(io.executor());
  unlistened.open(boost::asio::ip::tcp::v4());
  unlistened.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = unlistened.local_endpoint().port();
  WebhookSender sender(io.executor());

  const auto result =
      post(sender, signed_post("http://127.0.0.1:" + std::to_string(port) + "/hook"));
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  EXPECT_THAT(result.detail, StartsWith("connect to 127.0.0.1:" + std::to_string(port)));
  EXPECT_THAT(result.detail, HasSubstr("refused"));
}

TEST_F(WebhookSenderTest, MalformedUrlIsDead) {
  WebhookSender sender(io.executor());
  const auto result = post(sender, signed_post("ftp://127.0.0.1/hook"));
  EXPECT_EQ(result.outcome, DeliveryOutcome::dead);
  EXPECT_EQ(result.detail, "unsupported URL scheme 'ftp' (only http and https)");
}

// ---- HTTPS ----------------------------------------------------------------------------------

class WebhookTlsTest : public WebhookSenderTest {
 protected:
  net::fixtures::TestAuthority authority;
};

TEST_F(WebhookTlsTest, DeliveredWhenTheCertificateVerifies) {
  auto& hook = receive(
      {.secret = kSecret, .certificate = authority.issue("hook", {"localhost"}, {"127.0.0.1"})});
  WebhookSender sender(io.executor(), {.ca_file = authority.ca_file()});

  const auto result = post(sender, signed_post(hook.url("localhost")));
  EXPECT_EQ(result.outcome, DeliveryOutcome::delivered) << result.detail;
  ASSERT_EQ(hook.count(), 1u);
  EXPECT_TRUE(hook.requests()[0].signature_valid);
  EXPECT_THAT(hook.url("localhost"), StartsWith("https://"));
}

TEST_F(WebhookTlsTest, UntrustedCertificateIsRetriedWithTheReason) {
  auto& hook = receive(
      {.secret = kSecret, .certificate = authority.issue("hook", {"localhost"}, {"127.0.0.1"})});
  WebhookSender sender(io.executor());  // verification on, the system's trust store only

  const auto result = post(sender, signed_post(hook.url("localhost")));
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  EXPECT_EQ(result.detail,
            "TLS: certificate verify failed (self-signed certificate in certificate chain) for "
            "host localhost");
  EXPECT_EQ(hook.count(), 0u);  // nothing was sent to an unverified peer
}

TEST_F(WebhookTlsTest, CertificateForAnotherNameIsRetriedWithTheReason) {
  auto& hook = receive(
      {.secret = kSecret, .certificate = authority.issue("other", {"chat.example.gov.vn"}, {})});
  WebhookSender sender(io.executor(), {.ca_file = authority.ca_file()});

  const auto result = post(sender, signed_post(hook.url("localhost")));
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  EXPECT_EQ(result.detail, "TLS: certificate verify failed (hostname mismatch) for host localhost");
  EXPECT_EQ(hook.count(), 0u);
}

}  // namespace
}  // namespace motcua::alerts
