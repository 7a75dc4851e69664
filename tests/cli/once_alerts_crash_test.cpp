// `motcua-watchd --once` delivering its alerts across faults and restarts, all real processes and
// sockets on 127.0.0.1: a kill -9 while a webhook POST hangs, an SMTP server that is down and then
// up, and findings that change between two runs. Whatever happens, every notification the daemon
// decided reaches its receiver, with the idempotency key it was decided with, and nothing already
// delivered is sent again (at least once, never lost).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <map>
#include <set>

#include <boost/json.hpp>

#include "tests/alerts/smtp_server.hpp"
#include "tests/alerts/webhook_receiver.hpp"
#include "tests/net/certificates.hpp"
#include "tests/net/io_thread.hpp"
#include "tests/support/process.hpp"
#include "tests/support/state_file.hpp"
#include "tests/support/stored_outbox.hpp"

namespace motcua::testing {
namespace {

namespace json = boost::json;
using alerts::fixtures::ReceivedWebhook;
using alerts::fixtures::ReceiverAnswer;
using ::testing::HasSubstr;

constexpr const char* kNow = "2026-03-10T10:00:00+07:00";  // a Tuesday, in working hours
// Past the first retry of a row that failed at kNow (30 s), before anything else changes.
constexpr const char* kLater = "2026-03-10T10:02:00+07:00";
// A Sở Xây dựng dossier of the bundled sample, overdue since 9 March 17:00.
constexpr const char* kOverdueCode = "000.00.12.H37-260302-0001";
constexpr const char* kNewOverdueCode = "000.00.12.H37-260302-0099";
constexpr const char* kAgency = "000.00.12.H37";  // its group: alerts group by agency code

// A loopback port that nothing listens on: bound, then closed, so a connection is refused.
std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("bind failed");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class OnceAlertsCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    dossiers = json::parse(read_text(source_dir() / "config/examples/dossiers.json")).as_array();
    dir.write("dossiers.json", json::serialize(dossiers));
    dir.write("smtp.password", "mat-khau-thu\n");
    dir.write("hook.secret", "bí mật chung\n");
    hook = std::make_unique<alerts::fixtures::WebhookReceiver>(
        io.executor(), alerts::fixtures::WebhookReceiver::Options{"bí mật chung"});
  }

  void start_mail() {
    alerts::fixtures::SmtpServerOptions smtp;
    smtp.certificate_file = certificate.certificate_file;
    smtp.private_key_file = certificate.private_key_file;
    smtp.user = "giamsat:mat-khau-thu";
    mail = std::make_unique<alerts::fixtures::SmtpServer>(smtp);
  }

  // The outbox rows do not hold the SMTP port; the config does, so a rewrite moves the e-mail.
  void write_config(std::uint16_t smtp_port) {
    cfg = dir.write(
        "config.toml",
        "[daemon]\nstate_db = \"state.db\"\n\n[[source]]\nname = \"motcua\"\nkind = \"file\"\n"
        "path = \"dossiers.json\"\n\n[smtp]\nhost = \"localhost\"\nport = " +
            std::to_string(smtp_port) +
            "\nusername = \"giamsat\"\npassword_file = \"smtp.password\"\n"
            "from = \"Giám sát một cửa <giamsat@example.gov.vn>\"\nca_file = \"" +
            authority.ca_file().string() +
            "\"\n\n[[receiver]]\nname = \"so-xay-dung\"\n"
            "email = [\"vanthu@sxd.example.gov.vn\"]\nwebhook = { url = \"" +
            hook->url() +
            "\", secret_file = \"hook.secret\" }\n\n[[route]]\nreceiver = \"so-xay-dung\"\n");
  }

  std::vector<std::string> args(const char* now) const {
    return {"--config", cfg.string(), "--once", "--now", now};
  }
  ProcessResult once(const char* now) const {
    return run_process(binary_dir() / "motcua-watchd", args(now), std::chrono::seconds(60));
  }

  std::filesystem::path state_db() const { return dir.path() / "state.db"; }

