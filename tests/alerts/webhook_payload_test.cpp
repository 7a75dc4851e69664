// The webhook's pure parts: both payload formats parsed back with Boost.JSON, the HMAC against
// RFC 4231's vectors, Retry-After in every form RFC 9110 allows, the excerpt of a receiver's
// answer, and the outcome of every kind of HTTP result.
#include <chrono>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "alerts/hmac.hpp"
#include "alerts/webhook.hpp"
#include "tests/alerts/webhook_notification.hpp"

namespace motcua::alerts {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using fixtures::sample_notification;
using ::testing::HasSubstr;
using ::testing::Not;

std::set<std::string> keys(const json::object& object) {
  std::set<std::string> out;
  for (const auto& [key, value] : object)
    out.insert(std::string(key));
  return out;
}

std::string text(const json::value& value) {
  return std::string(value.as_string());
}

// ---- Alertmanager v4 ------------------------------------------------------------------------

TEST(AlertmanagerPayload, HasExactlyTheVersion4Fields) {
  const auto body = alertmanager_payload(sample_notification());
  const auto root = json::parse(body).as_object();
  EXPECT_EQ(keys(root), (std::set<std::string>{"receiver", "status", "alerts", "groupLabels",
                                               "commonLabels", "commonAnnotations", "externalURL",
                                               "version", "groupKey", "truncatedAlerts"}));
  EXPECT_EQ(text(root.at("version")), "4");
  EXPECT_EQ(text(root.at("receiver")), "so-xay-dung");
  EXPECT_EQ(text(root.at("status")), "firing");
  EXPECT_EQ(text(root.at("groupKey")), R"({}/{agency="000.00.12.H37"}:{agency="000.00.12.H37"})");
  EXPECT_EQ(root.at("truncatedAlerts").as_int64(), 0);
  EXPECT_EQ(text(root.at("externalURL")), "http://127.0.0.1:9470/");
  EXPECT_EQ(root.at("groupLabels").as_object(), (json::object{{"agency", "000.00.12.H37"}}));
  // The order Alertmanager writes them in, for receivers that compare bodies.
  EXPECT_EQ(body.rfind(R"({"receiver":)", 0), 0u);
}

TEST(AlertmanagerPayload, AlertsCarryTheirFieldsAndTimes) {
  const auto root = json::parse(alertmanager_payload(sample_notification())).as_object();
  const auto& alerts = root.at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 2u);

  const auto& firing = alerts[0].as_object();
  EXPECT_EQ(keys(firing), (std::set<std::string>{"status", "labels", "annotations", "startsAt",
                                                 "endsAt", "generatorURL", "fingerprint"}));
  EXPECT_EQ(text(firing.at("status")), "firing");
  EXPECT_EQ(text(firing.at("fingerprint")), "9a3e1f0c2b7d4e51");
  EXPECT_EQ(text(firing.at("startsAt")), "2026-03-09T17:00:00+07:00");
  // Go's zero time, as Alertmanager sends for an alert that has not ended.
  EXPECT_EQ(text(firing.at("endsAt")), "0001-01-01T00:00:00Z");
  EXPECT_EQ(text(firing.at("generatorURL")),
            "http://127.0.0.1:9470/api/v1/dossiers/000.00.12.H37-260302-0001");
  const auto& labels = firing.at("labels").as_object();
  EXPECT_EQ(text(labels.at("rule")), "overdue");
  EXPECT_EQ(text(labels.at("dossier")), "000.00.12.H37-260302-0001");
  EXPECT_EQ(text(labels.at("severity")), "critical");

  const auto& resolved = alerts[1].as_object();
  EXPECT_EQ(text(resolved.at("status")), "resolved");
  EXPECT_EQ(text(resolved.at("startsAt")), "2026-03-06T11:30:00+07:00");
  EXPECT_EQ(text(resolved.at("endsAt")), "2026-03-10T09:15:00+07:00");
  EXPECT_EQ(text(resolved.at("generatorURL")), "");  // always present, as in Alertmanager

