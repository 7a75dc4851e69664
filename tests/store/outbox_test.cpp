#include "store/outbox.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/store/fixtures.hpp"

namespace motcua::store {
namespace {

using testing::T;

OutboxMessage message(const std::string& key, const std::string& not_before,
                      const std::string& receiver = "so-xay-dung") {
  OutboxMessage m;
  m.idempotency_key = key;
  m.receiver = receiver;
  m.channel = Channel::webhook;
  m.group_key = R"({}:{agency="000.00.12.H37"})";
  m.kind = "initial";
  m.payload = R"({"alerts":[{"message":"Hồ sơ đã quá hạn"}]})";
  m.not_before = T(not_before);
  return m;
}

class OutboxTest : public testing::StoreTest {
 protected:
  std::vector<std::string> due(const std::string& at, std::size_t limit = 100) {
    std::vector<std::string> keys;
    for (const auto& r : outbox_.due(T(at), limit))
      keys.push_back(r.message.idempotency_key);
    return keys;
  }
  Database db_{db_path()};
  Outbox outbox_{db_};
};

TEST_F(OutboxTest, PendingRowsComeDueAtTheirTimeEarliestFirst) {
  outbox_.enqueue(message("k2", "2026-03-10 10:05"), T("2026-03-10 10:00"));
  outbox_.enqueue(message("k1", "2026-03-10 10:01"), T("2026-03-10 10:00"));
  outbox_.enqueue(message("k3", "2026-03-11 07:00"), T("2026-03-10 10:00"));
  EXPECT_TRUE(due("2026-03-10 10:00").empty());
  EXPECT_EQ(due("2026-03-10 10:05"), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(due("2026-03-10 10:05", 1), (std::vector<std::string>{"k1"}));
  EXPECT_EQ(outbox_.next_due(), T("2026-03-10 10:01"));
  auto row = outbox_.due(T("2026-03-10 10:05"), 1).at(0);
  EXPECT_EQ(row.message.payload, message("k1", "2026-03-10 10:01").payload);
  EXPECT_EQ(row.message.channel, Channel::webhook);
  EXPECT_EQ(row.created_at, T("2026-03-10 10:00"));
  EXPECT_EQ(row.state, OutboxState::pending);
}

TEST_F(OutboxTest, TheSameIdempotencyKeyIsStoredOnce) {
  const auto a = outbox_.enqueue(message("k1", "2026-03-10 10:01"), T("2026-03-10 10:00"));
  const auto b = outbox_.enqueue(message("k1", "2026-03-10 10:09"), T("2026-03-10 10:08"));
  EXPECT_EQ(a, b);
  EXPECT_EQ(outbox_.counts().pending, 1);
  EXPECT_EQ(outbox_.get(a)->message.not_before, T("2026-03-10 10:01"));
}

TEST_F(OutboxTest, OutcomesAreRecordedAndFinal) {
  const auto id = outbox_.enqueue(message("k1", "2026-03-10 10:00"), T("2026-03-10 10:00"));
  outbox_.retry(id, T("2026-03-10 10:00"), "HTTP 503 from 127.0.0.1", T("2026-03-10 10:01"));
  auto row = outbox_.get(id);
  EXPECT_EQ(row->attempts, 1);
  EXPECT_EQ(row->last_error, "HTTP 503 from 127.0.0.1");
  EXPECT_EQ(row->message.not_before, T("2026-03-10 10:01"));
  EXPECT_TRUE(due("2026-03-10 10:00:30").empty());
  EXPECT_EQ(due("2026-03-10 10:01").size(), 1u);

  outbox_.delivered(id, T("2026-03-10 10:01"));
  row = outbox_.get(id);
  EXPECT_EQ(row->state, OutboxState::delivered);
  EXPECT_EQ(row->attempts, 2);
  EXPECT_EQ(row->finished_at, T("2026-03-10 10:01"));
  // A late outcome from a second delivery cannot undo the first.
  outbox_.dead(id, T("2026-03-10 10:02"), "550 rejected");
  EXPECT_EQ(outbox_.get(id)->state, OutboxState::delivered);
  EXPECT_FALSE(outbox_.next_due());
}

TEST_F(OutboxTest, DeadLettersAreKeptCountedAndListed) {
  const auto a = outbox_.enqueue(message("k1", "2026-03-10 10:00"), T("2026-03-10 10:00"));
  outbox_.enqueue(message("k2", "2026-03-10 10:00", "other"), T("2026-03-10 10:00"));
  outbox_.dead(a, T("2026-03-10 10:00"),
               "550 5.1.1 <x@example.gov.vn>: Recipient address rejected");
  EXPECT_EQ(outbox_.counts().dead, 1);
  EXPECT_EQ(outbox_.counts().pending, 1);
  EXPECT_EQ(outbox_.counts("so-xay-dung").dead, 1);
  EXPECT_EQ(outbox_.counts("so-xay-dung").pending, 0);
  auto dead = outbox_.list(OutboxState::dead, 10);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].last_error, "550 5.1.1 <x@example.gov.vn>: Recipient address rejected");
}

TEST_F(OutboxTest, RowsOlderThanTheMaximumAgeAreGivenUp) {
  const auto old = outbox_.enqueue(message("k1", "2026-03-10 10:00"), T("2026-03-10 10:00"));
  outbox_.retry(old, T("2026-03-10 10:00"), "connect refused", T("2026-03-10 10:01"));
  outbox_.enqueue(message("k2", "2026-03-11 10:00"), T("2026-03-11 10:00"));
  EXPECT_EQ(outbox_.expire(T("2026-03-11 09:00"), T("2026-03-11 10:00")), 1u);
  auto row = outbox_.get(old);
  EXPECT_EQ(row->state, OutboxState::dead);
  EXPECT_EQ(row->last_error, "gave up after 1 attempts; the last: connect refused");
  EXPECT_EQ(outbox_.counts().pending, 1);
}

TEST_F(OutboxTest, SurvivesAReopenWithPendingRowsDueAgain) {
  const auto id = outbox_.enqueue(message("k1", "2026-03-10 10:00"), T("2026-03-10 10:00"));
  {
    Database again(db_path());
    Outbox reopened(again);
    auto rows = reopened.due(T("2026-03-10 10:00"), 10);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].id, id);
    EXPECT_EQ(rows[0].message.idempotency_key, "k1");
  }
}

}  // namespace
}  // namespace motcua::store
