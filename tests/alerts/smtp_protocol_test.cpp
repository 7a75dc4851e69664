// The SMTP pieces without a socket: replies, EHLO keywords, dot-stuffing, AUTH PLAIN.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerts/smtp_protocol.hpp"

namespace motcua::alerts {
namespace {
using Step = SmtpReplyReader::Step;

SmtpReply read_all(std::initializer_list<std::string_view> lines) {
  SmtpReplyReader reader;
  for (const auto line : lines) {
    const auto step = reader.feed(line);
    EXPECT_NE(step, Step::malformed) << reader.error();
    if (step == Step::done) return reader.take();
  }
  ADD_FAILURE() << "reply not complete";
  return {};
}

TEST(SmtpReplyReader, MultiLineReply) {
  const auto reply =
      read_all({"250-mail.test Hello", "250-SIZE 1000", "250-AUTH LOGIN PLAIN", "250 STARTTLS"});
  EXPECT_EQ(reply.code, 250);
  ASSERT_EQ(reply.lines.size(), 4u);
  EXPECT_EQ(reply.lines[2], "AUTH LOGIN PLAIN");
  EXPECT_TRUE(reply.positive());
  EXPECT_EQ(read_all({"354"}).code, 354);
}

TEST(SmtpReplyReader, MalformedReplies) {
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"hello"},
                                              {"25"},
                                              {"199 too low"},
                                              {"600 too high"},
                                              {"250-a", "251 b"},
                                              {"250_x"},
                                              {std::string(5000, '2')}}) {
    SmtpReplyReader reader;
    Step step = Step::more;
    for (const auto& line : bad) {
      step = reader.feed(line);
      if (step != Step::more) break;
    }
    EXPECT_EQ(step, Step::malformed) << bad.front();
    EXPECT_FALSE(reader.error().empty());
  }
  SmtpReplyReader endless;
  Step step = Step::more;
  for (int i = 0; i < 300 && step == Step::more; ++i)
    step = endless.feed("250-more");
  EXPECT_EQ(step, Step::malformed);
}

TEST(SmtpReply, SummaryJoinsLinesAndHidesControls) {
  SmtpReply reply{550, {"5.1.1 <x@y.vn>: rejected", "second\x1b[31m line"}};
  EXPECT_EQ(reply.summary(), "550 5.1.1 <x@y.vn>: rejected / second?[31m line");
  SmtpReply long_reply{451, {std::string(600, 'x')}};
  EXPECT_LE(long_reply.summary().size(), 512u);
}

TEST(SmtpCapabilities, FromEhlo) {
  const auto caps = SmtpCapabilities::from_ehlo(
      read_all({"250-mail.test", "250-size 1024", "250-AUTH login PLAIN", "250-AUTH=LOGIN",
                "250 starttls"}));
  EXPECT_TRUE(caps.starttls);
  EXPECT_TRUE(caps.offers_auth("PLAIN"));
  EXPECT_TRUE(caps.offers_auth("LOGIN"));
  EXPECT_FALSE(caps.offers_auth("CRAM-MD5"));
  EXPECT_EQ(caps.size_limit, 1024u);
  // The greeting line is not a keyword, even when it reads like one.
  EXPECT_FALSE(SmtpCapabilities::from_ehlo(read_all({"250 STARTTLS"})).starttls);
}

TEST(DotStuff, DotsAreDoubledAndLinesEndedOnce) {
  EXPECT_EQ(dot_stuff("a\r\n.b\r\n..\r\n.\r\n"), "a\r\n..b\r\n...\r\n..\r\n.\r\n");
  EXPECT_EQ(dot_stuff("no ending"), "no ending\r\n.\r\n");
  EXPECT_EQ(dot_stuff(""), ".\r\n");
  EXPECT_EQ(dot_stuff(".first\nbare lf\rbare cr\r\n"), "..first\r\nbare lf\r\nbare cr\r\n.\r\n");
  // A line with only "." inside the message can never end the DATA phase early.
  EXPECT_EQ(dot_stuff("x\n.\ny"), "x\r\n..\r\ny\r\n.\r\n");
}

TEST(AuthPlain, Rfc4616Example) {
  // RFC 4616 section 4's example, without an authorization identity.
  EXPECT_EQ(auth_plain_initial_response("tim", "tanstaaftanstaaf"), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
}

}  // namespace
}  // namespace motcua::alerts