  // RFC 3339 that reads back to the same instants.
  EXPECT_EQ(sla::parse_rfc3339(text(firing.at("startsAt"))),
            fixtures::instant("2026-03-09T10:00:00Z"));
  EXPECT_EQ(sla::parse_rfc3339(text(resolved.at("endsAt"))),
            fixtures::instant("2026-03-10T02:15:00Z"));
}

TEST(AlertmanagerPayload, AlertnameIsTheRuleUnlessGiven) {
  auto notification = sample_notification();
  notification.alerts[1].labels["alertname"] = "Tên riêng";
  const auto root = json::parse(alertmanager_payload(notification)).as_object();
  const auto& alerts = root.at("alerts").as_array();
  EXPECT_EQ(text(alerts[0].at("labels").at("alertname")), "overdue");
  EXPECT_EQ(text(alerts[1].at("labels").at("alertname")), "Tên riêng");
  // Our own format keeps the labels as they are.
  const auto native = json::parse(native_payload(notification)).as_object();
  EXPECT_FALSE(native.at("alerts").as_array()[0].at("labels").as_object().contains("alertname"));
}

TEST(AlertmanagerPayload, CommonLabelsAndAnnotationsAreThoseAllAlertsShare) {
  const auto root = json::parse(alertmanager_payload(sample_notification())).as_object();
  EXPECT_EQ(
      root.at("commonLabels").as_object(),
      (json::object{{"agency", "000.00.12.H37"}, {"procedure", "1.009972"}, {"source", "motcua"}}));
  EXPECT_EQ(root.at("commonAnnotations").as_object(),
            (json::object{{"agency_name", "Sở Xây dựng"}}));
}

TEST(AlertmanagerPayload, OneAlertSharesEverythingAndNoneShareNothing) {
  auto notification = sample_notification();
  notification.alerts.resize(1);
  auto root = json::parse(alertmanager_payload(notification)).as_object();
  EXPECT_EQ(root.at("commonLabels").as_object().size(), 7u);  // six labels and alertname
  EXPECT_EQ(text(root.at("commonAnnotations").at("message")), fixtures::kOverdueMessage);

  notification.alerts.clear();
  root = json::parse(alertmanager_payload(notification)).as_object();
  EXPECT_TRUE(root.at("alerts").as_array().empty());
  EXPECT_TRUE(root.at("commonLabels").as_object().empty());
  EXPECT_TRUE(root.at("commonAnnotations").as_object().empty());
}

TEST(AlertmanagerPayload, TimesUseTheConfiguredOffset) {
  auto notification = sample_notification();
  notification.utc_offset = 0s;
  const auto root = json::parse(alertmanager_payload(notification)).as_object();
  EXPECT_EQ(text(root.at("alerts").as_array()[0].at("startsAt")), "2026-03-09T10:00:00+00:00");
}

// ---- Vietnamese and JSON escaping -----------------------------------------------------------

TEST(WebhookPayload, VietnameseTextRoundTripsAsUtf8InBothFormats) {
  for (const auto& body :
       {alertmanager_payload(sample_notification()), native_payload(sample_notification())}) {
    // Written as UTF-8, not as \u escapes, so that people reading the body read Vietnamese.
    EXPECT_THAT(body, HasSubstr("đã quá hạn 3 giờ làm việc"));
    EXPECT_THAT(body, Not(HasSubstr("\\u")));
    const auto root = json::parse(body);
    const auto& alert = root.at("alerts").as_array()[0];
    EXPECT_EQ(text(alert.at("annotations").at("message")), fixtures::kOverdueMessage);
    EXPECT_EQ(text(alert.at("annotations").at("summary")), "Hồ sơ quá hạn");
    EXPECT_EQ(text(root.at("alerts").as_array()[1].at("labels").at("department")),
              "Phòng Quản lý xây dựng");
  }
}

