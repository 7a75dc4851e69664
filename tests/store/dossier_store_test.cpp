#include "store/dossier_store.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include <SQLiteCpp/Statement.h>

#include "tests/store/fixtures.hpp"

namespace motcua::store {
namespace {

using testing::expect_same_dossier;
using testing::full_dossier;
using testing::record_of;
using testing::small_dossier;
using testing::T;

class DossierStoreTest : public testing::StoreTest {
 protected:
  UpsertStats upsert(std::vector<StoredRecord> records, sla::Instant seen) {
    return store_.upsert(records, seen);
  }
  std::int64_t rows(const std::string& table) {
    return db_.sql().execAndGet("SELECT count(*) FROM " + table).getInt64();
  }

  Database db_{db_path()};
  DossierStore store_{db_};
};

TEST_F(DossierStoreTest, InsertsAndReadsBackTheDossierAndItsRawText) {
  StoredRecord r{full_dossier(),
                 R"({"MaHoSo":"000.00.12.H37-260302-0001","ChuHoSo":"Nguyễn Thị Hằng"})"};
  auto stats = store_.upsert({&r, 1}, T("2026-03-10 10:00"));
  EXPECT_EQ(stats.inserted, 1u);
  EXPECT_EQ(stats.updated + stats.unchanged + stats.deadline_changes, 0u);

  auto got = store_.get("motcua", r.dossier.code);
  ASSERT_TRUE(got);
  expect_same_dossier(*got, r.dossier);
  EXPECT_EQ(store_.raw("motcua", r.dossier.code), r.raw);
  auto seen = store_.sightings("motcua", r.dossier.code);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->first_seen, T("2026-03-10 10:00"));
  EXPECT_EQ(seen->last_seen, T("2026-03-10 10:00"));
  EXPECT_EQ(store_.count(), 1);
}

TEST_F(DossierStoreTest, NormalisedColumnsFollowTheDossier) {
  sla::Dossier d = full_dossier();
  upsert({record_of(d)}, T("2026-03-10 10:00"));
  SQLite::Statement st(db_.sql(),
                       "SELECT agency, procedure, status, channel, received_at, due_at, "
                       "finished_at, updated_at, supplements, apologies FROM dossier");
  ASSERT_TRUE(st.executeStep());
  EXPECT_EQ(st.getColumn(0).getString(), d.agency);
  EXPECT_EQ(st.getColumn(1).getString(), d.procedure);
  EXPECT_EQ(st.getColumn(2).getInt(), 4);
  EXPECT_EQ(st.getColumn(3).getInt(), 2);
  EXPECT_EQ(st.getColumn(4).getInt64(), d.received_at->time_since_epoch().count());
  EXPECT_EQ(st.getColumn(5).getInt64(), d.due_at->time_since_epoch().count());
  EXPECT_EQ(st.getColumn(6).getInt64(), d.finished_at->time_since_epoch().count());
  EXPECT_EQ(st.getColumn(7).getInt64(), d.updated_at->time_since_epoch().count());
  EXPECT_EQ(st.getColumn(8).getInt(), 1);
  EXPECT_EQ(st.getColumn(9).getInt(), 2);
}

TEST_F(DossierStoreTest, MissingInstantsAreNull) {
  sla::Dossier d = small_dossier("A-1");
  d.due_at.reset();
  upsert({record_of(d)}, T("2026-03-10 10:00"));
  EXPECT_EQ(db_.sql()
                .execAndGet("SELECT count(*) FROM dossier WHERE due_at IS NULL AND "
                            "finished_at IS NULL AND received_at IS NOT NULL")
                .getInt64(),
            1);
}

TEST_F(DossierStoreTest, CountsInsertedUpdatedAndUnchanged) {
  auto first = upsert({record_of(small_dossier("A-1")), record_of(small_dossier("A-2")),
                       record_of(small_dossier("A-3"))},
                      T("2026-03-10 10:00"));
  EXPECT_EQ(first.inserted, 3u);

  sla::Dossier changed = small_dossier("A-2");
  changed.status = sla::Status::processing;
  auto second = upsert({record_of(small_dossier("A-1")), record_of(changed),
                        record_of(small_dossier("A-3")), record_of(small_dossier("A-4"))},
                       T("2026-03-10 11:00"));
  EXPECT_EQ(second.inserted, 1u);
  EXPECT_EQ(second.updated, 1u);
  EXPECT_EQ(second.unchanged, 2u);
  EXPECT_EQ(second.deadline_changes, 0u);
  EXPECT_EQ(store_.get("motcua", "A-2")->status, sla::Status::processing);
  EXPECT_EQ(store_.count(), 4);
}

TEST_F(DossierStoreTest, AnUnchangedRecordOnlyMovesLastSeen) {
  upsert({record_of(small_dossier("A-1"))}, T("2026-03-10 10:00"));
  auto body_before = db_.sql().execAndGet("SELECT hex(body) FROM dossier").getString();
  upsert({record_of(small_dossier("A-1"))}, T("2026-03-10 12:00"));
  auto seen = store_.sightings("motcua", "A-1");
  EXPECT_EQ(seen->first_seen, T("2026-03-10 10:00"));
  EXPECT_EQ(seen->last_seen, T("2026-03-10 12:00"));
  EXPECT_EQ(db_.sql().execAndGet("SELECT hex(body) FROM dossier").getString(), body_before);
}

TEST_F(DossierStoreTest, AChangeOfTheRawTextAloneIsAnUpdate) {
  StoredRecord r = record_of(small_dossier("A-1"));
  upsert({r}, T("2026-03-10 10:00"));
  r.raw += " ";
  auto stats = upsert({r}, T("2026-03-10 11:00"));
  EXPECT_EQ(stats.updated, 1u);
  EXPECT_EQ(store_.raw("motcua", "A-1"), r.raw);
}

TEST_F(DossierStoreTest, RecordsDeadlineChangesWithTheCountsThatMayExplainThem) {
  sla::Dossier d = small_dossier("A-1");
  upsert({record_of(d)}, T("2026-03-10 10:00"));

  // An apology moved the deadline.
  sla::Dossier moved = d;
  moved.due_at = T("2026-03-13 17:00");
  moved.updated_at = T("2026-03-10 10:30");
  moved.apologies.push_back(sla::Apology{"Cần xác minh thêm", "Lê Thị Mai", T("2026-03-09 10:00"),
                                         d.due_at, moved.due_at, false});
  auto stats = upsert({record_of(moved)}, T("2026-03-10 11:00"));
  EXPECT_EQ(stats.updated, 1u);
  EXPECT_EQ(stats.deadline_changes, 1u);

  // Then someone rewrote the deadline and set a finish time, with nothing to explain it.
  sla::Dossier rewritten = moved;
  rewritten.due_at = T("2026-03-20 17:00");
  rewritten.finished_at = T("2026-03-19 09:00");
  rewritten.status = sla::Status::processed;
  stats = upsert({record_of(rewritten)}, T("2026-03-10 12:00"));
  EXPECT_EQ(stats.deadline_changes, 2u);

  auto changes = store_.deadline_changes("motcua", "A-1");
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].field, DeadlineField::due_at);
  EXPECT_EQ(changes[0].old_value, d.due_at);
  EXPECT_EQ(changes[0].new_value, moved.due_at);
  EXPECT_EQ(changes[0].observed_at, T("2026-03-10 11:00"));
  EXPECT_EQ(changes[0].record_updated_at, T("2026-03-10 10:30"));
  EXPECT_EQ(changes[0].apologies_before, 0);
  EXPECT_EQ(changes[0].apologies_after, 1);
  EXPECT_EQ(changes[0].supplements_before, 0);
  EXPECT_EQ(changes[0].supplements_after, 0);

  EXPECT_EQ(changes[1].field, DeadlineField::due_at);
  EXPECT_EQ(changes[1].old_value, moved.due_at);
  EXPECT_EQ(changes[1].new_value, rewritten.due_at);
  EXPECT_EQ(changes[1].apologies_before, 1);
  EXPECT_EQ(changes[1].apologies_after, 1);

  EXPECT_EQ(changes[2].field, DeadlineField::finished_at);
  EXPECT_FALSE(changes[2].old_value);
  EXPECT_EQ(changes[2].new_value, rewritten.finished_at);
  EXPECT_EQ(changes[2].source, "motcua");
  EXPECT_EQ(changes[2].code, "A-1");
}

