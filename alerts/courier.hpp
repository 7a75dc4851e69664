#pragma once
// Delivers the outbox: every pending row whose time has come goes to its channel once per pass;
// the answer decides — delivered, tried again later (capped exponential backoff with full jitter,
// never sooner than a receiver's Retry-After), or dead-lettered with the receiver's reply kept.
// Rows older than `max_age` are given up. A row is marked only after its channel answered, so a
// crash in between delivers it again, with the same idempotency key (at least once).
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "alerts/delivery.hpp"
#include "alerts/notification.hpp"
#include "config/config.hpp"
#include "store/database.hpp"
#include "store/outbox.hpp"

namespace motcua::alerts {

// The e-mail side: renders a notification for a receiver and sends it (alerts/email.hpp).
// `created_at` is when the outbox row was made: every attempt renders the same text.
class EmailChannel {
 public:
  virtual ~EmailChannel();
  virtual boost::asio::awaitable<DeliveryResult> send(const Notification& notification,
                                                      const config::ReceiverConfig& receiver,
                                                      const std::string& idempotency_key,
                                                      sla::Instant created_at) = 0;
};

struct CourierOptions {
  std::size_t batch = 200;    // rows per pass
  std::size_t in_flight = 8;  // deliveries at once (each group, receiver and channel in order)
  std::chrono::seconds max_age = std::chrono::hours(24);  // then dead-lettered
  std::chrono::seconds first_retry = std::chrono::seconds(30);
  std::chrono::seconds max_retry = std::chrono::hours(1);
  // Told every attempt's result once the row is marked (the service counts them per receiver and
  // channel for /metrics). Runs on the courier's executor: keep it short.
  std::function<void(const store::OutboxRow&, const DeliveryResult&)> on_result{};
};

struct CourierReport {
  std::size_t attempted = 0;
  std::size_t delivered = 0;
  std::size_t retried = 0;
  std::size_t dead = 0;
  std::size_t expired = 0;
};

class Courier {
 public:
  // `email` may be null when no receiver has e-mail addresses (rows for e-mail then fail as
  // dead: there is no way to send them). Throws when a webhook secret file cannot be read.
  Courier(boost::asio::any_io_executor executor, const config::Config& cfg, store::Database& db,
          EmailChannel* email, CourierOptions options = {});
  ~Courier();
  Courier(const Courier&) = delete;
  Courier& operator=(const Courier&) = delete;

  // One pass over the rows due at `now`. Call from a coroutine on the executor.
  boost::asio::awaitable<CourierReport> deliver_due(sla::Instant now);

  // The retry delay after `attempts` failed attempts: uniform in [first, min(max, first·2^(n-1))],
  // at least `floor` (a receiver's Retry-After).
  std::chrono::seconds retry_delay(int attempts, std::optional<std::chrono::seconds> floor);

 private:
  boost::asio::awaitable<DeliveryResult> attempt(const store::OutboxRow& row);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace motcua::alerts
