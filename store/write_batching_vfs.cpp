#include "store/write_batching_vfs.hpp"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace motcua::store {

namespace {

// The unix VFS writes at most 128 KiB - 1 bytes a call (its seekAndWrite masks the count), and
// 64 KiB writes already cost a tenth of 4 KiB ones per byte.
constexpr int kBufferBytes = 64 * 1024;
constexpr int kWalHeaderBytes = 32;
constexpr int kFrameHeaderBytes = 24;

// What SQLite allocates for a file of this VFS (szOsFile): this struct, then the default VFS's
// own file object. SQLite zeroes nothing; xOpen initialises every field.
struct File {
  sqlite3_file base;       // first: SQLite sees a File as an sqlite3_file
  sqlite3_file* real;      // the default VFS's file, right after this struct
  bool wal;                // the write-ahead log
  bool database;           // the main database file
  bool in_wal_mode;        // the database file: its WAL index is mapped
  char* buffer;            // kBufferBytes, allocated at the first gathered write
  sqlite3_int64 start;     // file offset of buffer[0]
  int length;              // bytes held
  sqlite3_int64 frontier;  // the log: end of the furthest write since its header
  bool commit_header;      // the log: the last write was a commit frame's header
};

sqlite3_vfs* g_default = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

File* self(sqlite3_file* f) {
  return reinterpret_cast<File*>(f);
}
const sqlite3_io_methods& real(const File* f) {
  return *f->real->pMethods;
}

// Called first by every method that reads the file, measures it, syncs it, or tells another
// connection what it holds: the buffer must be in the file before.
int write_out(File* f) {
  if (f->length == 0) return SQLITE_OK;
  const int n = f->length;
  f->length = 0;
  return real(f).xWrite(f->real, f->buffer, n, f->start);
}

int x_close(sqlite3_file* p) {
  File* f = self(p);
  const int written = write_out(f);
  const int closed = real(f).xClose(f->real);
  std::free(f->buffer);
  f->buffer = nullptr;
  return written != SQLITE_OK ? written : closed;
}

int x_read(sqlite3_file* p, void* out, int amount, sqlite3_int64 offset) {
  File* f = self(p);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xRead(f->real, out, amount, offset);
}

int x_write(sqlite3_file* p, const void* data, int amount, sqlite3_int64 offset) {
  File* f = self(p);
  // A database file in rollback-journal mode (before the Database switches it to WAL) is written
  // through: there the commit is the journal's deletion, which no method of this file sees.
  if (!f->wal && !f->in_wal_mode) return real(f).xWrite(f->real, data, amount, offset);

  // In the log, only frames beyond everything written since its header are new; a write before
  // that rewrites a frame of the open transaction and must not wait behind the buffer.
  const bool forward = !f->wal || offset >= f->frontier;
  const bool follows = f->length > 0 && offset == f->start + f->length;
  if (f->length > 0 && (!forward || !follows || f->length + amount > kBufferBytes)) {
    if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  }
  const bool was_commit_header = f->commit_header;
  f->commit_header = false;
  if (f->wal) {
    if (offset == 0) f->frontier = 0;  // the header of a restarted log
    if (offset + amount > f->frontier) f->frontier = offset + amount;
  }
  if (!forward || amount > kBufferBytes) return real(f).xWrite(f->real, data, amount, offset);

  if (!f->buffer) {
    f->buffer = static_cast<char*>(std::malloc(kBufferBytes));
    if (!f->buffer) return real(f).xWrite(f->real, data, amount, offset);
  }
  if (f->length == 0) f->start = offset;
  std::memcpy(f->buffer + f->length, data, static_cast<std::size_t>(amount));
  f->length += amount;
  if (!f->wal) return SQLITE_OK;
  // A frame header is 24 bytes after the 32-byte log header; bytes 4–7 hold the database size in
  // pages after a commit, zero in other frames. The page that follows a commit's header ends the
  // commit: SQLite publishes it to readers next, so it goes out now.
  const auto* bytes = static_cast<const unsigned char*>(data);
  f->commit_header = amount == kFrameHeaderBytes && offset >= kWalHeaderBytes &&
                     (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
  if (was_commit_header) return write_out(f);
  return SQLITE_OK;
}

int x_truncate(sqlite3_file* p, sqlite3_int64 size) {
  File* f = self(p);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  if (f->frontier > size) f->frontier = size;
  return real(f).xTruncate(f->real, size);
}

int x_sync(sqlite3_file* p, int flags) {
  File* f = self(p);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xSync(f->real, flags);
}

int x_file_size(sqlite3_file* p, sqlite3_int64* size) {
  File* f = self(p);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xFileSize(f->real, size);
}

int x_lock(sqlite3_file* p, int level) {
  File* f = self(p);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xLock(f->real, level);
}

int x_unlock(sqlite3_file* p, int level) {
  File* f = self(p);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xUnlock(f->real, level);
}

int x_check_reserved_lock(sqlite3_file* p, int* out) {
  File* f = self(p);
  return real(f).xCheckReservedLock(f->real, out);
}

int x_file_control(sqlite3_file* p, int op, void* arg) {
  File* f = self(p);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xFileControl(f->real, op, arg);
}

int x_sector_size(sqlite3_file* p) {
  File* f = self(p);
  return real(f).xSectorSize(f->real);
}

int x_device_characteristics(sqlite3_file* p) {
  File* f = self(p);
  return real(f).xDeviceCharacteristics(f->real);
}

int x_shm_map(sqlite3_file* p, int region, int size, int extend, void volatile** out) {
  File* f = self(p);
  f->in_wal_mode = f->database;
  return real(f).xShmMap(f->real, region, size, extend, out);
}

int x_shm_lock(sqlite3_file* p, int offset, int n, int flags) {
  File* f = self(p);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xShmLock(f->real, offset, n, flags);
}

void x_shm_barrier(sqlite3_file* p) {
  File* f = self(p);
  // No way to report a failed write here; the buffer keeps nothing either way, and the error
  // shows at the file's next sync or write, as a failed write-back of the kernel would.
  write_out(f);
  real(f).xShmBarrier(f->real);
}

int x_shm_unmap(sqlite3_file* p, int remove) {
  File* f = self(p);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xShmUnmap(f->real, remove);
}

// Memory-mapped reads exist from version 3 of the file methods; a file without them answers "not
// mapped" and SQLite reads it instead.
int x_fetch(sqlite3_file* p, sqlite3_int64 offset, int amount, void** out) {
  File* f = self(p);
  *out = nullptr;
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  if (real(f).iVersion < 3) return SQLITE_OK;
  return real(f).xFetch(f->real, offset, amount, out);
}

int x_unfetch(sqlite3_file* p, sqlite3_int64 offset, void* page) {
  File* f = self(p);
  if (real(f).iVersion < 3) return SQLITE_OK;
  return real(f).xUnfetch(f->real, offset, page);
}

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* out, int flags, int* out_flags) {
  File* f = self(out);
  std::memset(f, 0, sizeof(File));
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  const int rc = g_default->xOpen(g_default, name, f->real, flags, out_flags);
  // SQLite calls xClose when pMethods is set, even after a failed open; the default VFS sets its
  // own methods only for a file it opened.
  f->base.pMethods = f->real->pMethods ? &g_methods : nullptr;
  f->wal = (flags & SQLITE_OPEN_WAL) != 0;
  f->database = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  return rc;
}

// Everything but files is the default VFS's.
int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_default->xDelete(g_default, name, sync_dir);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_default->xAccess(g_default, name, flags, out);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return g_default->xFullPathname(g_default, name, size, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) {
  return g_default->xDlOpen(g_default, name);
}
void x_dl_error(sqlite3_vfs*, int size, char* out) {
  g_default->xDlError(g_default, size, out);
}
void (*x_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_default->xDlSym(g_default, handle, symbol);
}
void x_dl_close(sqlite3_vfs*, void* handle) {
  g_default->xDlClose(g_default, handle);
}
int x_randomness(sqlite3_vfs*, int size, char* out) {
  return g_default->xRandomness(g_default, size, out);
}
int x_sleep(sqlite3_vfs*, int microseconds) {
  return g_default->xSleep(g_default, microseconds);
}
int x_current_time(sqlite3_vfs*, double* out) {
  return g_default->xCurrentTime(g_default, out);
}
int x_get_last_error(sqlite3_vfs*, int size, char* out) {
  return g_default->xGetLastError(g_default, size, out);
}
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_default->xCurrentTimeInt64(g_default, out);
}

