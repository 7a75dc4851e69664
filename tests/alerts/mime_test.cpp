// The message builder without a server: encoded-word limits, line lengths, neutralised header
// values, address checks, Date. What a real mail reader makes of the result is checked in
// smtp_client_test.cpp through Python's email package.
#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerts/mime.hpp"

namespace motcua::alerts {
namespace {
using ::testing::HasSubstr;
using ::testing::Not;
using namespace mime_detail;

std::vector<std::string> lines_of(const std::string& bytes) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < bytes.size()) {
    const auto end = bytes.find("\r\n", start);
    if (end == std::string::npos) {
      out.push_back(bytes.substr(start));
      break;
    }
    out.push_back(bytes.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

// The header section's lines, up to the empty line.
std::vector<std::string> header_lines(const std::string& bytes) {
  std::vector<std::string> out;
  for (auto& line : lines_of(bytes)) {
    if (line.empty()) break;
    out.push_back(line);
  }
  return out;
}

std::string decode_b(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') break;
    value = value << 6 | static_cast<unsigned>(kAlphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(value >> bits & 0xFF);
    }
  }
  return out;
}

bool is_whole_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if ((c & 0xC0) == 0x80 || i + n > s.size()) return false;
    i += n;
  }
  return true;
}

EmailMessage sample() {
  EmailMessage m;
  m.from = {"Giám sát một cửa", "giamsat@example.gov.vn"};
  m.to = {{"", "vanthu@sxd.example.gov.vn"}};
  m.subject = "Cảnh báo: 3 hồ sơ quá hạn — Sở Xây dựng";
  m.text_body = "Xin chào";
  m.date = std::chrono::sys_days{std::chrono::year{2026} / 3 / 10} + std::chrono::hours(3);
  return m;
}

TEST(EncodedWords, NoneLongerThan75AndNoneSplitsACharacter) {
  const std::string text =
      "Cảnh báo: 37 hồ sơ quá hạn, 12 hồ sơ sắp đến hạn — Sở Tài nguyên và Môi trường tỉnh Hà "
      "Tĩnh — 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ngoài BMP";
  for (const bool phrase : {false, true}) {
    const auto words = encoded_words(text, 60, phrase);
    ASSERT_GT(words.size(), 1u);
    EXPECT_LE(words.front().size(), 60u);
    std::string decoded;
    for (const auto& word : words) {
      EXPECT_LE(word.size(), 75u) << word;
      ASSERT_EQ(word.substr(0, 10), "=?UTF-8?B?") << "mostly non-ASCII text goes base64";
      const auto piece = decode_b(word.substr(10, word.size() - 12));
      EXPECT_TRUE(is_whole_utf8(piece)) << word;
      decoded += piece;
    }
    EXPECT_EQ(decoded, text);
  }
}

TEST(EncodedWords, LongTextBreaksAfterASpace) {
  const auto words =
      encoded_words("Lãnh đạo Sở Xây dựng tỉnh Hà Tĩnh (Phó Giám đốc phụ trách)", 75, true);
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(decode_b(words[0].substr(10, words[0].size() - 12)).back(), ' ');
}

TEST(EncodedWords, MostlyAsciiGoesQWithThePhraseAlphabet) {
  const auto words =
      encoded_words("Ban quan ly cac khu kinh te tinh Ha Tinh (BQL) - Tỉnh", 75, true);
  ASSERT_FALSE(words.empty());
  for (const auto& word : words) {
    EXPECT_EQ(word.substr(0, 10), "=?UTF-8?Q?");
    // RFC 2047 section 5 (3): in a phrase only letters, digits and !*+-/ stand for themselves.
    for (const char c : std::string("() "))
      EXPECT_EQ(word.find(c), std::string::npos) << c;
  }
  EXPECT_THAT(words[0], HasSubstr("_"));
}

TEST(EncodedWords, InvalidUtf8BecomesReplacementCharacters) {
  const auto words = encoded_words(std::string("a\xFF\xC3"), 75, false);
  ASSERT_EQ(words.size(), 1u);
  EXPECT_EQ(words[0], "=?UTF-8?B?Ye+/ve+/vQ==?=");  // "a\uFFFD\uFFFD"
  EXPECT_EQ(encoded_words(std::string("\xFF abcdefghijklmnop"), 75, false)[0],
            "=?UTF-8?Q?=EF=BF=BD_abcdefghijklmnop?=");
}