TEST(WebhookPayload, QuotesControlCharactersAndBackslashesAreEscaped) {
  auto notification = sample_notification();
  const std::string awkward = "dòng 1\n\"trích\"\\ \t\x01 <b>&</b>";
  notification.alerts[0].annotations["message"] = awkward;
  notification.group_labels["agency"] = awkward;
  for (const auto& body : {alertmanager_payload(notification), native_payload(notification)}) {
    const auto root = json::parse(body);  // throws if the escaping were wrong
    EXPECT_EQ(text(root.at("alerts").as_array()[0].at("annotations").at("message")), awkward);
  }
}

// ---- native ---------------------------------------------------------------------------------

TEST(NativePayload, HasItsDocumentedShape) {
  const auto root = json::parse(native_payload(sample_notification())).as_object();
  EXPECT_EQ(keys(root),
            (std::set<std::string>{"version", "kind", "receiver", "status", "group_key",
                                   "group_labels", "idempotency_key", "external_url", "alerts"}));
  EXPECT_EQ(root.at("version").as_int64(), 1);
  EXPECT_EQ(text(root.at("kind")), "repeat");
  EXPECT_EQ(text(root.at("receiver")), "so-xay-dung");
  EXPECT_EQ(text(root.at("status")), "firing");
  EXPECT_EQ(text(root.at("group_key")), R"({}/{agency="000.00.12.H37"}:{agency="000.00.12.H37"})");
  EXPECT_EQ(root.at("group_labels").as_object(), (json::object{{"agency", "000.00.12.H37"}}));
  EXPECT_EQ(text(root.at("idempotency_key")), "so-xay-dung/4f1c2a9e/3");
  EXPECT_EQ(text(root.at("external_url")), "http://127.0.0.1:9470/");

  const auto& alerts = root.at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 2u);
  const auto& firing = alerts[0].as_object();
  EXPECT_EQ(keys(firing), (std::set<std::string>{"fingerprint", "status", "labels", "annotations",
                                                 "starts_at", "generator_url"}));
  EXPECT_EQ(text(firing.at("starts_at")), "2026-03-09T17:00:00+07:00");
  EXPECT_EQ(text(firing.at("labels").at("rule")), "overdue");
  const auto& resolved = alerts[1].as_object();
  EXPECT_EQ(keys(resolved), (std::set<std::string>{"fingerprint", "status", "labels", "annotations",
                                                   "starts_at", "ends_at"}));
  EXPECT_EQ(text(resolved.at("status")), "resolved");
  EXPECT_EQ(text(resolved.at("ends_at")), "2026-03-10T09:15:00+07:00");
}

TEST(NativePayload, KindsAndStatusesByName) {
  auto notification = sample_notification();
  notification.external_url.clear();
  notification.status = AlertStatus::resolved;
  for (const auto& [kind, name] : {std::pair{NotificationKind::initial, "initial"},
                                   {NotificationKind::repeat, "repeat"},
                                   {NotificationKind::escalation, "escalation"},
                                   {NotificationKind::resolved, "resolved"}}) {
    notification.kind = kind;
    const auto root = json::parse(native_payload(notification)).as_object();
    EXPECT_EQ(text(root.at("kind")), name);
    EXPECT_EQ(text(root.at("status")), "resolved");
    EXPECT_FALSE(root.contains("external_url"));
  }
}

// ---- HMAC -----------------------------------------------------------------------------------

