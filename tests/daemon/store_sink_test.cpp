// A one-stop sync into the real store: everything the simulator lists ends up stored once, the
// cursor survives a reopen, and the next sync fetches only what changed.
#include "daemon/store_sink.hpp"

#include <gtest/gtest.h>

#include "tests/connectors/upstream_fixture.hpp"
#include "tests/support/process.hpp"

namespace motcua::daemon {
namespace {

using namespace std::chrono;
using connectors::testing::kStart;

class StoreSinkTest : public connectors::testing::UpstreamFixture {
 protected:
  connectors::SyncReport sync(store::Database& db, StoreSinkOptions sink_options = {},
                              bool flush = true, std::size_t page_size = 50) {
    store::DossierStore dossiers(db);
    store::SyncState state(db, dossiers);
    store::Quarantine quarantine(db);
    StoreSink sink(
        db, state, quarantine, "motcua", [this] { return sim.now(); }, sink_options);
    connectors::UpstreamSession session(client, endpoint());
    connectors::SyncOptions options;
    options.page_size = page_size;
    auto report = io.run(
        connectors::sync_motcua(session, connectors::RecordMapping{}, "motcua", sink, options));
    if (flush) {
      try {
        sink.flush();
      } catch (const std::exception& e) {
        flush_error = e.what();
      }
    }
    // With queued pages commit_page cannot count; the sink's totals can (the daemon does this).
    report.inserted = sink.totals().inserted;
    report.updated = sink.totals().updated;
    return report;
  }

  // The error flush() threw in the last sync, empty when none.
  std::string flush_error;

