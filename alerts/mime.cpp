#include "alerts/mime.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include <openssl/rand.h>

namespace motcua::alerts {
namespace {

constexpr std::size_t kMaxLine = 78;         // RFC 5322 section 2.1.1, the "SHOULD" limit
constexpr std::size_t kMaxEncodedWord = 75;  // RFC 2047 section 2
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_atext(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
                                std::string_view::npos;
}

bool is_ldh_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(),
                     [](unsigned char c) { return c < 0x80 && (std::isalnum(c) || c == '-'); });
}

bool is_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const auto dot = domain.find('.', start);
    if (!is_ldh_label(domain.substr(start, dot == std::string_view::npos ? dot : dot - start)))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_dot_atom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  if (text.find("..") != std::string_view::npos) return false;
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return c < 0x80 && (c == '.' || is_atext(c)); });
}

// Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

// The characters of `text` as UTF-8 sequences; each invalid byte becomes U+FFFD.
std::vector<std::string_view> utf8_characters(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence(text, i);
    if (n == 0) {
      out.push_back(kReplacement);
      ++i;
    } else {
      out.push_back(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

bool is_printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return c >= 0x20 && c < 0x7F; });
}

constexpr char kHex[] = "0123456789ABCDEF";

std::string hex_escape(unsigned char c, char lead) {
  return {lead, kHex[c >> 4], kHex[c & 0x0F]};
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) return {};
  std::string out;
  for (const unsigned char c : buffer) {
    out += static_cast<char>(std::tolower(kHex[c >> 4]));
    out += static_cast<char>(std::tolower(kHex[c & 0x0F]));
  }
  return out;
}

// RFC 2047 section 4.2 and 5 (3): what a Q-encoded word may carry literally.
bool q_literal(unsigned char c, bool phrase) {
  if (phrase)
    return std::isalnum(c) ||
           std::string_view("!*+-/").find(static_cast<char>(c)) != std::string_view::npos;
  return c > 0x20 && c < 0x7F && c != '=' && c != '?' && c != '_';
}

std::size_t q_length(std::string_view bytes, bool phrase) {
  std::size_t n = 0;
  for (const unsigned char c : bytes)
    n += (c == ' ' || q_literal(c, phrase)) ? 1 : 3;
  return n;
}

std::string q_encode(std::string_view bytes, bool phrase) {
  std::string out;
  for (const unsigned char c : bytes) {
    if (c == ' ')
      out += '_';
    else if (q_literal(c, phrase))
      out += static_cast<char>(c);
    else
      out += hex_escape(c, '=');
  }
  return out;
}

std::size_t b_length(std::size_t bytes) {
  return (bytes + 2) / 3 * 4;
}

// Header fields as lines: tokens separated by single spaces, folded before a token that would
// overrun the line. Unfolding (RFC 5322 section 2.2.3) gives back the tokens joined by spaces.
std::string fold(std::string_view name, const std::vector<std::string>& tokens) {
  std::string out(name);
  out += ':';
  std::size_t line = out.size();
  bool first = true;
  for (const auto& token : tokens) {
    if (!first && line + 1 + token.size() > kMaxLine) {
      out += "\r\n";
      line = 0;
    }
    out += ' ';
    out += token;
    line += 1 + token.size();
    first = false;
  }
  out += "\r\n";
  return out;
}

