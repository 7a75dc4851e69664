// kill -9 in the middle of syncing: a child process commits sync pages in a loop and is killed at a
// random moment; the file must then open, pass the integrity check, and hold exactly the pages up
// to its cursor, never fewer (the cursor past unstored records) and never more.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/quarantine.hpp"
#include "store/sync_state.hpp"
#include "tests/store/fixtures.hpp"

namespace motcua::store {
namespace {

using testing::small_dossier;
using testing::T;

constexpr int kPerPage = 40;

// The cursor value of page n: its number, zero-padded like NgayCapNhat.
std::string cursor_of(long page) {
  char text[32];
  std::snprintf(text, sizeof text, "%014ld", page);
  return text;
}

std::string code_of(long page, int i) {
  return "P" + std::to_string(page) + "-" + std::to_string(i);
}

// Page n: kPerPage new dossiers with ~1.5 KB of raw text each, and from page 2 on a new deadline
// for the first dossier of the page before (one deadline_history row per page).
std::vector<StoredRecord> page_records(long page) {
  std::vector<StoredRecord> records;
  for (int i = 0; i < kPerPage; ++i) {
    sla::Dossier d = small_dossier(code_of(page, i));
    records.push_back({d, std::string(1500, static_cast<char>('a' + i % 26))});
  }
  if (page > 1) {
    sla::Dossier moved = small_dossier(code_of(page - 1, 0));
    moved.due_at = *moved.due_at + std::chrono::hours(24);
    records.push_back({moved, std::string(1500, 'a')});
  }
  return records;
}

// The child: resumes from the stored cursor and commits pages until it is killed. Each page's
// records, cursor and quarantined record commit in one transaction.
[[noreturn]] void write_pages_forever(const std::filesystem::path& path) {
  try {
    Database db(path);
    DossierStore dossiers(db);
    SyncState sync(db, dossiers);
    Quarantine quarantine(db);
    auto cursor = sync.cursor("motcua");
    for (long page = cursor ? std::stol(cursor->value) + 1 : 1;; ++page) {
      auto records = page_records(page);
      std::vector<std::string> at_cursor;
      for (int i = 0; i < kPerPage; ++i)
        at_cursor.push_back(code_of(page, i));
      Transaction tx(db);
      quarantine.add({"motcua", "page " + std::to_string(page), "unknown status code 42", "{}"},
                     T("2026-03-10 10:00"));
      sync.commit_page("motcua", records, cursor_of(page), at_cursor, T("2026-03-10 10:00"));
      tx.commit();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "writer failed: %s\n", e.what());
  }
  _exit(3);
}

std::int64_t stored_dossiers(const std::filesystem::path& path) {
  SQLite::Database reader(path.string(), SQLite::OPEN_READONLY, 5000);
  return reader.execAndGet("SELECT count(*) FROM dossier").getInt64();
}

class KillTest : public testing::StoreTest {};

TEST_F(KillTest, AKilledWriterNeverLeavesTheCursorPastItsRecords) {
  { Database create(db_path()); }
  const auto seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);

  std::int64_t before = 0;
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // Kill once at least this many more dossiers are committed: 1 to 25 pages' worth, and then
    // wherever the writer happens to be (almost always inside a transaction).
    const std::int64_t target = before + kPerPage * (1 + static_cast<int>(rng() % 25));

    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) write_pages_forever(db_path());

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool reached = false;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(child, &status, WNOHANG) == child) break;  // died on its own: fails below
      if (stored_dossiers(db_path()) >= target) {
        reached = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(500 + rng() % 1000));
    }
    if (reached || waitpid(child, &status, WNOHANG) == 0) {
      kill(child, SIGKILL);
      ASSERT_EQ(waitpid(child, &status, 0), child);
    }
    ASSERT_TRUE(reached) << "the writer did not reach " << target << " dossiers in time";
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;

    Database db(db_path());
    EXPECT_EQ(db.integrity_check(), std::vector<std::string>{});
    DossierStore dossiers(db);
    SyncState sync(db, dossiers);
    Quarantine quarantine(db);
    auto cursor = sync.cursor("motcua");
    ASSERT_TRUE(cursor);
    const long pages = std::stol(cursor->value);
    EXPECT_EQ(dossiers.count(), pages * kPerPage);
    EXPECT_EQ(cursor->codes_at_cursor.size(), static_cast<std::size_t>(kPerPage));
    for (const auto& code : cursor->codes_at_cursor)
      EXPECT_TRUE(dossiers.get("motcua", code)) << code;
    EXPECT_FALSE(dossiers.get("motcua", code_of(pages + 1, 0)));
    EXPECT_EQ(quarantine.total(), pages);
    EXPECT_EQ(sync.source_health("motcua")->records_synced, pages * kPerPage + (pages - 1));
    EXPECT_EQ(dossiers.deadline_changes("motcua", code_of(pages - 1, 0)).size(),
              pages > 1 ? 1u : 0u);
    before = dossiers.count();
    EXPECT_GE(before, target);
  }
}

}  // namespace
}  // namespace motcua::store