TEST_F(DossierStoreTest, NoDeadlineHistoryForInsertsUnchangedOrOtherChanges) {
  sla::Dossier d = small_dossier("A-1");
  upsert({record_of(d)}, T("2026-03-10 10:00"));
  upsert({record_of(d)}, T("2026-03-10 11:00"));
  d.status = sla::Status::processing;
  d.note = "đã chuyển phòng chuyên môn";
  upsert({record_of(d)}, T("2026-03-10 12:00"));
  EXPECT_TRUE(store_.deadline_changes("motcua", "A-1").empty());
  EXPECT_EQ(rows("deadline_history"), 0);
}

TEST_F(DossierStoreTest, ADeadlineThatDisappearsIsAChange) {
  sla::Dossier d = small_dossier("A-1");
  upsert({record_of(d)}, T("2026-03-10 10:00"));
  d.due_at.reset();
  upsert({record_of(d)}, T("2026-03-10 11:00"));
  auto changes = store_.deadline_changes("motcua", "A-1");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].old_value);
  EXPECT_FALSE(changes[0].new_value);
}

TEST_F(DossierStoreTest, UnexplainedChangesAreTheReplacedValuesWithoutARequestOrApology) {
  sla::Dossier a = small_dossier("A-2");
  sla::Dossier b = small_dossier("A-1");
  sla::Dossier other = small_dossier("B-1", "other");
  upsert({record_of(a), record_of(b), record_of(other)}, T("2026-03-10 10:00"));

  // A-2: an apology moves the deadline (explained), then a bare rewrite (not explained).
  sla::Dossier a2 = a;
  a2.due_at = T("2026-03-13 17:00");
  a2.apologies.push_back(sla::Apology{"Cần xác minh thêm", "Lê Thị Mai", T("2026-03-09 10:00"),
                                      a.due_at, a2.due_at, false});
  upsert({record_of(a2)}, T("2026-03-10 11:00"));
  sla::Dossier a3 = a2;
  a3.due_at = T("2026-03-20 17:00");
  upsert({record_of(a3)}, T("2026-03-10 12:00"));
  // A-1: finishes (a first value, not a rewrite), then its finish time is edited.
  sla::Dossier b2 = b;
  b2.finished_at = T("2026-03-10 09:00");
  upsert({record_of(b2)}, T("2026-03-10 11:00"));
  sla::Dossier b3 = b2;
  b3.finished_at = T("2026-03-09 09:00");
  upsert({record_of(b3)}, T("2026-03-10 12:00"));
  // Another source's rewrite is not this source's business.
  sla::Dossier o2 = other;
  o2.due_at = T("2026-04-01 17:00");
  upsert({record_of(o2)}, T("2026-03-10 11:00"));

  auto changes = store_.unexplained_deadline_changes("motcua");
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].code, "A-1");  // ordered by code
  EXPECT_EQ(changes[0].field, DeadlineField::finished_at);
  EXPECT_EQ(changes[0].old_value, T("2026-03-10 09:00"));
  EXPECT_EQ(changes[0].new_value, T("2026-03-09 09:00"));
  EXPECT_EQ(changes[1].code, "A-2");
  EXPECT_EQ(changes[1].field, DeadlineField::due_at);
  EXPECT_EQ(changes[1].old_value, T("2026-03-13 17:00"));
  EXPECT_EQ(changes[1].new_value, T("2026-03-20 17:00"));
  EXPECT_EQ(changes[1].observed_at, T("2026-03-10 12:00"));
  EXPECT_EQ(store_.unexplained_deadline_changes("other").size(), 1u);
}

