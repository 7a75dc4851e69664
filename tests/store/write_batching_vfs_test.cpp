// The write-batching VFS (store/write_batching_vfs.hpp) under the Database: what a commit returns
// is in the file for other connections and survives SIGKILL, a checkpoint leaves the file whole, a
// write that fails fails its commit, and the writes of a commit do go out together.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <random>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "store/database.hpp"
#include "store/write_batching_vfs.hpp"
#include "tests/store/fixtures.hpp"

namespace motcua::store {
namespace {

// A table of its own beside the schema: random keys under a unique index, so a transaction
// dirties pages all over the index, and values of ~1 KB.
void create_table(Database& db) {
  db.sql().exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v BLOB)");
}

// Inserts `rows` rows in one transaction; their values are `fill` repeated.
void insert_rows(Database& db, std::mt19937_64& rng, int rows, char fill) {
  Transaction tx(db);
  SQLite::Statement insert(db.sql(), "INSERT INTO t (k, v) VALUES (?, ?)");
  const std::string value(1000, fill);
  for (int i = 0; i < rows; ++i) {
    insert.bind(1, std::to_string(rng()));
    insert.bind(2, value.data(), static_cast<int>(value.size()));
    insert.exec();
    insert.reset();
  }
  tx.commit();
}

// Rows and the total length of their values, read through SQLite's default VFS by a connection of
// its own, as another process reads the file.
struct Content {
  std::int64_t rows = 0;
  std::int64_t bytes = 0;
  bool operator==(const Content&) const = default;
  friend void PrintTo(const Content& c, std::ostream* out) {
    *out << c.rows << " rows, " << c.bytes << " bytes";
  }
};
Content read_content(const std::filesystem::path& path) {
  SQLite::Database reader(path.string(), SQLite::OPEN_READONLY, 5000);
  SQLite::Statement q(reader, "SELECT count(*), coalesce(sum(length(v)), 0) FROM t");
  q.executeStep();
  return {q.getColumn(0).getInt64(), q.getColumn(1).getInt64()};
}

// Write system calls of this process so far (/proc/self/io).
std::int64_t write_calls() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::int64_t value = 0;
  while (io >> key >> value)
    if (key == "syscw:") return value;
  return -1;
}

DatabaseOptions small_cache() {
  DatabaseOptions o;
  o.cache_kib = 64;  // 16 pages: a transaction spills pages and then changes them again
  return o;
}

class WriteBatchingTest : public testing::StoreTest {};

TEST_F(WriteBatchingTest, EveryCommitIsInTheFileForOtherConnections) {
  DatabaseOptions options = small_cache();
  options.checkpoint_in_background = false;
  Database db(db_path(), options);
  create_table(db);
  std::mt19937_64 rng(7);
  Content expected;
  int commit = 0;
  for (int rows : {1, 7, 300, 1, 64, 2, 500, 1}) {
    for (int repeat = 0; repeat < 3; ++repeat) {
      insert_rows(db, rng, rows, static_cast<char>('a' + commit++ % 26));
      expected.rows += rows;
      expected.bytes += rows * 1000;
      ASSERT_EQ(read_content(db_path()), expected) << "after commit " << commit;
    }
  }
}

TEST_F(WriteBatchingTest, ACommitSurvivesSigkillRightAfterIt) {
  { Database create(db_path()); }
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  constexpr int kCommits = 12;
  constexpr int kRows = 400;
  constexpr int kLastRows = 3;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    try {
      Database db(db_path(), small_cache());
      create_table(db);
      std::mt19937_64 rng(11);
      // Transactions larger than the cache spill pages and then rewrite their frames' checksums
      // at the commit; the small last one does neither.
      for (int i = 0; i < kCommits; ++i)
        insert_rows(db, rng, kRows, 'x');
      insert_rows(db, rng, kLastRows, 'y');
      const char done = 1;
      if (write(ready[1], &done, 1) != 1) _exit(2);
      for (;;)
        pause();  // killed here, right after the last commit returned
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child failed: %s\n", e.what());
    }
    _exit(3);
  }
  close(ready[1]);
  char done = 0;
  const ssize_t n = read(ready[0], &done, 1);
  close(ready[0]);
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_EQ(n, 1) << "the child did not commit (status " << status << ")";
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;

  Database db(db_path());
  EXPECT_EQ(db.integrity_check(), std::vector<std::string>{});
  constexpr int kAll = kCommits * kRows + kLastRows;
  EXPECT_EQ(read_content(db_path()), (Content{kAll, kAll * 1000}));
}

