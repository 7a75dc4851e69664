#pragma once
// An alert e-mail as RFC 5322 / MIME bytes: UTF-8 text in RFC 2047 encoded-words where headers
// need it, a text/plain part and an optional text/html alternative, Message-ID, Date and
// MIME-Version. Nothing that comes from upstream data (dossier fields, agency names in a subject
// or a display name) can end a header line early: CR, LF and other control characters in header
// values become spaces before encoding, and addresses are checked, not escaped.
//
// The result has CRLF line endings and no line longer than 78 characters; dot-stuffing and the
// terminating "." are the SMTP DATA phase's business (alerts/smtp_protocol.hpp).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace motcua::alerts {

struct Mailbox {
  std::string display_name;  // any UTF-8, may be empty
  std::string address;       // local@domain, ASCII (see is_valid_address)
};

struct EmailMessage {
  Mailbox from;
  std::vector<Mailbox> to;
  std::string subject;                   // UTF-8
  std::string text_body;                 // UTF-8; any line endings
  std::optional<std::string> html_body;  // UTF-8; makes the message multipart/alternative
  // The left side of Message-ID. Empty: 128 random bits. A caller that may send the same
  // notification twice (a retry after a lost reply to DATA) passes a stable one, so that mail
  // clients show one message.
  std::string message_id_local;
  // The right side of Message-ID. Empty: the domain of `from.address`.
  std::string message_id_domain;
  std::chrono::system_clock::time_point date = std::chrono::system_clock::now();
  std::chrono::minutes utc_offset{7 * 60};  // Asia/Ho_Chi_Minh
  // Extra fields such as X-Motcua-Idempotency-Key. Names are checked (printable ASCII, no colon,
  // not one of the fields this builder writes); values are unstructured text, neutralised like
  // the subject.
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

struct RenderedMessage {
  std::string bytes;       // the whole message, CRLF line endings
  std::string message_id;  // with its angle brackets, as written into the Message-ID field
  std::string error;       // why the message cannot be built; empty on success

  bool ok() const { return error.empty(); }
};

// Never throws for bad input: a message that cannot be built says why in `error`.
RenderedMessage render_message(const EmailMessage& message);

// local@domain in the plain form every SMTP server accepts: a dot-atom local part of RFC 5322
// atext and a domain of LDH labels (no quoted local parts, no address literals, no comments),
// at most 254 characters. This rejects CR, LF, NUL, spaces, '<', '>', '"', ',' and the other
// characters an address would need to smuggle in a header or an SMTP command.
bool is_valid_address(std::string_view address);

// "Name <local@domain>" or "local@domain", as the config's `from` is written. A name in
// double quotes loses its quotes.
std::optional<Mailbox> parse_mailbox(std::string_view text);

// Header pieces, public for tests.
namespace mime_detail {

// CR, LF, CRLF, TAB and every other control character become one space each (a CRLF pair one
// space), so that a value can never end its field or start another one.
std::string neutralise(std::string_view value);

// The encoded-words (UTF-8, B or Q, whichever is shorter) that carry `text`, none longer than 75
// characters and none splitting a UTF-8 sequence; the first at most `first_limit` long. Invalid
// UTF-8 is replaced by U+FFFD first. For `phrase` (a display name) the Q form uses only the
// characters RFC 2047 section 5 (3) allows there.
std::vector<std::string> encoded_words(std::string_view text, std::size_t first_limit, bool phrase);

// RFC 5322 section 3.3, e.g. "Fri, 27 Nov 2026 17:39:24 +0700".
std::string format_date(std::chrono::system_clock::time_point when, std::chrono::minutes offset);

std::string base64(std::string_view bytes, std::size_t line_length = 0);
// RFC 2045 section 6.7 with CRLF line breaks, lines of at most 76 characters.
std::string quoted_printable(std::string_view text);

}  // namespace mime_detail

}  // namespace motcua::alerts
