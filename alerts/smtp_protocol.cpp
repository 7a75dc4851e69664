#include "alerts/smtp_protocol.hpp"

#include <algorithm>
#include <cctype>

#include "alerts/mime.hpp"

namespace motcua::alerts {

std::string SmtpReply::summary() const {
  constexpr std::size_t kMax = 512;
  std::string out = std::to_string(code);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += i == 0 ? " " : " / ";
    for (const char c : lines[i]) {
      const auto u = static_cast<unsigned char>(c);
      out += (u < 0x20 || u == 0x7F) ? '?' : c;
    }
  }
  if (out.size() > kMax) {
    out.resize(kMax - 3);
    // Do not leave half a UTF-8 character before the ellipsis.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80)
      out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    out += "...";
  }
  return out;
}

SmtpReplyReader::Step SmtpReplyReader::feed(std::string_view line) {
  const auto malformed = [&](std::string why) {
    error_ = std::move(why);
    reply_ = {};
    return Step::malformed;
  };
  if (line.size() > kMaxLineLength) return malformed("reply line longer than 4096 bytes");
  if (reply_.lines.size() >= kMaxLines) return malformed("reply of more than 256 lines");
  const auto digit = [&](std::size_t i) {
    return i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]));
  };
  if (!digit(0) || !digit(1) || !digit(2))
    return malformed("not an SMTP reply: '" +
                     SmtpReply{0, {std::string(line.substr(0, 80))}}.summary().substr(2) + "'");
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code < 200 || code > 599)
    return malformed("reply code " + std::to_string(code) + " out of range");
  if (!reply_.lines.empty() && code != reply_.code)
    return malformed("reply lines with different codes " + std::to_string(reply_.code) + " and " +
                     std::to_string(code));
  const bool last = line.size() == 3 || line[3] == ' ';
  if (!last && line[3] != '-') return malformed("bad separator after the reply code");
  reply_.code = code;
  reply_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
  return last ? Step::done : Step::more;
}

SmtpReply SmtpReplyReader::take() {
  SmtpReply out = std::move(reply_);
  reply_ = {};
  return out;
}

SmtpCapabilities SmtpCapabilities::from_ehlo(const SmtpReply& reply) {
  SmtpCapabilities caps;
  // The first line is the server's greeting to us; the keywords follow, one per line.
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    std::vector<std::string> words;
    std::string word;
    for (const char c : reply.lines[i] + " ") {
      if (c == ' ') {
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
      } else {
        word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
    }
    if (words.empty()) continue;
    if (words[0] == "STARTTLS") {
      caps.starttls = true;
    } else if (words[0] == "AUTH") {
      for (std::size_t k = 1; k < words.size(); ++k)
        if (!caps.offers_auth(words[k])) caps.auth.push_back(words[k]);
    } else if (words[0] == "SIZE" && words.size() > 1) {
      try {
        const auto n = std::stoull(words[1]);
        if (n > 0) caps.size_limit = static_cast<std::size_t>(n);
      } catch (const std::exception&) {
        // A SIZE we cannot read sets no limit; the server still enforces its own.
      }
    }
  }
  return caps;
}

bool SmtpCapabilities::offers_auth(std::string_view mechanism) const {
  return std::find(auth.begin(), auth.end(), mechanism) != auth.end();
}

std::string dot_stuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 8);
  bool line_start = true;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r' || c == '\n') {
      // A bare CR or LF is not a line ending in SMTP; servers treat it in different ways (the
      // "SMTP smuggling" of 2023), so it never leaves here bare.
      if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
      out += "\r\n";
      line_start = true;
      continue;
    }
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = false;
  }
  if (!line_start) out += "\r\n";
  out += ".\r\n";
  return out;
}

std::string base64_encode(std::string_view bytes) {
  return mime_detail::base64(bytes);
}

std::string auth_plain_initial_response(std::string_view username, std::string_view password) {
  std::string raw;
  raw += '\0';
  raw += username;
  raw += '\0';
  raw += password;
  return base64_encode(raw);
}

}  // namespace motcua::alerts
