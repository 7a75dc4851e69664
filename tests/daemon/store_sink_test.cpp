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
  connectors::SyncReport sync(store::Database& db) {
    store::DossierStore dossiers(db);
    store::SyncState state(db, dossiers);
    store::Quarantine quarantine(db);
    StoreSink sink(db, state, quarantine, "motcua", [this] { return sim.now(); });
    connectors::UpstreamSession session(client, endpoint());
    connectors::SyncOptions options;
    options.page_size = 50;
    return io.run(
        connectors::sync_motcua(session, connectors::RecordMapping{}, "motcua", sink, options));
  }

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

}  // namespace
}  // namespace motcua::daemon
