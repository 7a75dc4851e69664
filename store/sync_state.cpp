#include "store/sync_state.hpp"

#include <stdexcept>

#include <SQLiteCpp/Statement.h>

#include "store/columns.hpp"

namespace motcua::store {

namespace {

using namespace columns;

// An error text longer than this is cut: it is shown on the status page, not archived.
constexpr std::size_t kMaxErrorBytes = 4096;

constexpr const char* kHealthColumns =
    "SELECT source, last_attempt, last_success, last_failure, last_error, consecutive_failures, "
    "records_synced, first_attempt FROM source_health ";

SourceHealth read_health(const SQLite::Statement& st) {
  SourceHealth h;
  h.source = get_text(st, 0);
  h.last_attempt = get_instant(st, 1);
  h.last_success = get_instant(st, 2);
  h.last_failure = get_instant(st, 3);
  h.last_error = get_text(st, 4);
  h.consecutive_failures = st.getColumn(5).getInt();
  h.records_synced = st.getColumn(6).getInt64();
  h.first_attempt = get_instant(st, 7);
  return h;
}

}  // namespace

struct SyncState::Impl {
  explicit Impl(SQLite::Database& db)
      : get_cursor(db, "SELECT value, committed_at FROM sync_cursor WHERE source = ?1"),
        get_codes(db, "SELECT code FROM sync_cursor_code WHERE source = ?1 ORDER BY code"),
        put_cursor(db,
                   "INSERT INTO sync_cursor (source, value, committed_at) VALUES (?1, ?2, ?3) "
                   "ON CONFLICT (source) DO UPDATE SET value = excluded.value, "
                   "committed_at = excluded.committed_at"),
        clear_codes(db, "DELETE FROM sync_cursor_code WHERE source = ?1"),
        add_code(db, "INSERT OR IGNORE INTO sync_cursor_code (source, code) VALUES (?1, ?2)"),
        is_stored(db, "SELECT 1 FROM dossier WHERE source = ?1 AND code = ?2"),
        drop_cursor(db, "DELETE FROM sync_cursor WHERE source = ?1"),
        attempt(db,
                "INSERT INTO source_health (source, last_attempt, first_attempt) "
                "VALUES (?1, ?2, ?2) "
                "ON CONFLICT (source) DO UPDATE SET last_attempt = excluded.last_attempt, "
                "first_attempt = coalesce(first_attempt, excluded.last_attempt)"),
        success(db,
                "INSERT INTO source_health (source, last_success) VALUES (?1, ?2) "
                "ON CONFLICT (source) DO UPDATE SET last_success = excluded.last_success, "
                "consecutive_failures = 0"),
        failure(db,
                "INSERT INTO source_health (source, last_failure, last_error, "
                "consecutive_failures) VALUES (?1, ?2, ?3, 1) "
                "ON CONFLICT (source) DO UPDATE SET last_failure = excluded.last_failure, "
                "last_error = excluded.last_error, "
                "consecutive_failures = consecutive_failures + 1"),
        synced(db,
               "INSERT INTO source_health (source, records_synced) VALUES (?1, ?2) "
               "ON CONFLICT (source) DO UPDATE SET "
               "records_synced = records_synced + excluded.records_synced"),
        health(db, std::string(kHealthColumns) + "WHERE source = ?1"),
        all_health(db, std::string(kHealthColumns) + "ORDER BY source") {}

