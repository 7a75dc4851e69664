#include "store/sync_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

#include "tests/store/fixtures.hpp"

namespace motcua::store {
namespace {

using testing::record_of;
using testing::small_dossier;
using testing::T;

class SyncStateTest : public testing::StoreTest {
 protected:
  UpsertStats commit(const std::vector<std::string>& codes, const std::string& cursor,
                     const std::vector<std::string>& at_cursor,
                     const std::string& source = "motcua") {
    std::vector<StoredRecord> records;
    for (const auto& c : codes)
      records.push_back(record_of(small_dossier(c, source)));
    return sync_.commit_page(source, records, cursor, at_cursor, T("2026-03-10 10:00"));
  }
  std::int64_t rows(const std::string& table) {
    return db_.sql().execAndGet("SELECT count(*) FROM " + table).getInt64();
  }

  Database db_{db_path()};
  DossierStore dossiers_{db_};
  SyncState sync_{db_, dossiers_};
};

TEST_F(SyncStateTest, NoCursorBeforeTheFirstPage) {
  EXPECT_FALSE(sync_.cursor("motcua"));
  EXPECT_FALSE(sync_.source_health("motcua"));
}

TEST_F(SyncStateTest, APageStoresItsRecordsAndMovesTheCursor) {
  auto stats = commit({"A-1", "A-2", "A-3"}, "20260310080000", {"A-3", "A-2"});
  EXPECT_EQ(stats.inserted, 3u);
  EXPECT_EQ(dossiers_.count("motcua"), 3);
  auto c = sync_.cursor("motcua");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value, "20260310080000");
  EXPECT_EQ(c->codes_at_cursor, (std::vector<std::string>{"A-2", "A-3"}));
  EXPECT_EQ(c->committed_at, T("2026-03-10 10:00"));
  EXPECT_EQ(sync_.source_health("motcua")->records_synced, 3);
}

TEST_F(SyncStateTest, APageAtTheSameSecondAddsItsCodes) {
  commit({"A-1", "A-2"}, "20260310080000", {"A-1", "A-2"});
  commit({"A-3", "A-4"}, "20260310080000", {"A-3", "A-4"});
  EXPECT_EQ(sync_.cursor("motcua")->codes_at_cursor,
            (std::vector<std::string>{"A-1", "A-2", "A-3", "A-4"}));
}

TEST_F(SyncStateTest, APageAtALaterSecondReplacesTheCodes) {
  commit({"A-1", "A-2"}, "20260310080000", {"A-1", "A-2"});
  commit({"A-3", "A-4"}, "20260310080500", {"A-4"});
  auto c = sync_.cursor("motcua");
  EXPECT_EQ(c->value, "20260310080500");
  EXPECT_EQ(c->codes_at_cursor, (std::vector<std::string>{"A-4"}));
}

TEST_F(SyncStateTest, CursorsArePerSource) {
  commit({"A-1"}, "20260310080000", {"A-1"}, "motcua");
  commit({"B-1"}, "20260311080000", {"B-1"}, "motcua-huyen");
  EXPECT_EQ(sync_.cursor("motcua")->value, "20260310080000");
  EXPECT_EQ(sync_.cursor("motcua-huyen")->codes_at_cursor, (std::vector<std::string>{"B-1"}));
}

TEST_F(SyncStateTest, ACodeAtTheCursorThatIsNotStoredRollsBackThePage) {
  commit({"A-1"}, "20260310080000", {"A-1"});
  EXPECT_THROW(commit({"A-2", "A-3"}, "20260310090000", {"A-3", "A-9"}), std::invalid_argument);
  EXPECT_EQ(dossiers_.count(), 1);
  auto c = sync_.cursor("motcua");
  EXPECT_EQ(c->value, "20260310080000");
  EXPECT_EQ(c->codes_at_cursor, (std::vector<std::string>{"A-1"}));
  EXPECT_EQ(sync_.source_health("motcua")->records_synced, 1);
}

TEST_F(SyncStateTest, ARecordOfAnotherSourceIsRefused) {
  std::vector<StoredRecord> records = {record_of(small_dossier("A-1", "motcua")),
                                       record_of(small_dossier("B-1", "file"))};
  std::vector<std::string> at = {"A-1"};
  EXPECT_THROW(sync_.commit_page("motcua", records, "20260310080000", at, T("2026-03-10 10:00")),
               std::invalid_argument);
  EXPECT_EQ(dossiers_.count(), 0);
  EXPECT_FALSE(sync_.cursor("motcua"));
}

// A failure inside SQLite after the page's records were written (injected with a trigger) leaves
// neither the records nor the cursor nor the count behind.
class SyncFailureTest : public SyncStateTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(SyncFailureTest, NothingOfThePageIsCommitted) {
  commit({"A-1"}, "20260310080000", {"A-1"});
  db_.sql().exec(GetParam());
  EXPECT_THROW(commit({"A-2", "A-3"}, "20260310090000", {"A-3"}), SQLite::Exception);
  EXPECT_EQ(dossiers_.count(), 1);
  EXPECT_FALSE(dossiers_.get("motcua", "A-2"));
  EXPECT_EQ(sync_.cursor("motcua")->value, "20260310080000");
  EXPECT_EQ(sync_.cursor("motcua")->codes_at_cursor, (std::vector<std::string>{"A-1"}));
  EXPECT_EQ(sync_.source_health("motcua")->records_synced, 1);
  EXPECT_TRUE(db_.integrity_check().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Injected, SyncFailureTest,
    ::testing::Values("CREATE TRIGGER fail BEFORE UPDATE ON sync_cursor BEGIN "
                      "SELECT RAISE(ABORT, 'injected failure while moving the cursor'); END",
                      "CREATE TRIGGER fail BEFORE INSERT ON sync_cursor_code BEGIN "
                      "SELECT RAISE(ABORT, 'injected failure while recording the codes'); END",
                      "CREATE TRIGGER fail BEFORE UPDATE ON source_health BEGIN "
                      "SELECT RAISE(ABORT, 'injected failure while counting'); END"));

TEST_F(SyncStateTest, ResetForgetsTheCursorAndItsCodes) {
  commit({"A-1"}, "20260310080000", {"A-1"});
  sync_.reset_cursor("motcua");
  EXPECT_FALSE(sync_.cursor("motcua"));
  EXPECT_EQ(rows("sync_cursor_code"), 0);
  EXPECT_EQ(dossiers_.count(), 1);
}

TEST_F(SyncStateTest, RecordsSyncedCountsNewAndChangedRecordsOnly) {
  commit({"A-1", "A-2"}, "20260310080000", {"A-1", "A-2"});
  commit({"A-1", "A-2", "A-3"}, "20260310090000", {"A-3"});
  EXPECT_EQ(sync_.source_health("motcua")->records_synced, 3);
}

TEST_F(SyncStateTest, HealthFollowsAttemptsFailuresAndSuccesses) {
  sync_.record_attempt("motcua", T("2026-03-10 10:00"));
  sync_.record_failure("motcua", T("2026-03-10 10:01"), "HTTP 503 từ máy chủ một cửa");
  sync_.record_attempt("motcua", T("2026-03-10 10:05"));
  sync_.record_failure("motcua", T("2026-03-10 10:06"), "timeout after 30s");
  auto h = sync_.source_health("motcua");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->last_attempt, T("2026-03-10 10:05"));
  EXPECT_EQ(h->last_failure, T("2026-03-10 10:06"));
  EXPECT_EQ(h->last_error, "timeout after 30s");
  EXPECT_EQ(h->consecutive_failures, 2);
  EXPECT_FALSE(h->last_success);

