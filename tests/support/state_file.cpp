#include "tests/support/state_file.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <boost/json.hpp>

namespace motcua::testing {

namespace {

bool has_table(SQLite::Database& db, const std::string& name) {
  SQLite::Statement q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  q.bind(1, name);
  return q.executeStep();
}

}  // namespace

StoredSource read_stored_source(const std::filesystem::path& state_db, const std::string& source) {
  StoredSource out;
  if (!std::filesystem::exists(state_db)) return out;
  SQLite::Database db(state_db.string(), SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  if (!has_table(db, "sync_cursor")) return out;
  // One read transaction: the daemon may commit a page between two of these queries.
  db.exec("BEGIN");
  SQLite::Statement codes(db, "SELECT code FROM dossier WHERE source = ?");
  codes.bind(1, source);
  while (codes.executeStep())
    out.codes.insert(codes.getColumn(0).getString());
  SQLite::Statement cursor(db, "SELECT value FROM sync_cursor WHERE source = ?");
  cursor.bind(1, source);
  if (cursor.executeStep()) out.cursor = cursor.getColumn(0).getString();
  SQLite::Statement at(db, "SELECT code FROM sync_cursor_code WHERE source = ?");
  at.bind(1, source);
  while (at.executeStep())
    out.cursor_codes.insert(at.getColumn(0).getString());
  SQLite::Statement bad(db, "SELECT CAST(raw AS TEXT) FROM quarantine WHERE source = ?");
  bad.bind(1, source);
  while (bad.executeStep()) {
    ++out.quarantined;
    boost::json::error_code ec;
    const auto raw = boost::json::parse(bad.getColumn(0).getString(), ec);
    if (ec || !raw.is_object()) continue;
    if (const auto* code = raw.as_object().if_contains("MaHoSo"); code && code->is_string())
      out.quarantined_codes.insert(std::string(code->get_string()));
  }
  db.exec("COMMIT");
  return out;
}

std::string integrity_check(const std::filesystem::path& state_db) {
  SQLite::Database db(state_db.string(), SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  std::string result;
  SQLite::Statement q(db, "PRAGMA integrity_check");
  while (q.executeStep()) {
    if (!result.empty()) result += "\n";
    result += q.getColumn(0).getString();
  }
  return result;
}

}  // namespace motcua::testing
