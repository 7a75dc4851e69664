// The outbox delivered to a real webhook receiver on 127.0.0.1: outcomes recorded, retries spread
// and never before Retry-After, dead letters kept with the reply, old rows given up, the same
// idempotency key and signature on every attempt.
#include "alerts/courier.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "alerts/alert.hpp"
#include "alerts/dispatcher.hpp"
#include "tests/alerts/webhook_receiver.hpp"
#include "tests/net/io_thread.hpp"
#include "tests/sla/fixtures.hpp"
#include "tests/support/process.hpp"

namespace motcua::alerts {
namespace {

using ::testing::HasSubstr;
using testing::T;

class CourierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hook = std::make_unique<fixtures::WebhookReceiver>(
        io.executor(), fixtures::WebhookReceiver::Options{"bí mật"});
    dir.write("hook.secret", "bí mật\n");
    cfg = config::parse_config(
        "[daemon]\nstate_db = \"state.db\"\n[[source]]\nname = \"motcua\"\nkind = \"file\"\n"
        "path = \"d.json\"\n[[receiver]]\nname = \"so-xay-dung\"\nwebhook = { url = \"" +
            hook->url() +
            "\", secret_file = \"hook.secret\", format = \"alertmanager\" }\n"
            "[[route]]\nreceiver = \"so-xay-dung\"\n",
        dir.path() / "motcua-watch.toml");
    db = std::make_unique<store::Database>(dir.path() / "state.db");
  }

  // One overdue dossier fires and the dispatcher queues its notification at `at`.
  void fire(const std::string& at, const std::string& agency = "000.00.12.H37") {
    sla::Finding f;
    f.rule = sla::Rule::overdue;
    f.severity = sla::Severity::critical;
    f.dossier = agency + "-260302-0001";
    f.source = "motcua";
    f.agency = agency;
    f.agency_name = "Sở Xây dựng";
    f.since = T("2026-03-09 17:00");
    f.message = "Hồ sơ đã quá hạn 3 giờ làm việc";
    store::AlertStore alerts(*db);
    const std::vector<sla::Finding> findings{f};
    const std::vector<std::string> complete{"motcua"};
    record_findings(alerts, findings, complete, T(at), std::chrono::hours(7));
    Dispatcher(cfg, testing::official_calendar(), *db).run(T(at), true);
  }

  net::fixtures::IoThread io;
  std::unique_ptr<fixtures::WebhookReceiver> hook;
  testing::TempDir dir;
  config::Config cfg;
  std::unique_ptr<store::Database> db;
};

TEST_F(CourierTest, DeliversASignedAlertmanagerPayloadAndMarksTheRow) {
  fire("2026-03-10 10:00");
  boost::asio::io_context context;
  Courier courier(context.get_executor(), cfg, *db, nullptr);
  auto future = boost::asio::co_spawn(context, courier.deliver_due(T("2026-03-10 10:00")),
                                      boost::asio::use_future);
  context.run();
  const auto report = future.get();
  EXPECT_EQ(report.attempted, 1u);
  EXPECT_EQ(report.delivered, 1u);
  ASSERT_EQ(hook->count(), 1u);
  const auto request = hook->requests()[0];
  EXPECT_TRUE(request.signature_valid);
  EXPECT_THAT(request.body, HasSubstr("\"version\":\"4\""));
  EXPECT_THAT(request.body, HasSubstr("Sở Xây dựng"));
  store::Outbox outbox(*db);
  EXPECT_EQ(outbox.counts().delivered, 1);
  EXPECT_EQ(outbox.counts().pending, 0);
  EXPECT_EQ(request.header("Idempotency-Key"),
            outbox.list(store::OutboxState::delivered, 1)[0].message.idempotency_key);
}

