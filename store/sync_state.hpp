#pragma once
// Where each source's incremental sync stands, and how healthy the source is.
//
// The one-stop listing (DOMAIN.md "Upstream interfaces") returns the records with NgayCapNhat >=
// CapNhatTu, ordered by NgayCapNhat then MaHoSo, and many records share one NgayCapNhat, also
// across pages. A cursor is therefore two things: the NgayCapNhat value up to which everything is
// stored, and the codes of the records stored *at* that value. Resuming asks for CapNhatTu =
// value again (the filter is inclusive, so nothing at that second is missed); a record that comes
// back with NgayCapNhat == value and a code in codes_at_cursor is one we already have: the
// connector does not count it again. Passing it to the store again is harmless (an unchanged
// record only moves last_seen), and is what catches a second change within the same second.
//
// A page's records and the cursor after it commit in one transaction (commit_page), so a crash or
// kill -9 leaves the cursor at the last page whose records are all stored, never past it.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sla/time.hpp"
#include "store/database.hpp"
#include "store/dossier_store.hpp"

namespace motcua::store {

struct SyncCursor {
  std::string value;  // the upstream NgayCapNhat text (yyyyMMddHHmmss by default), as sent
  std::vector<std::string> codes_at_cursor;  // sorted
  sla::Instant committed_at{};               // the seen_at of the page that last moved it
};

struct SourceHealth {
  std::string source;
  std::optional<sla::Instant> first_attempt;  // the first record_attempt
  std::optional<sla::Instant> last_attempt;
  std::optional<sla::Instant> last_success;
  std::optional<sla::Instant> last_failure;
  std::string last_error;           // of the last failure; kept after a later success
  int consecutive_failures = 0;     // 0 after a success
  std::int64_t records_synced = 0;  // records stored new or changed by commit_page, ever
};

class SyncState {
 public:
  SyncState(Database& db, DossierStore& dossiers);
  ~SyncState();
  SyncState(const SyncState&) = delete;
  SyncState& operator=(const SyncState&) = delete;

  // nullopt before the first page of a source was committed (or after reset_cursor).
  std::optional<SyncCursor> cursor(std::string_view source);

  // In one transaction (a savepoint inside one the caller opened): upserts the page's records,
  // moves the source's cursor to `new_cursor` and adds the inserted and updated records to its
  // records_synced. When `new_cursor` equals the stored value, `codes_at_cursor` is added to the
  // codes stored at it (the page continued the same second); otherwise it replaces them. Every
  // code in `codes_at_cursor` must be stored by then (normally: records of this page whose
  // NgayCapNhat is `new_cursor`), and every record must belong to `source`; otherwise it throws
  // std::invalid_argument and nothing of the page is written.
  //
  // The store does not order cursor values (their format is the source's); moving a cursor back
  // only makes the next sync fetch more.
  UpsertStats commit_page(std::string_view source, std::span<const StoredRecord> records,
                          std::string_view new_cursor, std::span<const std::string> codes_at_cursor,
                          sla::Instant seen_at);

  // Forgets the cursor: the next sync starts from the beginning (a full resync).
  void reset_cursor(std::string_view source);

  // A sync of the source started / ended well / failed with `error` (Vietnamese or English text
  // for the status page; never credentials).
  void record_attempt(std::string_view source, sla::Instant at);
  void record_success(std::string_view source, sla::Instant at);
  void record_failure(std::string_view source, sla::Instant at, std::string_view error);

  std::optional<SourceHealth> source_health(std::string_view source);
  std::vector<SourceHealth> all_source_health();  // by source name

 private:
  struct Impl;
  Database& db_;
  DossierStore& dossiers_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace motcua::store
