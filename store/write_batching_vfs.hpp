#pragma once
// A SQLite VFS that gathers the writes of a commit and of a checkpoint into few system calls.
//
// SQLite writes a WAL frame as two calls (its 24-byte header, then the page) and a checkpoint as
// one call per page. On a virtual machine a system call costs microseconds (bench/README.md: 4 KiB
// writes ~6 µs each, 64 KiB writes ~13 µs), so a full sync spent more time entering the kernel
// than copying bytes: ~3.4 write calls a record. This VFS passes everything to SQLite's default
// VFS, except that it holds consecutive forward writes of the log and of the database file in a
// buffer of 64 KiB per file and writes them in one call:
// - the log's buffer is written out as soon as it holds the whole last frame of a commit (a frame
//   whose header carries the database size, as the WAL format defines it), so a commit is in the
//   file before SQLite publishes it to other connections and before the commit returns: a
//   process killed with SIGKILL right after a commit keeps it, as without this VFS;
// - a write before the end of what the file handle already wrote in the log (SQLite rewriting a
//   frame of the open transaction, or its checksums) goes out at once, after the buffer;
// - the database file in WAL mode (a checkpoint's pages) has its buffer written out before every
//   sync, lock change, shared-memory lock or barrier, read, size query, truncation, file control
//   and close: SQLite publishes a checkpoint's progress only after one of those. In rollback-
//   journal mode (a new file, until the Database switches it to WAL) it is written through.
// Durability is SQLite's own: every xSync of SQLite reaches the disk after what the buffer held.
// Other files (journals, temporary files) and reads are passed through unchanged.

namespace motcua::store {

// The VFS's name, registered (not as the default) on the first call. Thread-safe.
const char* write_batching_vfs();

}  // namespace motcua::store