TEST_F(WriteBatchingTest, ACheckpointLeavesTheFileWhole) {
  DatabaseOptions options = small_cache();
  options.checkpoint_in_background = false;
  options.checkpoint_bytes = 1024 * 1024;  // the writer checkpoints every 256 pages of log
  Database db(db_path(), options);
  create_table(db);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20; ++i)
    insert_rows(db, rng, 250, 'c');
  db.sql().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(std::filesystem::file_size(db_path().string() + "-wal"), 0u);
  EXPECT_EQ(db.integrity_check(), std::vector<std::string>{});
  EXPECT_EQ(read_content(db_path()), (Content{5000, 5000 * 1000}));

  // The database file alone (the log is empty) reads back whole through the default VFS.
  SQLite::Database reader(db_path().string(), SQLite::OPEN_READONLY, 5000);
  EXPECT_EQ(reader.execAndGet("PRAGMA integrity_check").getString(), "ok");
}

TEST_F(WriteBatchingTest, AWriteThatFailsFailsItsCommit) {
  { Database create(db_path()); }
  int result[2];
  ASSERT_EQ(pipe(result), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(result[0]);
    // Writes past 2 MiB fail with EFBIG instead of raising SIGXFSZ: the log stops growing there.
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{2 * 1024 * 1024, 2 * 1024 * 1024};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(2);
    int committed = 0;
    try {
      DatabaseOptions options;
      options.checkpoint_in_background = false;
      Database db(db_path(), options);
      create_table(db);
      std::mt19937_64 rng(5);
      for (; committed < 1000; ++committed)
        insert_rows(db, rng, 50, 'f');
    } catch (const std::exception&) {
      // the commit that did not fit
    }
    if (write(result[1], &committed, sizeof committed) != sizeof committed) _exit(2);
    _exit(0);
  }
  close(result[1]);
  int committed = -1;
  const ssize_t n = read(result[0], &committed, sizeof committed);
  close(result[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_EQ(n, static_cast<ssize_t>(sizeof committed)) << "status " << status;
  ASSERT_GT(committed, 0);
  ASSERT_LT(committed, 1000) << "no write failed: the limit did not apply";

  // Every commit that returned is there, and nothing of the one that failed.
  Database db(db_path());
  EXPECT_EQ(db.integrity_check(), std::vector<std::string>{});
  EXPECT_EQ(read_content(db_path()), (Content{committed * 50, committed * 50 * 1000}));
}

TEST_F(WriteBatchingTest, TheWritesOfACommitAndOfACheckpointGoOutTogether) {
  ASSERT_GE(write_calls(), 0) << "/proc/self/io is not readable";
  struct Calls {
    std::int64_t commit = 0;
    std::int64_t checkpoint = 0;
  };
  auto calls = [&](bool batch, const std::string& name) {
    DatabaseOptions options;
    options.batch_writes = batch;
    options.checkpoint_in_background = false;
    Database db(dir_.path() / name, options);
    create_table(db);
    std::mt19937_64 rng(1);
    Calls c;
    std::int64_t before = write_calls();
    insert_rows(db, rng, 2000, 'w');  // ~2 MB: ~600 pages of log
    c.commit = write_calls() - before;
    before = write_calls();
    db.sql().exec("PRAGMA wal_checkpoint(PASSIVE)");
    c.checkpoint = write_calls() - before;
    return c;
  };
  const Calls plain = calls(false, "plain.db");
  const Calls batched = calls(true, "batched.db");
  EXPECT_GT(plain.commit, 1000);  // two a page
  EXPECT_LT(batched.commit * 10, plain.commit)
      << "batched " << batched.commit << ", plain " << plain.commit;
  EXPECT_GT(plain.checkpoint, 500);  // one a page
  EXPECT_LT(batched.checkpoint * 10, plain.checkpoint)
      << "batched " << batched.checkpoint << ", plain " << plain.checkpoint;
  EXPECT_EQ(read_content(dir_.path() / "plain.db"), read_content(dir_.path() / "batched.db"));
}

TEST(WriteBatchingVfs, IsRegisteredOnceUnderOneName) {
  const char* name = write_batching_vfs();
  EXPECT_STREQ(name, write_batching_vfs());
  EXPECT_NE(sqlite3_vfs_find(name), nullptr);
  EXPECT_NE(sqlite3_vfs_find(nullptr), sqlite3_vfs_find(name)) << "must not become the default";
}

}  // namespace
}  // namespace motcua::store