  std::vector<StoredOutboxRow> outbox(const std::string& channel = "") const {
    std::vector<StoredOutboxRow> out;
    for (auto& row : read_outbox(state_db()))
      if (channel.empty() || row.channel == channel) out.push_back(std::move(row));
    return out;
  }

  static std::set<std::string> keys(const std::vector<StoredOutboxRow>& rows) {
    std::set<std::string> out;
    for (const auto& row : rows)
      out.insert(row.idempotency_key);
    return out;
  }

  // How many times each key reached the webhook receiver.
  std::map<std::string, int> webhook_keys() const {
    std::map<std::string, int> out;
    for (const auto& q : hook->requests())
      ++out[q.header("Idempotency-Key")];
    return out;
  }

  // The N-th message's record as the SMTP server wrote it.
  json::object mail_record(int n) const {
    const auto got = mail->message(n);
    if (!got) throw std::runtime_error("message " + std::to_string(n) + " is missing");
    return got->as_object();
  }
  static std::string mail_key(const json::object& record) {
    const auto& extra = record.at("message").as_object().at("extra").as_object();
    const auto* key = extra.if_contains("X-Motcua-Idempotency-Key");
    return key && key->is_string() ? std::string(key->as_string()) : std::string();
  }
  // How many times each key reached the SMTP server.
  std::map<std::string, int> mail_keys() const {
    std::map<std::string, int> out;
    for (int n = 1; n <= mail->count(); ++n)
      ++out[mail_key(mail_record(n))];
    return out;
  }

  static std::string summary(std::size_t notifications, std::size_t delivered,
                             std::size_t retried = 0) {
    return std::to_string(notifications) + " notifications, " + std::to_string(delivered) +
           " delivered, " + std::to_string(retried) + " to retry, 0 dead";
  }

  static std::set<std::string> group_keys(const std::vector<StoredOutboxRow>& rows) {
    std::set<std::string> out;
    for (const auto& row : rows)
      out.insert(row.group_key);
    return out;
  }

  net::fixtures::TestAuthority authority;
  net::fixtures::IssuedCertificate certificate =
      authority.issue("mail", {"localhost"}, {"127.0.0.1"});
  net::fixtures::IoThread io;
  TempDir dir;
  json::array dossiers;
  std::unique_ptr<alerts::fixtures::SmtpServer> mail;
  std::unique_ptr<alerts::fixtures::WebhookReceiver> hook;
  std::filesystem::path cfg;
};