  testing::TempDir dir;
};

TEST_F(StoreSinkTest, FullThenIncrementalSyncIntoSqlite) {
  const auto expected = listing();
  ASSERT_GT(expected.size(), 100u);
  {
    store::Database db(dir.path() / "state.db");
    auto report = sync(db);
    ASSERT_TRUE(report.error.empty()) << report.error;
    EXPECT_EQ(report.inserted, expected.size());
    store::DossierStore dossiers(db);
    EXPECT_EQ(dossiers.count("motcua"), static_cast<std::int64_t>(expected.size()));
    for (const auto& [code, raw] : expected) {
      auto stored = dossiers.get("motcua", code);
      ASSERT_TRUE(stored) << code;
      EXPECT_EQ(dossiers.raw("motcua", code), raw);
    }
    EXPECT_TRUE(db.integrity_check().empty());
  }

  sim.set_now(kStart + hours(6));
  const auto later = listing();
  std::size_t changed = 0;
  for (const auto& [code, raw] : later) {
    auto it = expected.find(code);
    if (it == expected.end() || it->second != raw) ++changed;
  }
  ASSERT_GT(changed, 0u);
  // Reopened: the cursor was persisted, so only what changed is fetched again.
  store::Database db(dir.path() / "state.db");
  auto report = sync(db);
  ASSERT_TRUE(report.error.empty()) << report.error;
  EXPECT_EQ(report.inserted + report.updated, changed);
  EXPECT_LT(report.records, later.size() / 2);
  store::DossierStore dossiers(db);
  EXPECT_EQ(dossiers.count("motcua"), static_cast<std::int64_t>(later.size()));
}

TEST_F(StoreSinkTest, BadRecordsAreQuarantinedWithThePage) {
  sim.add_fault({sim::Fault::Kind::wrong_types, "LayDanhSachHoSo", 1, {}});
  store::Database db(dir.path() / "state.db");
  auto report = sync(db);
  ASSERT_TRUE(report.error.empty()) << report.error;
  EXPECT_EQ(report.bad, 50u);  // the first page, every record spoiled
  store::Quarantine quarantine(db);
  EXPECT_EQ(quarantine.total("motcua"), 50);
  EXPECT_FALSE(quarantine.list("motcua", 1).at(0).raw.empty());
}

// Pages merged into fewer transactions store exactly what page-by-page commits store, cursor and
// codes at the cursor included (the listing's nightly value spans several pages of 10 here).
// The same holds with pages written by the sink's thread while the sync reads the next ones.
class MergedPagesTest : public StoreSinkTest,
                        public ::testing::WithParamInterface<StoreSinkOptions> {};

TEST_P(MergedPagesTest, StoreWhatPageByPageStores) {
  store::Database single(dir.path() / "single.db");
  store::Database merged(dir.path() / "merged.db");
  for (int round = 0; round < 2; ++round) {
    if (round == 1) sim.set_now(kStart + hours(6));
    auto a = sync(single, {}, true, 10);
    auto b = sync(merged, GetParam(), true, 10);
    ASSERT_TRUE(a.error.empty() && b.error.empty()) << a.error << b.error;
    if (round == 0) {
      EXPECT_GT(a.group_passes, 0u);  // a value shared by more than a page
    }
    EXPECT_EQ(a.records, b.records);
    EXPECT_EQ(a.inserted, b.inserted);
    EXPECT_EQ(a.updated, b.updated);
    store::DossierStore da(single), db(merged);
    store::SyncState sa(single, da), sb(merged, db);  // a: page by page, b: merged
    ASSERT_TRUE(sa.cursor("motcua") && sb.cursor("motcua"));
    EXPECT_EQ(sa.cursor("motcua")->value, sb.cursor("motcua")->value);
    EXPECT_EQ(sa.cursor("motcua")->codes_at_cursor, sb.cursor("motcua")->codes_at_cursor);
    EXPECT_FALSE(sb.cursor("motcua")->codes_at_cursor.empty());
    EXPECT_EQ(da.count("motcua"), db.count("motcua"));
    for (const auto& [code, raw] : listing())
      EXPECT_EQ(db.raw("motcua", code), raw) << code;
  }
}

INSTANTIATE_TEST_SUITE_P(Sinks, MergedPagesTest,
                         ::testing::Values(StoreSinkOptions{4, 0}, StoreSinkOptions{1, 2},
                                           StoreSinkOptions{4, 2}, kDaemonSinkOptions));

// Merged pages become durable at flush(): a sink dropped before it leaves neither records nor a
// cursor behind (pages still queued for its thread are dropped too), and the next sync fetches
// everything again.
class UnflushedTest : public StoreSinkTest,
                      public ::testing::WithParamInterface<StoreSinkOptions> {};

TEST_P(UnflushedTest, PagesNotFlushedAreRolledBack) {
  store::Database db(dir.path() / "state.db");
  auto dropped = sync(db, GetParam(), false);
  ASSERT_TRUE(dropped.error.empty()) << dropped.error;
  store::DossierStore dossiers(db);
  store::SyncState state(db, dossiers);
  EXPECT_EQ(dossiers.count("motcua"), 0);
  EXPECT_FALSE(state.cursor("motcua"));
  auto again = sync(db, GetParam());
  ASSERT_TRUE(again.error.empty()) << again.error;
  EXPECT_EQ(again.inserted, listing().size());
  EXPECT_EQ(dossiers.count("motcua"), static_cast<std::int64_t>(listing().size()));
}

INSTANTIATE_TEST_SUITE_P(Sinks, UnflushedTest,
                         ::testing::Values(StoreSinkOptions{1000, 0}, StoreSinkOptions{1000, 2}));

// A page that fails on the sink's thread: the sync learns it at its next page (or at flush when
// none follows), nothing after it is written, what came before it is kept with a cursor that
// lists only stored codes, and the next sync goes on from there.
TEST_F(StoreSinkTest, QueuedPageThatFailsStopsTheSyncAndKeepsWhatCameBefore) {
  store::Database db(dir.path() / "state.db");
  // The 25th dossier fails, on the third or fourth page of 10.
  db.sql().exec(
      "CREATE TRIGGER fail BEFORE INSERT ON dossier WHEN (SELECT count(*) FROM dossier) >= 24 "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  auto failed = sync(db, StoreSinkOptions{1, 2}, true, 10);
  EXPECT_FALSE(failed.ok() && flush_error.empty());
  const std::string error = failed.error + flush_error;
  EXPECT_NE(error.find("injected failure"), std::string::npos) << error;
  if (!failed.ok()) {
    EXPECT_NE(failed.error.find("an earlier page could not be stored"), std::string::npos)
        << failed.error;
  }
  store::DossierStore dossiers(db);
  store::SyncState state(db, dossiers);
  // The pages before the failing one (pages overlap where records share a second): not one
  // record of the failing page, nor of any page after it.
  const auto kept = dossiers.count("motcua");
  EXPECT_GE(kept, 10);
  EXPECT_LE(kept, 24);
  EXPECT_EQ(failed.inserted, static_cast<std::size_t>(kept));
  ASSERT_TRUE(state.cursor("motcua"));
  EXPECT_TRUE(db.integrity_check().empty());  // includes the cursor codes' foreign keys

  db.sql().exec("DROP TRIGGER fail");
  flush_error.clear();
  auto again = sync(db, StoreSinkOptions{1, 2}, true, 10);
  ASSERT_TRUE(again.ok() && flush_error.empty()) << again.error << flush_error;
  EXPECT_EQ(dossiers.count("motcua"), static_cast<std::int64_t>(listing().size()));
  for (const auto& [code, raw] : listing())
    EXPECT_EQ(dossiers.raw("motcua", code), raw) << code;
}

}  // namespace
}  // namespace motcua::daemon
