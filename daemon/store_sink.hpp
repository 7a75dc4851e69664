#pragma once
// Where a one-stop sync's pages go in the daemon: the store. A page's records, its bad records
// (quarantined) and the cursor after it commit in one SQLite transaction, so a kill -9 never
// leaves the cursor past a record that is neither stored nor quarantined.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "connectors/motcua_sync.hpp"
#include "store/database.hpp"
#include "store/quarantine.hpp"
#include "store/sync_state.hpp"

namespace motcua::daemon {

struct StoreSinkOptions {
  // Pages whose transactions are merged into one SQLite transaction. Each page stays atomic (a
  // savepoint of its own: a page that fails leaves the pages before it), and the cursor still
  // never passes a stored record, because the cursor is in the same transaction as the records.
  // What changes is when pages become durable: at every `pages_per_transaction`-th page and at
  // flush(). Fewer commits write the pages that every page touches (the key index, the cursor)
  // to the log fewer times. 1: every page commits on its own.
  std::size_t pages_per_transaction = 1;
  // Pages that may wait for a thread of the sink that writes them, while the sync reads the next
  // ones from the network: fetching, parsing and mapping then overlap with SQLite. commit_page
  // waits while this many are waiting. 0: commit_page writes the page before it returns.
  std::size_t queued_pages = 0;
};

// What the daemon's syncs use (and the ingest benchmark with them). Eight pages of 500 a commit
// about double the insert rate of a commit per page; a crash costs at most the last eight pages,
// fetched again by the next sync. Two queued pages keep the writer busy while the next page is
// on its way, at ~5 MB of decoded records.
inline constexpr StoreSinkOptions kDaemonSinkOptions{8, 2};

class StoreSink : public connectors::SyncSink {
 public:
  using Clock = std::function<sla::Instant()>;
  StoreSink(store::Database& db, store::SyncState& sync, store::Quarantine& quarantine,
            std::string source, Clock clock, StoreSinkOptions options = {});
  // Pages still queued are dropped and pages not flushed are rolled back: the cursor stays before
  // them, the next sync fetches them again.
  ~StoreSink() override;
  StoreSink(const StoreSink&) = delete;
  StoreSink& operator=(const StoreSink&) = delete;

  // Waits until the pages taken are written and commits them. Call it after the sync, whether
  // or not it ended well: pages written before a failure are kept. Throws when a page failed that
  // no commit_page call has reported yet (what was written before it is committed first), or
  // when the commit fails.
  void flush();

  // Records inserted and updated by the pages written so far (commit_page cannot tell while
  // pages are queued; read it after flush()).
  connectors::CommitCounts totals() const;

  std::optional<connectors::Cursor> cursor() override;
  // With queued pages, returns zero counts (see totals()) and throws the failure of an earlier
  // page, if one failed; nothing after a failed page is written.
  connectors::CommitCounts commit_page(std::vector<connectors::FetchedRecord> records,
                                       std::vector<connectors::RejectedRecord> bad,
                                       const connectors::CursorChange& change) override;

 private:
  struct Page {
    std::vector<store::StoredRecord> rows;
    std::vector<store::QuarantineEntry> rejected;
    connectors::CursorChange change;
    sla::Instant now{};
  };
  connectors::CommitCounts write(const Page& page);
  void commit_open();
  void run_writer();
  void wait_idle(std::unique_lock<std::mutex>& lock);
  [[noreturn]] void report_failure(std::unique_lock<std::mutex>& lock);

  store::Database& db_;
  store::SyncState& sync_;
  store::Quarantine& quarantine_;
  std::string source_;
  Clock clock_;
  StoreSinkOptions options_;
  std::optional<store::Transaction> open_;  // the merged transaction, while pages are pending
  std::size_t pending_ = 0;

  // The writer (queued_pages > 0), started with the first page. While it runs, only it uses the
  // database; flush() and cursor() wait for it to be idle first.
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Page> queue_;
  // Pages the writer has written, freed by the next commit_page: a page's records were allocated
  // by the thread that calls commit_page, and freeing them there is cheaper (no other thread's
  // allocator to lock) and takes that work off the writer, the slower of the two. At most
  // queued_pages + 1 wait here.
  std::vector<Page> written_;
  bool writing_ = false;
  bool stopping_ = false;
  std::exception_ptr failure_;  // the first page that failed; nothing is written after it
  bool failure_reported_ = false;
  connectors::CommitCounts totals_;
  std::thread writer_;
};

}  // namespace motcua::daemon
