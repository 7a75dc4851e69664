#include "store/quarantine.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/store/fixtures.hpp"

namespace motcua::store {
namespace {

using testing::T;

QuarantineEntry entry(const std::string& source, int n, std::string raw = "{\"MaHoSo\":") {
  return {source, "record " + std::to_string(n), "invalid JSON: unexpected end", std::move(raw)};
}

class QuarantineTest : public testing::StoreTest {
 protected:
  Database db_{db_path()};
};

TEST_F(QuarantineTest, KeepsWhatWasWrongAndWhere) {
  Quarantine q(db_);
  q.add(entry("motcua", 1), T("2026-03-10 10:00"));
  auto rows = q.list("", 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].source, "motcua");
  EXPECT_EQ(rows[0].position, "record 1");
  EXPECT_EQ(rows[0].reason, "invalid JSON: unexpected end");
  EXPECT_EQ(rows[0].raw, "{\"MaHoSo\":");
  EXPECT_EQ(rows[0].raw_bytes, rows[0].raw.size());
  EXPECT_FALSE(rows[0].truncated());
  EXPECT_EQ(rows[0].received_at, T("2026-03-10 10:00"));
}

TEST_F(QuarantineTest, KeepsRawBytesThatAreNotUtf8Exactly) {
  Quarantine q(db_);
  const std::string raw("{\"MaHoSo\":\"\xff\xfe\0\x80\"}", 15);
  q.add(entry("motcua", 1, raw), T("2026-03-10 10:00"));
  EXPECT_EQ(q.list("", 1)[0].raw, raw);
}

TEST_F(QuarantineTest, CutsLongTextAtACharacterBoundaryAndRemembersTheSize) {
  Quarantine q(db_, {.max_rows = 10, .max_text_bytes = 100});
  std::string raw;
  while (raw.size() < 1000)
    raw += "Hồ sơ ";  // "ồ" and "ơ" are multi-byte
  QuarantineEntry e = entry("motcua", 1, raw);
  e.reason = raw;
  q.add(e, T("2026-03-10 10:00"));
  auto row = q.list("", 1)[0];
  EXPECT_TRUE(row.truncated());
  EXPECT_EQ(row.raw_bytes, raw.size());
  EXPECT_LE(row.raw.size(), 100u);
  EXPECT_GE(row.raw.size(), 97u);
  EXPECT_EQ(raw.compare(0, row.raw.size(), row.raw), 0);
  // The next byte of the original starts a character: the cut did not split one.
  EXPECT_NE(static_cast<unsigned char>(raw[row.raw.size()]) & 0xC0, 0x80);
  EXPECT_LE(row.reason.size(), 100u);
}

TEST_F(QuarantineTest, KeepsTheNewestRowsAndCountsThemAll) {
  Quarantine q(db_, {.max_rows = 5, .max_text_bytes = 1024});
  for (int i = 1; i <= 8; ++i)
    q.add(entry(i % 2 ? "motcua" : "dvc", i), T("2026-03-10 10:00"));
  std::vector<QuarantineEntry> batch = {entry("motcua", 9), entry("motcua", 10),
                                        entry("motcua", 11)};
  q.add(batch, T("2026-03-10 11:00"));

  EXPECT_EQ(q.count(), 5);
  EXPECT_EQ(q.total(), 11);
  EXPECT_EQ(q.total("motcua"), 7);
  EXPECT_EQ(q.total("dvc"), 4);
  EXPECT_EQ(q.total("file"), 0);
  std::vector<std::string> positions;
  for (const auto& r : q.list("", 100))
    positions.push_back(r.position);
  EXPECT_EQ(positions, (std::vector<std::string>{"record 11", "record 10", "record 9", "record 8",
                                                 "record 7"}));
}

TEST_F(QuarantineTest, ListsOneSourceNewestFirstWithALimit) {
  Quarantine q(db_);
  for (int i = 1; i <= 6; ++i)
    q.add(entry(i % 2 ? "motcua" : "dvc", i), T("2026-03-10 10:00"));
  auto rows = q.list("dvc", 2);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].position, "record 6");
  EXPECT_EQ(rows[1].position, "record 4");
  EXPECT_GT(rows[0].id, rows[1].id);
}

TEST_F(QuarantineTest, TheBoundHoldsAcrossReopening) {
  {
    Quarantine q(db_, {.max_rows = 3, .max_text_bytes = 1024});
    for (int i = 1; i <= 4; ++i)
      q.add(entry("motcua", i), T("2026-03-10 10:00"));
  }
  Database again(db_path());
  Quarantine q(again, {.max_rows = 3, .max_text_bytes = 1024});
  q.add(entry("motcua", 5), T("2026-03-10 10:00"));
  EXPECT_EQ(q.count(), 3);
  EXPECT_EQ(q.total(), 5);
  EXPECT_EQ(q.list("", 1)[0].position, "record 5");
}

TEST_F(QuarantineTest, AddsWithTheCallersTransaction) {
  Quarantine q(db_);
  {
    Transaction tx(db_);
    q.add(entry("motcua", 1), T("2026-03-10 10:00"));
  }
  EXPECT_EQ(q.count(), 0);
  EXPECT_EQ(q.total(), 0);
}

}  // namespace
}  // namespace motcua::store
