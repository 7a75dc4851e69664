#include "store/dossier_store.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>

#include <SQLiteCpp/Statement.h>

#include "store/columns.hpp"
#include "store/dossier_codec.hpp"

namespace motcua::store {

namespace {

// "?,?,…,?": a list of n values, bound in order.
std::string placeholders(std::size_t n) {
  std::string out(2 * n - 1, ',');
  for (std::size_t i = 0; i < n; ++i)
    out[2 * i] = '?';
  return out;
}

std::map<std::string, std::int64_t> grouped_by_agency(SQLite::Database& db,
                                                      std::span<const sla::Status> statuses,
                                                      const std::span<const std::string>* sources) {
  std::map<std::string, std::int64_t> out;
  if (statuses.empty() || (sources && sources->empty())) return out;
  std::string sql = "SELECT agency, COUNT(*) FROM dossier WHERE status IN (" +
                    placeholders(statuses.size()) + ")";
  if (sources) sql += " AND source IN (" + placeholders(sources->size()) + ")";
  SQLite::Statement query(db, sql + " GROUP BY agency");
  int index = 1;
  for (const auto s : statuses)
    query.bind(index++, static_cast<int>(s));
  if (sources)
    for (const std::string& source : *sources)
      query.bind(index++, source);
  while (query.executeStep())
    out[query.getColumn(0).getString()] += query.getColumn(1).getInt64();
  return out;
}

}  // namespace

std::map<std::string, std::int64_t> DossierStore::count_by_agency(
    std::span<const sla::Status> statuses) {
  return grouped_by_agency(db_.sql(), statuses, nullptr);
}

std::map<std::string, std::int64_t> DossierStore::count_by_agency(
    std::span<const sla::Status> statuses, std::span<const std::string> sources) {
  return grouped_by_agency(db_.sql(), statuses, &sources);
}

namespace {

using namespace columns;

// MurmurHash64A (Austin Appleby, public domain): 8 bytes a step, so hashing a 2 KB record costs
// a fraction of a microsecond. The value is only ever compared with values computed by this same
// function on this machine; should it change (a new function, a file moved to another byte order)
// every record is rewritten once on its next delivery, and nothing else happens.
std::uint64_t murmur64(std::string_view data, std::uint64_t seed) {
  constexpr std::uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  std::uint64_t h = seed ^ (data.size() * m);
  const char* p = data.data();
  const char* end = p + (data.size() & ~std::size_t{7});
  for (; p != end; p += 8) {
    std::uint64_t k = 0;
    std::memcpy(&k, p, 8);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const std::size_t tail = data.size() & 7;
  if (tail) {
    for (std::size_t i = tail; i-- > 0;)
      h ^= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

std::int64_t content_hash(std::string_view body, std::string_view raw) {
  return static_cast<std::int64_t>(murmur64(raw, murmur64(body, 0x6d6f74637561ULL)));
}

bool same(const std::optional<std::int64_t>& a, const std::optional<sla::Instant>& b) {
  if (!a || !b) return !a && !b;
  return *a == seconds(*b);
}

std::optional<std::int64_t> get_int(const SQLite::Statement& st, int index) {
  if (st.isColumnNull(index)) return std::nullopt;
  return st.getColumn(index).getInt64();
}

}  // namespace

std::string_view deadline_field_name(DeadlineField f) {
  return f == DeadlineField::due_at ? "due_at" : "finished_at";
}

UpsertStats& UpsertStats::operator+=(const UpsertStats& o) {
  inserted += o.inserted;
  updated += o.updated;
  unchanged += o.unchanged;
  deadline_changes += o.deadline_changes;
  return *this;
}

struct DossierStore::Impl {
  explicit Impl(SQLite::Database& db)
      : find(db,
             "SELECT id, content_hash, due_at, finished_at, supplements, apologies, received_at "
             "FROM dossier WHERE source = ?1 AND code = ?2"),
        insert(db,
               "INSERT INTO dossier (source, code, agency, procedure, status, channel, "
               "received_at, due_at, finished_at, updated_at, supplements, apologies, body, "
               "content_hash, first_seen, last_seen) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)"),
        // Binds the same parameters as `insert` (?1 and ?2 unused) plus the row id as ?16.
        update(db,
               "UPDATE dossier SET agency = ?3, procedure = ?4, status = ?5, channel = ?6, "
               "received_at = ?7, due_at = ?8, finished_at = ?9, updated_at = ?10, "
               "supplements = ?11, apologies = ?12, body = ?13, content_hash = ?14, "
               "last_seen = ?15 WHERE id = ?16"),
        // The same without received_at (?7 unused): SQLite rewrites the entry of every index on a
        // column the SET names, changed or not, and a receipt time almost never changes. One index
        // page less to write per updated dossier.
        update_same_receipt(db,
                            "UPDATE dossier SET agency = ?3, procedure = ?4, status = ?5, "
                            "channel = ?6, due_at = ?8, finished_at = ?9, updated_at = ?10, "
                            "supplements = ?11, apologies = ?12, body = ?13, content_hash = ?14, "
                            "last_seen = ?15 WHERE id = ?16"),
        insert_raw(db, "INSERT INTO dossier_raw (id, raw) VALUES (?1, ?2)"),
        update_raw(db, "UPDATE dossier_raw SET raw = ?2 WHERE id = ?1"),
        touch(db, "UPDATE dossier SET last_seen = ?2 WHERE id = ?1"),
        add_change(db,
                   "INSERT INTO deadline_history (source, code, field, old_value, new_value, "
                   "observed_at, record_updated_at, supplements_before, supplements_after, "
                   "apologies_before, apologies_after) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
        get_body(db, "SELECT body FROM dossier WHERE source = ?1 AND code = ?2"),
        get_raw(db,
                "SELECT r.raw FROM dossier d JOIN dossier_raw r ON r.id = d.id "
                "WHERE d.source = ?1 AND d.code = ?2"),
        get_sightings(db,
                      "SELECT first_seen, last_seen FROM dossier WHERE source = ?1 AND code = ?2"),
        scan_all(db,
                 "SELECT id, source, code, body FROM dossier WHERE id > ?1 ORDER BY id LIMIT ?2"),
        // The unary + keeps the planner on the row id order instead of the (source, code) index,
        // which would need a sort of the whole source before the first row.
        scan_source(db,
                    "SELECT id, source, code, body FROM dossier WHERE id > ?1 AND +source = ?3 "
                    "ORDER BY id LIMIT ?2"),
        // Keyset paging on (received_at, id), which the received_at index holds in order. The
        // finished-before-the-period test reads the row but skips decoding its body.
        scan_period(db,
                    "SELECT d.id, d.source, d.code, d.body, d.received_at, "
                    "(SELECT max(p.first_seen_on_portal IS NOT NULL) FROM portal_lookup p "
                    "WHERE p.source = d.source AND p.code = d.code) "
                    "FROM dossier d WHERE d.received_at < ?2 "
                    "AND (d.received_at > ?3 OR (d.received_at = ?3 AND d.id > ?4)) "
                    "AND (d.received_at >= ?1 OR d.status NOT IN (9, 10) "
                    "OR d.finished_at IS NULL OR d.finished_at >= ?1) "
                    "ORDER BY d.received_at, d.id LIMIT ?5"),
        count_all(db, "SELECT count(*) FROM dossier"),
        count_source(db, "SELECT count(*) FROM dossier WHERE source = ?1"),
        changes(db,
                "SELECT field, old_value, new_value, observed_at, record_updated_at, "
                "supplements_before, supplements_after, apologies_before, apologies_after "
                "FROM deadline_history WHERE source = ?1 AND code = ?2 ORDER BY id"),
        unexplained(db,
                    "SELECT field, old_value, new_value, observed_at, record_updated_at, "
                    "supplements_before, supplements_after, apologies_before, apologies_after, "
                    "code FROM deadline_history WHERE source = ?1 AND old_value IS NOT NULL "
                    "AND supplements_after <= supplements_before "
                    "AND apologies_after <= apologies_before ORDER BY code, id") {}

  SQLite::Statement find, insert, update, update_same_receipt, insert_raw, update_raw, touch,
      add_change;
  SQLite::Statement get_body, get_raw, get_sightings, scan_all, scan_source, scan_period, count_all,
      count_source, changes, unexplained;
  std::string body;  // the encoding buffer, reused across records
};

DossierStore::DossierStore(Database& db) : db_(db), impl_(std::make_unique<Impl>(db.sql())) {}
DossierStore::~DossierStore() = default;

UpsertStats DossierStore::upsert(std::span<const StoredRecord> records, sla::Instant seen_at) {
  UpsertStats stats;
  Transaction tx(db_);
  for (const StoredRecord& r : records)
    upsert_one(r, seconds(seen_at), stats);
  tx.commit();
  return stats;
}

void DossierStore::upsert_one(const StoredRecord& record, std::int64_t seen_at,
                              UpsertStats& stats) {
  const sla::Dossier& d = record.dossier;
  if (d.source.empty() || d.code.empty())
    throw std::invalid_argument("a dossier needs a source and a code to be stored (code '" +
                                d.code + "', source '" + d.source + "')");
  Impl& s = *impl_;
  encode_dossier(d, s.body);
  const std::int64_t hash = content_hash(s.body, record.raw);
  const int supplements = static_cast<int>(d.supplements.size());
  const int apologies = static_cast<int>(d.apologies.size());

  struct Existing {
    std::int64_t id = 0;
    std::int64_t hash = 0;
    std::optional<std::int64_t> due_at, finished_at;
    int supplements = 0, apologies = 0;
    std::optional<std::int64_t> received_at;
  };
  std::optional<Existing> old;
  {
    ResetOnExit reset(s.find);
    bind_text(s.find, 1, d.source);
    bind_text(s.find, 2, d.code);
    if (s.find.executeStep())
      old = Existing{s.find.getColumn(0).getInt64(),
                     s.find.getColumn(1).getInt64(),
                     get_int(s.find, 2),
                     get_int(s.find, 3),
                     s.find.getColumn(4).getInt(),
                     s.find.getColumn(5).getInt(),
                     get_int(s.find, 6)};
  }

  if (old && old->hash == hash) {
    bind_int(s.touch, 1, old->id);
    bind_int(s.touch, 2, seen_at);
    run(s.touch);
    ++stats.unchanged;
    return;
  }

  SQLite::Statement& write = !old                                    ? s.insert
                             : same(old->received_at, d.received_at) ? s.update_same_receipt
                                                                     : s.update;
  bind_text(write, 1, d.source);
  bind_text(write, 2, d.code);
  bind_text(write, 3, d.agency);
  bind_text(write, 4, d.procedure);
  bind_int(write, 5, static_cast<int>(d.status));
  bind_int(write, 6, d.channel);
  bind_instant(write, 7, d.received_at);
  bind_instant(write, 8, d.due_at);
  bind_instant(write, 9, d.finished_at);
  bind_instant(write, 10, d.updated_at);
  bind_int(write, 11, supplements);
  bind_int(write, 12, apologies);
  bind_blob(write, 13, s.body);
  bind_int(write, 14, hash);
  bind_int(write, 15, seen_at);
  if (old) bind_int(write, 16, old->id);
  run(write);

  SQLite::Statement& write_raw = old ? s.update_raw : s.insert_raw;
  bind_int(write_raw, 1, old ? old->id : db_.sql().getLastInsertRowid());
  bind_text(write_raw, 2, record.raw);
  run(write_raw);

  if (!old) {
    ++stats.inserted;
    return;
  }
  ++stats.updated;

  auto note_change = [&](DeadlineField field, const std::optional<std::int64_t>& before,
                         const std::optional<sla::Instant>& after) {
    if (same(before, after)) return;
    SQLite::Statement& st = s.add_change;
    bind_text(st, 1, d.source);
    bind_text(st, 2, d.code);
    bind_text_copy(st, 3, deadline_field_name(field));
    if (before)
      bind_int(st, 4, *before);
    else
      bind_null(st, 4);
    bind_instant(st, 5, after);
    bind_int(st, 6, seen_at);
    bind_instant(st, 7, d.updated_at);
    bind_int(st, 8, old->supplements);
    bind_int(st, 9, supplements);
    bind_int(st, 10, old->apologies);
    bind_int(st, 11, apologies);
    run(st);
    ++stats.deadline_changes;
  };
  note_change(DeadlineField::due_at, old->due_at, d.due_at);
  note_change(DeadlineField::finished_at, old->finished_at, d.finished_at);
}

std::optional<sla::Dossier> DossierStore::get(std::string_view source, std::string_view code) {
  SQLite::Statement& st = impl_->get_body;
  ResetOnExit reset(st);
  bind_text_copy(st, 1, source);
  bind_text_copy(st, 2, code);
  if (!st.executeStep()) return std::nullopt;
  sla::Dossier d;
  if (auto r = decode_dossier(get_view(st, 0), d); !r)
    throw StoreError("dossier " + std::string(code) + " of source " + std::string(source) + " in " +
                     db_.path().string() + " does not decode: " + r.message());
  return d;
}

std::optional<std::string> DossierStore::raw(std::string_view source, std::string_view code) {
  SQLite::Statement& st = impl_->get_raw;
  ResetOnExit reset(st);
  bind_text_copy(st, 1, source);
  bind_text_copy(st, 2, code);
  if (!st.executeStep()) return std::nullopt;
  return get_text(st, 0);
}

std::optional<Sightings> DossierStore::sightings(std::string_view source, std::string_view code) {
  SQLite::Statement& st = impl_->get_sightings;
  ResetOnExit reset(st);
  bind_text_copy(st, 1, source);
  bind_text_copy(st, 2, code);
  if (!st.executeStep()) return std::nullopt;
  return Sightings{instant(st.getColumn(0).getInt64()), instant(st.getColumn(1).getInt64())};
}

namespace {

// A row of a scan (columns: 1 source, 2 code, 3 body) into `d`. A body that does not decode, or
// that names another dossier than its row, is a damaged state file: say which dossier and stop.
void decode_scanned(SQLite::Statement& st, sla::Dossier& d, const std::filesystem::path& file) {
  auto r = decode_dossier(get_view(st, 3), d);
  if (r && (d.source != get_view(st, 1) || d.code != get_view(st, 2)))
    r = DecodeResult{"the body belongs to another dossier", 0};
  if (!r)
    throw StoreError("dossier " + get_text(st, 2) + " of source " + get_text(st, 1) + " in " +
                     file.string() + " does not decode: " + r.message());
}

}  // namespace

void DossierStore::for_each(std::string_view source, std::size_t batch_size,
                            const BatchVisitor& visit) {
  if (batch_size == 0) throw std::invalid_argument("for_each needs a batch size of at least 1");
  SQLite::Statement& st = source.empty() ? impl_->scan_all : impl_->scan_source;
  std::vector<sla::Dossier> batch;
  std::int64_t after = 0;  // row ids start at 1
  for (;;) {
    std::size_t n = 0;
    {
      ResetOnExit reset(st);
      bind_int(st, 1, after);
      bind_int(st, 2, static_cast<std::int64_t>(batch_size));
      if (!source.empty()) bind_text_copy(st, 3, source);
      while (st.executeStep()) {
        if (n == batch.size()) batch.emplace_back();
        sla::Dossier& d = batch[n];
        decode_scanned(st, d, db_.path());
        after = st.getColumn(0).getInt64();
        ++n;
      }
    }
    if (n == 0) return;
    visit(std::span<const sla::Dossier>(batch.data(), n));
    if (n < batch_size) return;
  }
}

void DossierStore::for_each_for_period(sla::Instant from, sla::Instant to, std::size_t batch_size,
                                       const PeriodVisitor& visit) {
  if (batch_size == 0)
    throw std::invalid_argument("for_each_for_period needs a batch size of at least 1");
  SQLite::Statement& st = impl_->scan_period;
  std::vector<sla::Dossier> batch;
  std::vector<std::optional<bool>> on_portal;
  std::int64_t after_received = std::numeric_limits<std::int64_t>::min();
  std::int64_t after_id = 0;
  for (;;) {
    std::size_t n = 0;
    {
      ResetOnExit reset(st);
      bind_int(st, 1, seconds(from));
      bind_int(st, 2, seconds(to));
      bind_int(st, 3, after_received);
      bind_int(st, 4, after_id);
      bind_int(st, 5, static_cast<std::int64_t>(batch_size));
      while (st.executeStep()) {
        if (n == batch.size()) {
          batch.emplace_back();
          on_portal.emplace_back();
        }
        sla::Dossier& d = batch[n];
        decode_scanned(st, d, db_.path());
        on_portal[n] =
            st.isColumnNull(5) ? std::nullopt : std::optional<bool>(st.getColumn(5).getInt() != 0);
        after_id = st.getColumn(0).getInt64();
        after_received = st.getColumn(4).getInt64();
        ++n;
      }
    }
    if (n == 0) return;
    visit(std::span<const sla::Dossier>(batch.data(), n),
          std::span<const std::optional<bool>>(on_portal.data(), n));
    if (n < batch_size) return;
  }
}

std::int64_t DossierStore::count() {
  SQLite::Statement& st = impl_->count_all;
  ResetOnExit reset(st);
  st.executeStep();
  return st.getColumn(0).getInt64();
}

std::int64_t DossierStore::count(std::string_view source) {
  SQLite::Statement& st = impl_->count_source;
  ResetOnExit reset(st);
  bind_text_copy(st, 1, source);
  st.executeStep();
  return st.getColumn(0).getInt64();
}

namespace {

// Columns 0–8 of the deadline history queries.
DeadlineChange read_change(const SQLite::Statement& st, std::string_view source,
                           std::string_view code) {
  DeadlineChange c;
  c.source = source;
  c.code = code;
  c.field = get_view(st, 0) == "due_at" ? DeadlineField::due_at : DeadlineField::finished_at;
  c.old_value = get_instant(st, 1);
  c.new_value = get_instant(st, 2);
  c.observed_at = instant(st.getColumn(3).getInt64());
  c.record_updated_at = get_instant(st, 4);
  c.supplements_before = st.getColumn(5).getInt();
  c.supplements_after = st.getColumn(6).getInt();
  c.apologies_before = st.getColumn(7).getInt();
  c.apologies_after = st.getColumn(8).getInt();
  return c;
}

}  // namespace

std::vector<DeadlineChange> DossierStore::deadline_changes(std::string_view source,
                                                           std::string_view code) {
  SQLite::Statement& st = impl_->changes;
  ResetOnExit reset(st);
  bind_text_copy(st, 1, source);
  bind_text_copy(st, 2, code);
  std::vector<DeadlineChange> out;
  while (st.executeStep())
    out.push_back(read_change(st, source, code));
  return out;
}

std::vector<DeadlineChange> DossierStore::unexplained_deadline_changes(std::string_view source) {
  SQLite::Statement& st = impl_->unexplained;
  ResetOnExit reset(st);
  bind_text_copy(st, 1, source);
  std::vector<DeadlineChange> out;
  while (st.executeStep())
    out.push_back(read_change(st, source, get_view(st, 9)));
  return out;
}

}  // namespace motcua::store
