#pragma once
// Source kind `motcua`: the incremental sync of the one-stop system's listing (DOMAIN.md
// "Upstream interfaces": LayDanhSachHoSo with CapNhatTu, Trang, SoLuong; TongSo and data, ordered
// by NgayCapNhat then MaHoSo, many records sharing one NgayCapNhat, also across pages).
//
// The cursor is the NgayCapNhat value up to which everything is stored plus the codes stored *at*
// that value (the filter is inclusive, and a value can be shared by more records than fit on a
// page). Pages go to a SyncSink that stores a page's records, its bad records and the cursor
// after it in one transaction: the cursor never passes a record that is not stored (or
// quarantined as bad), and a page that is bad as a whole commits nothing. How the paging stays
// exact while records change under it is explained at sync_motcua in motcua_sync.cpp.
//
// The sink is an interface of our own so that connectors/ does not depend on store/; the daemon
// adapts it to store::SyncState::commit_page and store::Quarantine.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "connectors/file_source.hpp"
#include "connectors/mapping.hpp"
#include "connectors/upstream_session.hpp"
#include "sla/dossier.hpp"

namespace motcua::connectors {

struct FetchedRecord {
  sla::Dossier dossier;
  std::string raw;  // the record's JSON text (serialized from the page)
  // At the cursor's value with a code the cursor lists: stored before. It is delivered again (once
  // per sync, and again only if its text changed) because a second change within the same second
  // keeps NgayCapNhat and would otherwise be lost; it is not counted as fetched.
  bool known = false;
};

// A record of a good page that cannot be stored (BadRecord: where, why, an excerpt), with what the
// quarantine keeps besides: the whole text, and the code when one could be read.
struct RejectedRecord : BadRecord {
  std::string code;
  std::string raw;
};

struct Cursor {
  std::string value;                         // NgayCapNhat text as the upstream sent it
  std::vector<std::string> codes_at_cursor;  // sorted, unique; each one stored by the sink

  bool operator==(const Cursor&) const = default;
};

// The cursor after a page, as a change of the committed one. A value shared by more records than
// a page (a nightly job's second, ~200,000 records at a million dossiers) grows its set of codes
// page by page; handing over the whole set with every page would cost each page work in the size
// of the set: quadratic over the group.
struct CursorChange {
  std::string value;               // NgayCapNhat text as the upstream sent it
  std::vector<std::string> codes;  // sorted, unique; each one stored by the sink
  // False: the cursor becomes (value, codes). True: `value` is the committed cursor's own and
  // `codes` join the codes stored at it (none of them is among those already).
  bool adds = false;

  // The committed cursor `before` with this change applied.
  Cursor applied_to(std::optional<Cursor> before) const;
};

// What the sink did with a page, for the report (zero when it does not know).
struct CommitCounts {
  std::size_t inserted = 0;
  std::size_t updated = 0;
};

class SyncSink {
 public:
  virtual ~SyncSink();
  // The cursor of the last committed page, nullopt before the first.
  virtual std::optional<Cursor> cursor() = 0;
  // Stores the records, quarantines the bad ones and changes the cursor, all in one transaction.
  // An exception means nothing was stored; the sync stops with its message as the error.
  virtual CommitCounts commit_page(std::vector<FetchedRecord> records,
                                   std::vector<RejectedRecord> bad, const CursorChange& change) = 0;
};

// The names of the listing service and its members; vendors differ (DOMAIN.md).
struct ListingProtocol {
  std::string service = "LayDanhSachHoSo";
  std::string updated_from = "CapNhatTu";
  std::string page = "Trang";
  std::string page_size = "SoLuong";
  std::string total = "TongSo";
  std::string data = "data";  // when absent, "result" is read instead
  // CapNhatTu of the very first sync (no cursor yet); empty asks for everything.
  std::string initial_from = "";
};

struct SyncOptions {
  std::size_t page_size = 500;  // SoLuong
  // Listing requests after which the sync stops cleanly (the next one goes on from the cursor).
  // Checked before starting afresh at a new value, never inside the pass over one value shared
  // by more records than a page holds: such a pass is finished once begun, or no later sync could
  // get past that value.
  std::optional<std::size_t> max_pages_per_sync;
  ListingProtocol listing;
};

struct SyncReport {
  std::string source;
  std::size_t pages = 0;    // listing answers that were good pages
  std::size_t commits = 0;  // commit_page calls
  // Record versions stored for the first time in this sync: each (code, NgayCapNhat) once, however
  // often a page overlap or a verification pass shows it again.
  std::size_t records = 0;
  std::size_t redelivered = 0;  // known records delivered again (FetchedRecord::known)
  std::size_t inserted = 0;     // from the sink
  std::size_t updated = 0;      // from the sink
  std::size_t bad = 0;          // bad records quarantined, each once per sync
  // Values shared by more records than a page, verified page by page from the last one back.
  std::size_t group_passes = 0;
  std::chrono::milliseconds duration{0};
  std::string error;             // empty on success; never credentials
  bool reachable = false;        // at least one listing answer was a good page
  bool complete = false;         // reached the end of the listing
  std::optional<Cursor> cursor;  // after the sync (as committed)

  bool ok() const { return error.empty(); }
};

// One sync of the source: pages from the sink's cursor to the end of the listing (or to
// max_pages_per_sync). Never throws for upstream or sink failures; they end the sync with
// `error` set, with every page committed before the failure kept.
boost::asio::awaitable<SyncReport> sync_motcua(UpstreamSession& session,
                                               const RecordMapping& mapping,
                                               std::string_view source, SyncSink& sink,
                                               SyncOptions options);

}  // namespace motcua::connectors
