#include "alerts/webhook.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "alerts/hmac.hpp"

namespace motcua::alerts {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::chrono::seconds kMaxRetryAfter = 24h;

json::object to_object(const LabelSet& labels) {
  json::object object;
  for (const auto& [name, value] : labels)
    object.emplace(name, value);
  return object;
}

// The pairs every set has with the same value (Alertmanager's commonLabels and
// commonAnnotations).
LabelSet common(const std::vector<const LabelSet*>& sets) {
  if (sets.empty()) return {};
  LabelSet shared = *sets.front();
  for (std::size_t i = 1; i < sets.size(); ++i) {
    std::erase_if(shared, [&](const auto& pair) {
      const auto found = sets[i]->find(pair.first);
      return found == sets[i]->end() || found->second != pair.second;
    });
  }
  return shared;
}

// Receivers built for Alertmanager name an alert by its `alertname` label, as every Prometheus
// alert has one; ours is the rule.
LabelSet alertmanager_labels(const NotifiedAlert& alert) {
  LabelSet labels = alert.labels;
  if (!labels.contains("alertname")) {
    const auto rule = labels.find("rule");
    labels.emplace("alertname", rule != labels.end() ? rule->second : std::string("motcua"));
  }
  return labels;
}

}  // namespace

std::string native_payload(const Notification& n) {
  json::array alerts;
  alerts.reserve(n.alerts.size());
  for (const auto& alert : n.alerts) {
    json::object object;
    object.emplace("fingerprint", alert.fingerprint);
    object.emplace("status", alert_status_name(alert.status));
    object.emplace("labels", to_object(alert.labels));
    object.emplace("annotations", to_object(alert.annotations));
    object.emplace("starts_at", sla::format_rfc3339(alert.starts_at, n.utc_offset));
    if (alert.ends_at) object.emplace("ends_at", sla::format_rfc3339(*alert.ends_at, n.utc_offset));
    if (!alert.generator_url.empty()) object.emplace("generator_url", alert.generator_url);
    alerts.emplace_back(std::move(object));
  }

  json::object payload;
  payload.emplace("version", 1);
  payload.emplace("kind", notification_kind_name(n.kind));
  payload.emplace("receiver", n.receiver);
  payload.emplace("status", alert_status_name(n.status));
  payload.emplace("group_key", n.group_key);
  payload.emplace("group_labels", to_object(n.group_labels));
  payload.emplace("idempotency_key", n.idempotency_key);
  if (!n.external_url.empty()) payload.emplace("external_url", n.external_url);
  payload.emplace("alerts", std::move(alerts));
  return json::serialize(payload);
}

std::string alertmanager_payload(const Notification& n) {
  std::vector<LabelSet> labels;
  labels.reserve(n.alerts.size());
  for (const auto& alert : n.alerts)
    labels.push_back(alertmanager_labels(alert));
  std::vector<const LabelSet*> label_sets;
  std::vector<const LabelSet*> annotation_sets;
  for (std::size_t i = 0; i < n.alerts.size(); ++i) {
    label_sets.push_back(&labels[i]);
    annotation_sets.push_back(&n.alerts[i].annotations);
  }

  json::array alerts;
  alerts.reserve(n.alerts.size());
  for (std::size_t i = 0; i < n.alerts.size(); ++i) {
    const auto& alert = n.alerts[i];
    json::object object;
    object.emplace("status", alert_status_name(alert.status));
    object.emplace("labels", to_object(labels[i]));
    object.emplace("annotations", to_object(alert.annotations));
    object.emplace("startsAt", sla::format_rfc3339(alert.starts_at, n.utc_offset));
    // Go's zero time.Time, which Alertmanager sends for an alert that has not ended.
    object.emplace("endsAt", alert.ends_at ? sla::format_rfc3339(*alert.ends_at, n.utc_offset)
                                           : "0001-01-01T00:00:00Z");
    object.emplace("generatorURL", alert.generator_url);
    object.emplace("fingerprint", alert.fingerprint);
    alerts.emplace_back(std::move(object));
  }

  // Alertmanager's field order (notify/webhook Message embedding template.Data).
  json::object payload;
  payload.emplace("receiver", n.receiver);
  payload.emplace("status", alert_status_name(n.status));
  payload.emplace("alerts", std::move(alerts));
  payload.emplace("groupLabels", to_object(n.group_labels));
  payload.emplace("commonLabels", to_object(common(label_sets)));
  payload.emplace("commonAnnotations", to_object(common(annotation_sets)));
  payload.emplace("externalURL", n.external_url);
  payload.emplace("version", "4");
  payload.emplace("groupKey", n.group_key);
  // Alertmanager drops alerts past max_alerts and counts them here; we send them all.
  payload.emplace("truncatedAlerts", 0);
  return json::serialize(payload);
}

std::string webhook_signature(std::string_view secret, std::string_view body) {
  return "sha256=" + hmac_sha256_hex(secret, body);
}

