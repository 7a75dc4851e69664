#include "store/silence_store.hpp"

#include <SQLiteCpp/Statement.h>

#include <stdexcept>

#include "store/columns.hpp"

namespace motcua::store {

namespace {

using namespace columns;

constexpr const char* kColumns =
    "SELECT id, matchers, starts_at, ends_at, author, comment, created_at FROM silence ";

Silence read_silence(const SQLite::Statement& st) {
  Silence s;
  s.id = st.getColumn(0).getInt64();
  s.matchers = get_text(st, 1);
  s.starts_at = instant(st.getColumn(2).getInt64());
  s.ends_at = instant(st.getColumn(3).getInt64());
  s.author = get_text(st, 4);
  s.comment = get_text(st, 5);
  s.created_at = instant(st.getColumn(6).getInt64());
  return s;
}

}  // namespace

struct SilenceStore::Impl {
  explicit Impl(SQLite::Database& db)
      : insert(db,
               "INSERT INTO silence (matchers, starts_at, ends_at, author, comment, created_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        expire(db,
               // A silence that has not started yet is closed as [now-1, now): never active again.
               "UPDATE silence SET starts_at = min(starts_at, ?2 - 1), ends_at = ?2 "
               "WHERE id = ?1 AND ends_at > ?2"),
        exists(db, "SELECT 1 FROM silence WHERE id = ?1"),
        get(db, std::string(kColumns) + "WHERE id = ?1"),
        active(db, std::string(kColumns) + "WHERE starts_at <= ?1 AND ends_at > ?1 ORDER BY id"),
        current(db, std::string(kColumns) + "WHERE ends_at > ?1 ORDER BY id DESC LIMIT ?2") {}
  SQLite::Statement insert, expire, exists, get, active, current;
};

SilenceStore::SilenceStore(Database& db) : db_(db), impl_(std::make_unique<Impl>(db.sql())) {}
SilenceStore::~SilenceStore() = default;

std::int64_t SilenceStore::add(const Silence& s, sla::Instant now) {
  if (s.ends_at <= s.starts_at) throw std::invalid_argument("a silence must end after it starts");
  SQLite::Statement& st = impl_->insert;
  bind_text(st, 1, s.matchers);
  bind_int(st, 2, seconds(s.starts_at));
  bind_int(st, 3, seconds(s.ends_at));
  bind_text(st, 4, s.author);
  bind_text(st, 5, s.comment);
  bind_int(st, 6, seconds(now));
  run(st);
  return db_.sql().getLastInsertRowid();
}

bool SilenceStore::expire(std::int64_t id, sla::Instant now) {
  {
    SQLite::Statement& st = impl_->exists;
    ResetOnExit reset(st);
    bind_int(st, 1, id);
    if (!st.executeStep()) return false;
  }
  SQLite::Statement& st = impl_->expire;
  bind_int(st, 1, id);
  bind_int(st, 2, seconds(now));
  run(st);
  return true;
}

std::optional<Silence> SilenceStore::get(std::int64_t id) {
  SQLite::Statement& st = impl_->get;
  ResetOnExit reset(st);
  bind_int(st, 1, id);
  if (!st.executeStep()) return std::nullopt;
  return read_silence(st);
}

std::vector<Silence> SilenceStore::active(sla::Instant now) {
  SQLite::Statement& st = impl_->active;
  ResetOnExit reset(st);
  bind_int(st, 1, seconds(now));
  std::vector<Silence> out;
  while (st.executeStep())
    out.push_back(read_silence(st));
  return out;
}

std::vector<Silence> SilenceStore::current(sla::Instant now, std::size_t limit) {
  SQLite::Statement& st = impl_->current;
  ResetOnExit reset(st);
  bind_int(st, 1, seconds(now));
  bind_int(st, 2, static_cast<std::int64_t>(limit));
  std::vector<Silence> out;
  while (st.executeStep())
    out.push_back(read_silence(st));
  return out;
}

}  // namespace motcua::store
