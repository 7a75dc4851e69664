// SmtpClient against a real SMTP server (aiosmtpd, tests/alerts/smtp_server.py) on loopback, with
// a certificate authority made for each test. What arrived is read back with Python's email
// package, so "the subject decodes exactly" means what it says for a real mail reader.
#include <chrono>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "alerts/smtp_client.hpp"
#include "tests/alerts/smtp_server.hpp"
#include "tests/net/certificates.hpp"
#include "tests/net/io_thread.hpp"

namespace motcua::alerts {
namespace {
using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSubject = "Cảnh báo: 3 hồ sơ quá hạn — Sở Xây dựng";
constexpr const char* kUser = "giamsat";
constexpr const char* kPassword = "mật-khẩu đúng 123";

std::string str(const boost::json::value& v, std::string_view key) {
  const auto* found = v.as_object().if_contains(key);
  return found && found->is_string() ? std::string(found->as_string()) : "<missing>";
}

class SmtpClientTest : public ::testing::Test {
 protected:
  void TearDown() override { io.halt(); }

  fixtures::SmtpServerOptions tls_server(std::string mechanisms = "PLAIN,LOGIN") {
    fixtures::SmtpServerOptions o;
    o.certificate_file = certificate.certificate_file;
    o.private_key_file = certificate.private_key_file;
    o.user = std::string(kUser) + ":" + kPassword;
    o.auth_mechanisms = std::move(mechanisms);
    return o;
  }

  SmtpOptions client_options(std::uint16_t port) const {
    SmtpOptions o;
    o.host = "localhost";
    o.port = port;
    o.username = kUser;
    o.password = kPassword;
    o.ca_file = authority.ca_file();
    o.timeout = 10s;
    o.helo = "motcua-watch.test";
    return o;
  }

  static EmailMessage alert_message() {
    EmailMessage m;
    m.from = {"Giám sát một cửa", "giamsat@example.gov.vn"};
    m.to = {{"Văn thư Sở Xây dựng", "vanthu@sxd.example.gov.vn"}};
    m.subject = kSubject;
    m.text_body =
        "Kính gửi Sở Xây dựng,\n\nHồ sơ 000.00.12.H37-260301-0007 đã quá hạn 12,5 giờ làm việc.\n";
    m.html_body = "<p>Kính gửi <b>Sở Xây dựng</b>,</p>\n<p>Hồ sơ quá hạn.</p>\n";
    m.extra_headers = {{"X-Motcua-Idempotency-Key", "alert-42-attempt"}};
    return m;
  }

  SmtpSendResult send(const SmtpOptions& options, const EmailMessage& message) {
    SmtpClient client(io.executor(), options);
    return io.run(client.send(message), 30s);
  }