// ---- Retry-After ----------------------------------------------------------------------------

namespace {

// A cursor over an HTTP-date; every step fails softly so the caller checks once at the end.
class DateText {
 public:
  explicit DateText(std::string_view text) : text_(text) {}

  bool literal(std::string_view expected) {
    if (text_.substr(pos_, expected.size()) != expected) return false;
    pos_ += expected.size();
    return true;
  }
  // Exactly `width` digits.
  std::optional<int> digits(std::size_t width) {
    if (pos_ + width > text_.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    pos_ += width;
    return value;
  }
  // asctime's day of month: two digits, or a space and one digit.
  std::optional<int> padded_day() {
    if (literal(" ")) return digits(1);
    return digits(2);
  }
  // One of `names`, returning its index.
  template <std::size_t N>
  std::optional<int> name(const std::array<std::string_view, N>& names) {
    for (std::size_t i = 0; i < N; ++i)
      if (literal(names[i])) return static_cast<int>(i);
    return std::nullopt;
  }
  bool at_end() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct ClockTime {
  int hour = 0, minute = 0, second = 0;
};

std::optional<ClockTime> clock_time(DateText& text) {
  const auto h = text.digits(2);
  if (!h || !text.literal(":")) return std::nullopt;
  const auto m = text.digits(2);
  if (!m || !text.literal(":")) return std::nullopt;
  const auto s = text.digits(2);
  if (!s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  return ClockTime{*h, *m, std::min(*s, 59)};
}

std::optional<std::chrono::sys_seconds> make_instant(int year, int month, int day, ClockTime t) {
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days{date} + std::chrono::hours{t.hour} + std::chrono::minutes{t.minute} +
         std::chrono::seconds{t.second};
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<std::chrono::sys_seconds> imf_fixdate(std::string_view value) {
  DateText text(value);
  if (!text.name(kDays) || !text.literal(", ")) return std::nullopt;
  const auto day = text.digits(2);
  if (!day || !text.literal(" ")) return std::nullopt;
  const auto month = text.name(kMonths);
  if (!month || !text.literal(" ")) return std::nullopt;
  const auto year = text.digits(4);
  if (!year || !text.literal(" ")) return std::nullopt;
  const auto time = clock_time(text);
  if (!time || !text.literal(" GMT") || !text.at_end()) return std::nullopt;
  return make_instant(*year, *month + 1, *day, *time);
}

// "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year more than 50 years ahead is in the past
// century (RFC 9110 section 5.6.7).
std::optional<std::chrono::sys_seconds> rfc850_date(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  DateText text(value);
  if (!text.name(kLongDays) || !text.literal(", ")) return std::nullopt;
  const auto day = text.digits(2);
  if (!day || !text.literal("-")) return std::nullopt;
  const auto month = text.name(kMonths);
  if (!month || !text.literal("-")) return std::nullopt;
  const auto yy = text.digits(2);
  if (!yy || !text.literal(" ")) return std::nullopt;
  const auto time = clock_time(text);
  if (!time || !text.literal(" GMT") || !text.at_end()) return std::nullopt;
  const int this_year = static_cast<int>(
      std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)}.year());
  int year = this_year - this_year % 100 + *yy;
  if (year > this_year + 50) year -= 100;
  return make_instant(year, *month + 1, *day, *time);
}

// "Sun Nov  6 08:49:37 1994"
std::optional<std::chrono::sys_seconds> asctime_date(std::string_view value) {
  DateText text(value);
  if (!text.name(kDays) || !text.literal(" ")) return std::nullopt;
  const auto month = text.name(kMonths);
  if (!month || !text.literal(" ")) return std::nullopt;
  const auto day = text.padded_day();
  if (!day || !text.literal(" ")) return std::nullopt;
  const auto time = clock_time(text);
  if (!time || !text.literal(" ")) return std::nullopt;
  const auto year = text.digits(4);
  if (!year || !text.at_end()) return std::nullopt;
  return make_instant(*year, *month + 1, *day, *time);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // Anything past a day is a day, so no digit count can overflow.
    std::int64_t seconds = 0;
    for (const char c : value) {
      seconds = seconds * 10 + (c - '0');
      if (seconds >= kMaxRetryAfter.count()) return kMaxRetryAfter;
    }
    return std::chrono::seconds{seconds};
  }
  auto date = imf_fixdate(value);
  if (!date) date = rfc850_date(value, now);
  if (!date) date = asctime_date(value);
  if (!date) return std::nullopt;
  // Round up: a receiver asking for 12:00:00 is not served at 11:59:59.5.
  const auto wait = std::chrono::ceil<std::chrono::seconds>(*date - now);
  return std::clamp(wait, std::chrono::seconds{0}, kMaxRetryAfter);
}

// ---- classification -------------------------------------------------------------------------

namespace {

// The length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  return length;
}

std::string hex_escape(unsigned char byte) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return {'\\', 'x', kHex[byte >> 4], kHex[byte & 0x0f]};
}

DeliveryResult outcome(DeliveryOutcome kind, std::string detail,
                       std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  DeliveryResult result;
  result.outcome = kind;
  result.detail = std::move(detail);
  result.retry_after = retry_after;
  return result;
}

}  // namespace