std::vector<std::string> split_spaces(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto space = text.find(' ', start);
    out.emplace_back(text.substr(start, space == std::string_view::npos ? space : space - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return out;
}

// The tokens of an unstructured value (Subject, extra fields): as it is when it is plain ASCII
// that folds cleanly, encoded-words otherwise.
std::vector<std::string> unstructured_tokens(std::string_view name, std::string_view raw) {
  const std::string value = mime_detail::neutralise(raw);
  if (value.empty()) return {};
  if (is_printable_ascii(value) && value.find("=?") == std::string::npos) {
    auto tokens = split_spaces(value);
    const bool clean = std::none_of(tokens.begin(), tokens.end(), [](const std::string& t) {
      return t.empty() || t.size() > kMaxLine - 1;
    });
    if (clean) return tokens;
  }
  return mime_detail::encoded_words(value, kMaxLine - name.size() - 2, false);
}

// A display name as atoms when it is plain ASCII words, encoded-words otherwise.
std::vector<std::string> phrase_tokens(std::string_view raw, std::size_t first_limit) {
  std::string value = mime_detail::neutralise(raw);
  // Leading, trailing and repeated spaces carry no meaning in a display name.
  std::string collapsed;
  for (const char c : value) {
    if (c == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
    collapsed += c;
  }
  while (!collapsed.empty() && collapsed.back() == ' ')
    collapsed.pop_back();
  if (collapsed.empty()) return {};
  const bool atoms = std::all_of(collapsed.begin(), collapsed.end(), [](unsigned char c) {
    return c < 0x80 && (c == ' ' || is_atext(c));
  });
  if (atoms) {
    auto tokens = split_spaces(collapsed);
    if (std::none_of(tokens.begin(), tokens.end(),
                     [](const std::string& t) { return t.size() > kMaxLine - 1; }))
      return tokens;
  }
  return mime_detail::encoded_words(collapsed, first_limit, true);
}

std::vector<std::string> mailbox_tokens(const Mailbox& mailbox, std::size_t first_limit) {
  auto tokens = phrase_tokens(mailbox.display_name, first_limit);
  if (tokens.empty())
    tokens.push_back(mailbox.address);
  else
    tokens.push_back("<" + mailbox.address + ">");
  return tokens;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_field_name(std::string_view name) {
  if (name.empty() || name.size() > 76) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return c > 0x20 && c < 0x7F && c != ':'; });
}

bool is_reserved_field(std::string_view name) {
  const std::string n = lower(name);
  for (std::string_view reserved :
       {"from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version", "sender",
        "reply-to", "return-path", "received", "content-type", "content-transfer-encoding"})
    if (n == reserved) return true;
  return false;
}

std::string crlf_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

struct EncodedBody {
  std::string encoding;
  std::string bytes;  // ends with CRLF
};

// Quoted-printable keeps mostly-ASCII text readable in the raw message; base64 is a third of the
// size of quoted-printable for Vietnamese, where most letters carry diacritics.
EncodedBody encode_body(std::string_view text) {
  const std::string lines = crlf_lines(text);
  std::string utf8;
  for (const auto c : utf8_characters(lines))
    utf8 += c;
  std::string qp = mime_detail::quoted_printable(utf8);
  std::string b64 = mime_detail::base64(utf8, 76);
  EncodedBody body;
  if (qp.size() <= b64.size()) {
    body = {"quoted-printable", std::move(qp)};
  } else {
    body = {"base64", std::move(b64)};
  }
  if (body.bytes.size() < 2 || body.bytes.compare(body.bytes.size() - 2, 2, "\r\n") != 0)
    body.bytes += "\r\n";
  return body;
}

std::string part_headers(std::string_view subtype, const EncodedBody& body) {
  return "Content-Type: text/" + std::string(subtype) +
         "; charset=UTF-8\r\nContent-Transfer-Encoding: " + body.encoding + "\r\n";
}

}  // namespace

namespace mime_detail {

std::string neutralise(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
      out += ' ';
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      out += ' ';
    } else if (c == 0xC2 && i + 1 < value.size() &&
               static_cast<unsigned char>(value[i + 1]) == 0x85) {
      // U+0085 NEXT LINE: some readers split lines on it.
      out += ' ';
      ++i;
    } else if (c == 0xE2 && i + 2 < value.size() && value[i + 1] == '\x80' &&
               (value[i + 2] == '\xA8' || value[i + 2] == '\xA9')) {
      // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR: likewise.
      out += ' ';
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::vector<std::string> encoded_words(std::string_view text, std::size_t first_limit,
                                       bool phrase) {
  const auto characters = utf8_characters(text);
  std::string all;
  for (const auto c : characters)
    all += c;
  const bool use_q = q_length(all, phrase) <= b_length(all.size());
  const std::string_view prefix = use_q ? "=?UTF-8?Q?" : "=?UTF-8?B?";
  constexpr std::size_t kSuffix = 2;  // "?="

  const auto encoded_length = [&](std::size_t from, std::size_t to) {
    std::size_t bytes = 0, q = 0;
    for (std::size_t i = from; i < to; ++i) {
      bytes += characters[i].size();
      q += q_length(characters[i], phrase);
    }
    return prefix.size() + kSuffix + (use_q ? q : b_length(bytes));
  };
  const auto word = [&](std::size_t from, std::size_t to) {
    std::string chunk;
    for (std::size_t i = from; i < to; ++i)
      chunk += characters[i];
    return std::string(prefix) + (use_q ? q_encode(chunk, phrase) : base64(chunk)) + "?=";
  };

  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < characters.size()) {
    const std::size_t limit =
        words.empty() ? std::min(std::max<std::size_t>(first_limit, 24), kMaxEncodedWord)
                      : kMaxEncodedWord;
    // The longest run from `start` that fits; one character always does.
    std::size_t end = start + 1;
    while (end < characters.size() && encoded_length(start, end + 1) <= limit)
      ++end;
    // Break after a space when there is one in the second half of the run. RFC 2047 decoders
    // drop the white space between two encoded-words, but some (Python's email address parser,
    // for one) keep it inside a display name: a break after a space then costs them an extra
    // space instead of splitting a word.
    if (end < characters.size()) {
      for (std::size_t i = end; i > start + (end - start) / 2; --i) {
        if (characters[i - 1] == " ") {
          end = i;
          break;
        }
      }
    }
    words.push_back(word(start, end));
    start = end;
  }
  return words;
}

std::string format_date(std::chrono::system_clock::time_point when, std::chrono::minutes offset) {
  using namespace std::chrono;
  const auto local = floor<seconds>(when) + offset;
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const weekday wd{day};
  const hh_mm_ss<seconds> time{local - day};
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto two = [](long v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  const long off = offset.count();
  const long abs_off = off < 0 ? -off : off;
  return std::string(kDays[wd.c_encoding()]) + ", " +
         std::to_string(static_cast<unsigned>(ymd.day())) + " " +
         kMonths[static_cast<unsigned>(ymd.month()) - 1] + " " +
         std::to_string(static_cast<int>(ymd.year())) + " " + two(time.hours().count()) + ":" +
         two(time.minutes().count()) + ":" + two(time.seconds().count()) + " " +
         (off < 0 ? "-" : "+") + two(abs_off / 60) + two(abs_off % 60);
}

std::string base64(std::string_view bytes, std::size_t line_length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(b_length(bytes.size()) + (line_length ? bytes.size() / line_length * 2 + 2 : 0));
  std::size_t column = 0;
  const auto put = [&](char c) {
    if (line_length && column == line_length) {
      out += "\r\n";
      column = 0;
    }
    out += c;
    ++column;
  };
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const auto at = [&](std::size_t k) -> std::uint32_t {
      return k < bytes.size() ? static_cast<unsigned char>(bytes[k]) : 0;
    };
    const std::uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    put(kAlphabet[v >> 18 & 63]);
    put(kAlphabet[v >> 12 & 63]);
    put(i + 1 < bytes.size() ? kAlphabet[v >> 6 & 63] : '=');
    put(i + 2 < bytes.size() ? kAlphabet[v & 63] : '=');
  }
  if (line_length && !out.empty()) out += "\r\n";
  return out;
}

std::string quoted_printable(std::string_view text) {
  constexpr std::size_t kLimit = 76;
  std::string out;
  std::size_t column = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const bool line_break = text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n';
    if (line_break) {
      out += "\r\n";
      column = 0;
      i += 2;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    const bool last_on_line = i + 1 == text.size() || text.substr(i + 1, 2) == "\r\n";
    std::string token;
    // RFC 2045 section 6.7 rules (2) and (3); whitespace at the end of a line is encoded because
    // transports may strip it.
    if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last_on_line))
      token = static_cast<char>(c);
    else
      token = hex_escape(c, '=');
    // Room for the soft break's "=" unless this token ends the line.
    const std::size_t room = last_on_line ? kLimit : kLimit - 1;
    if (column + token.size() > room) {
      out += "=\r\n";
      column = 0;
    }
    out += token;
    column += token.size();
    ++i;
  }
  return out;
}

}  // namespace mime_detail