TEST(Hmac, MatchesRfc4231) {
  // Test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than SHA-256's block is hashed first.
  EXPECT_EQ(hmac_sha256_hex(std::string(131, '\xaa'),
                            "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Empty key, empty message.
  EXPECT_EQ(hmac_sha256_hex("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Hmac, SignatureHeaderValue) {
  EXPECT_EQ(webhook_signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Bytes, not characters: Vietnamese bodies are signed as their UTF-8.
  EXPECT_EQ(webhook_signature("bí mật", "Hồ sơ").size(), 7u + 64u);
  EXPECT_NE(webhook_signature("a", "Hồ sơ"), webhook_signature("b", "Hồ sơ"));
}

// ---- Retry-After ----------------------------------------------------------------------------

// Tuesday 10/03/2026 03:00:00 UTC.
const std::chrono::system_clock::time_point kNow =
    std::chrono::sys_days{std::chrono::year{2026} / 3 / 10} + 3h;

TEST(RetryAfter, DeltaSeconds) {
  EXPECT_EQ(parse_retry_after("120", kNow), 120s);
  EXPECT_EQ(parse_retry_after(" 5\t", kNow), 5s);
  EXPECT_EQ(parse_retry_after("0", kNow), 0s);
  EXPECT_EQ(parse_retry_after("86400", kNow), 86400s);
  EXPECT_EQ(parse_retry_after("99999999999999999999999", kNow), 86400s);  // capped, no overflow
}

TEST(RetryAfter, HttpDateInAllThreeFormats) {
  EXPECT_EQ(parse_retry_after("Tue, 10 Mar 2026 03:01:30 GMT", kNow), 90s);
  EXPECT_EQ(parse_retry_after("Tuesday, 10-Mar-26 03:01:30 GMT", kNow), 90s);
  EXPECT_EQ(parse_retry_after("Tue Mar 10 03:01:30 2026", kNow), 90s);
  EXPECT_EQ(parse_retry_after("Mon Mar  9 03:00:00 2026", kNow), 0s);  // in the past
  EXPECT_EQ(parse_retry_after("Wed, 11 Mar 2026 03:00:00 GMT", kNow), 86400s);
  EXPECT_EQ(parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT", kNow), 86400s);
  // Half a second before the time asked for still waits a whole second.
  EXPECT_EQ(parse_retry_after("Tue, 10 Mar 2026 03:00:01 GMT", kNow + 500ms), 1s);
}

TEST(RetryAfter, MalformedValuesAreIgnored) {
  for (const char* value : {"", "  ", "-5", "1.5", "soon", "120s", "Tue, 31 Feb 2026 03:00:00 GMT",
                            "Tue, 10 Mar 2026 03:01:30 UTC", "Tue, 10 Mar 2026 25:00:00 GMT",
                            "Tue, 10 Mar 2026 03:01:30 GMT extra", "10 Mar 2026 03:01:30 GMT"})
    EXPECT_EQ(parse_retry_after(value, kNow), std::nullopt) << value;
}

// ---- excerpt --------------------------------------------------------------------------------

TEST(BodyExcerpt, EscapesControlCharactersAndKeepsVietnamese) {
  EXPECT_EQ(body_excerpt("Lỗi: chữ ký không hợp lệ"), "Lỗi: chữ ký không hợp lệ");
  EXPECT_EQ(body_excerpt("a\nb\r\tc\x01\x7f\\"), "a\\nb\\r\\tc\\x01\\x7F\\\\");
  EXPECT_EQ(body_excerpt("\xff\xc3(\xc2\x85"), "\\xFF\\xC3(\\xC2\\x85");  // invalid, C1
  EXPECT_EQ(body_excerpt("\xed\xa0\x80"), "\\xED\\xA0\\x80");             // a UTF-16 surrogate
  EXPECT_EQ(body_excerpt(""), "");
}

TEST(BodyExcerpt, IsBoundedAndCutsBetweenCharacters) {
  const auto cut = body_excerpt(std::string(10000, 'x'));
  EXPECT_EQ(cut, std::string(256, 'x') + "…");
  EXPECT_EQ(body_excerpt("aaaaỗi", 5), "aaaa…");  // ỗ is three bytes
  EXPECT_EQ(body_excerpt("aaaa\n", 5), "aaaa…");  // an escape is not split either
  EXPECT_EQ(body_excerpt("aaaaa", 5), "aaaaa");
}

// ---- outcome --------------------------------------------------------------------------------

net::HttpResult answered(int status, std::string body = {}, net::HeaderList headers = {}) {
  net::HttpResult result;
  result.response = net::HttpResponse{status, std::move(headers), std::move(body)};
  return result;
}

net::HttpResult failed(net::HttpFailure failure, std::string text) {
  net::HttpResult result;
  result.failure = failure;
  result.error = std::make_error_code(std::errc::io_error);
  result.error_text = std::move(text);
  return result;
}

TEST(WebhookOutcome, SuccessIsDelivered) {
  for (int status : {200, 201, 202, 204, 299}) {
    const auto result = classify_webhook_result(answered(status, "ok"), kNow);
    EXPECT_EQ(result.outcome, DeliveryOutcome::delivered) << status;
    EXPECT_EQ(result.detail, "HTTP " + std::to_string(status));
    EXPECT_EQ(result.retry_after, std::nullopt);
  }
}

TEST(WebhookOutcome, ReceiverTroubleIsRetriedWhenItAsks) {
  auto result = classify_webhook_result(answered(500, "boom"), kNow);
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  EXPECT_EQ(result.detail, "HTTP 500: boom");
  EXPECT_EQ(result.retry_after, std::nullopt);

  result = classify_webhook_result(answered(503, "", {{"retry-after", "120"}}), kNow);
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  EXPECT_EQ(result.detail, "HTTP 503, Retry-After 120 s");
  EXPECT_EQ(result.retry_after, 120s);

  result = classify_webhook_result(
      answered(429, "slow down", {{"Retry-After", "Tue, 10 Mar 2026 03:01:30 GMT"}}), kNow);
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  EXPECT_EQ(result.detail, "HTTP 429, Retry-After 90 s: slow down");
  EXPECT_EQ(result.retry_after, 90s);

  result = classify_webhook_result(answered(502, "", {{"Retry-After", "later\x01"}}), kNow);
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
  EXPECT_EQ(result.detail, "HTTP 502, unreadable Retry-After 'later\\x01'");
  EXPECT_EQ(result.retry_after, std::nullopt);

  EXPECT_EQ(classify_webhook_result(answered(408), kNow).outcome, DeliveryOutcome::retry);
  EXPECT_EQ(classify_webhook_result(answered(599), kNow).outcome, DeliveryOutcome::retry);
}

TEST(WebhookOutcome, OtherClientErrorsAreDeadWithTheAnswer) {
  for (int status : {400, 401, 403, 404, 410, 413, 422}) {
    const auto result = classify_webhook_result(answered(status,
                                                         R"({"error":"thiếu trường alerts"})"
                                                         "\n",
                                                         {{"Retry-After", "5"}}),
                                                kNow);
    EXPECT_EQ(result.outcome, DeliveryOutcome::dead) << status;
    EXPECT_EQ(result.detail,
              "HTTP " + std::to_string(status) + R"(: {"error":"thiếu trường alerts"}\n)");
    EXPECT_EQ(result.retry_after, std::nullopt);
  }
  const auto redirect = classify_webhook_result(
      answered(301, "", {{"Location", "https://chat.example.gov.vn/hook?token=abc"}}), kNow);
  EXPECT_EQ(redirect.outcome, DeliveryOutcome::dead);
  EXPECT_THAT(redirect.detail, HasSubstr("HTTP 301: redirects are not followed"));
  EXPECT_THAT(redirect.detail, Not(HasSubstr("token")));
}

TEST(WebhookOutcome, TransportFailuresAreRetriedAndBadUrlsAreDead) {
  for (auto failure :
       {net::HttpFailure::resolve, net::HttpFailure::connect, net::HttpFailure::tls,
        net::HttpFailure::timeout, net::HttpFailure::closed, net::HttpFailure::protocol,
        net::HttpFailure::too_large, net::HttpFailure::io}) {
    const auto result = classify_webhook_result(failed(failure, "what net/ said"), kNow);
    EXPECT_EQ(result.outcome, DeliveryOutcome::retry);
    EXPECT_EQ(result.detail, "what net/ said");
  }
  const auto bad_url = classify_webhook_result(
      failed(net::HttpFailure::invalid_request, "unsupported URL scheme 'ftp'"), kNow);
  EXPECT_EQ(bad_url.outcome, DeliveryOutcome::dead);
  EXPECT_EQ(bad_url.detail, "unsupported URL scheme 'ftp'");
}

}  // namespace
}  // namespace motcua::alerts
