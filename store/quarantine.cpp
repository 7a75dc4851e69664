#include "store/quarantine.hpp"

#include <SQLiteCpp/Statement.h>

#include "store/columns.hpp"

namespace motcua::store {

namespace {

using namespace columns;

constexpr const char* kColumns =
    "SELECT id, source, position, reason, raw, raw_bytes, received_at FROM quarantine ";

}  // namespace

struct Quarantine::Impl {
  explicit Impl(SQLite::Database& db)
      : insert(db,
               "INSERT INTO quarantine (source, position, reason, raw, raw_bytes, received_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        count_up(db,
                 "INSERT INTO quarantine_total (source, total) VALUES (?1, 1) "
                 "ON CONFLICT (source) DO UPDATE SET total = total + 1"),
        // Walks back max_rows rows from the newest, then deletes everything older: the cost is
        // the bound, not the size of the table, and it runs once per add().
        trim(db,
             "DELETE FROM quarantine WHERE id <= "
             "(SELECT id FROM quarantine ORDER BY id DESC LIMIT 1 OFFSET ?1)"),
        count(db, "SELECT count(*) FROM quarantine"),
        total_all(db, "SELECT coalesce(sum(total), 0) FROM quarantine_total"),
        total_source(db, "SELECT coalesce(sum(total), 0) FROM quarantine_total WHERE source = ?1"),
        list_all(db, std::string(kColumns) + "ORDER BY id DESC LIMIT ?1"),
        list_source(db, std::string(kColumns) + "WHERE source = ?2 ORDER BY id DESC LIMIT ?1") {}

  SQLite::Statement insert, count_up, trim, count, total_all, total_source, list_all, list_source;
};

Quarantine::Quarantine(Database& db, QuarantineOptions options)
    : db_(db), options_(options), impl_(std::make_unique<Impl>(db.sql())) {}
Quarantine::~Quarantine() = default;

void Quarantine::add(std::span<const QuarantineEntry> entries, sla::Instant received_at) {
  if (entries.empty()) return;
  Impl& s = *impl_;
  const std::size_t cap = options_.max_text_bytes;
  Transaction tx(db_);
  for (const QuarantineEntry& e : entries) {
    bind_text(s.insert, 1, e.source);
    bind_text_copy(s.insert, 2, utf8_prefix(e.position, cap));
    bind_text_copy(s.insert, 3, utf8_prefix(e.reason, cap));
    // A blob: a bad record's bytes are kept exactly, whether or not they are UTF-8.
    bind_blob(s.insert, 4, utf8_prefix(e.raw, cap));
    bind_int(s.insert, 5, static_cast<std::int64_t>(e.raw.size()));
    bind_int(s.insert, 6, seconds(received_at));
    run(s.insert);
    bind_text(s.count_up, 1, e.source);
    run(s.count_up);
  }
  bind_int(s.trim, 1, static_cast<std::int64_t>(options_.max_rows));
  run(s.trim);
  tx.commit();
}

void Quarantine::add(const QuarantineEntry& entry, sla::Instant received_at) {
  add(std::span<const QuarantineEntry>(&entry, 1), received_at);
}

std::int64_t Quarantine::count() {
  ResetOnExit reset(impl_->count);
  impl_->count.executeStep();
  return impl_->count.getColumn(0).getInt64();
}

std::int64_t Quarantine::total() {
  ResetOnExit reset(impl_->total_all);
  impl_->total_all.executeStep();
  return impl_->total_all.getColumn(0).getInt64();
}

std::int64_t Quarantine::total(std::string_view source) {
  ResetOnExit reset(impl_->total_source);
  bind_text_copy(impl_->total_source, 1, source);
  impl_->total_source.executeStep();
  return impl_->total_source.getColumn(0).getInt64();
}

std::vector<QuarantinedRecord> Quarantine::list(std::string_view source, std::size_t limit) {
  SQLite::Statement& st = source.empty() ? impl_->list_all : impl_->list_source;
  ResetOnExit reset(st);
  bind_int(st, 1, static_cast<std::int64_t>(limit));
  if (!source.empty()) bind_text_copy(st, 2, source);
  std::vector<QuarantinedRecord> out;
  while (st.executeStep()) {
    QuarantinedRecord r;
    r.id = st.getColumn(0).getInt64();
    r.source = get_text(st, 1);
    r.position = get_text(st, 2);
    r.reason = get_text(st, 3);
    r.raw = get_text(st, 4);
    r.raw_bytes = static_cast<std::size_t>(st.getColumn(5).getInt64());
    r.received_at = instant(st.getColumn(6).getInt64());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace motcua::store