std::string body_excerpt(std::string_view body, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  while (i < body.size()) {
    const auto c = static_cast<unsigned char>(body[i]);
    std::string piece;
    std::size_t consumed = 1;
    if (c == '\n') {
      piece = "\\n";
    } else if (c == '\r') {
      piece = "\\r";
    } else if (c == '\t') {
      piece = "\\t";
    } else if (c == '\\') {
      piece = "\\\\";
    } else if (c < 0x20 || c == 0x7F) {
      piece = hex_escape(c);
    } else if (c < 0x80) {
      piece = std::string(1, static_cast<char>(c));
    } else if (const auto length = utf8_sequence(body.substr(i)); length > 0) {
      // C1 controls (U+0080..U+009F) are control characters too.
      if (length == 2 && c == 0xC2 && static_cast<unsigned char>(body[i + 1]) < 0xA0) {
        piece = hex_escape(c) + hex_escape(static_cast<unsigned char>(body[i + 1]));
      } else {
        piece = std::string(body.substr(i, length));
      }
      consumed = length;
    } else {
      piece = hex_escape(c);
    }
    if (out.size() + piece.size() > max_bytes) return out + "…";
    out += piece;
    i += consumed;
  }
  return out;
}

DeliveryResult classify_webhook_result(const net::HttpResult& result,
                                       std::chrono::system_clock::time_point now) {
  if (!result.ok()) {
    // A malformed URL or header does not heal by waiting.
    if (result.failure == net::HttpFailure::invalid_request)
      return outcome(DeliveryOutcome::dead, result.error_text);
    return outcome(DeliveryOutcome::retry, result.error_text);
  }
  const auto& response = *result.response;
  const int status = response.status;
  std::string detail = "HTTP " + std::to_string(status);
  const std::string excerpt = body_excerpt(response.body);

  if (status >= 200 && status < 300) return outcome(DeliveryOutcome::delivered, detail);

  // 408: the receiver gave up waiting for our request, which it invites us to repeat (RFC 9110
  // section 15.5.9); 429 and 5xx are the receiver's own passing trouble.
  if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
    std::optional<std::chrono::seconds> retry_after;
    if (const auto header = response.header("Retry-After"); !header.empty()) {
      retry_after = parse_retry_after(header, now);
      if (retry_after)
        detail += ", Retry-After " + std::to_string(retry_after->count()) + " s";
      else
        detail += ", unreadable Retry-After '" + body_excerpt(header, 64) + "'";
    }
    if (!excerpt.empty()) detail += ": " + excerpt;
    return outcome(DeliveryOutcome::retry, std::move(detail), retry_after);
  }
  if (status >= 300 && status < 400) {
    // The Location may carry the hook's token, as the URL does: it is not repeated here.
    detail += ": redirects are not followed; set the webhook URL to the final address";
    return outcome(DeliveryOutcome::dead, std::move(detail));
  }
  if (!excerpt.empty()) detail += ": " + excerpt;
  return outcome(DeliveryOutcome::dead, std::move(detail));
}

// ---- sender ---------------------------------------------------------------------------------

WebhookSender::WebhookSender(boost::asio::any_io_executor executor, net::ClientOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {
  // A CA file that does not load is a start-up error, not a failure of every later post.
  client_for(std::chrono::milliseconds(options_.request_timeout));
}

WebhookSender::~WebhookSender() = default;

net::HttpClient& WebhookSender::client_for(std::chrono::milliseconds timeout) {
  timeout = std::max(timeout, std::chrono::milliseconds{1});
  auto& client = clients_[timeout];
  if (!client) {
    net::ClientOptions options = options_;
    options.connect_timeout = timeout;
    options.request_timeout = timeout;
    client = std::make_unique<net::HttpClient>(executor_, std::move(options));
  }
  return *client;
}

boost::asio::awaitable<DeliveryResult> WebhookSender::post(WebhookPost post) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = std::move(post.url);
  request.headers.emplace_back("Content-Type", "application/json");
  if (post.secret) {
    if (post.secret->empty())
      co_return outcome(DeliveryOutcome::dead, "the webhook secret is empty; nothing was sent");
    request.headers.emplace_back(kSignatureHeader, webhook_signature(*post.secret, post.body));
  }
  if (!post.idempotency_key.empty())
    request.headers.emplace_back(kIdempotencyHeader, post.idempotency_key);
  request.body = std::move(post.body);

  // The request holds the client's shared state from here on, so nothing below touches `this`
  // and the sender may go away while the request runs.
  auto pending = client_for(post.timeout).request(std::move(request));
  const net::HttpResult result = co_await std::move(pending);
  co_return classify_webhook_result(result, std::chrono::system_clock::now());
}

}  // namespace motcua::alerts