TEST_F(OnceAlertsCrash, KilledDuringDeliveryDeliversAgainAfterRestartWithTheSameKey) {
  start_mail();
  write_config(mail->port());
  hook->answer_next(ReceiverAnswer::stalled());

  std::vector<StoredOutboxRow> at_kill;
  {
    BackgroundProcess daemon(binary_dir() / "motcua-watchd", args(kNow));
    ASSERT_TRUE(
        net::fixtures::eventually([&] { return hook->stalled() == 1; }, std::chrono::seconds(30)))
        << "the daemon never reached the webhook";
    EXPECT_EQ(daemon.kill_now(SIGKILL), SIGKILL);
    // Read once the daemon is gone: other groups' deliveries run beside the hanging one until the
    // kill, so only the file after it says what was left.
    at_kill = outbox();
  }
  hook->release_stalled();
  const auto hung = hook->requests().at(0);
  const std::string key = hung.header("Idempotency-Key");
  ASSERT_FALSE(key.empty());

  // The notifications were decided and committed before any delivery; the hanging one is still
  // pending: a row is marked only after its receiver answered.
  const auto groups = group_keys(at_kill);
  ASSERT_GE(groups.size(), 2u);
  ASSERT_EQ(at_kill.size(), 2 * groups.size());
  std::size_t delivered_before_kill = 0;
  for (const auto& row : at_kill) {
    if (row.state == "delivered") ++delivered_before_kill;
    if (row.idempotency_key == key) {
      EXPECT_EQ(row.state, "pending");
      EXPECT_EQ(row.attempts, 0);
    }
  }
  EXPECT_EQ(keys(at_kill).count(key), 1u);
  EXPECT_LT(delivered_before_kill, at_kill.size());

  // The restart decides nothing new (the groups' state committed with the rows) and delivers
  // everything left, the interrupted row included.
  const auto r = once(kNow);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(summary(0, at_kill.size() - delivered_before_kill) + ", 0 waiting"))
      << r.err;

  std::vector<ReceivedWebhook> again;
  for (const auto& q : hook->requests())
    if (q.header("Idempotency-Key") == key) again.push_back(q);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[1].body, hung.body);
  EXPECT_TRUE(again[0].signature_valid);
  EXPECT_TRUE(again[1].signature_valid);

  // Nothing lost: every row delivered, each group's webhook and e-mail under the key it was
  // decided with. At least once, never more than needed: a row marked delivered before the kill
  // arrived once; a row still pending at the kill arrives again after the restart, so twice when
  // its first attempt had reached the receiver (the hanging one did; others running beside it
  // may have been answered but not yet marked).
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), at_kill.size());
  for (const auto& row : rows)
    EXPECT_EQ(row.state, "delivered") << row.idempotency_key << ": " << row.last_error;
  std::map<std::string, std::string> state_at_kill;
  for (const auto& row : at_kill)
    state_at_kill[row.idempotency_key] = row.state;
  const auto check_arrivals = [&](const std::map<std::string, int>& seen, const char* channel) {
    for (const auto& row : outbox(channel)) {
      const int n = seen.count(row.idempotency_key) ? seen.at(row.idempotency_key) : 0;
      if (row.idempotency_key == key)
        EXPECT_EQ(n, 2) << row.idempotency_key;
      else if (state_at_kill.at(row.idempotency_key) == "delivered")
        EXPECT_EQ(n, 1) << row.idempotency_key;
      else
        EXPECT_TRUE(n == 1 || n == 2) << row.idempotency_key << " arrived " << n << " times";
    }
  };
  const auto seen = webhook_keys();
  EXPECT_EQ(seen.size(), groups.size());
  check_arrivals(seen, "webhook");
  const auto mails = mail_keys();
  EXPECT_EQ(mails.size(), groups.size());
  check_arrivals(mails, "email");

  EXPECT_EQ(integrity_check(state_db()), "ok");
}

TEST_F(OnceAlertsCrash, MailServerDownThenUpDeliversTheRetriedMailOnce) {
  write_config(closed_port());
  auto r = once(kNow);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto first = outbox();
  const auto groups = group_keys(first);
  ASSERT_GE(groups.size(), 2u);
  EXPECT_THAT(r.err, HasSubstr(summary(groups.size(), groups.size(), groups.size()) + ", " +
                               std::to_string(groups.size()) + " waiting"))
      << r.err;
  // The webhooks went through; every e-mail waits for its retry, its failure kept.
  EXPECT_EQ(hook->count(), groups.size());
  std::set<std::string> waiting;
  for (const auto& row : first) {
    if (row.channel == "webhook") {
      EXPECT_EQ(row.state, "delivered");
      continue;
    }
    EXPECT_EQ(row.state, "pending");
    EXPECT_EQ(row.attempts, 1);
    EXPECT_FALSE(row.last_error.empty());
    waiting.insert(row.idempotency_key);
  }
  ASSERT_EQ(waiting.size(), groups.size());

  // The server is up (on another port: the config says where, the rows do not), and the retry
  // is due.
  start_mail();
  write_config(mail->port());
  r = once(kLater);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(summary(0, groups.size()) + ", 0 waiting")) << r.err;
  for (const auto& row : outbox())
    EXPECT_EQ(row.state, "delivered") << row.idempotency_key << ": " << row.last_error;

  // Each e-mail once, under the key the failed attempt had, rendered as it would have been then.
  ASSERT_EQ(mail->count(), static_cast<int>(groups.size()));
  std::set<std::string> delivered_keys, message_ids;
  for (int n = 1; n <= mail->count(); ++n) {
    const auto record = mail_record(n);
    const auto& message = record.at("message").as_object();
    delivered_keys.insert(mail_key(record));
    ASSERT_TRUE(message.at("message_id").is_string());
    message_ids.insert(std::string(message.at("message_id").as_string()));
    ASSERT_TRUE(message.at("date").is_string());
    EXPECT_EQ(message.at("date").as_string(), "2026-03-10T10:00:00+07:00");
  }
  EXPECT_EQ(delivered_keys, waiting);
  EXPECT_EQ(message_ids.size(), groups.size());
  EXPECT_EQ(hook->count(), groups.size());  // the webhooks are not sent again

  EXPECT_EQ(integrity_check(state_db()), "ok");
}

