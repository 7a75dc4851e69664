// The e-mail channel against a real SMTP server (aiosmtpd, STARTTLS and AUTH, on 127.0.0.1): the
// default Vietnamese templates, a Message-ID stable per notification, and recipients put off.
#include "alerts/email.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/alerts/smtp_server.hpp"
#include "tests/net/certificates.hpp"
#include "tests/net/io_thread.hpp"
#include "tests/support/process.hpp"

namespace motcua::alerts {
namespace {

using ::testing::HasSubstr;

class EmailChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixtures::SmtpServerOptions o;
    o.certificate_file = certificate.certificate_file;
    o.private_key_file = certificate.private_key_file;
    o.user = "giamsat:mat-khau";
    server = std::make_unique<fixtures::SmtpServer>(o);
    dir.write("smtp.password", "mat-khau\n");
    cfg = config::parse_config(
        "[daemon]\nstate_db = \"state.db\"\n[[source]]\nname = \"motcua\"\nkind = \"file\"\n"
        "path = \"d.json\"\n[smtp]\nhost = \"localhost\"\nport = " +
            std::to_string(server->port()) +
            "\nusername = \"giamsat\"\npassword_file = \"smtp.password\"\nfrom = \"Giám sát một "
            "cửa <giamsat@example.gov.vn>\"\nca_file = \"" +
            authority.ca_file().string() +
            "\"\n[[receiver]]\nname = \"so-xay-dung\"\nemail = [\"vanthu@sxd.example.gov.vn\", "
            "\"busy-truongphong@sxd.example.gov.vn\"]\n[[route]]\nreceiver = \"so-xay-dung\"\n",
        dir.path() / "motcua-watch.toml");
  }

  static Notification notification() {
    Notification n;
    n.receiver = "so-xay-dung";
    n.group_key = "so-xay-dung/{}:{agency=\"000.00.12.H37\"}";
    n.group_labels = {{"agency", "000.00.12.H37"}};
    NotifiedAlert a;
    a.fingerprint = "e70f05ee2805534e";
    a.labels = {{"rule", "overdue"},
                {"dossier", "000.00.12.H37-260302-0001"},
                {"agency", "000.00.12.H37"},
                {"severity", "critical"}};
    a.annotations = {{"agency_name", "Sở Xây dựng"},
                     {"procedure_name", "Cấp giấy phép xây dựng"},
                     {"due", "2026-03-09T17:00:00+07:00"},
                     {"overdue_working_hours", "3.00"},
                     {"message", "Hồ sơ 000.00.12.H37-260302-0001 đã quá hạn 3 giờ làm việc"}};
    a.starts_at = *sla::parse_rfc3339("2026-03-09T17:00:00+07:00");
    n.alerts.push_back(a);
    return n;
  }

  net::fixtures::TestAuthority authority;
  net::fixtures::IssuedCertificate certificate =
      authority.issue("mail", {"localhost"}, {"127.0.0.1"});
  net::fixtures::IoThread io;
  testing::TempDir dir;
  std::unique_ptr<fixtures::SmtpServer> server;
  config::Config cfg;
};

TEST_F(EmailChannelTest, ARecipientPutOffMakesTheWholeMessageDueAgainWithTheSameMessageId) {
  SmtpEmailChannel channel(io.executor(), cfg);
  const auto created = *sla::parse_rfc3339("2026-03-10T10:00:00+07:00");
  const auto result =
      io.run(channel.send(notification(), cfg.receivers[0], "so-xay-dung/abc/1-1/email", created),
             std::chrono::seconds(30));
  EXPECT_EQ(result.outcome, DeliveryOutcome::retry) << result.detail;
  EXPECT_THAT(result.detail, HasSubstr("busy-truongphong@sxd.example.gov.vn"));
  EXPECT_THAT(result.detail, HasSubstr("451"));

  // The one recipient that took it has it, in Vietnamese, with a Message-ID of the key.
  const auto got = server->message(1);
  ASSERT_TRUE(got);
  const auto& message = got->as_object().at("message").as_object();
  EXPECT_THAT(std::string(message.at("subject").as_string()), HasSubstr("Sở Xây dựng"));
  EXPECT_EQ(got->as_object().at("rcpt_tos").as_array().size(), 1u);
  const std::string id(message.at("message_id").as_string());
  EXPECT_THAT(server->raw(1), HasSubstr("000.00.12.H37-260302-0001"));

  const auto again =
      io.run(channel.send(notification(), cfg.receivers[0], "so-xay-dung/abc/1-1/email", created),
             std::chrono::seconds(30));
  EXPECT_EQ(again.outcome, DeliveryOutcome::retry);
  const auto second = server->message(2);
  ASSERT_TRUE(second);
  EXPECT_EQ(std::string(second->as_object().at("message").as_object().at("message_id").as_string()),
            id);
}

}  // namespace
}  // namespace motcua::alerts
