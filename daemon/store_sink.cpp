#include "daemon/store_sink.hpp"

#include <iterator>

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
    known_.reset();
    throw;
  }
  open_.reset();
}

std::optional<connectors::Cursor> StoreSink::cursor() {
  known_.reset();
  auto stored = sync_.cursor(source_);
  if (!stored) return std::nullopt;
  known_.emplace(
      KnownCursor{stored->value, {stored->codes_at_cursor.begin(), stored->codes_at_cursor.end()}});
  return connectors::Cursor{stored->value, stored->codes_at_cursor};
}

connectors::CommitCounts StoreSink::commit_page(std::vector<connectors::FetchedRecord> records,
                                                std::vector<connectors::RejectedRecord> bad,
                                                const connectors::Cursor& new_cursor) {
  const sla::Instant now = clock_();
  std::vector<store::StoredRecord> rows;
  rows.reserve(records.size());
  for (auto& r : records)
    rows.push_back({std::move(r.dossier), std::move(r.raw)});
  std::vector<store::QuarantineEntry> rejected;
  rejected.reserve(bad.size());
  for (auto& b : bad)
    rejected.push_back({source_, std::move(b.position), std::move(b.reason), std::move(b.raw)});

  // SyncState::commit_page adds the codes to those stored when the value stays.
  const bool same_value = known_ && known_->value == new_cursor.value;
  std::vector<std::string> added;
  if (same_value)
    for (const std::string& code : new_cursor.codes_at_cursor)
      if (!known_->codes.contains(code)) added.push_back(code);

  if (options_.pages_per_transaction > 1 && !open_) open_.emplace(db_);
  store::UpsertStats stats;
  {
    store::Transaction tx(db_);  // a savepoint inside open_
    if (!rejected.empty()) quarantine_.add(rejected, now);
    stats = sync_.commit_page(source_, rows, new_cursor.value,
                              same_value ? added : new_cursor.codes_at_cursor, now);
    tx.commit();
  }
  if (same_value) {
    known_->codes.insert(std::make_move_iterator(added.begin()),
                         std::make_move_iterator(added.end()));
  } else {
    known_.emplace(KnownCursor{
        new_cursor.value, {new_cursor.codes_at_cursor.begin(), new_cursor.codes_at_cursor.end()}});
  }
  if (open_ && ++pending_ >= options_.pages_per_transaction) flush();
  return {stats.inserted, stats.updated};
}

}  // namespace motcua::daemon