TEST_F(DossierStoreTest, ACodeRepeatedInOneBatchIsAppliedInOrder) {
  sla::Dossier a = small_dossier("A-1");
  sla::Dossier b = a;
  b.due_at = T("2026-03-11 17:00");
  auto stats = upsert({record_of(a), record_of(b), record_of(b)}, T("2026-03-10 10:00"));
  EXPECT_EQ(stats.inserted, 1u);
  EXPECT_EQ(stats.updated, 1u);
  EXPECT_EQ(stats.unchanged, 1u);
  EXPECT_EQ(stats.deadline_changes, 1u);
  EXPECT_EQ(store_.get("motcua", "A-1")->due_at, b.due_at);
}

TEST_F(DossierStoreTest, TheSameCodeInTwoSourcesIsTwoDossiers) {
  upsert({record_of(small_dossier("A-1", "motcua")), record_of(small_dossier("A-1", "file"))},
         T("2026-03-10 10:00"));
  EXPECT_EQ(store_.count(), 2);
  EXPECT_EQ(store_.count("motcua"), 1);
  EXPECT_EQ(store_.count("file"), 1);
  EXPECT_EQ(store_.count("dvc"), 0);
  EXPECT_EQ(store_.get("file", "A-1")->source, "file");
}

TEST_F(DossierStoreTest, UnknownDossiersAreAbsent) {
  EXPECT_FALSE(store_.get("motcua", "nope"));
  EXPECT_FALSE(store_.raw("motcua", "nope"));
  EXPECT_FALSE(store_.sightings("motcua", "nope"));
  EXPECT_TRUE(store_.deadline_changes("motcua", "nope").empty());
}

