#pragma once
// The e-mail channel: a notification rendered with the receiver's templates (Vietnamese by
// default) into an RFC 5322 message and sent through [smtp]. The Message-ID derives from the
// idempotency key, so a retry after a lost reply to DATA shows as one message in mail clients. A
// recipient refused for good (5xx) while others took the message is reported, not retried; one
// put off (4xx) makes the whole message due again.
#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "alerts/courier.hpp"
#include "alerts/mime.hpp"
#include "alerts/smtp_client.hpp"
#include "alerts/template.hpp"
#include "config/config.hpp"

namespace motcua::alerts {

class SmtpEmailChannel final : public EmailChannel {
 public:
  // Reads [smtp] password_file and compiles every receiver's templates; throws on failure (the
  // daemon checks both at start-up). cfg.smtp must be set.
  SmtpEmailChannel(boost::asio::any_io_executor executor, const config::Config& cfg);
  ~SmtpEmailChannel() override;

  // The message one notification becomes for `receiver` (also for tests and the demo's console).
  EmailMessage message(const Notification& notification, const config::ReceiverConfig& receiver,
                       const std::string& idempotency_key, sla::Instant created_at);

  boost::asio::awaitable<DeliveryResult> send(const Notification& notification,
                                              const config::ReceiverConfig& receiver,
                                              const std::string& idempotency_key,
                                              sla::Instant created_at) override;

 private:
  const TemplateSet& templates_for(const std::string& receiver);

  const config::Config& cfg_;
  Mailbox from_;
  std::unique_ptr<SmtpClient> client_;
  std::map<std::string, TemplateSet> templates_;
};

}  // namespace motcua::alerts
