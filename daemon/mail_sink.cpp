#include "daemon/mail_sink.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace motcua::daemon {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string base64_decode(std::string_view in) {
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = base64_value(c);
    if (v < 0) continue;  // padding and line breaks
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string q_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '_') {
      out.push_back(' ');
    } else if (in[i] == '=' && i + 2 < in.size() + 0 && hex_value(in[i + 1]) >= 0 &&
               hex_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

}  // namespace

std::string decode_header_words(std::string_view value) {
  std::string out;
  std::size_t i = 0;
  bool last_was_word = false;
  while (i < value.size()) {
    const auto start = value.find("=?", i);
    if (start == std::string_view::npos) {
      out.append(value.substr(i));
      break;
    }
    const auto q1 = value.find('?', start + 2);
    const auto q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    const auto end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos) {
      out.append(value.substr(i));
      break;
    }
    const auto between = value.substr(i, start - i);
    // Whitespace between two encoded words is not part of the text (RFC 2047 section 6.2).
    const bool blank =
        std::all_of(between.begin(), between.end(), [](char c) { return c == ' ' || c == '\t'; });
    if (!(last_was_word && blank)) out.append(between);
    const auto encoding = value.substr(q1 + 1, q2 - q1 - 1);
    const auto text = value.substr(q2 + 1, end - q2 - 1);
    out += iequals(encoding, "B") ? base64_decode(text) : q_decode(text);
    last_was_word = true;
    i = end + 2;
  }
  return out;
}

std::string ReceivedMail::header(std::string_view name) const {
  // Headers end at the first empty line; a line starting with white space continues the last.
  std::string value;
  bool in_header = false;
  std::size_t pos = 0;
  while (pos < data.size()) {
    auto eol = data.find("\r\n", pos);
    if (eol == std::string::npos) eol = data.size();
    const std::string_view line(data.data() + pos, eol - pos);
    pos = eol + 2;
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      if (in_header) value.append(line);
      continue;
    }
    if (in_header) break;
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && iequals(line.substr(0, colon), name)) {
      in_header = true;
      value.assign(line.substr(colon + 1));
    }
  }
  const auto first = value.find_first_not_of(" \t");
  return first == std::string::npos ? std::string() : decode_header_words(value.substr(first));
}

struct MailSink::State : std::enable_shared_from_this<MailSink::State> {
  State(asio::any_io_executor ex, OnMail cb)
      : acceptor(ex, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        on_mail(std::move(cb)) {}

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    auto self = shared_from_this();
    asio::streambuf buffer(4 * 1024 * 1024);
    boost::system::error_code ec;
    const auto say = [&](std::string line) -> asio::awaitable<void> {
      line += "\r\n";
      co_await asio::async_write(socket, asio::buffer(line),
                                 asio::redirect_error(asio::use_awaitable, ec));
    };
    const auto read_line = [&]() -> asio::awaitable<std::string> {
      const auto n = co_await asio::async_read_until(socket, buffer, "\r\n",
                                                     asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return std::string();
      std::string line(asio::buffers_begin(buffer.data()),
                       asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(n - 2));
      buffer.consume(n);
      co_return line;
    };
    ReceivedMail mail;
    co_await say("220 motcua-watch demo mail sink");
    while (!ec) {
      const std::string line = co_await read_line();
      if (ec) break;
      const std::string verb = line.substr(0, 4);
      if (iequals(verb, "EHLO") || iequals(verb, "HELO")) {
        co_await say("250 motcua-watch demo");
      } else if (iequals(verb, "MAIL")) {
        mail = {};
        const auto lt = line.find('<'), gt = line.find('>');
        if (lt != std::string::npos && gt > lt) mail.from = line.substr(lt + 1, gt - lt - 1);
        co_await say("250 OK");
      } else if (iequals(verb, "RCPT")) {
        const auto lt = line.find('<'), gt = line.find('>');
        if (lt != std::string::npos && gt > lt) mail.to.push_back(line.substr(lt + 1, gt - lt - 1));
        co_await say("250 OK");
      } else if (iequals(verb, "DATA")) {
        co_await say("354 end with <CRLF>.<CRLF>");
        for (;;) {
          std::string l = co_await read_line();
          if (ec || l == ".") break;
          if (!l.empty() && l.front() == '.') l.erase(0, 1);
          mail.data += l;
          mail.data += "\r\n";
        }
        if (ec) break;
        on_mail(mail);
        co_await say("250 OK queued");
      } else if (iequals(verb, "RSET")) {
        mail = {};
        co_await say("250 OK");
      } else if (iequals(verb, "NOOP")) {
        co_await say("250 OK");
      } else if (iequals(verb, "QUIT")) {
        co_await say("221 bye");
        break;
      } else {
        co_await say("502 not implemented");
      }
    }
  }

  tcp::acceptor acceptor;
  OnMail on_mail;
};

MailSink::MailSink(asio::any_io_executor executor, OnMail on_mail)
    : state_(std::make_shared<State>(executor, std::move(on_mail))) {
  asio::co_spawn(executor, state_->accept_loop(), asio::detached);
}

MailSink::~MailSink() {
  stop();
}

std::uint16_t MailSink::port() const {
  return state_->acceptor.local_endpoint().port();
}

void MailSink::stop() {
  boost::system::error_code ec;
  state_->acceptor.close(ec);
}

}  // namespace motcua::daemon