  sync_.record_attempt("motcua", T("2026-03-10 10:10"));
  sync_.record_success("motcua", T("2026-03-10 10:11"));
  h = sync_.source_health("motcua");
  EXPECT_EQ(h->last_success, T("2026-03-10 10:11"));
  EXPECT_EQ(h->consecutive_failures, 0);
  EXPECT_EQ(h->last_error, "timeout after 30s");
  EXPECT_EQ(h->records_synced, 0);

  sync_.record_success("dvc", T("2026-03-10 10:12"));
  auto all = sync_.all_source_health();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].source, "dvc");
  EXPECT_EQ(all[1].source, "motcua");
}

TEST_F(SyncStateTest, TheFirstAttemptIsKept) {
  EXPECT_FALSE(sync_.source_health("motcua"));
  sync_.record_attempt("motcua", T("2026-03-10 10:00"));
  sync_.record_attempt("motcua", T("2026-03-10 10:05"));
  auto h = sync_.source_health("motcua");
  EXPECT_EQ(h->first_attempt, T("2026-03-10 10:00"));
  EXPECT_EQ(h->last_attempt, T("2026-03-10 10:05"));
  // A row made by a success alone (no attempt recorded) gets its first attempt later.
  sync_.record_success("dvc", T("2026-03-10 10:12"));
  EXPECT_FALSE(sync_.source_health("dvc")->first_attempt);
  sync_.record_attempt("dvc", T("2026-03-10 10:20"));
  EXPECT_EQ(sync_.source_health("dvc")->first_attempt, T("2026-03-10 10:20"));
}

TEST_F(SyncStateTest, ALongErrorIsCutAtACharacterBoundary) {
  std::string error;
  while (error.size() < 10000)
    error += "lỗi ";
  sync_.record_failure("motcua", T("2026-03-10 10:01"), error);
  auto h = sync_.source_health("motcua");
  EXPECT_LE(h->last_error.size(), 4096u);
  EXPECT_GE(h->last_error.size(), 4090u);
  EXPECT_EQ(error.compare(0, h->last_error.size(), h->last_error), 0);
  // "lỗi " is 6 bytes; the cut never leaves half of "ỗ".
  std::size_t rest = h->last_error.size() % 6;
  EXPECT_TRUE(rest == 0 || rest == 1 || rest == 4) << rest;
}

