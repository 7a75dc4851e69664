#include "alerts/email.hpp"

#include "alerts/alert.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace motcua::alerts {

SmtpEmailChannel::SmtpEmailChannel(boost::asio::any_io_executor executor, const config::Config& cfg)
    : cfg_(cfg) {
  if (!cfg.smtp) throw std::invalid_argument("no [smtp] section");
  auto from = parse_mailbox(cfg.smtp->from);
  if (!from) throw std::invalid_argument("[smtp] from is not an address: " + cfg.smtp->from);
  from_ = *from;
  client_ = std::make_unique<SmtpClient>(
      std::move(executor),
      SmtpOptions::from_config(*cfg.smtp, cfg.smtp->password_file
                                              ? config::read_secret_file(*cfg.smtp->password_file)
                                              : std::string()));
  for (const auto& r : cfg.receivers)
    if (!r.email.empty()) templates_.emplace(r.name, load_templates(cfg, r.name));
}

SmtpEmailChannel::~SmtpEmailChannel() = default;

const TemplateSet& SmtpEmailChannel::templates_for(const std::string& receiver) {
  auto it = templates_.find(receiver);
  if (it == templates_.end())
    it = templates_.emplace(receiver, load_templates(cfg_, receiver)).first;
  return it->second;
}

EmailMessage SmtpEmailChannel::message(const Notification& n,
                                       const config::ReceiverConfig& receiver,
                                       const std::string& idempotency_key,
                                       sla::Instant created_at) {
  const RenderedText text = render(templates_for(receiver.name), n, created_at);
  EmailMessage m;
  m.from = from_;
  for (const auto& address : receiver.email)
    m.to.push_back(Mailbox{"", address});
  m.subject = text.subject;
  m.text_body = text.text;
  m.html_body = text.html;
  // Stable per notification; only characters a dot-atom allows.
  m.message_id_local = "motcua." + hash_hex(idempotency_key);
  m.date = created_at;
  m.utc_offset = std::chrono::duration_cast<std::chrono::minutes>(cfg_.daemon.utc_offset);
  m.extra_headers.emplace_back("X-Motcua-Idempotency-Key", idempotency_key);
  return m;
}

boost::asio::awaitable<DeliveryResult> SmtpEmailChannel::send(
    const Notification& n, const config::ReceiverConfig& receiver,
    const std::string& idempotency_key, sla::Instant created_at) {
  const SmtpSendResult result =
      co_await client_->send(message(n, receiver, idempotency_key, created_at));
  // Delivery is at least once: when the server took the message for some recipients but put
  // others off (4xx), the whole message is tried again later. Those who have it get it a second
  // time with the same Message-ID, which mail clients show as one; nobody is left without it.
  if (result.delivery.delivered()) {
    std::string deferred;
    for (const auto& r : result.refused) {
      if (r.permanent) continue;
      if (!deferred.empty()) deferred += "; ";
      deferred += r.address + ": " + r.reply;
    }
    if (!deferred.empty())
      co_return DeliveryResult{DeliveryOutcome::retry, "recipients put off: " + deferred,
                               std::nullopt};
  }
  co_return result.delivery;
}

}  // namespace motcua::alerts
