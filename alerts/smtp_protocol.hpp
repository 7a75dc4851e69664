#pragma once
// The SMTP pieces that need no socket (RFC 5321, RFC 3207, RFC 4954): reading replies line by
// line, the EHLO capabilities, the AUTH encodings and DATA's dot-stuffing. The client in
// alerts/smtp_client.cpp strings them together over the network; tests check them alone.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace motcua::alerts {

struct SmtpReply {
  int code = 0;                    // 200..599
  std::vector<std::string> lines;  // the text after "NNN-" / "NNN ", one per line

  bool positive() const { return code >= 200 && code < 300; }
  bool intermediate() const { return code >= 300 && code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500; }
  // "550 5.1.1 <x@example.gov.vn>: Recipient address rejected", lines joined by " / ", control
  // characters replaced, at most 512 characters: fit for logs, the outbox and the status API.
  std::string summary() const;
};

// Assembles one reply from its lines (without CRLF): "250-first", "250-second", "250 last".
class SmtpReplyReader {
 public:
  enum class Step { more, done, malformed };
  // Lines longer than this, or replies of more lines, are malformed: a server cannot make us
  // hold an unbounded reply.
  static constexpr std::size_t kMaxLineLength = 4096;
  static constexpr std::size_t kMaxLines = 256;

  Step feed(std::string_view line);
  // The reply once feed() said done; the reader is then ready for the next one.
  SmtpReply take();
  // Why feed() said malformed.
  const std::string& error() const { return error_; }

 private:
  SmtpReply reply_;
  std::string error_;
};

// What the server offered in its EHLO reply.
struct SmtpCapabilities {
  bool starttls = false;
  std::vector<std::string> auth;  // mechanism names, upper case
  std::optional<std::size_t> size_limit;

  static SmtpCapabilities from_ehlo(const SmtpReply& reply);
  bool offers_auth(std::string_view mechanism) const;
};

// The DATA payload: every line ending becomes CRLF, a line that starts with "." gets another
// (RFC 5321 section 4.5.2), the last line is ended, and "." CRLF closes it.
std::string dot_stuff(std::string_view message);

// RFC 4616: base64 of NUL user NUL password.
std::string auth_plain_initial_response(std::string_view username, std::string_view password);
std::string base64_encode(std::string_view bytes);

}  // namespace motcua::alerts