TEST_F(OnceAlertsCrash, ANewOverdueDossierBetweenRunsNotifiesOnlyItsGroupAgain) {
  start_mail();
  write_config(mail->port());
  auto r = once(kNow);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto first = outbox();
  const auto groups = group_keys(first);
  ASSERT_GE(groups.size(), 2u);
  ASSERT_EQ(hook->count(), groups.size());
  ASSERT_EQ(mail->count(), static_cast<int>(groups.size()));

  // Between the runs one more Sở Xây dựng dossier is past its appointment.
  const auto sample = std::find_if(dossiers.begin(), dossiers.end(), [](const json::value& d) {
    return d.as_object().at("MaHoSo").as_string() == kOverdueCode;
  });
  ASSERT_NE(sample, dossiers.end());
  json::value added = *sample;
  added.as_object()["MaHoSo"] = kNewOverdueCode;
  added.as_object()["ChuHoSo"] = "Trần Thị Mai";
  dossiers.push_back(added);
  dir.write("dossiers.json", json::serialize(dossiers));

  r = once(kNow);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(summary(1, 2) + ", 0 waiting")) << r.err;

  // One new webhook and one new e-mail, both for that group, under a new key.
  const auto requests = hook->requests();
  ASSERT_EQ(requests.size(), groups.size() + 1);
  const auto& news = requests.back();
  EXPECT_TRUE(news.signature_valid);
  const auto body = json::parse(news.body).as_object();
  EXPECT_EQ(body.at("group_labels").as_object().at("agency").as_string(), kAgency);
  bool names_new_dossier = false;
  for (const auto& a : body.at("alerts").as_array())
    if (a.as_object().at("labels").as_object().at("dossier").as_string() == kNewOverdueCode)
      names_new_dossier = true;
  EXPECT_TRUE(names_new_dossier) << news.body;
  std::map<std::string, int> agencies;
  for (const auto& q : requests)
    ++agencies[std::string(
        json::parse(q.body).as_object().at("group_labels").as_object().at("agency").as_string())];
  EXPECT_EQ(agencies.size(), groups.size());
  for (const auto& [agency, n] : agencies)
    EXPECT_EQ(n, agency == kAgency ? 2 : 1) << agency;
  ASSERT_EQ(mail->count(), static_cast<int>(groups.size()) + 1);
  EXPECT_THAT(
      std::string(mail_record(mail->count()).at("message").as_object().at("subject").as_string()),
      HasSubstr("Sở Xây dựng"));

  const auto rows = outbox();
  ASSERT_EQ(rows.size(), first.size() + 2);
  const auto first_keys = keys(first);
  std::set<std::string> new_groups;
  for (const auto& row : rows) {
    EXPECT_EQ(row.state, "delivered") << row.idempotency_key << ": " << row.last_error;
    if (first_keys.count(row.idempotency_key)) continue;
    new_groups.insert(row.group_key);
  }
  ASSERT_EQ(new_groups.size(), 1u);
  EXPECT_EQ(groups.count(*new_groups.begin()), 1u);  // the same group, not a new one
  std::set<std::string> mail_seen;
  for (const auto& [k, n] : mail_keys()) {
    EXPECT_EQ(n, 1) << k;
    mail_seen.insert(k);
  }
  EXPECT_EQ(mail_seen, keys(outbox("email")));
  EXPECT_EQ(integrity_check(state_db()), "ok");
}

}  // namespace
}  // namespace motcua::testing