TEST_F(DossierStoreTest, ABadRecordMidBatchLeavesNothingOfTheBatch) {
  upsert({record_of(small_dossier("A-1"))}, T("2026-03-10 10:00"));
  sla::Dossier changed = small_dossier("A-1");
  changed.due_at = T("2026-03-12 17:00");
  std::vector<StoredRecord> batch = {record_of(changed), record_of(small_dossier("A-2")),
                                     record_of(small_dossier(""))};
  EXPECT_THROW(store_.upsert(batch, T("2026-03-10 11:00")), std::invalid_argument);
  EXPECT_EQ(store_.count(), 1);
  EXPECT_EQ(store_.get("motcua", "A-1")->due_at, small_dossier("A-1").due_at);
  EXPECT_EQ(rows("deadline_history"), 0);
  EXPECT_EQ(rows("dossier_raw"), 1);
  // And the store still works after the failure.
  EXPECT_EQ(store_.upsert({batch.data(), 2}, T("2026-03-10 12:00")).inserted, 1u);
}

TEST_F(DossierStoreTest, UpsertInsideACallersTransactionRollsBackWithIt) {
  {
    Transaction tx(db_);
    upsert({record_of(small_dossier("A-1"))}, T("2026-03-10 10:00"));
  }
  EXPECT_EQ(store_.count(), 0);
}

TEST_F(DossierStoreTest, ForEachStreamsEveryDossierInBatches) {
  std::vector<StoredRecord> records;
  for (int i = 0; i < 25; ++i)
    records.push_back(
        record_of(small_dossier("A-" + std::to_string(i), i % 5 ? "motcua" : "file")));
  store_.upsert(records, T("2026-03-10 10:00"));

  std::vector<std::size_t> sizes;
  std::set<std::string> codes;
  store_.for_each("", 7, [&](std::span<const sla::Dossier> batch) {
    sizes.push_back(batch.size());
    for (const auto& d : batch)
      EXPECT_TRUE(codes.insert(d.source + "/" + d.code).second);
  });
  EXPECT_EQ(sizes, (std::vector<std::size_t>{7, 7, 7, 4}));
  EXPECT_EQ(codes.size(), 25u);

  std::size_t file_count = 0;
  store_.for_each("file", 2, [&](std::span<const sla::Dossier> batch) {
    for (const auto& d : batch)
      EXPECT_EQ(d.source, "file");
    file_count += batch.size();
  });
  EXPECT_EQ(file_count, 5u);
}

