// `motcua-watchd --once` delivering its alerts, all real processes and sockets on 127.0.0.1: the
// daemon, an SMTP server (Debian's aiosmtpd, STARTTLS and AUTH, a CA made by the test) and a
// webhook receiver that checks signatures. Each group reaches both channels once; a second run
// repeats nothing; --dry-run touches nothing; CR/LF in a dossier's fields never makes a header.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include <boost/json.hpp>

#include "tests/alerts/smtp_server.hpp"
#include "tests/alerts/webhook_receiver.hpp"
#include "tests/net/certificates.hpp"
#include "tests/net/io_thread.hpp"
#include "tests/support/process.hpp"

namespace motcua::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kNow = "2026-03-10T10:00:00+07:00";  // a Tuesday, in working hours
constexpr const char* kInjected = "Sở Xây dựng\r\nBcc: attacker@evil.example";

class OnceAlerts : public ::testing::Test {
 protected:
  void SetUp() override {
    // The bundled sample, with a header injection attempt in one agency name.
    std::ifstream in(source_dir() / "config/examples/dossiers.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto records = json::parse(text).as_array();
    for (auto& r : records)
      if (r.as_object().at("MaDonViXuLy").as_string() == "000.00.12.H37")
        r.as_object()["DonViXuLy"] = kInjected;
    dir.write("dossiers.json", json::serialize(records));
    dir.write("smtp.password", "mat-khau-thu\n");
    dir.write("hook.secret", "bí mật chung\n");

    alerts::fixtures::SmtpServerOptions smtp;
    smtp.certificate_file = certificate.certificate_file;
    smtp.private_key_file = certificate.private_key_file;
    smtp.user = "giamsat:mat-khau-thu";
    mail = std::make_unique<alerts::fixtures::SmtpServer>(smtp);
    hook = std::make_unique<alerts::fixtures::WebhookReceiver>(
        io.executor(), alerts::fixtures::WebhookReceiver::Options{"bí mật chung"});

    cfg = dir.write(
        "config.toml",
        "[daemon]\nstate_db = \"state.db\"\n\n[[source]]\nname = \"motcua\"\nkind = \"file\"\n"
        "path = \"dossiers.json\"\n\n[smtp]\nhost = \"localhost\"\nport = " +
            std::to_string(mail->port()) +
            "\nusername = \"giamsat\"\npassword_file = \"smtp.password\"\n"
            "from = \"Giám sát một cửa <giamsat@example.gov.vn>\"\nca_file = \"" +
            authority.ca_file().string() +
            "\"\n\n[[receiver]]\nname = \"so-xay-dung\"\n"
            "email = [\"vanthu@sxd.example.gov.vn\"]\nwebhook = { url = \"" +
            hook->url() +
            "\", secret_file = \"hook.secret\" }\n\n[[route]]\nreceiver = \"so-xay-dung\"\n");
  }

  ProcessResult once(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"--config", cfg.string(), "--once", "--now", kNow};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_process(binary_dir() / "motcua-watchd", args, std::chrono::seconds(60));
  }

  // The agencies with findings in a run's output: one group (notification) each.
  static std::set<std::string> agencies(const ProcessResult& r) {
    std::set<std::string> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
      out.insert(std::string(json::parse(line).as_object().at("agency").as_string()));
    return out;
  }

  net::fixtures::TestAuthority authority;
  net::fixtures::IssuedCertificate certificate =
      authority.issue("mail", {"localhost"}, {"127.0.0.1"});
  net::fixtures::IoThread io;
  TempDir dir;
  std::unique_ptr<alerts::fixtures::SmtpServer> mail;
  std::unique_ptr<alerts::fixtures::WebhookReceiver> hook;
  std::filesystem::path cfg;
};

TEST_F(OnceAlerts, EachGroupReachesMailAndWebhookOnceAndNeverTwice) {
  auto r = once({"--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(hook->count(), 0u);
  EXPECT_EQ(mail->count(), 0);
  const auto groups = agencies(r);
  ASSERT_GE(groups.size(), 2u) << r.out;

  r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err,
              HasSubstr(std::to_string(groups.size()) + " notifications, " +
                        std::to_string(2 * groups.size()) + " delivered, 0 to retry, 0 dead"))
      << r.err;
  ASSERT_EQ(hook->count(), groups.size());
  ASSERT_EQ(mail->count(), static_cast<int>(groups.size()));

  std::set<std::string> webhook_agencies;
  for (const auto& request : hook->requests()) {
    EXPECT_TRUE(request.signature_valid);
    EXPECT_FALSE(request.header("Idempotency-Key").empty());
    const auto body = json::parse(request.body).as_object();
    webhook_agencies.insert(
        std::string(body.at("group_labels").as_object().at("agency").as_string()));
  }
  EXPECT_EQ(webhook_agencies, groups);

  bool saw_injected_group = false;
  for (int n = 1; n <= mail->count(); ++n) {
    const auto got = mail->message(n);
    ASSERT_TRUE(got);
    const auto& record = got->as_object();
    EXPECT_TRUE(record.at("tls").as_bool());
    const auto& message = record.at("message").as_object();
    const std::string subject(message.at("subject").as_string());
    EXPECT_THAT(subject, HasSubstr("[motcua-watch]"));
    EXPECT_THAT(subject, Not(HasSubstr("\n")));
    for (const auto& name : message.at("header_names").as_array())
      EXPECT_NE(json::value_to<std::string>(name), "Bcc");
    EXPECT_EQ(record.at("rcpt_tos").as_array().size(), 1u);
    EXPECT_THAT(mail->raw(n), Not(HasSubstr("\r\nBcc:")));
    if (subject.find("Sở Xây dựng") != std::string::npos) {
      saw_injected_group = true;
      EXPECT_THAT(subject, HasSubstr("Bcc: attacker@evil.example"));  // as text, on one line
    }
  }
  EXPECT_TRUE(saw_injected_group);

  // The same findings again: nothing new to say.
  r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("0 notifications, 0 delivered"));
  EXPECT_EQ(hook->count(), groups.size());
  EXPECT_EQ(mail->count(), static_cast<int>(groups.size()));
}

TEST_F(OnceAlerts, AnUnreachableReceiverIsRetriedLaterNotLost) {
  hook->answer_next(alerts::fixtures::ReceiverAnswer::failing(503, "60"));
  auto r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("1 to retry"));
  // A minute and a half later the row is due again and goes through with the same key.
  r = run_process(binary_dir() / "motcua-watchd",
                  {"--config", cfg.string(), "--once", "--now", "2026-03-10T10:01:30+07:00"},
                  std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("1 delivered, 0 to retry, 0 dead, 0 waiting")) << r.err;
  const auto requests = hook->requests();
  std::map<std::string, int> keys;
  for (const auto& q : requests)
    ++keys[q.header("Idempotency-Key")];
  EXPECT_EQ(requests.size(), keys.size() + 1);  // exactly one key was sent twice
}

}  // namespace
}  // namespace motcua::testing
