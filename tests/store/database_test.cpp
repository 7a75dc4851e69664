#include "store/database.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "tests/store/fixtures.hpp"

namespace motcua::store {
namespace {

using testing::StoreTest;

std::int64_t scalar(SQLite::Database& db, const std::string& sql) {
  return db.execAndGet(sql).getInt64();
}

int latest_version() {
  return static_cast<int>(schema_migrations().size());
}

class DatabaseTest : public StoreTest {};

TEST_F(DatabaseTest, CreatesTheWholeSchemaInAnEmptyFile) {
  Database db(db_path());
  EXPECT_EQ(db.schema_version(), latest_version());
  for (const char* table :
       {"dossier", "dossier_raw", "deadline_history", "sync_cursor", "sync_cursor_code",
        "source_health", "portal_lookup", "quarantine", "quarantine_total", "schema_migration"})
    EXPECT_TRUE(db.sql().tableExists(table)) << table;
  EXPECT_EQ(scalar(db.sql(), "SELECT count(*) FROM schema_migration"), latest_version());
  EXPECT_EQ(scalar(db.sql(), "PRAGMA application_id"), kApplicationId);
}

TEST_F(DatabaseTest, UsesWalModeWithNormalSyncAndForeignKeys) {
  Database db(db_path());
  EXPECT_EQ(db.sql().execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(scalar(db.sql(), "PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(scalar(db.sql(), "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(scalar(db.sql(), "PRAGMA busy_timeout"), 5000);
  EXPECT_EQ(scalar(db.sql(), "PRAGMA page_size"), DatabaseOptions{}.page_size);
  db.sql().exec("INSERT INTO quarantine_total (source, total) VALUES ('a', 1)");
  EXPECT_TRUE(std::filesystem::exists(db_path().string() + "-wal"));
}

TEST_F(DatabaseTest, ReopeningKeepsTheDataAndRunsNoMigrationAgain) {
  {
    Database db(db_path());
    db.sql().exec("INSERT INTO quarantine_total (source, total) VALUES ('motcua', 7)");
  }
  Database db(db_path());
  EXPECT_EQ(db.schema_version(), latest_version());
  EXPECT_EQ(scalar(db.sql(), "SELECT total FROM quarantine_total WHERE source = 'motcua'"), 7);
  EXPECT_EQ(scalar(db.sql(), "SELECT count(*) FROM schema_migration"), latest_version());
}

TEST_F(DatabaseTest, RefusesAFileWrittenByANewerBuild) {
  { Database db(db_path()); }
  {
    SQLite::Database raw(db_path().string(), SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version=" + std::to_string(latest_version() + 1));
  }
  try {
    Database db(db_path());
    FAIL() << "a newer schema was accepted";
  } catch (const SchemaTooNew& e) {
    EXPECT_EQ(e.file_version, latest_version() + 1);
    EXPECT_EQ(e.known_version, latest_version());
    EXPECT_NE(std::string(e.what()).find(db_path().string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
  SQLite::Database raw(db_path().string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(scalar(raw, "PRAGMA user_version"), latest_version() + 1);
}

TEST_F(DatabaseTest, RefusesAnotherProgramsSqliteFileWithoutTouchingIt) {
  {
    SQLite::Database raw(db_path().string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE contacts (name TEXT)");
  }
  try {
    Database db(db_path());
    FAIL() << "a foreign file was accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("not a motcua-watch state database"), std::string::npos)
        << e.what();
  }
  SQLite::Database raw(db_path().string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "delete");
  EXPECT_EQ(scalar(raw, "SELECT count(*) FROM sqlite_schema"), 1);
}

TEST_F(DatabaseTest, RefusesAFileThatIsNotSqlite) {
  std::ofstream(db_path(), std::ios::binary) << std::string(8192, 'x');
  try {
    Database db(db_path());
    FAIL() << "a non-SQLite file was accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(db_path().string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
  }
}

TEST_F(DatabaseTest, CannotCreateAFileInAMissingFolder) {
  EXPECT_THROW(Database(dir_.path() / "missing" / "state.db"), StoreError);
}

TEST_F(DatabaseTest, VersionTwoGivesExistingSourcesTheirEarliestKnownTime) {
  const auto all = schema_migrations();
  ASSERT_GE(all.size(), 2u);
  {
    Database db(db_path(), {}, all.subspan(0, 1));
    db.sql().exec(
        "INSERT INTO source_health (source, last_attempt, last_success, last_failure) "
        "VALUES ('motcua', 300, 200, 250), ('dvc', NULL, NULL, 400)");
  }
  Database db(db_path());
  EXPECT_EQ(db.schema_version(), latest_version());
  EXPECT_EQ(scalar(db.sql(), "SELECT first_attempt FROM source_health WHERE source = 'motcua'"),
            200);
  EXPECT_EQ(scalar(db.sql(), "SELECT first_attempt FROM source_health WHERE source = 'dvc'"), 400);
}

constexpr Migration kFirst{1, "table a", "CREATE TABLE a (x INTEGER);"};
constexpr Migration kSecond{2, "table b, a row in a",
                            "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (2);"};
constexpr Migration kBroken{3, "table c, then a mistake",
                            "CREATE TABLE c (z INTEGER); INSERT INTO no_such_table VALUES (1);"};

TEST_F(DatabaseTest, AppliesOnlyTheMigrationsNotYetApplied) {
  const Migration one[] = {kFirst};
  const Migration two[] = {kFirst, kSecond};
  {
    Database db(db_path(), {}, one);
    EXPECT_EQ(db.schema_version(), 1);
    EXPECT_FALSE(db.sql().tableExists("b"));
  }
  // Migration 1 run again would fail: its table exists.
  Database db(db_path(), {}, two);
  EXPECT_EQ(db.schema_version(), 2);
  EXPECT_TRUE(db.sql().tableExists("b"));
  EXPECT_EQ(scalar(db.sql(), "SELECT count(*) FROM a"), 1);
  EXPECT_EQ(scalar(db.sql(), "SELECT count(*) FROM schema_migration"), 2);
}

TEST_F(DatabaseTest, AFailingMigrationRollsBackAloneAndNamesItself) {
  const Migration three[] = {kFirst, kSecond, kBroken};
  try {
    Database db(db_path(), {}, three);
    FAIL() << "the broken migration was accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("migration 3 (table c, then a mistake)"),
              std::string::npos)
        << e.what();
  }
  const Migration two[] = {kFirst, kSecond};
  Database db(db_path(), {}, two);
  EXPECT_EQ(db.schema_version(), 2);
  EXPECT_TRUE(db.sql().tableExists("b"));
  EXPECT_FALSE(db.sql().tableExists("c"));
}

TEST_F(DatabaseTest, RejectsAMigrationListWithGaps) {
  const Migration gap[] = {kFirst, Migration{3, "three", "CREATE TABLE c (z INTEGER);"}};
  EXPECT_THROW(Database(db_path(), {}, gap), std::logic_error);
}

TEST_F(DatabaseTest, IntegrityCheckPassesOnASoundFile) {
  Database db(db_path());
  for (int i = 0; i < 200; ++i)
    db.sql().exec(
        "INSERT INTO quarantine (source, position, reason, raw, raw_bytes, "
        "received_at) VALUES ('s', 'line', 'bad', zeroblob(1000), 1000, 0)");
  EXPECT_TRUE(db.integrity_check().empty());
}

TEST_F(DatabaseTest, IntegrityCheckReportsADamagedFile) {
  {
    Database db(db_path());
    for (int i = 0; i < 200; ++i)
      db.sql().exec(
          "INSERT INTO quarantine (source, position, reason, raw, raw_bytes, "
          "received_at) VALUES ('s', 'line', 'bad', randomblob(1000), 1000, 0)");
  }  // closing the last connection checkpoints the log into the file
  ASSERT_GT(std::filesystem::file_size(db_path()), 20u * 4096);
  {
    std::fstream f(db_path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8 * 4096);
    const std::string garbage(4 * 4096, '\xff');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  Database db(db_path());
  EXPECT_FALSE(db.integrity_check().empty());
}

// Many small commits, 4 MB in all, against a log meant to hold 256 KiB: whether the background
// thread or the writer itself checkpoints, the log stays small and the data reaches the file.
class CheckpointTest : public StoreTest, public ::testing::WithParamInterface<bool> {};

TEST_P(CheckpointTest, TheLogStaysBoundedAndTheDataReachesTheFile) {
  DatabaseOptions options;
  options.checkpoint_bytes = 256 * 1024;
  options.checkpoint_in_background = GetParam();
  const auto wal = db_path().string() + "-wal";
  std::uintmax_t largest_log = 0;
  {
    Database db(db_path(), options);
    for (int i = 0; i < 500; ++i) {
      db.sql().exec(
          "INSERT INTO quarantine (source, position, reason, raw, raw_bytes, "
          "received_at) VALUES ('s', 'line', 'bad', randomblob(8000), 8000, 0)");
      largest_log = std::max(largest_log, std::filesystem::file_size(wal));
    }
    // All but what the bounded log may still hold (a checkpoint in the background can lag).
    EXPECT_GT(std::filesystem::file_size(db_path()), 4u * 1000 * 1000 - 4u * 256 * 1024);
    EXPECT_TRUE(db.integrity_check().empty());
  }
  // Four times the checkpoint size, plus a transaction and the log's headers.
  EXPECT_LT(largest_log, 4u * 256 * 1024 + 64 * 1024);
  EXPECT_FALSE(std::filesystem::exists(wal));  // the last connection checkpointed and removed it
  EXPECT_GT(std::filesystem::file_size(db_path()), 4u * 1000 * 1000);
  Database db(db_path(), options);
  EXPECT_EQ(scalar(db.sql(), "SELECT count(*) FROM quarantine"), 500);
}

INSTANTIATE_TEST_SUITE_P(InBackgroundOrNot, CheckpointTest, ::testing::Bool());

// A log past checkpoint_bytes but below the bound at which the writer checkpoints itself: only the
// background thread copies it into the file, and it does so without another commit to wake it.
TEST_F(StoreTest, TheBackgroundThreadCheckpointsALogPastItsSize) {
  DatabaseOptions options;
  options.checkpoint_bytes = 256 * 1024;
  Database db(db_path(), options);
  const auto before = std::filesystem::file_size(db_path());
  const auto wal = db_path().string() + "-wal";
  while (std::filesystem::file_size(wal) < 320 * 1024)  // commits of ~20 KB, two new pages each
    db.sql().exec(
        "INSERT INTO quarantine (source, position, reason, raw, raw_bytes, received_at) "
        "VALUES ('s', 'line', 'bad', randomblob(8000), 8000, 0)");
  ASSERT_LT(std::filesystem::file_size(wal), 1024 * 1024) << "the writer's own bound was reached";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::filesystem::file_size(db_path()) < before + 100 * 1024 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_GE(std::filesystem::file_size(db_path()), before + 100 * 1024)
      << "the file grew from " << before << " bytes only";
}

class TransactionTest : public StoreTest {
 protected:
  void SetUp() override { db_.sql().exec("CREATE TABLE scratch (x INTEGER)"); }
  std::int64_t rows() { return scalar(db_.sql(), "SELECT count(*) FROM scratch"); }
  void insert(int x) { db_.sql().exec("INSERT INTO scratch VALUES (" + std::to_string(x) + ")"); }
  Database db_{db_path()};
};

TEST_F(TransactionTest, CommitKeepsAndDestructionRollsBack) {
  {
    Transaction tx(db_);
    insert(1);
    tx.commit();
  }
  {
    Transaction tx(db_);
    insert(2);
  }
  EXPECT_EQ(rows(), 1);
}

TEST_F(TransactionTest, NestedRollbackUndoesOnlyTheInnerPart) {
  Transaction outer(db_);
  insert(1);
  {
    Transaction inner(db_);
    insert(2);
  }
  insert(3);
  outer.commit();
  EXPECT_EQ(rows(), 2);
  EXPECT_EQ(scalar(db_.sql(), "SELECT count(*) FROM scratch WHERE x = 2"), 0);
}

TEST_F(TransactionTest, OuterRollbackUndoesACommittedInnerPart) {
  {
    Transaction outer(db_);
    insert(1);
    Transaction inner(db_);
    insert(2);
    inner.commit();
  }
  EXPECT_EQ(rows(), 0);
}

TEST_F(TransactionTest, CommittingTwiceIsAnError) {
  Transaction tx(db_);
  tx.commit();
  EXPECT_THROW(tx.commit(), std::logic_error);
}

}  // namespace
}  // namespace motcua::store
