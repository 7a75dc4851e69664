#pragma once
// Where a one-stop sync's pages go in the daemon: the store. A page's records, its bad records
// (quarantined) and the cursor after it commit in one SQLite transaction, so a kill -9 never
// leaves the cursor past a record that is neither stored nor quarantined.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

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
  // to the log fewer times. 1: every page commits on its own, as commit_page returns.
  std::size_t pages_per_transaction = 1;
};

class StoreSink : public connectors::SyncSink {
 public:
  using Clock = std::function<sla::Instant()>;
  StoreSink(store::Database& db, store::SyncState& sync, store::Quarantine& quarantine,
            std::string source, Clock clock, StoreSinkOptions options = {});
  // Pages not flushed are rolled back: the cursor stays before them, the next sync fetches them
  // again.
  ~StoreSink() override;
  StoreSink(const StoreSink&) = delete;
  StoreSink& operator=(const StoreSink&) = delete;

  // Commits the pages taken since the last commit (with pages_per_transaction > 1, call it after
  // the sync, whether or not it ended well: pages committed before a failure are kept).
  void flush();

  std::optional<connectors::Cursor> cursor() override;
  connectors::CommitCounts commit_page(std::vector<connectors::FetchedRecord> records,
                                       std::vector<connectors::RejectedRecord> bad,
                                       const connectors::CursorChange& change) override;

 private:
  store::Database& db_;
  store::SyncState& sync_;
  store::Quarantine& quarantine_;
  std::string source_;
  Clock clock_;
  StoreSinkOptions options_;
  std::optional<store::Transaction> open_;  // the merged transaction, while pages are pending
  std::size_t pending_ = 0;
};

}  // namespace motcua::daemon