void register_vfs() {
  g_default = sqlite3_vfs_find(nullptr);
  if (!g_default || g_default->iVersion < 2)
    throw std::runtime_error("SQLite has no default VFS of version 2 or later to build on");
  g_methods = {};
  g_methods.iVersion = 3;
  g_methods.xClose = x_close;
  g_methods.xRead = x_read;
  g_methods.xWrite = x_write;
  g_methods.xTruncate = x_truncate;
  g_methods.xSync = x_sync;
  g_methods.xFileSize = x_file_size;
  g_methods.xLock = x_lock;
  g_methods.xUnlock = x_unlock;
  g_methods.xCheckReservedLock = x_check_reserved_lock;
  g_methods.xFileControl = x_file_control;
  g_methods.xSectorSize = x_sector_size;
  g_methods.xDeviceCharacteristics = x_device_characteristics;
  g_methods.xShmMap = x_shm_map;
  g_methods.xShmLock = x_shm_lock;
  g_methods.xShmBarrier = x_shm_barrier;
  g_methods.xShmUnmap = x_shm_unmap;
  g_methods.xFetch = x_fetch;
  g_methods.xUnfetch = x_unfetch;

  g_vfs = {};
  g_vfs.iVersion = 2;
  g_vfs.szOsFile = static_cast<int>(sizeof(File)) + g_default->szOsFile;
  g_vfs.mxPathname = g_default->mxPathname;
  g_vfs.zName = "motcua-write-batching";
  g_vfs.xOpen = x_open;
  g_vfs.xDelete = x_delete;
  g_vfs.xAccess = x_access;
  g_vfs.xFullPathname = x_full_pathname;
  g_vfs.xDlOpen = x_dl_open;
  g_vfs.xDlError = x_dl_error;
  g_vfs.xDlSym = x_dl_sym;
  g_vfs.xDlClose = x_dl_close;
  g_vfs.xRandomness = x_randomness;
  g_vfs.xSleep = x_sleep;
  g_vfs.xCurrentTime = x_current_time;
  g_vfs.xGetLastError = x_get_last_error;
  g_vfs.xCurrentTimeInt64 = x_current_time_int64;
  if (const int rc = sqlite3_vfs_register(&g_vfs, 0); rc != SQLITE_OK)
    throw std::runtime_error(std::string("cannot register SQLite VFS: ") + sqlite3_errstr(rc));
}

}  // namespace

const char* write_batching_vfs() {
  static std::once_flag once;
  std::call_once(once, register_vfs);
  return g_vfs.zName;
}

}  // namespace motcua::store
