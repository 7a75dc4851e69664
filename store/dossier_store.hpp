#pragma once
// Dossiers as the sources deliver them, keyed by (source, code): the normalised fields that
// queries filter on, the whole dossier (dossier_codec.hpp) and the upstream record text as given,
// plus the history of the deadline-relevant fields that `deadline_rewritten` judges.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sla/dossier.hpp"
#include "sla/time.hpp"
#include "store/database.hpp"

namespace motcua::store {

struct StoredRecord {
  sla::Dossier dossier;  // its source and code are the key
  std::string raw;       // the upstream record text, as given
};

struct UpsertStats {
  std::size_t inserted = 0;
  std::size_t updated = 0;    // stored before, with other content (the record or its mapping)
  std::size_t unchanged = 0;  // delivered again as stored: only last_seen moves
  std::size_t deadline_changes = 0;  // rows appended to the deadline history

  UpsertStats& operator+=(const UpsertStats& o);
};

enum class DeadlineField : std::uint8_t {
  due_at,       // NgayHenTra
  finished_at,  // NgayKetThucXuLy
};
std::string_view deadline_field_name(DeadlineField f);

// One observed change of a deadline-relevant field between two deliveries of a record. A change
// is explained when a supplementation request or an apology arrived with it (the counts grew);
// deciding that is the rule's job, the store records what it saw. A field that gets its first
// value (old_value empty) is recorded too, e.g. every dossier that finishes.
struct DeadlineChange {
  std::string source;
  std::string code;
  DeadlineField field = DeadlineField::due_at;
  std::optional<sla::Instant> old_value;
  std::optional<sla::Instant> new_value;
  sla::Instant observed_at{};                     // the seen_at of the upsert that saw it
  std::optional<sla::Instant> record_updated_at;  // NgayCapNhat of the new record
  int supplements_before = 0;
  int supplements_after = 0;
  int apologies_before = 0;
  int apologies_after = 0;
};

// When the store first and last received a record.
struct Sightings {
  sla::Instant first_seen{};
  sla::Instant last_seen{};
};

class DossierStore {
 public:
  explicit DossierStore(Database& db);
  ~DossierStore();
  DossierStore(const DossierStore&) = delete;
  DossierStore& operator=(const DossierStore&) = delete;

  // Stores a batch in one transaction (a savepoint inside one the caller opened). A record not
  // stored yet is inserted; one stored with the same content (its encoding and raw text hash
  // alike) is left as it is apart from last_seen; any other is rewritten, and a change of due_at
  // or finished_at appends to the deadline history. A code repeated in the batch is applied in
  // order. Throws std::invalid_argument for a record with a blank source or code or a status that
  // is not an sla::Status value, and SQLite or store errors as they come; in every case nothing of
  // the batch stays written.
  UpsertStats upsert(std::span<const StoredRecord> records, sla::Instant seen_at);

  std::optional<sla::Dossier> get(std::string_view source, std::string_view code);
  std::optional<std::string> raw(std::string_view source, std::string_view code);
  std::optional<Sightings> sightings(std::string_view source, std::string_view code);

  // Streams the dossiers of one source (all sources when `source` is empty) in storage order,
  // `batch_size` at a time, decoding into reused objects, so memory stays at one batch however
  // many are stored. Each batch is read in its own short read transaction and the visitor runs
  // outside it: the visitor may write through the same Database, and a long evaluation does not
  // hold back WAL checkpoints. A dossier stored or changed while the stream runs may or may not be
  // visited; none is visited twice. Throws StoreError naming the dossier when a body does not
  // decode.
  using BatchVisitor = std::function<void(std::span<const sla::Dossier>)>;
  void for_each(std::string_view source, std::size_t batch_size, const BatchVisitor& visit);

  // The dossiers that can count in indicators over [from, to) (sla/indicators.hpp), of every
  // source: those received before `to`, except the ones that finished (status 9 or 10 with
  // NgayKetThucXuLy) before `from` and were received before it. Dossiers without NgayTiepNhan are
  // never visited. In receipt order through the index on received_at, `batch_size` at a time, each
  // batch in its own read transaction like for_each. With each dossier comes whether a portal has
  // ever found it (portal_lookup.first_seen_on_portal): empty when no portal has looked it up.
  using PeriodVisitor = std::function<void(std::span<const sla::Dossier>,
                                           std::span<const std::optional<bool>> on_portal)>;
  void for_each_for_period(sla::Instant from, sla::Instant to, std::size_t batch_size,
                           const PeriodVisitor& visit);

  std::int64_t count();
  std::int64_t count(std::string_view source);
  // Dossiers per agency code whose status is one of `statuses`, over every source, or over the
  // given sources only (one grouped query: the status page counts open dossiers without decoding
  // them).
  std::map<std::string, std::int64_t> count_by_agency(std::span<const sla::Status> statuses);
  std::map<std::string, std::int64_t> count_by_agency(std::span<const sla::Status> statuses,
                                                      std::span<const std::string> sources);

  // The deadline history of one dossier, oldest first.
  std::vector<DeadlineChange> deadline_changes(std::string_view source, std::string_view code);

  // The candidates of deadline_rewritten in one source: changes that replaced or cleared a value
  // (not a first value) while neither supplementation requests nor apologies arrived, ordered by
  // dossier code, then oldest first. Normally few: a one-stop system moves a deadline itself only
  // together with a request or an apology.
  std::vector<DeadlineChange> unexplained_deadline_changes(std::string_view source);

 private:
  struct Impl;
  void upsert_one(const StoredRecord& record, std::int64_t seen_at, UpsertStats& stats);

  Database& db_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace motcua::store
