#include "daemon/store_sink.hpp"

namespace motcua::daemon {

StoreSink::StoreSink(store::Database& db, store::SyncState& sync, store::Quarantine& quarantine,
                     std::string source, Clock clock, StoreSinkOptions options)
    : db_(db),
      sync_(sync),
      quarantine_(quarantine),
      source_(std::move(source)),
      clock_(std::move(clock)),
      options_(options) {}

StoreSink::~StoreSink() = default;

void StoreSink::flush() {
  if (!open_) return;
  pending_ = 0;
  try {
    open_->commit();
  } catch (...) {
    open_.reset();  // rolls back: nothing of the merged pages stays, the cursor included
    throw;
  }
  open_.reset();
}

std::optional<connectors::Cursor> StoreSink::cursor() {
  auto stored = sync_.cursor(source_);
  if (!stored) return std::nullopt;
  return connectors::Cursor{std::move(stored->value), std::move(stored->codes_at_cursor)};
}

connectors::CommitCounts StoreSink::commit_page(std::vector<connectors::FetchedRecord> records,
                                                std::vector<connectors::RejectedRecord> bad,
                                                const connectors::CursorChange& change) {
  const sla::Instant now = clock_();
  std::vector<store::StoredRecord> rows;
  rows.reserve(records.size());
  for (auto& r : records)
    rows.push_back({std::move(r.dossier), std::move(r.raw)});
  std::vector<store::QuarantineEntry> rejected;
  rejected.reserve(bad.size());
  for (auto& b : bad)
    rejected.push_back({source_, std::move(b.position), std::move(b.reason), std::move(b.raw)});

  if (options_.pages_per_transaction > 1 && !open_) open_.emplace(db_);
  store::UpsertStats stats;
  {
    store::Transaction tx(db_);  // a savepoint inside open_
    if (!rejected.empty()) quarantine_.add(rejected, now);
    // SyncState::commit_page adds the codes to those stored when the value stays (change.adds)
    // and replaces them when it moves.
    stats = sync_.commit_page(source_, rows, change.value, change.codes, now);
    tx.commit();
  }
  if (open_ && ++pending_ >= options_.pages_per_transaction) flush();
  return {stats.inserted, stats.updated};
}

}  // namespace motcua::daemon
