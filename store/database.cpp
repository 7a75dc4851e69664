#include "store/database.hpp"

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include <SQLiteCpp/Statement.h>

#include "store/write_batching_vfs.hpp"

namespace motcua::store {

namespace {

std::int64_t pragma_int(SQLite::Database& db, const char* name) {
  return db.execAndGet(std::string("PRAGMA ") + name).getInt64();
}

void check_migration_list(std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i)
    if (migrations[i].version != static_cast<int>(i) + 1)
      throw std::logic_error("schema migrations must be numbered 1, 2, 3, ... without gaps");
}

std::string vfs(const DatabaseOptions& options) {
  return options.batch_writes ? write_batching_vfs() : "";
}

}  // namespace

// SQLite's documented alternative to automatic checkpoints: the writing connection's commit hook
// wakes a thread that checkpoints through a connection of its own. A PASSIVE checkpoint runs
// alongside the writer; the log restarts from its beginning at the first write after a
// checkpoint that copied all of it.
struct Database::Checkpointer {
  Checkpointer(const std::filesystem::path& path, const DatabaseOptions& options)
      : connection(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX,
                   static_cast<int>(options.busy_timeout.count()), vfs(options)),
        wake_pages(static_cast<int>(options.checkpoint_bytes / options.page_size)),
        self_pages(4 * wake_pages) {
    // A connection opens the log only at its first read; until then it does not know the file is
    // in WAL mode, and sqlite3_wal_checkpoint_v2 returns SQLITE_OK having copied nothing. (Without
    // this read, the writer copied everything itself at its bound.)
    connection.execAndGet("PRAGMA schema_version");
    thread = std::thread([this] { run(); });
  }

  ~Checkpointer() {
    {
      std::lock_guard lock(mutex);
      stop = true;
    }
    wake.notify_one();
    thread.join();
  }

  // sqlite3_wal_hook: called on the writing connection after each commit, with the log's size.
  static int on_commit(void* self, sqlite3* db, const char* name, int pages) {
    auto* c = static_cast<Checkpointer*>(self);
    if (pages >= c->self_pages) {
      // The log restarts only at a write that finds all of it copied, which the thread, copying
      // beside a writer that keeps appending, does not reach. The writer copies what is left
      // itself, after the thread's run (SQLite lets one checkpoint run at a time and refuses a
      // second at once); this bounds the log at the cost of this commit's time.
      std::unique_lock lock(c->mutex);
      c->writer_checkpointing = true;
      c->idle.wait(lock, [c] { return !c->running; });
      lock.unlock();
      sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
      c->writer_checkpointing = false;
    } else if (pages >= c->wake_pages) {
      std::lock_guard lock(c->mutex);
      c->requested = true;
    } else {
      return SQLITE_OK;
    }
    c->wake.notify_one();
    return SQLITE_OK;
  }

  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return stop || (requested && !writer_checkpointing); });
      if (stop) return;
      requested = false;
      running = true;
      lock.unlock();
      // A failed checkpoint (an I/O error) is retried at the next wake-up, and the writer's own
      // checkpoints bound the log meanwhile; the error itself reaches the writer on its next use
      // of the file.
      sqlite3_wal_checkpoint_v2(connection.getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                nullptr);
      lock.lock();
      running = false;
      idle.notify_all();
    }
  }

  SQLite::Database connection;
  const int wake_pages;
  const int self_pages;
  std::mutex mutex;
  std::condition_variable wake;  // the thread: a checkpoint is requested, or stop
  std::condition_variable idle;  // the writer: the thread's checkpoint is over
  bool requested = false;
  bool running = false;               // the thread is checkpointing
  bool writer_checkpointing = false;  // the writer is, so the thread waits
  bool stop = false;
  std::thread thread;  // last: started once everything it uses exists
};

Database::Database(const std::filesystem::path& path, const DatabaseOptions& options)
    : Database(path, options, schema_migrations()) {}

Database::Database(const std::filesystem::path& path, const DatabaseOptions& options,
                   std::span<const Migration> migrations) try
    // NOMUTEX: one connection is used by one thread at a time, so SQLite's per-call mutex would
    // only cost time.
    : path_(path),
      db_(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
          static_cast<int>(options.busy_timeout.count()), vfs(options)) {
  check_migration_list(migrations);
  try {
    configure(options, static_cast<int>(migrations.size()));
    migrate(migrations);
    if (options.checkpoint_in_background) {
      checkpointer_ = std::make_unique<Checkpointer>(path, options);
      // Replaces SQLite's automatic checkpoint, which is itself a commit hook.
      sqlite3_wal_hook(db_.getHandle(), &Checkpointer::on_commit, checkpointer_.get());
    }
  } catch (const SQLite::Exception& e) {
    throw StoreError("state database " + path.string() + ": " + e.what());
  }
} catch (const SQLite::Exception& e) {
  throw StoreError("cannot open state database " + path.string() + ": " + e.what());
}

