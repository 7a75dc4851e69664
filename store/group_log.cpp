#include "store/group_log.hpp"

#include <SQLiteCpp/Statement.h>

#include "store/columns.hpp"

namespace motcua::store {

namespace {

using namespace columns;

// Fingerprints are hex: a newline never occurs in one.
std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += '\n';
    out += i;
  }
  return out;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    out.emplace_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace

struct GroupLog::Impl {
  explicit Impl(SQLite::Database& db)
      : all(db,
            "SELECT group_key, receiver, first_seen, last_notified_at, notified, "
            "escalations_sent, sequence FROM alert_group ORDER BY group_key"),
        put(db,
            "INSERT INTO alert_group (group_key, receiver, first_seen, last_notified_at, "
            "notified, escalations_sent, sequence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
            "ON CONFLICT (group_key) DO UPDATE SET receiver = excluded.receiver, "
            "first_seen = excluded.first_seen, last_notified_at = excluded.last_notified_at, "
            "notified = excluded.notified, escalations_sent = excluded.escalations_sent, "
            "sequence = excluded.sequence"),
        remove(db, "DELETE FROM alert_group WHERE group_key = ?1") {}
  SQLite::Statement all, put, remove;
};

GroupLog::GroupLog(Database& db) : db_(db), impl_(std::make_unique<Impl>(db.sql())) {}
GroupLog::~GroupLog() = default;

std::vector<GroupState> GroupLog::all() {
  SQLite::Statement& st = impl_->all;
  ResetOnExit reset(st);
  std::vector<GroupState> out;
  while (st.executeStep()) {
    GroupState& g = out.emplace_back();
    g.group_key = get_text(st, 0);
    g.receiver = get_text(st, 1);
    g.first_seen = instant(st.getColumn(2).getInt64());
    g.last_notified_at = get_instant(st, 3);
    g.notified = split(get_view(st, 4));
    g.escalations_sent = st.getColumn(5).getInt();
    g.sequence = st.getColumn(6).getInt64();
  }
  return out;
}

void GroupLog::put(const GroupState& g) {
  SQLite::Statement& st = impl_->put;
  bind_text(st, 1, g.group_key);
  bind_text(st, 2, g.receiver);
  bind_int(st, 3, seconds(g.first_seen));
  bind_instant(st, 4, g.last_notified_at);
  bind_text_copy(st, 5, join(g.notified));
  bind_int(st, 6, g.escalations_sent);
  bind_int(st, 7, g.sequence);
  run(st);
}

void GroupLog::remove(std::string_view group_key) {
  SQLite::Statement& st = impl_->remove;
  bind_text_copy(st, 1, group_key);
  run(st);
}

}  // namespace motcua::store