TEST(Neutralise, LineBreaksAndControlsBecomeSpaces) {
  EXPECT_EQ(neutralise("a\r\nb\nc\rd\te\x01"
                       "f"),
            "a b c d e f");
  EXPECT_EQ(neutralise(std::string("x\0y", 3)), "x y");
  EXPECT_EQ(neutralise("a\xC2\x85"
                       "b\xE2\x80\xA8"
                       "c\xE2\x80\xA9"
                       "d"),
            "a b c d");
  EXPECT_EQ(neutralise("Sở Xây dựng"), "Sở Xây dựng");
}

TEST(Addresses, PlainAddressesPassAndTricksFail) {
  EXPECT_TRUE(is_valid_address("vanthu@sxd.example.gov.vn"));
  EXPECT_TRUE(is_valid_address("van.thu+alerts@example.gov.vn"));
  for (const char* bad :
       {"", "no-at-sign", "@example.gov.vn", "vanthu@", "a@b@c", "a b@example.gov.vn",
        "a\r\n@example.gov.vn", "a@example.gov.vn\r\nRCPT TO:<x@y>", "\"a\"@example.gov.vn",
        "a<b@example.gov.vn", "a@example.gov.vn>", "a,b@example.gov.vn", ".a@example.gov.vn",
        "a..b@example.gov.vn", "a@-example.gov.vn", "a@example..gov.vn", "a@[127.0.0.1]",
        "thư@example.gov.vn", "a@ví-dụ.vn"})
    EXPECT_FALSE(is_valid_address(bad)) << bad;
  EXPECT_FALSE(is_valid_address(std::string("a\0b@example.gov.vn", 18)));
  EXPECT_FALSE(is_valid_address(std::string(65, 'a') + "@example.gov.vn"));
}

TEST(Addresses, ParseMailboxAsTheConfigWritesIt) {
  const auto m = parse_mailbox("Giám sát một cửa <giamsat@example.gov.vn>");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->display_name, "Giám sát một cửa");
  EXPECT_EQ(m->address, "giamsat@example.gov.vn");
  const auto quoted = parse_mailbox("\"Sở \\\"XD\\\"\" <a@b.vn>");
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->display_name, "Sở \"XD\"");
  EXPECT_EQ(parse_mailbox("  a@b.vn ")->address, "a@b.vn");
  EXPECT_FALSE(parse_mailbox("Name <a@b.vn"));
  EXPECT_FALSE(parse_mailbox("Name <a@b.vn>\r\nBcc: <c@d.vn>"));
}

TEST(FormatDate, Rfc5322WithTheOffset) {
  const auto when = std::chrono::sys_days{std::chrono::year{2026} / 3 / 10} +
                    std::chrono::hours(3) + std::chrono::minutes(4) + std::chrono::seconds(5);
  EXPECT_EQ(format_date(when, std::chrono::minutes(420)), "Tue, 10 Mar 2026 10:04:05 +0700");
  EXPECT_EQ(format_date(when, std::chrono::minutes(-330)), "Mon, 9 Mar 2026 21:34:05 -0530");
  EXPECT_EQ(format_date(when, std::chrono::minutes(0)), "Tue, 10 Mar 2026 03:04:05 +0000");
}

TEST(QuotedPrintable, LinesOf76AndTrailingSpaceEncoded) {
  const std::string long_line(200, 'a');
  const auto qp = quoted_printable(long_line + " \r\n=x\t\r\nđ");
  for (const auto& line : lines_of(qp))
    EXPECT_LE(line.size(), 76u) << line;
  EXPECT_THAT(qp, HasSubstr("=20\r\n=3Dx=09\r\n=C4=91"));
}

TEST(Base64, LinesOf76) {
  const auto b = base64(std::string(500, 'x'), 76);
  for (const auto& line : lines_of(b))
    EXPECT_LE(line.size(), 76u);
  EXPECT_EQ(base64("Man"), "TWFu");
  EXPECT_EQ(base64("Ma"), "TWE=");
  EXPECT_EQ(base64("M"), "TQ==");
}