bool is_valid_address(std::string_view address) {
  if (address.size() > 254) return false;
  const auto at = address.rfind('@');
  if (at == std::string_view::npos) return false;
  const auto local = address.substr(0, at);
  if (local.size() > 64 || !is_dot_atom(local)) return false;
  return is_domain(address.substr(at + 1));
}

std::optional<Mailbox> parse_mailbox(std::string_view text) {
  const auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
      s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
      s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  Mailbox mailbox;
  if (!text.empty() && text.back() == '>') {
    const auto open = text.rfind('<');
    if (open == std::string_view::npos) return std::nullopt;
    mailbox.address = std::string(text.substr(open + 1, text.size() - open - 2));
    auto name = trim(text.substr(0, open));
    // A name with line breaks, controls or more angle brackets is not one mailbox.
    const bool plain = std::none_of(name.begin(), name.end(), [](unsigned char c) {
      return c < 0x20 || c == 0x7F || c == '<' || c == '>';
    });
    if (!plain) return std::nullopt;
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
      for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\' && i + 1 < name.size()) ++i;
        mailbox.display_name += name[i];
      }
    } else {
      mailbox.display_name = std::string(name);
    }
  } else {
    mailbox.address = std::string(text);
  }
  if (!is_valid_address(mailbox.address)) return std::nullopt;
  return mailbox;
}