TEST_F(CourierTest, RetriesNoSoonerThanRetryAfterWithTheSameKeyAndBody) {
  fire("2026-03-10 10:00");
  hook->answer_next(fixtures::ReceiverAnswer::failing(503, "600"));
  boost::asio::io_context context;
  Courier courier(context.get_executor(), cfg, *db, nullptr);
  const auto run = [&](const std::string& at) {
    auto future =
        boost::asio::co_spawn(context, courier.deliver_due(T(at)), boost::asio::use_future);
    context.restart();
    context.run();
    return future.get();
  };
  EXPECT_EQ(run("2026-03-10 10:00").retried, 1u);
  store::Outbox outbox(*db);
  auto row = outbox.list(store::OutboxState::pending, 1).at(0);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_GE(row.message.not_before, T("2026-03-10 10:10"));
  EXPECT_THAT(row.last_error, HasSubstr("HTTP 503"));
  EXPECT_EQ(run("2026-03-10 10:09").attempted, 0u);
  EXPECT_EQ(run("2026-03-10 11:30").delivered, 1u);
  const auto requests = hook->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("Idempotency-Key"), requests[1].header("Idempotency-Key"));
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(requests[0].signature, requests[1].signature);
}

TEST_F(CourierTest, APermanentRefusalIsDeadLetteredWithTheReply) {
  fire("2026-03-10 10:00");
  hook->answer_next(fixtures::ReceiverAnswer::failing(400, {}, R"({"error":"unknown channel"})"));
  boost::asio::io_context context;
  Courier courier(context.get_executor(), cfg, *db, nullptr);
  auto future = boost::asio::co_spawn(context, courier.deliver_due(T("2026-03-10 10:00")),
                                      boost::asio::use_future);
  context.run();
  EXPECT_EQ(future.get().dead, 1u);
  store::Outbox outbox(*db);
  const auto dead = outbox.list(store::OutboxState::dead, 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_THAT(dead[0].last_error, HasSubstr("HTTP 400"));
  EXPECT_THAT(dead[0].last_error, HasSubstr("unknown channel"));
}

TEST_F(CourierTest, RowsOlderThanTheMaximumAgeAreGivenUpNotSent) {
  fire("2026-03-10 10:00");
  boost::asio::io_context context;
  CourierOptions options;
  options.max_age = std::chrono::hours(24);
  Courier courier(context.get_executor(), cfg, *db, nullptr, options);
  auto future = boost::asio::co_spawn(context, courier.deliver_due(T("2026-03-11 10:01")),
                                      boost::asio::use_future);
  context.run();
  const auto report = future.get();
  EXPECT_EQ(report.expired, 1u);
  EXPECT_EQ(report.attempted, 0u);
  EXPECT_EQ(hook->count(), 0u);
  EXPECT_EQ(store::Outbox(*db).counts().dead, 1);
}

TEST_F(CourierTest, RetryDelaysGrowWithJitterUpToTheCap) {
  boost::asio::io_context context;
  Courier courier(context.get_executor(), cfg, *db, nullptr);
  for (int i = 0; i < 50; ++i) {
    const auto first = courier.retry_delay(1, std::nullopt);
    EXPECT_EQ(first, std::chrono::seconds(30));
    const auto third = courier.retry_delay(3, std::nullopt);
    EXPECT_GE(third, std::chrono::seconds(30));
    EXPECT_LE(third, std::chrono::seconds(120));
    EXPECT_LE(courier.retry_delay(40, std::nullopt), std::chrono::hours(1));
    EXPECT_EQ(courier.retry_delay(1, std::chrono::seconds(900)), std::chrono::seconds(900));
  }
}

TEST_F(CourierTest, AStalledReceiverDoesNotHoldBackOtherGroups) {
  fire("2026-03-10 10:00", "000.00.12.H37");
  fire("2026-03-10 10:00", "000.00.15.H37");
  hook->answer_next(fixtures::ReceiverAnswer::stalled());
  boost::asio::io_context context;
  Courier courier(context.get_executor(), cfg, *db, nullptr);
  auto future = boost::asio::co_spawn(context, courier.deliver_due(T("2026-03-10 10:00")),
                                      boost::asio::use_future);
  std::thread runner([&] { context.run(); });
  // The second group's notification arrives while the first one's POST hangs.
  EXPECT_TRUE(
      net::fixtures::eventually([&] { return hook->count() == 2 && hook->stalled() == 1; }));
  hook->release_stalled();
  runner.join();
  const auto report = future.get();
  EXPECT_EQ(report.attempted, 2u);
  EXPECT_EQ(report.delivered, 2u);
}

}  // namespace
}  // namespace motcua::alerts
