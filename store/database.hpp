#pragma once
// The state database: one SQLite file in WAL mode with a versioned schema (DESIGN.md "Storage").
// One process writes it (the daemon, through one connection); other processes may read it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <SQLiteCpp/Database.h>

namespace motcua::store {

// A state database that cannot be opened, migrated or read as expected. The message names the
// file and says what to do where there is something to do.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The file was written by a newer motcua-watchd: migrating backwards would lose what that version
// stored, so the file is left alone.
class SchemaTooNew : public StoreError {
 public:
  SchemaTooNew(const std::string& message, int file_version, int known_version)
      : StoreError(message), file_version(file_version), known_version(known_version) {}
  int file_version;
  int known_version;
};

// One forward step of the schema. Versions count from 1 without gaps; a migration runs in its own
// transaction together with the bump of the version, so a crash leaves the file at the version
// before or after it, never in between.
struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

// The schema of this build, oldest first. Migrations are only ever appended: a released migration
// never changes, because files out there have already applied it.
std::span<const Migration> schema_migrations();

// Written into the file header (PRAGMA application_id) so that a SQLite file belonging to another
// program is refused instead of being "migrated". 0x4D435741 is "MCWA".
inline constexpr std::int32_t kApplicationId = 0x4D435741;

struct DatabaseOptions {
  // How long a statement waits for another connection's lock before failing with "busy". Only
  // readers from other processes and WAL recovery after a crash take locks we wait for.
  std::chrono::milliseconds busy_timeout{5000};
  // The page cache of the connection. The dossier key index of a million dossiers is ~60 MB; a
  // cache that holds it keeps upserts from reading it back from the file.
  std::int64_t cache_kib = 64 * 1024;
  // Applies when the file is created. What a sync writes is whole pages, to the log and again at
  // the checkpoint. A full sync appends rows, so larger pages cost fewer system calls per byte; a
  // steady-state sync changes scattered dossiers, and each change rewrites its whole pages (the
  // row, its record text, index leaves). The daemon spends its life in the second: at a million
  // dossiers (bench/README.md, idle machine) 4 KiB pages sync the 1 % that changed in 1.57 s where
  // 8 KiB ones take 2.23 s (16 KiB: twice that again), and the first full sync takes 10 % longer
  // (15,500 records/s instead of 17,100). With the writes gathered (batch_writes): 1.21–1.67 s
  // against 1.83 s, and the same full sync.
  int page_size = 4 * 1024;
  // A checkpoint copies the log into the file once the log holds this much. Where a page changed
  // in several transactions since the last checkpoint (index pages, the last page of a table), it
  // is copied once. The log is truncated back to this size after a checkpoint.
  std::int64_t checkpoint_bytes = 32 * 1024 * 1024;
  // Checkpoints run on a thread of the Database with a connection of its own, so a commit does not
  // wait for the copying and the fsyncs of a checkpoint. A writer that keeps committing keeps the
  // thread from ever copying all of the log, and the log restarts only then: once it reaches four
  // times checkpoint_bytes, the writing connection waits for the thread's run to end and copies
  // the rest itself, so the log stays bounded. (A million rows through DossierStore::upsert alone:
  // 22–24 s with the thread, 29–33 s with the writer copying everything, bench/README.md.) false:
  // the writing connection checkpoints itself (SQLite's own automatic checkpoint).
  bool checkpoint_in_background = true;
  // Open both connections through write_batching_vfs.hpp: the log's frames of a commit and a
  // checkpoint's pages reach the file in writes of up to 64 KiB instead of one or two system calls
  // a page (a million dossiers: ~3.4 write calls a record before). false: SQLite's default VFS.
  bool batch_writes = true;
};

// The writing connection. Like a SQLite connection, a Database is used by one thread at a time.
class Database {
 public:
  // Opens the file, creating it (but not its folder) when absent, and brings the schema up to the
  // newest migration. Throws SchemaTooNew for a file from a newer build and StoreError when the
  // file is not a motcua-watch state database or cannot be opened or migrated.
  explicit Database(const std::filesystem::path& path, const DatabaseOptions& options = {});
  // The same with a migration list of one's own (tests of the migration machinery).
  Database(const std::filesystem::path& path, const DatabaseOptions& options,
           std::span<const Migration> migrations);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::filesystem::path& path() const { return path_; }
  int schema_version();

  // PRAGMA integrity_check and foreign_key_check: the problems found, empty when the file is sound.
  // A file too damaged to check yields the error as its one problem.
  std::vector<std::string> integrity_check();

  // The connection, for the store classes. Statements prepared on it must be destroyed before the
  // Database, so every store object must not outlive the Database it was built on.
  SQLite::Database& sql() { return db_; }

 private:
  void configure(const DatabaseOptions& options, int known_version);
  void migrate(std::span<const Migration> migrations);

  struct Checkpointer;
  std::filesystem::path path_;
  // Declared before db_ so that it is destroyed after it: closing the last connection to the file
  // checkpoints and removes the log, and the checkpointer's is the one that should do that.
  std::unique_ptr<Checkpointer> checkpointer_;
  SQLite::Database db_;
};

// A write transaction that nests: the outermost one is BEGIN IMMEDIATE ... COMMIT (the write lock
// is taken up front, so a transaction never fails half-way for a lock it could not upgrade); one
// opened while another is open is a SAVEPOINT, so store operations that are atomic on their own
// compose into one atomic operation (a sync page: its records, its cursor and its quarantined
// records). Destroyed without commit(), it rolls back what it wrote.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  SQLite::Database& db_;
  bool nested_ = false;  // a SAVEPOINT inside an open transaction
  bool open_ = true;
};

}  // namespace motcua::store
