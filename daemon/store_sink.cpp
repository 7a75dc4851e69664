#include "daemon/store_sink.hpp"

namespace motcua::daemon {

StoreSink::StoreSink(store::Database& db, store::SyncState& sync, store::Quarantine& quarantine,
                     std::string source, Clock clock)
    : db_(db),
      sync_(sync),
      quarantine_(quarantine),
      source_(std::move(source)),
      clock_(std::move(clock)) {}

std::optional<connectors::Cursor> StoreSink::cursor() {
  auto stored = sync_.cursor(source_);
  if (!stored) return std::nullopt;
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

  store::Transaction tx(db_);
  if (!rejected.empty()) quarantine_.add(rejected, now);
  const auto stats =
      sync_.commit_page(source_, rows, new_cursor.value, new_cursor.codes_at_cursor, now);
  tx.commit();
  return {stats.inserted, stats.updated};
}

}  // namespace motcua::daemon