// The one-stop listing, simulated: records ordered by (NgayCapNhat, MaHoSo), filtered with an
// inclusive CapNhatTu, served in pages.
struct Upstream {
  struct Row {
    std::string updated;  // NgayCapNhat text
    std::string code;
    int version = 0;
  };
  std::vector<Row> rows;

  void put(const std::string& updated, const std::string& code, int version = 0) {
    std::erase_if(rows, [&](const Row& r) { return r.code == code; });
    rows.push_back({updated, code, version});
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return std::tie(a.updated, a.code) < std::tie(b.updated, b.code);
    });
  }
  std::vector<Row> page(const std::string& from, std::size_t number, std::size_t size) const {
    std::vector<Row> matching;
    for (const auto& r : rows)
      if (r.updated >= from) matching.push_back(r);
    std::vector<Row> out;
    for (std::size_t i = (number - 1) * size; i < matching.size() && out.size() < size; ++i)
      out.push_back(matching[i]);
    return out;
  }
};

// A connector's sync loop as sync_state.hpp describes it. Returns how many records it saw that
// the cursor already marked as stored. Stops after `max_pages` pages (a crash).
struct SyncRun {
  std::size_t pages = 0;
  std::size_t already_stored = 0;
  UpsertStats stats;
};

SyncRun sync(const Upstream& up, SyncState& state, std::size_t page_size,
             std::size_t max_pages = 1000) {
  SyncRun run;
  auto cursor = state.cursor("motcua");
  const std::string from = cursor ? cursor->value : "00000000000000";
  std::set<std::string> stored;
  if (cursor) stored.insert(cursor->codes_at_cursor.begin(), cursor->codes_at_cursor.end());
  for (std::size_t number = 1; run.pages < max_pages; ++number) {
    auto rows = up.page(from, number, page_size);
    if (rows.empty()) break;
    std::vector<StoredRecord> records;
    std::vector<std::string> at_cursor;
    for (const auto& r : rows) {
      if (cursor && r.updated == cursor->value && stored.count(r.code)) ++run.already_stored;
      sla::Dossier d = small_dossier(r.code);
      d.note = "version " + std::to_string(r.version);
      records.push_back(record_of(d));
      if (r.updated == rows.back().updated) at_cursor.push_back(r.code);
    }
    run.stats +=
        state.commit_page("motcua", records, rows.back().updated, at_cursor, T("2026-03-10 10:00"));
    ++run.pages;
  }
  return run;
}

TEST_F(SyncStateTest, AnInterruptedSyncResumesWithoutMissingOrCountingTwice) {
  Upstream up;
  for (int i = 0; i < 10; ++i)
    up.put("20260310080000", "A-" + std::to_string(10 + i));
  for (int i = 0; i < 3; ++i)
    up.put("20260310080001", "B-" + std::to_string(10 + i));
  for (int i = 0; i < 4; ++i)
    up.put("20260310090000", "C-" + std::to_string(10 + i));

  // Two pages of four, all in the first second, then the process dies.
  SyncRun first = sync(up, sync_, 4, 2);
  EXPECT_EQ(first.stats.inserted, 8u);
  auto c = sync_.cursor("motcua");
  EXPECT_EQ(c->value, "20260310080000");
  EXPECT_EQ(c->codes_at_cursor.size(), 8u);

  // The restart asks again from that second: the eight it has are recognised, the rest stored.
  SyncRun resumed = sync(up, sync_, 4);
  EXPECT_EQ(resumed.already_stored, 8u);
  EXPECT_EQ(resumed.stats.unchanged, 8u);
  EXPECT_EQ(resumed.stats.inserted, 9u);
  EXPECT_EQ(dossiers_.count(), 17);
  EXPECT_EQ(sync_.source_health("motcua")->records_synced, 17);
  c = sync_.cursor("motcua");
  EXPECT_EQ(c->value, "20260310090000");
  EXPECT_EQ(c->codes_at_cursor, (std::vector<std::string>{"C-10", "C-11", "C-12", "C-13"}));

  // A change moves a record to a later second; the next sync fetches only the last second again.
  up.put("20260310100000", "A-12", 1);
  SyncRun next = sync(up, sync_, 4);
  EXPECT_EQ(next.already_stored, 4u);
  EXPECT_EQ(next.stats.updated, 1u);
  EXPECT_EQ(sync_.source_health("motcua")->records_synced, 18);
  EXPECT_EQ(dossiers_.get("motcua", "A-12")->note, "version 1");
  EXPECT_EQ(sync_.cursor("motcua")->codes_at_cursor, (std::vector<std::string>{"A-12"}));
}

TEST_F(SyncStateTest, ASecondChangeWithinTheSameSecondIsStillStored) {
  Upstream up;
  up.put("20260310080000", "A-1", 0);
  sync(up, sync_, 10);
  up.put("20260310080000", "A-1", 1);  // changed again, NgayCapNhat unchanged
  SyncRun again = sync(up, sync_, 10);
  EXPECT_EQ(again.already_stored, 1u);
  EXPECT_EQ(again.stats.updated, 1u);
  EXPECT_EQ(dossiers_.get("motcua", "A-1")->note, "version 1");
}

}  // namespace
}  // namespace motcua::store
