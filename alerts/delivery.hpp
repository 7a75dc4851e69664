#pragma once
// What one delivery attempt of a notification came to, whatever the channel. The outbox decides
// from it: done, try again later (with the backoff, or not before `retry_after` when the receiver
// said so), or dead-letter now and keep the receiver's answer for the people who look.
#include <chrono>
#include <optional>
#include <string>

namespace motcua::alerts {

enum class DeliveryOutcome {
  delivered,  // accepted by the receiver: SMTP 250 after DATA, HTTP 2xx
  retry,      // transient: no connection, timeout, SMTP 4xx, HTTP 429 or 5xx
  dead,       // permanent: SMTP 5xx, HTTP 4xx other than 429, a message that cannot be built
};

struct DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::retry;
  // For people and logs: the receiver's reply ("550 5.1.1 <x@y>: Recipient address rejected") or
  // why there was none ("connect to 127.0.0.1:2525 refused"). Never a secret.
  std::string detail;
  // A receiver's own wish for the next attempt (HTTP Retry-After), when it gave one.
  std::optional<std::chrono::seconds> retry_after;

  bool delivered() const { return outcome == DeliveryOutcome::delivered; }
};

}  // namespace motcua::alerts
