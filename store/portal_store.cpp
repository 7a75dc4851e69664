#include "store/portal_store.hpp"

#include <SQLiteCpp/Statement.h>

#include "store/columns.hpp"

namespace motcua::store {

namespace {

using namespace columns;

const std::string kNoText;

std::optional<sla::Status> get_status(const SQLite::Statement& st, int index) {
  if (st.isColumnNull(index)) return std::nullopt;
  return static_cast<sla::Status>(st.getColumn(index).getInt());
}

}  // namespace

struct PortalStore::Impl {
  explicit Impl(SQLite::Database& db)
      : put(db,
            "INSERT INTO portal_lookup (source, code, portal, last_checked_at, found, status, "
            "finished_at, raw, first_seen_on_portal) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, CASE WHEN ?5 THEN ?4 END) "
            "ON CONFLICT (source, code, portal) DO UPDATE SET "
            "last_checked_at = excluded.last_checked_at, found = excluded.found, "
            "status = excluded.status, finished_at = excluded.finished_at, raw = excluded.raw, "
            "first_seen_on_portal = coalesce(first_seen_on_portal, "
            "excluded.first_seen_on_portal)"),
        get(db,
            "SELECT last_checked_at, found, status, finished_at, raw, first_seen_on_portal "
            "FROM portal_lookup WHERE source = ?1 AND code = ?2 AND portal = ?3"),
        // Confirmed means found with the same status and the same finish time (IS: NULL equals
        // NULL). A dossier never looked up has no portal_lookup row, so p.found IS 1 is false.
        due(db,
            "SELECT d.source, d.code, d.received_at, d.status, d.finished_at, p.last_checked_at "
            "FROM dossier d LEFT JOIN portal_lookup p "
            "ON p.source = d.source AND p.code = d.code AND p.portal = ?1 "
            "WHERE d.received_at >= ?2 AND (?4 = '' OR d.source = ?4) "
            "AND NOT (p.found IS 1 AND p.status IS d.status AND p.finished_at IS d.finished_at) "
            "ORDER BY p.last_checked_at IS NOT NULL, p.last_checked_at, d.received_at, d.id "
            "LIMIT ?3"),
        disagree(db,
                 "SELECT p.code, p.portal, p.last_checked_at, p.found, p.status, p.finished_at, "
                 "p.first_seen_on_portal FROM portal_lookup p JOIN dossier d "
                 "ON d.source = p.source AND d.code = p.code WHERE p.source = ?1 "
                 "AND NOT (p.found IS 1 AND p.status IS d.status "
                 "AND p.finished_at IS d.finished_at) ORDER BY p.code, p.portal") {}

  SQLite::Statement put, get, due, disagree;
};

PortalStore::PortalStore(Database& db) : db_(db), impl_(std::make_unique<Impl>(db.sql())) {}
PortalStore::~PortalStore() = default;

void PortalStore::record(std::string_view portal, std::span<const PortalObservation> observations,
                         sla::Instant checked_at) {
  Transaction tx(db_);
  SQLite::Statement& st = impl_->put;
  for (const PortalObservation& o : observations) {
    bind_text(st, 1, o.source);
    bind_text(st, 2, o.code);
    bind_text_copy(st, 3, portal);
    bind_int(st, 4, seconds(checked_at));
    bind_int(st, 5, o.found ? 1 : 0);
    // A portal that does not have the dossier has no copy of it either.
    if (o.found && o.status)
      bind_int(st, 6, static_cast<int>(*o.status));
    else
      bind_null(st, 6);
    bind_instant(st, 7, o.found ? o.finished_at : std::nullopt);
    bind_text(st, 8, o.found ? o.raw : kNoText);
    run(st);
  }
  tx.commit();
}

std::optional<PortalState> PortalStore::get(std::string_view portal, std::string_view source,
                                            std::string_view code) {
  SQLite::Statement& st = impl_->get;
  ResetOnExit reset(st);
  bind_text_copy(st, 1, source);
  bind_text_copy(st, 2, code);
  bind_text_copy(st, 3, portal);
  if (!st.executeStep()) return std::nullopt;
  PortalState p;
  p.portal = portal;
  p.source = source;
  p.code = code;
  p.last_checked_at = instant(st.getColumn(0).getInt64());
  p.found = st.getColumn(1).getInt() != 0;
  p.status = get_status(st, 2);
  p.finished_at = get_instant(st, 3);
  p.raw = get_text(st, 4);
  p.first_seen_on_portal = get_instant(st, 5);
  return p;
}

std::vector<PortalState> PortalStore::disagreements(std::string_view source) {
  SQLite::Statement& st = impl_->disagree;
  ResetOnExit reset(st);
  bind_text_copy(st, 1, source);
  std::vector<PortalState> out;
  while (st.executeStep()) {
    PortalState& p = out.emplace_back();
    p.source = source;
    p.code = get_text(st, 0);
    p.portal = get_text(st, 1);
    p.last_checked_at = instant(st.getColumn(2).getInt64());
    p.found = st.getColumn(3).getInt() != 0;
    p.status = get_status(st, 4);
    p.finished_at = get_instant(st, 5);
    p.first_seen_on_portal = get_instant(st, 6);
  }
  return out;
}

std::vector<LookupCandidate> PortalStore::due_for_lookup(std::string_view portal,
                                                         sla::Instant received_since,
                                                         std::size_t limit,
                                                         std::string_view source) {
  SQLite::Statement& st = impl_->due;
  ResetOnExit reset(st);
  bind_text_copy(st, 1, portal);
  bind_int(st, 2, seconds(received_since));
  bind_int(st, 3, static_cast<std::int64_t>(limit));
  bind_text_copy(st, 4, source);
  std::vector<LookupCandidate> out;
  while (st.executeStep()) {
    LookupCandidate c;
    c.source = get_text(st, 0);
    c.code = get_text(st, 1);
    c.received_at = instant(st.getColumn(2).getInt64());
    c.status = static_cast<sla::Status>(st.getColumn(3).getInt());
    c.finished_at = get_instant(st, 4);
    c.last_checked_at = get_instant(st, 5);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace motcua::store