RenderedMessage render_message(const EmailMessage& message) {
  RenderedMessage out;
  const auto fail = [&](std::string why) {
    out.error = std::move(why);
    out.bytes.clear();
    return out;
  };
  // An address is checked, not cleaned: a bad one is a data problem to show, not to guess at.
  if (!is_valid_address(message.from.address))
    return fail("invalid sender address '" + mime_detail::neutralise(message.from.address) + "'");
  if (message.to.empty()) return fail("no recipients");
  for (const auto& to : message.to)
    if (!is_valid_address(to.address))
      return fail("invalid recipient address '" + mime_detail::neutralise(to.address) + "'");

  std::string id_local = message.message_id_local;
  if (id_local.empty()) id_local = random_hex(16);
  if (id_local.empty()) return fail("no random bytes for the Message-ID");
  if (!is_dot_atom(id_local)) return fail("invalid Message-ID left side '" + id_local + "'");
  std::string id_domain = message.message_id_domain;
  if (id_domain.empty())
    id_domain = message.from.address.substr(message.from.address.rfind('@') + 1);
  if (!is_domain(id_domain)) return fail("invalid Message-ID domain '" + id_domain + "'");
  out.message_id = "<" + id_local + "@" + id_domain + ">";

  std::string head;
  head += fold("From", mailbox_tokens(message.from, kMaxLine - 6));
  std::vector<std::string> to_tokens;
  for (std::size_t i = 0; i < message.to.size(); ++i) {
    auto tokens = mailbox_tokens(message.to[i], to_tokens.empty() ? kMaxLine - 4 : kMaxEncodedWord);
    if (i + 1 < message.to.size()) tokens.back() += ',';
    to_tokens.insert(to_tokens.end(), tokens.begin(), tokens.end());
  }
  head += fold("To", to_tokens);
  head += fold("Subject", unstructured_tokens("Subject", message.subject));
  head += "Date: " + mime_detail::format_date(message.date, message.utc_offset) + "\r\n";
  head += "Message-ID: " + out.message_id + "\r\n";
  head += "MIME-Version: 1.0\r\n";
  for (const auto& [name, value] : message.extra_headers) {
    if (!is_field_name(name))
      return fail("invalid header field name '" + mime_detail::neutralise(name) + "'");
    if (is_reserved_field(name))
      return fail("header field '" + name + "' is written by the builder");
    head += fold(name, unstructured_tokens(name, value));
  }

  const EncodedBody text = encode_body(message.text_body);
  if (!message.html_body) {
    out.bytes = head + part_headers("plain", text) + "\r\n" + text.bytes;
    return out;
  }
  const EncodedBody html = encode_body(*message.html_body);
  // "=_" never occurs in quoted-printable or base64 output, so the boundary cannot occur in a part.
  const std::string boundary = "=_motcua_" + random_hex(12);
  out.bytes = head + "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary +
              "\"\r\n\r\nThis is a MIME message in two alternative parts.\r\n\r\n--" + boundary +
              "\r\n" + part_headers("plain", text) + "\r\n" + text.bytes + "--" + boundary +
              "\r\n" + part_headers("html", html) + "\r\n" + html.bytes + "--" + boundary +
              "--\r\n";
  return out;
}

}  // namespace motcua::alerts
