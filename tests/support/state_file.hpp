#pragma once
// What a motcua-watchd state file holds for one source, read from outside with a read-only
// connection (safe while the daemon writes: the file is in WAL mode), for acceptance tests that
// compare it with what the upstream lists.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>

namespace motcua::testing {

struct StoredSource {
  std::set<std::string> codes;  // dossier.code
  std::optional<std::string> cursor;
  std::set<std::string> cursor_codes;       // sync_cursor_code
  std::set<std::string> quarantined_codes;  // MaHoSo of the quarantined raw records
  std::size_t quarantined = 0;
};

// The source's rows; empty when the file or its schema does not exist yet.
StoredSource read_stored_source(const std::filesystem::path& state_db, const std::string& source);

// The answer of PRAGMA integrity_check ("ok" when the file is sound).
std::string integrity_check(const std::filesystem::path& state_db);

}  // namespace motcua::testing