  SQLite::Statement get_cursor, get_codes, put_cursor, clear_codes, add_code, is_stored,
      drop_cursor;
  SQLite::Statement attempt, success, failure, synced, health, all_health;
};

SyncState::SyncState(Database& db, DossierStore& dossiers)
    : db_(db), dossiers_(dossiers), impl_(std::make_unique<Impl>(db.sql())) {}
SyncState::~SyncState() = default;

std::optional<SyncCursor> SyncState::cursor(std::string_view source) {
  SyncCursor c;
  {
    ResetOnExit reset(impl_->get_cursor);
    bind_text_copy(impl_->get_cursor, 1, source);
    if (!impl_->get_cursor.executeStep()) return std::nullopt;
    c.value = get_text(impl_->get_cursor, 0);
    c.committed_at = instant(impl_->get_cursor.getColumn(1).getInt64());
  }
  ResetOnExit reset(impl_->get_codes);
  bind_text_copy(impl_->get_codes, 1, source);
  while (impl_->get_codes.executeStep())
    c.codes_at_cursor.push_back(get_text(impl_->get_codes, 0));
  return c;
}

UpsertStats SyncState::commit_page(std::string_view source, std::span<const StoredRecord> records,
                                   std::string_view new_cursor,
                                   std::span<const std::string> codes_at_cursor,
                                   sla::Instant seen_at) {
  if (source.empty() || new_cursor.empty())
    throw std::invalid_argument("commit_page needs a source and a cursor value");
  for (const StoredRecord& r : records)
    if (r.dossier.source != source)
      throw std::invalid_argument("record " + r.dossier.code + " of source '" + r.dossier.source +
                                  "' in a page of source '" + std::string(source) + "'");

  Impl& s = *impl_;
  Transaction tx(db_);
  UpsertStats stats = dossiers_.upsert(records, seen_at);

  bool same_value = false;
  {
    ResetOnExit reset(s.get_cursor);
    bind_text_copy(s.get_cursor, 1, source);
    same_value = s.get_cursor.executeStep() && get_view(s.get_cursor, 0) == new_cursor;
  }
  bind_text_copy(s.put_cursor, 1, source);
  bind_text_copy(s.put_cursor, 2, new_cursor);
  bind_int(s.put_cursor, 3, seconds(seen_at));
  run(s.put_cursor);
  if (!same_value) {
    bind_text_copy(s.clear_codes, 1, source);
    run(s.clear_codes);
  }
  for (const std::string& code : codes_at_cursor) {
    bool stored = false;
    {
      ResetOnExit reset(s.is_stored);
      bind_text_copy(s.is_stored, 1, source);
      bind_text(s.is_stored, 2, code);
      stored = s.is_stored.executeStep();
    }
    // The foreign key would refuse it too; this says which code and why it matters.
    if (!stored)
      throw std::invalid_argument("dossier " + code + " is not stored, so the cursor of source '" +
                                  std::string(source) + "' cannot record it as synced");
    bind_text_copy(s.add_code, 1, source);
    bind_text(s.add_code, 2, code);
    run(s.add_code);
  }
  bind_text_copy(s.synced, 1, source);
  bind_int(s.synced, 2, static_cast<std::int64_t>(stats.inserted + stats.updated));
  run(s.synced);
  tx.commit();
  return stats;
}

void SyncState::reset_cursor(std::string_view source) {
  Transaction tx(db_);
  bind_text_copy(impl_->drop_cursor, 1, source);
  run(impl_->drop_cursor);
  tx.commit();
}

void SyncState::record_attempt(std::string_view source, sla::Instant at) {
  bind_text_copy(impl_->attempt, 1, source);
  bind_int(impl_->attempt, 2, seconds(at));
  run(impl_->attempt);
}

void SyncState::record_success(std::string_view source, sla::Instant at) {
  bind_text_copy(impl_->success, 1, source);
  bind_int(impl_->success, 2, seconds(at));
  run(impl_->success);
}

void SyncState::record_failure(std::string_view source, sla::Instant at, std::string_view error) {
  bind_text_copy(impl_->failure, 1, source);
  bind_int(impl_->failure, 2, seconds(at));
  bind_text_copy(impl_->failure, 3, utf8_prefix(error, kMaxErrorBytes));
  run(impl_->failure);
}

std::optional<SourceHealth> SyncState::source_health(std::string_view source) {
  ResetOnExit reset(impl_->health);
  bind_text_copy(impl_->health, 1, source);
  if (!impl_->health.executeStep()) return std::nullopt;
  return read_health(impl_->health);
}

std::vector<SourceHealth> SyncState::all_source_health() {
  ResetOnExit reset(impl_->all_health);
  std::vector<SourceHealth> out;
  while (impl_->all_health.executeStep())
    out.push_back(read_health(impl_->all_health));
  return out;
}

}  // namespace motcua::store
