#include "tests/support/stored_outbox.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace motcua::testing {

std::vector<StoredOutboxRow> read_outbox(const std::filesystem::path& state_db) {
  std::vector<StoredOutboxRow> out;
  if (!std::filesystem::exists(state_db)) return out;
  SQLite::Database db(state_db.string(), SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  SQLite::Statement table(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  table.bind(1, "outbox");
  if (!table.executeStep()) return out;
  SQLite::Statement q(db,
                      "SELECT idempotency_key, receiver, channel, group_key, kind, state, "
                      "attempts, last_error FROM outbox ORDER BY id");
  while (q.executeStep()) {
    StoredOutboxRow& row = out.emplace_back();
    row.idempotency_key = q.getColumn(0).getString();
    row.receiver = q.getColumn(1).getString();
    row.channel = q.getColumn(2).getString();
    row.group_key = q.getColumn(3).getString();
    row.kind = q.getColumn(4).getString();
    row.state = q.getColumn(5).getString();
    row.attempts = q.getColumn(6).getInt();
    row.last_error = q.getColumn(7).getString();
  }
  return out;
}

}  // namespace motcua::testing
