#include "alerts/courier.hpp"

#include <algorithm>
#include <fstream>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "alerts/dispatcher.hpp"
#include "alerts/webhook.hpp"

namespace motcua::alerts {

using namespace std::chrono;

EmailChannel::~EmailChannel() = default;

struct Courier::Impl {
  Impl(boost::asio::any_io_executor executor, const config::Config& c, store::Database& d,
       EmailChannel* e, CourierOptions o)
      : cfg(c), db(d), outbox(d), email(e), options(o), webhooks(executor) {
    for (const auto& r : cfg.receivers) {
      receivers.emplace(r.name, &r);
      if (r.webhook && r.webhook->secret_file)
        secrets.emplace(r.name, config::read_secret_file(*r.webhook->secret_file));
    }
  }
  const config::Config& cfg;
  store::Database& db;
  store::Outbox outbox;
  EmailChannel* email;
  CourierOptions options;
  WebhookSender webhooks;
  std::map<std::string, const config::ReceiverConfig*> receivers;
  std::map<std::string, std::string> secrets;  // never logged
  std::mt19937_64 random{std::random_device{}()};
};

Courier::Courier(boost::asio::any_io_executor executor, const config::Config& cfg,
                 store::Database& db, EmailChannel* email, CourierOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), cfg, db, email, options)) {}
Courier::~Courier() = default;

seconds Courier::retry_delay(int attempts, std::optional<seconds> floor) {
  const auto& o = impl_->options;
  double ceiling = static_cast<double>(o.first_retry.count());
  for (int i = 1; i < attempts && ceiling < static_cast<double>(o.max_retry.count()); ++i)
    ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<double>(o.max_retry.count()));
  std::uniform_real_distribution<double> pick(static_cast<double>(o.first_retry.count()),
                                              std::max(ceiling, 1.0 * o.first_retry.count()));
  seconds delay(static_cast<std::int64_t>(pick(impl_->random)));
  if (floor) delay = std::max(delay, *floor);
  return delay;
}

boost::asio::awaitable<DeliveryResult> Courier::attempt(const store::OutboxRow& row) {
  const auto it = impl_->receivers.find(row.message.receiver);
  if (it == impl_->receivers.end())
    co_return DeliveryResult{DeliveryOutcome::dead,
                             "receiver '" + row.message.receiver + "' is not in the config",
                             std::nullopt};
  const config::ReceiverConfig& receiver = *it->second;
  Notification n = parse_native_payload(row.message.payload);
  n.utc_offset = impl_->cfg.daemon.utc_offset;
  if (row.message.channel == store::Channel::email) {
    if (!impl_->email || receiver.email.empty())
      co_return DeliveryResult{DeliveryOutcome::dead,
                               "no e-mail is configured for receiver '" + receiver.name + "'",
                               std::nullopt};
    co_return co_await impl_->email->send(n, receiver, row.message.idempotency_key, row.created_at);
  }
  if (!receiver.webhook)
    co_return DeliveryResult{DeliveryOutcome::dead,
                             "receiver '" + receiver.name + "' has no webhook", std::nullopt};
  WebhookPost post;
  post.url = receiver.webhook->url;
  post.body = receiver.webhook->format == config::WebhookFormat::alertmanager
                  ? alertmanager_payload(n)
                  : native_payload(n);
  if (auto s = impl_->secrets.find(receiver.name); s != impl_->secrets.end())
    post.secret = s->second;
  post.idempotency_key = row.message.idempotency_key;
  post.timeout = duration_cast<milliseconds>(receiver.webhook->timeout);
  co_return co_await impl_->webhooks.post(std::move(post));
}

// Rows go out `in_flight` at a time: a receiver a few hundred milliseconds away would otherwise
// hold 500 notifications for minutes. The rows of one group to one receiver over one channel stay
// in order: one worker takes all of them.
boost::asio::awaitable<CourierReport> Courier::deliver_due(sla::Instant now) {
  CourierReport report;
  report.expired = impl_->outbox.expire(now - impl_->options.max_age, now);
  const auto rows = impl_->outbox.due(now, impl_->options.batch);

  std::vector<std::vector<const store::OutboxRow*>> lanes;
  std::map<std::string, std::size_t> lane_of;
  for (const auto& row : rows) {
    const std::string key = row.message.group_key + '\x1f' + row.message.receiver + '\x1f' +
                            std::string(store::channel_name(row.message.channel));
    auto [it, added] = lane_of.emplace(key, lanes.size());
    if (added) lanes.emplace_back();
    lanes[it->second].push_back(&row);
  }

  auto executor = co_await boost::asio::this_coro::executor;
  std::size_t next_lane = 0;
  std::size_t running = 0;
  std::exception_ptr failure;
  boost::asio::steady_timer all_done(executor, std::chrono::steady_clock::time_point::max());
  const auto worker = [&]() -> boost::asio::awaitable<void> {
    while (next_lane < lanes.size()) {
      for (const store::OutboxRow* row : lanes[next_lane++]) {
        ++report.attempted;
        const DeliveryResult r = co_await attempt(*row);
        switch (r.outcome) {
          case DeliveryOutcome::delivered:
            impl_->outbox.delivered(row->id, now);
            ++report.delivered;
            break;
          case DeliveryOutcome::retry:
            impl_->outbox.retry(row->id, now, r.detail,
                                now + retry_delay(row->attempts + 1, r.retry_after));
            ++report.retried;
            break;
          case DeliveryOutcome::dead:
            impl_->outbox.dead(row->id, now, r.detail);
            ++report.dead;
            break;
        }
        if (impl_->options.on_result) impl_->options.on_result(*row, r);
      }
    }
  };
  const std::size_t workers =
      std::min(std::max<std::size_t>(impl_->options.in_flight, 1), lanes.size());
  for (std::size_t i = 0; i < workers; ++i) {
    ++running;
    boost::asio::co_spawn(executor, worker(), [&](std::exception_ptr e) {
      if (e && !failure) failure = e;
      if (--running == 0) all_done.cancel();
    });
  }
  if (workers > 0) {
    boost::system::error_code ec;
    co_await all_done.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  if (failure) std::rethrow_exception(failure);
  co_return report;
}

}  // namespace motcua::alerts