TEST(RenderMessage, HeadersInOrderWithCrlfAndShortLines) {
  auto m = sample();
  m.html_body = "<p>Xin chào</p>";
  m.message_id_local = "alert.42";
  m.extra_headers = {{"X-Motcua-Idempotency-Key", "alert-42"}};
  const auto r = render_message(m);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.message_id, "<alert.42@example.gov.vn>");
  EXPECT_THAT(r.bytes, HasSubstr("\r\nDate: Tue, 10 Mar 2026 10:00:00 +0700\r\n"));
  EXPECT_THAT(r.bytes, HasSubstr("\r\nMessage-ID: <alert.42@example.gov.vn>\r\n"));
  EXPECT_THAT(r.bytes, HasSubstr("\r\nMIME-Version: 1.0\r\n"));
  EXPECT_THAT(r.bytes, HasSubstr("\r\nX-Motcua-Idempotency-Key: alert-42\r\n"));
  EXPECT_THAT(r.bytes, HasSubstr("Content-Type: multipart/alternative;"));
  EXPECT_THAT(r.bytes, HasSubstr("Content-Type: text/plain; charset=UTF-8"));
  EXPECT_THAT(r.bytes, HasSubstr("Content-Type: text/html; charset=UTF-8"));
  EXPECT_EQ(r.bytes.rfind("From: ", 0), 0u);
  for (std::size_t i = 0; i < r.bytes.size(); ++i) {
    if (r.bytes[i] == '\n') {
      ASSERT_TRUE(i > 0 && r.bytes[i - 1] == '\r') << "bare LF at " << i;
    }
    if (r.bytes[i] == '\r') {
      ASSERT_TRUE(i + 1 < r.bytes.size() && r.bytes[i + 1] == '\n') << "bare CR at " << i;
    }
    ASSERT_LT(static_cast<unsigned char>(r.bytes[i]), 0x80) << "8-bit byte at " << i;
  }
  for (const auto& line : lines_of(r.bytes))
    EXPECT_LE(line.size(), 78u) << line;
}

TEST(RenderMessage, InjectedLineBreaksStayInsideTheirField) {
  auto m = sample();
  m.subject = "Hồ sơ\r\nBcc: victim@evil.example";
  m.from.display_name = "Giam sat\r\nX-Injected: yes";
  m.extra_headers = {{"X-Note", "ok\nX-Evil: 1"}};
  const auto r = render_message(m);
  ASSERT_TRUE(r.ok()) << r.error;
  for (const auto& line : header_lines(r.bytes)) {
    EXPECT_THAT(line, Not(::testing::StartsWith("Bcc")));
    EXPECT_THAT(line, Not(::testing::StartsWith("X-Injected")));
    EXPECT_THAT(line, Not(::testing::StartsWith("X-Evil")));
  }
  EXPECT_THAT(r.bytes, HasSubstr("\r\nX-Note: ok X-Evil: 1\r\n"));
}

TEST(RenderMessage, LongAsciiSubjectFoldsAtSpaces) {
  auto m = sample();
  std::string subject;
  for (int i = 0; i < 20; ++i)
    subject += "overdue dossier " + std::to_string(i) + " ";
  subject.pop_back();
  m.subject = subject;
  const auto r = render_message(m);
  ASSERT_TRUE(r.ok());
  std::string unfolded;
  bool in_subject = false;
  for (const auto& line : header_lines(r.bytes)) {
    EXPECT_LE(line.size(), 78u);
    if (line.rfind("Subject: ", 0) == 0) {
      in_subject = true;
      unfolded = line.substr(9);
    } else if (in_subject && line[0] == ' ') {
      unfolded += line;
    } else {
      in_subject = false;
    }
  }
  EXPECT_EQ(unfolded, subject);
}

TEST(RenderMessage, AsciiThatLooksLikeAnEncodedWordIsEncoded) {
  auto m = sample();
  m.subject = "=?UTF-8?B?SGk=?=";
  const auto r = render_message(m);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r.bytes, Not(HasSubstr("Subject: =?UTF-8?B?SGk=?=\r\n")));
}

TEST(RenderMessage, RefusesWhatItCannotBuildSafely) {
  auto m = sample();
  m.to = {{"", "a@b.vn>\r\nBcc: c@d.vn"}};
  EXPECT_THAT(render_message(m).error, HasSubstr("invalid recipient"));
  m = sample();
  m.to.clear();
  EXPECT_THAT(render_message(m).error, HasSubstr("no recipients"));
  m = sample();
  m.from.address = "giamsat";
  EXPECT_THAT(render_message(m).error, HasSubstr("invalid sender"));
  m = sample();
  m.extra_headers = {{"Bcc", "x@y.vn"}};
  EXPECT_THAT(render_message(m).error, HasSubstr("written by the builder"));
  m.extra_headers = {{"X-Bad\r\nBcc", "x"}};
  EXPECT_THAT(render_message(m).error, HasSubstr("invalid header field name"));
  m = sample();
  m.message_id_local = "a b";
  EXPECT_FALSE(render_message(m).ok());
}

TEST(RenderMessage, RandomMessageIdsDiffer) {
  const auto a = render_message(sample());
  const auto b = render_message(sample());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a.message_id, b.message_id);
  EXPECT_EQ(a.message_id.size(), 1 + 32 + 1 + std::string("example.gov.vn").size() + 1);
}

}  // namespace
}  // namespace motcua::alerts
