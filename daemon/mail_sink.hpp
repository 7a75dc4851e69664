#pragma once
// The demo's mail server: accepts SMTP on 127.0.0.1 from the daemon and hands every message to a
// callback that prints it, so `motcua-watchd --demo` shows the e-mails officials would receive
// without a real mail server. It speaks just enough SMTP for our own client over plain TCP (the
// demo config sets starttls = "off"); it is not a mail server for anything else.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

namespace motcua::daemon {

struct ReceivedMail {
  std::string from;
  std::vector<std::string> to;
  std::string data;  // the message as sent after DATA, dot-stuffing undone

  // A header's value, unfolded, RFC 2047 encoded words decoded; empty when absent.
  std::string header(std::string_view name) const;
};

// RFC 2047: "=?UTF-8?B?…?=" and "=?UTF-8?Q?…?=" words decoded, the space between two encoded
// words dropped; other text kept as it is.
std::string decode_header_words(std::string_view value);

class MailSink {
 public:
  using OnMail = std::function<void(const ReceivedMail&)>;
  // Listens on 127.0.0.1 at any free port; messages are reported on the executor's thread.
  MailSink(boost::asio::any_io_executor executor, OnMail on_mail);
  ~MailSink();
  MailSink(const MailSink&) = delete;
  MailSink& operator=(const MailSink&) = delete;

  std::uint16_t port() const;
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace motcua::daemon
