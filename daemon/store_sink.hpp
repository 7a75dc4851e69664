#pragma once
// Where a one-stop sync's pages go in the daemon: the store. A page's records, its bad records
// (quarantined) and the cursor after it commit in one SQLite transaction, so a kill -9 never
// leaves the cursor past a record that is neither stored nor quarantined.
#include <functional>
#include <string>

#include "connectors/motcua_sync.hpp"
#include "store/database.hpp"
#include "store/quarantine.hpp"
#include "store/sync_state.hpp"

namespace motcua::daemon {

class StoreSink : public connectors::SyncSink {
 public:
  using Clock = std::function<sla::Instant()>;
  StoreSink(store::Database& db, store::SyncState& sync, store::Quarantine& quarantine,
            std::string source, Clock clock);

  std::optional<connectors::Cursor> cursor() override;
  connectors::CommitCounts commit_page(std::vector<connectors::FetchedRecord> records,
                                       std::vector<connectors::RejectedRecord> bad,
                                       const connectors::Cursor& new_cursor) override;

 private:
  store::Database& db_;
  store::SyncState& sync_;
  store::Quarantine& quarantine_;
  std::string source_;
  Clock clock_;
};

}  // namespace motcua::daemon
