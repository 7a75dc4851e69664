#include "alerts/email.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace motcua::alerts {

namespace {

std::string secret_of(const std::optional<std::filesystem::path>& file) {
  if (!file) return {};
  std::ifstream in(*file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file->string());
  std::string s;
  std::getline(in, s);
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

// A Message-ID left side from the idempotency key: stable, and only characters a dot-atom allows.
std::string message_id_of(std::string_view key) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "motcua.%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

SmtpEmailChannel::SmtpEmailChannel(boost::asio::any_io_executor executor, const config::Config& cfg)
    : cfg_(cfg) {
  if (!cfg.smtp) throw std::invalid_argument("no [smtp] section");
  auto from = parse_mailbox(cfg.smtp->from);
  if (!from) throw std::invalid_argument("[smtp] from is not an address: " + cfg.smtp->from);
  from_ = *from;
  client_ = std::make_unique<SmtpClient>(
      std::move(executor), SmtpOptions::from_config(*cfg.smtp, secret_of(cfg.smtp->password_file)));
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
  m.message_id_local = message_id_of(idempotency_key);
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
  co_return result.delivery;
}

}  // namespace motcua::alerts