void Database::configure(const DatabaseOptions& options, int known_version) {
  // Identify the file before changing anything in it: turning another program's SQLite file into
  // WAL mode would already be a change to it. On a file that is not SQLite at all, this first read
  // fails with "file is not a database".
  auto application_id = pragma_int(db_, "application_id");
  auto version = pragma_int(db_, "user_version");
  if (application_id != kApplicationId) {
    bool empty = db_.execAndGet("SELECT count(*) FROM sqlite_schema").getInt64() == 0;
    if (application_id != 0 || version != 0 || !empty)
      throw StoreError(path_.string() +
                       " is not a motcua-watch state database (it holds other tables); point "
                       "[daemon] state_db at a new file");
  }
  if (version > known_version)
    throw SchemaTooNew(path_.string() + " has schema version " + std::to_string(version) +
                           ", newer than the version this motcua-watchd knows (" +
                           std::to_string(known_version) +
                           "); run a motcua-watchd at least as new as the one that wrote it",
                       static_cast<int>(version), known_version);

  if (application_id != kApplicationId)  // a new file: nothing written yet
    db_.exec("PRAGMA page_size=" + std::to_string(options.page_size));

  // WAL: readers (the HTTP API, an operator's sqlite3) never block the writer nor it them, and a
  // commit appends to the log instead of rewriting pages in place.
  std::string mode = db_.execAndGet("PRAGMA journal_mode=WAL").getString();
  if (mode != "wal")
    throw StoreError("cannot switch " + path_.string() + " to WAL mode (journal mode stays '" +
                     mode + "'); the state database needs a local file system");
  // synchronous=NORMAL in WAL mode syncs the log only at checkpoints, not at every commit. A
  // committed transaction is in the log file (the OS page cache) when COMMIT returns, so it
  // survives the process crashing or being killed (kill -9); only a power loss or kernel crash can
  // lose the last transactions, and even then the file stays consistent (it rolls back to an
  // earlier commit, never to a torn one). The next sync fetches those records again from the
  // cursor, which rolled back with them.
  db_.exec("PRAGMA synchronous=NORMAL");
  db_.exec("PRAGMA foreign_keys=ON");
  db_.exec("PRAGMA temp_store=MEMORY");
  db_.exec("PRAGMA cache_size=-" + std::to_string(options.cache_kib));
  db_.exec("PRAGMA wal_autocheckpoint=" +
           std::to_string(options.checkpoint_bytes / options.page_size));
  // A long read (an evaluation, an operator's query) can hold the log back from being reset, so it
  // may grow past the checkpoint size; once checkpointed, it shrinks back to this.
  db_.exec("PRAGMA journal_size_limit=" + std::to_string(options.checkpoint_bytes));
}

void Database::migrate(std::span<const Migration> migrations) {
  int current = static_cast<int>(pragma_int(db_, "user_version"));
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    Transaction tx(*this);
    // Another process may have migrated the file between our read and our write lock.
    current = static_cast<int>(pragma_int(db_, "user_version"));
    if (m.version <= current) continue;
    try {
      db_.exec(std::string(m.sql));
      db_.exec(
          "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, description "
          "TEXT NOT NULL, applied_at INTEGER NOT NULL)");
      SQLite::Statement record(db_,
                               "INSERT INTO schema_migration (version, description, applied_at) "
                               "VALUES (?, ?, CAST(strftime('%s', 'now') AS INTEGER))");
      record.bind(1, m.version);
      record.bind(2, std::string(m.description));
      record.exec();
      db_.exec("PRAGMA application_id=" + std::to_string(kApplicationId));
      // PRAGMA user_version writes the file header inside the transaction: it commits or rolls back
      // together with the migration.
      db_.exec("PRAGMA user_version=" + std::to_string(m.version));
      tx.commit();
    } catch (const SQLite::Exception& e) {
      throw StoreError("state database " + path_.string() + ": migration " +
                       std::to_string(m.version) + " (" + std::string(m.description) +
                       ") failed: " + e.what());
    }
    current = m.version;
  }
}

Database::~Database() {
  // The hook points at the checkpointer, which db_ outlives by a moment.
  if (checkpointer_) sqlite3_wal_hook(db_.getHandle(), nullptr, nullptr);
}

int Database::schema_version() {
  return static_cast<int>(pragma_int(db_, "user_version"));
}

std::vector<std::string> Database::integrity_check() {
  std::vector<std::string> problems;
  try {
    SQLite::Statement integrity(db_, "PRAGMA integrity_check");
    while (integrity.executeStep()) {
      std::string line = integrity.getColumn(0).getString();
      if (line != "ok") problems.push_back(std::move(line));
    }
    SQLite::Statement foreign_keys(db_, "PRAGMA foreign_key_check");
    while (foreign_keys.executeStep())
      problems.push_back("row " + foreign_keys.getColumn(1).getString() + " of table " +
                         foreign_keys.getColumn(0).getString() + " refers to a missing row of " +
                         foreign_keys.getColumn(2).getString());
  } catch (const SQLite::Exception& e) {
    problems.push_back(e.what());
  }
  return problems;
}

Transaction::Transaction(Database& db) : db_(db.sql()) {
  nested_ = sqlite3_get_autocommit(db_.getHandle()) == 0;
  // One savepoint name serves every depth: RELEASE and ROLLBACK TO act on the innermost savepoint
  // of that name, which is always ours.
  db_.exec(nested_ ? "SAVEPOINT motcua_nested" : "BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!open_) return;
  // Errors are ignored on purpose: after some errors (disk full, I/O) SQLite has already rolled
  // the whole transaction back, and then there is nothing left to undo.
  if (nested_) {
    db_.tryExec("ROLLBACK TO motcua_nested");
    db_.tryExec("RELEASE motcua_nested");
  } else {
    db_.tryExec("ROLLBACK");
  }
}

void Transaction::commit() {
  if (!open_) throw std::logic_error("transaction committed twice");
  db_.exec(nested_ ? "RELEASE motcua_nested" : "COMMIT");
  open_ = false;
}

}  // namespace motcua::store
