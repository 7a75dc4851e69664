#pragma once
// A motcua-watchd state file's outbox read from outside with a read-only connection (safe while
// the daemon writes: the file is in WAL mode), for acceptance tests that check what was delivered
// against what was decided, across kills and restarts.
#include <filesystem>
#include <string>
#include <vector>

namespace motcua::testing {

struct StoredOutboxRow {
  std::string idempotency_key;
  std::string receiver;
  std::string channel;  // "email" or "webhook"
  std::string group_key;
  std::string kind;
  std::string state;  // "pending", "delivered" or "dead"
  int attempts = 0;
  std::string last_error;
};

// Every row, in the order they were enqueued; empty when the file or the table does not exist yet.
std::vector<StoredOutboxRow> read_outbox(const std::filesystem::path& state_db);

}  // namespace motcua::testing