TEST_F(DossierStoreTest, ForEachOfAnExactMultipleEndsWithoutAnEmptyBatch) {
  std::vector<StoredRecord> records;
  for (int i = 0; i < 6; ++i)
    records.push_back(record_of(small_dossier("A-" + std::to_string(i))));
  store_.upsert(records, T("2026-03-10 10:00"));
  int calls = 0;
  store_.for_each("", 3, [&](std::span<const sla::Dossier> batch) {
    EXPECT_EQ(batch.size(), 3u);
    ++calls;
  });
  EXPECT_EQ(calls, 2);
  store_.for_each("nobody", 3, [&](std::span<const sla::Dossier>) { ADD_FAILURE(); });
}

TEST_F(DossierStoreTest, ForEachLetsTheVisitorWriteThroughTheSameDatabase) {
  std::vector<StoredRecord> records;
  for (int i = 0; i < 10; ++i)
    records.push_back(record_of(small_dossier("A-" + std::to_string(i))));
  store_.upsert(records, T("2026-03-10 10:00"));
  int visited = 0;
  store_.for_each("motcua", 4, [&](std::span<const sla::Dossier> batch) {
    std::vector<StoredRecord> changed;
    for (const auto& d : batch) {
      sla::Dossier c = d;
      c.status = sla::Status::processing;
      changed.push_back(record_of(c));
    }
    EXPECT_EQ(store_.upsert(changed, T("2026-03-10 11:00")).updated, batch.size());
    visited += static_cast<int>(batch.size());
  });
  EXPECT_EQ(visited, 10);
  EXPECT_EQ(db_.sql().execAndGet("SELECT count(*) FROM dossier WHERE status = 4").getInt64(), 10);
}

TEST_F(DossierStoreTest, ACorruptBodyIsAnErrorNamingTheDossier) {
  upsert({record_of(small_dossier("A-1")), record_of(small_dossier("A-2"))}, T("2026-03-10 10:00"));
  db_.sql().exec("UPDATE dossier SET body = x'01ff' WHERE code = 'A-2'");
  try {
    store_.for_each("", 10, [](std::span<const sla::Dossier>) {});
    FAIL() << "a corrupt body was decoded";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("A-2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(store_.get("motcua", "A-2"), StoreError);
  EXPECT_TRUE(store_.get("motcua", "A-1"));
}

TEST_F(DossierStoreTest, ABodyOfAnotherDossierIsAnError) {
  upsert({record_of(small_dossier("A-1")), record_of(small_dossier("A-2"))}, T("2026-03-10 10:00"));
  db_.sql().exec(
      "UPDATE dossier SET body = (SELECT body FROM dossier WHERE code = 'A-1') "
      "WHERE code = 'A-2'");
  EXPECT_THROW(store_.for_each("", 10, [](std::span<const sla::Dossier>) {}), StoreError);
}

TEST_F(DossierStoreTest, IntegrityHoldsAfterManyUpserts) {
  for (int round = 0; round < 3; ++round) {
    std::vector<StoredRecord> records;
    for (int i = 0; i < 300; ++i) {
      sla::Dossier d = full_dossier("A-" + std::to_string(i));
      d.due_at = T("2026-03-16 17:00") + std::chrono::hours(round * (i % 2));
      records.push_back(record_of(d));
    }
    store_.upsert(records, T("2026-03-10 10:00") + std::chrono::hours(round));
  }
  EXPECT_EQ(rows("deadline_history"), 2 * 150);
  EXPECT_TRUE(db_.integrity_check().empty());
}

}  // namespace
}  // namespace motcua::store