  net::fixtures::TestAuthority authority;
  net::fixtures::IssuedCertificate certificate =
      authority.issue("mail", {"localhost"}, {"127.0.0.1"});
  net::fixtures::IoThread io;
};

TEST_F(SmtpClientTest, StartTlsAuthPlainDeliversVietnameseMessage) {
  fixtures::SmtpServer server(tls_server());
  const auto message = alert_message();
  const auto result = send(client_options(server.port()), message);
  ASSERT_EQ(result.delivery.outcome, DeliveryOutcome::delivered) << result.delivery.detail;
  EXPECT_THAT(result.delivery.detail, HasSubstr("250"));
  EXPECT_TRUE(result.refused.empty());

  const auto got = server.message(1);
  ASSERT_TRUE(got);
  const auto& record = got->as_object();
  EXPECT_TRUE(record.at("tls").as_bool());
  EXPECT_EQ(str(*got, "auth"), "PLAIN");
  EXPECT_EQ(str(*got, "mail_from"), "giamsat@example.gov.vn");
  EXPECT_EQ(record.at("rcpt_tos").as_array().size(), 1u);

  const auto& parsed = record.at("message");
  EXPECT_EQ(str(parsed, "subject"), kSubject);
  EXPECT_EQ(str(parsed, "content_type"), "multipart/alternative");
  EXPECT_EQ(str(parsed, "text"), message.text_body);
  EXPECT_EQ(str(parsed, "html"), *message.html_body);
  EXPECT_EQ(str(parsed, "message_id"), result.message_id);
  EXPECT_THAT(result.message_id, AllOf(HasSubstr("@example.gov.vn>"), HasSubstr("<")));
  EXPECT_NE(str(parsed, "date"), "<missing>");
  const auto& from = parsed.at("from").as_array().at(0).as_array();
  EXPECT_EQ(from.at(0).as_string(), "Giám sát một cửa");
  EXPECT_EQ(from.at(1).as_string(), "giamsat@example.gov.vn");
  const auto& to = parsed.at("to").as_array().at(0).as_array();
  EXPECT_EQ(to.at(0).as_string(), "Văn thư Sở Xây dựng");
  EXPECT_EQ(str(parsed.at("extra"), "X-Motcua-Idempotency-Key"), "alert-42-attempt");
  EXPECT_TRUE(parsed.at("defects").as_array().empty()) << boost::json::serialize(parsed);
}

TEST_F(SmtpClientTest, AuthLoginWhenTheServerOffersOnlyLogin) {
  fixtures::SmtpServer server(tls_server("LOGIN"));
  const auto result = send(client_options(server.port()), alert_message());
  ASSERT_EQ(result.delivery.outcome, DeliveryOutcome::delivered) << result.delivery.detail;
  const auto got = server.message(1);
  ASSERT_TRUE(got);
  EXPECT_EQ(str(*got, "auth"), "LOGIN");
  EXPECT_EQ(str(got->at("message"), "subject"), kSubject);
}

TEST_F(SmtpClientTest, WrongPasswordIsDeadWithTheServersReply) {
  for (const char* mechanism : {"PLAIN", "LOGIN"}) {
    fixtures::SmtpServer server(tls_server(mechanism));
    auto options = client_options(server.port());
    options.password = "sai-mat-khau-bi-mat";
    const auto result = send(options, alert_message());
    EXPECT_EQ(result.delivery.outcome, DeliveryOutcome::dead) << mechanism;
    EXPECT_THAT(result.delivery.detail,
                AllOf(HasSubstr("535"), HasSubstr(std::string("AUTH ") + mechanism),
                      HasSubstr(kUser), Not(HasSubstr("sai-mat-khau-bi-mat"))));
    EXPECT_EQ(server.count(), 0);
  }
}

TEST_F(SmtpClientTest, UntrustedCertificateIsRetryWithTheReason) {
  fixtures::SmtpServer server(tls_server());
  auto options = client_options(server.port());
  options.ca_file.reset();  // the system trust store does not know the test authority
  const auto result = send(options, alert_message());
  EXPECT_EQ(result.delivery.outcome, DeliveryOutcome::retry);
  EXPECT_THAT(result.delivery.detail, AllOf(HasSubstr("TLS"), HasSubstr("certificate")));
  EXPECT_EQ(server.count(), 0);
}

TEST_F(SmtpClientTest, CertificateForAnotherHostIsRetryWithTheReason) {
  const auto other = authority.issue("other", {"mail.other.test"}, {});
  auto server_options = tls_server();
  server_options.certificate_file = other.certificate_file;
  server_options.private_key_file = other.private_key_file;
  fixtures::SmtpServer server(server_options);
  const auto result = send(client_options(server.port()), alert_message());
  EXPECT_EQ(result.delivery.outcome, DeliveryOutcome::retry);
  EXPECT_THAT(result.delivery.detail, HasSubstr("hostname mismatch"));
  EXPECT_EQ(server.count(), 0);
}

TEST_F(SmtpClientTest, RefusedRecipientIsDeadWithTheReply) {
  fixtures::SmtpServer server(tls_server());
  auto message = alert_message();
  message.to = {{"", "reject-me@sxd.example.gov.vn"}};
  const auto result = send(client_options(server.port()), message);
  EXPECT_EQ(result.delivery.outcome, DeliveryOutcome::dead);
  EXPECT_THAT(result.delivery.detail,
              AllOf(HasSubstr("550 5.1.1"), HasSubstr("reject-me@sxd.example.gov.vn")));
  ASSERT_EQ(result.refused.size(), 1u);
  EXPECT_TRUE(result.refused[0].permanent);
  EXPECT_EQ(server.count(), 0);
}

TEST_F(SmtpClientTest, TemporaryRefusalIsRetry) {
  fixtures::SmtpServer server(tls_server());
  auto message = alert_message();
  message.to = {{"", "busy@sxd.example.gov.vn"}};
  const auto result = send(client_options(server.port()), message);
  EXPECT_EQ(result.delivery.outcome, DeliveryOutcome::retry);
  EXPECT_THAT(result.delivery.detail, HasSubstr("451 4.3.0"));
  ASSERT_EQ(result.refused.size(), 1u);
  EXPECT_FALSE(result.refused[0].permanent);
}

TEST_F(SmtpClientTest, PartialRefusalDeliversToTheOthersAndNamesTheRefused) {
  fixtures::SmtpServer server(tls_server());
  auto message = alert_message();
  message.to = {{"Văn thư", "vanthu@sxd.example.gov.vn"},
                {"", "reject@sxd.example.gov.vn"},
                {"", "busy@sxd.example.gov.vn"}};
  const auto result = send(client_options(server.port()), message);
  ASSERT_EQ(result.delivery.outcome, DeliveryOutcome::delivered) << result.delivery.detail;
  EXPECT_THAT(result.delivery.detail,
              AllOf(HasSubstr("1 of 3"), HasSubstr("reject@"), HasSubstr("busy@")));
  ASSERT_EQ(result.refused.size(), 2u);
  EXPECT_TRUE(result.refused[0].permanent);
  EXPECT_FALSE(result.refused[1].permanent);
  const auto got = server.message(1);
  ASSERT_TRUE(got);
  const auto& rcpts = got->at("rcpt_tos").as_array();
  ASSERT_EQ(rcpts.size(), 1u);
  EXPECT_EQ(rcpts[0].as_string(), "vanthu@sxd.example.gov.vn");
}

TEST_F(SmtpClientTest, ServerDownIsRetry) {
  // A port that was just free: nothing listens there.
  std::uint16_t port;
  {
    boost::asio::io_context context;
    boost::asio::ip::tcp::acceptor acceptor(context,
                                            {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  auto options = client_options(port);
  options.host = "127.0.0.1";
  const auto result = send(options, alert_message());
  EXPECT_EQ(result.delivery.outcome, DeliveryOutcome::retry);
  EXPECT_THAT(result.delivery.detail,
              AllOf(HasSubstr("connect to 127.0.0.1:"), HasSubstr("refused")));
}

TEST_F(SmtpClientTest, SilentServerTimesOut) {
  fixtures::SmtpServerOptions silent;
  silent.mode = "silent";
  fixtures::SmtpServer server(silent);
  auto options = client_options(server.port());
  options.timeout = 300ms;
  const auto started = std::chrono::steady_clock::now();
  const auto result = send(options, alert_message());
  EXPECT_EQ(result.delivery.outcome, DeliveryOutcome::retry);
  EXPECT_THAT(result.delivery.detail, AllOf(HasSubstr("no reply"), HasSubstr("300 ms")));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(SmtpClientTest, StartTlsRequiredButNotOfferedSendsNothing) {
  auto server_options = tls_server();
  server_options.no_starttls = true;
  server_options.user.clear();
  fixtures::SmtpServer server(server_options);
  auto options = client_options(server.port());
  options.username.clear();
  const auto result = send(options, alert_message());
  EXPECT_EQ(result.delivery.outcome, DeliveryOutcome::retry);
  EXPECT_THAT(result.delivery.detail, HasSubstr("does not offer STARTTLS"));
  EXPECT_EQ(server.count(), 0);
}

TEST_F(SmtpClientTest, OpportunisticWithoutTlsDeliversButNeverSendsThePassword) {
  auto server_options = tls_server();
  server_options.no_starttls = true;
  server_options.user.clear();
  fixtures::SmtpServer server(server_options);
  auto options = client_options(server.port());
  options.starttls = config::StartTls::opportunistic;
  const auto with_password = send(options, alert_message());
  EXPECT_EQ(with_password.delivery.outcome, DeliveryOutcome::retry);
  EXPECT_THAT(with_password.delivery.detail, HasSubstr("not sent in clear text"));

  options.username.clear();
  const auto without = send(options, alert_message());
  ASSERT_EQ(without.delivery.outcome, DeliveryOutcome::delivered) << without.delivery.detail;
  const auto got = server.message(1);
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->at("tls").as_bool());
}

TEST_F(SmtpClientTest, ReplyInjectedBeforeTheTlsHandshakeIsRefused) {
  fixtures::SmtpServerOptions script;
  script.mode = "starttls-inject";
  fixtures::SmtpServer server(script);
  const auto result = send(client_options(server.port()), alert_message());
  EXPECT_EQ(result.delivery.outcome, DeliveryOutcome::retry);
  EXPECT_THAT(result.delivery.detail, HasSubstr("sent data after its STARTTLS reply"));
}

TEST_F(SmtpClientTest, LineBreaksInSubjectAndDisplayNameCreateNoHeader) {
  fixtures::SmtpServer server(tls_server());
  auto message = alert_message();
  message.subject = "Hồ sơ trễ\r\nBcc: victim@evil.example\r\n\r\nbody";
  message.from.display_name = "Giám sát\nX-Injected: yes";
  message.to[0].display_name = "Văn thư\r\nCc: other@evil.example";
  message.extra_headers = {{"X-Motcua-Idempotency-Key", "k\r\nX-Evil: 1"}};
  const auto result = send(client_options(server.port()), message);
  ASSERT_EQ(result.delivery.outcome, DeliveryOutcome::delivered) << result.delivery.detail;
  const auto got = server.message(1);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->at("rcpt_tos").as_array().size(), 1u);
  const auto& parsed = got->at("message");
  for (const auto& name : parsed.at("header_names").as_array()) {
    EXPECT_NE(name.as_string(), "Bcc");
    EXPECT_NE(name.as_string(), "Cc");
    EXPECT_NE(name.as_string(), "X-Injected");
    EXPECT_NE(name.as_string(), "X-Evil");
  }
  EXPECT_EQ(str(parsed, "subject"), "Hồ sơ trễ Bcc: victim@evil.example  body");
  EXPECT_EQ(parsed.at("from").as_array().at(0).as_array().at(0).as_string(),
            "Giám sát X-Injected: yes");
  EXPECT_EQ(str(parsed.at("extra"), "X-Motcua-Idempotency-Key"), "k X-Evil: 1");
  EXPECT_EQ(str(parsed, "text"), message.text_body);
}

TEST_F(SmtpClientTest, BodyLinesStartingWithADotArriveIntact) {
  fixtures::SmtpServer server(tls_server());
  auto message = alert_message();
  message.html_body.reset();
  // Mostly ASCII, so the body goes quoted-printable and its dots reach the DATA phase as dots.
  message.text_body = ".\n..\n.hidden line\nnormal line\n.\n";
  const auto result = send(client_options(server.port()), message);
  ASSERT_EQ(result.delivery.outcome, DeliveryOutcome::delivered) << result.delivery.detail;
  const auto got = server.message(1);
  ASSERT_TRUE(got);
  EXPECT_EQ(str(got->at("message"), "text_encoding"), "quoted-printable");
  EXPECT_EQ(str(got->at("message"), "text"), message.text_body);

  // And raw bytes, as the outbox may hold them.
  SmtpClient client(io.executor(), client_options(server.port()));
  const std::string raw =
      "From: giamsat@example.gov.vn\r\nTo: vanthu@sxd.example.gov.vn\r\nSubject: dots\r\n\r\n"
      ".\r\n..two\r\n.three\r\nlast line without an ending";
  const auto sent =
      io.run(client.send({"giamsat@example.gov.vn", {"vanthu@sxd.example.gov.vn"}}, raw), 30s);
  ASSERT_EQ(sent.delivery.outcome, DeliveryOutcome::delivered) << sent.delivery.detail;
  ASSERT_TRUE(server.message(2));
  EXPECT_EQ(server.raw(2), raw + "\r\n");
}

TEST_F(SmtpClientTest, ImplicitTlsAsOnPort465) {
  auto server_options = tls_server();
  server_options.implicit_tls = true;
  fixtures::SmtpServer server(server_options);
  auto options = client_options(server.port());
  options.implicit_tls = true;
  const auto result = send(options, alert_message());
  ASSERT_EQ(result.delivery.outcome, DeliveryOutcome::delivered) << result.delivery.detail;
  const auto got = server.message(1);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->at("tls").as_bool());
  EXPECT_EQ(str(got->at("message"), "subject"), kSubject);

  // The same server through an untrusting client: the handshake fails, nothing is sent.
  options.ca_file.reset();
  EXPECT_EQ(send(options, alert_message()).delivery.outcome, DeliveryOutcome::retry);
}

TEST_F(SmtpClientTest, InvalidMessageIsDeadWithoutConnecting) {
  auto message = alert_message();
  message.to = {{"", "vanthu@sxd.example.gov.vn>\r\nRCPT TO:<x@evil.example"}};
  SmtpOptions options;
  options.host = "127.0.0.1";
  options.port = 9;  // nothing is contacted
  const auto result = send(options, message);
  EXPECT_EQ(result.delivery.outcome, DeliveryOutcome::dead);
  EXPECT_THAT(result.delivery.detail, AllOf(HasSubstr("invalid recipient"), Not(HasSubstr("\n"))));
}

TEST(SmtpOptionsTest, FromConfigTakesImplicitTlsFromPort465AndTrimsThePasswordFile) {
  config::SmtpConfig smtp;
  smtp.host = "mail.example.gov.vn";
  smtp.port = 465;
  smtp.username = "giamsat";
  smtp.timeout = std::chrono::seconds(12);
  const auto options = SmtpOptions::from_config(smtp, "bí mật\n");
  EXPECT_TRUE(options.implicit_tls);
  EXPECT_EQ(options.password, "bí mật");
  EXPECT_EQ(options.timeout, std::chrono::milliseconds(12000));
  smtp.port = 587;
  EXPECT_FALSE(SmtpOptions::from_config(smtp, "").implicit_tls);
}

}  // namespace
}  // namespace motcua::alerts
