#include "store/alert_store.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "store/columns.hpp"

namespace motcua::store {

namespace {

using namespace columns;

constexpr const char* kColumns =
    "SELECT fingerprint, rule, source, dossier, labels, annotations, content_hash, starts_at, "
    "firing, first_seen, changed_at, resolved_at FROM alert ";

StoredAlert read_alert(const SQLite::Statement& st) {
  StoredAlert a;
  a.alert.fingerprint = get_text(st, 0);
  a.alert.rule = get_text(st, 1);
  a.alert.source = get_text(st, 2);
  a.alert.dossier = get_text(st, 3);
  a.alert.labels = get_text(st, 4);
  a.alert.annotations = get_text(st, 5);
  a.alert.content_hash = static_cast<std::uint64_t>(st.getColumn(6).getInt64());
  a.alert.starts_at = instant(st.getColumn(7).getInt64());
  a.firing = st.getColumn(8).getInt() != 0;
  a.first_seen = instant(st.getColumn(9).getInt64());
  a.changed_at = instant(st.getColumn(10).getInt64());
  a.resolved_at = get_instant(st, 11);
  return a;
}

struct Known {
  std::uint64_t hash = 0;
  bool firing = false;
  bool resolvable = false;  // of a completely evaluated source
  bool seen = false;
};

}  // namespace

std::string_view alert_transition_name(AlertTransition t) {
  switch (t) {
    case AlertTransition::fired:
      return "fired";
    case AlertTransition::refired:
      return "refired";
    case AlertTransition::changed:
      return "changed";
    case AlertTransition::resolved:
      return "resolved";
  }
  return "fired";
}

struct AlertStore::Impl {
  explicit Impl(SQLite::Database& db)
      : of_source(db, "SELECT fingerprint, content_hash, firing FROM alert WHERE source = ?1"),
        insert(db,
               "INSERT INTO alert (fingerprint, rule, source, dossier, labels, annotations, "
               "content_hash, starts_at, firing, first_seen, changed_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?9)"),
        fire(db,
             "UPDATE alert SET labels = ?2, annotations = ?3, content_hash = ?4, starts_at = ?5, "
             "firing = 1, changed_at = ?6, resolved_at = NULL WHERE fingerprint = ?1"),
        rewrite(db,
                "UPDATE alert SET labels = ?2, annotations = ?3, content_hash = ?4, "
                "starts_at = ?5, changed_at = ?6 WHERE fingerprint = ?1"),
        resolve(db,
                "UPDATE alert SET firing = 0, resolved_at = ?2, changed_at = ?2 "
                "WHERE fingerprint = ?1"),
        get(db, std::string(kColumns) + "WHERE fingerprint = ?1"),
        list_all(db, std::string(kColumns) + "ORDER BY fingerprint"),
        list_firing(db, std::string(kColumns) + "WHERE firing = 1 ORDER BY fingerprint"),
        count_firing(db, "SELECT count(*) FROM alert WHERE firing = 1"),
        resolved_since(db, std::string(kColumns) +
                               "WHERE firing = 0 AND resolved_at >= ?1 ORDER BY fingerprint") {}

  SQLite::Statement of_source, insert, fire, rewrite, resolve, get, list_all, list_firing,
      count_firing, resolved_since;
};

AlertStore::AlertStore(Database& db) : db_(db), impl_(std::make_unique<Impl>(db.sql())) {}
AlertStore::~AlertStore() = default;

std::vector<AlertChange> AlertStore::reconcile(std::span<const AlertRecord> current,
                                               std::span<const std::string> complete,
                                               sla::Instant now) {
  // The last record per fingerprint.
  std::unordered_map<std::string_view, const AlertRecord*> latest;
  latest.reserve(current.size());
  std::set<std::string_view> sources(complete.begin(), complete.end());
  for (const auto& r : current) {
    latest[r.fingerprint] = &r;
    sources.insert(r.source);
  }

  // What is stored for every source involved: a hash and a flag per alert, never the text.
  std::unordered_map<std::string, Known> known;
  const std::set<std::string_view> resolvable(complete.begin(), complete.end());
  for (const auto source : sources) {
    SQLite::Statement& st = impl_->of_source;
    ResetOnExit reset(st);
    bind_text_copy(st, 1, source);
    while (st.executeStep())
      known.emplace(get_text(st, 0),
                    Known{static_cast<std::uint64_t>(st.getColumn(1).getInt64()),
                          st.getColumn(2).getInt() != 0, resolvable.contains(source), false});
  }

  std::map<std::string, AlertTransition> changes;
  Transaction tx(db_);
  const std::int64_t at = seconds(now);
  for (const auto& [fingerprint, r] : latest) {
    auto it = known.find(std::string(fingerprint));
    if (it == known.end()) {
      SQLite::Statement& st = impl_->insert;
      bind_text(st, 1, r->fingerprint);
      bind_text(st, 2, r->rule);
      bind_text(st, 3, r->source);
      bind_text(st, 4, r->dossier);
      bind_text(st, 5, r->labels);
      bind_text(st, 6, r->annotations);
      bind_int(st, 7, static_cast<std::int64_t>(r->content_hash));
      bind_int(st, 8, seconds(r->starts_at));
      bind_int(st, 9, at);
      run(st);
      changes.emplace(r->fingerprint, AlertTransition::fired);
      continue;
    }
    it->second.seen = true;
    if (it->second.firing && it->second.hash == r->content_hash) continue;
    SQLite::Statement& st = it->second.firing ? impl_->rewrite : impl_->fire;
    bind_text(st, 1, r->fingerprint);
    bind_text(st, 2, r->labels);
    bind_text(st, 3, r->annotations);
    bind_int(st, 4, static_cast<std::int64_t>(r->content_hash));
    bind_int(st, 5, seconds(r->starts_at));
    bind_int(st, 6, at);
    run(st);
    changes.emplace(r->fingerprint,
                    it->second.firing ? AlertTransition::changed : AlertTransition::refired);
  }
  for (const auto& [fingerprint, k] : known) {
    if (!k.firing || k.seen || !k.resolvable) continue;
    SQLite::Statement& st = impl_->resolve;
    bind_text(st, 1, fingerprint);
    bind_int(st, 2, at);
    run(st);
    changes.emplace(fingerprint, AlertTransition::resolved);
  }
  tx.commit();

  std::vector<AlertChange> out;
  out.reserve(changes.size());
  for (auto& [fingerprint, t] : changes)
    out.push_back({t, fingerprint});
  return out;
}

std::optional<StoredAlert> AlertStore::get(std::string_view fingerprint) {
  SQLite::Statement& st = impl_->get;
  ResetOnExit reset(st);
  bind_text_copy(st, 1, fingerprint);
  if (!st.executeStep()) return std::nullopt;
  return read_alert(st);
}

std::vector<StoredAlert> AlertStore::list(bool firing_only) {
  SQLite::Statement& st = firing_only ? impl_->list_firing : impl_->list_all;
  ResetOnExit reset(st);
  std::vector<StoredAlert> out;
  while (st.executeStep())
    out.push_back(read_alert(st));
  return out;
}

std::vector<StoredAlert> AlertStore::resolved_since(sla::Instant since) {
  SQLite::Statement& st = impl_->resolved_since;
  ResetOnExit reset(st);
  bind_int(st, 1, seconds(since));
  std::vector<StoredAlert> out;
  while (st.executeStep())
    out.push_back(read_alert(st));
  return out;
}

std::int64_t AlertStore::count_firing() {
  SQLite::Statement& st = impl_->count_firing;
  ResetOnExit reset(st);
  st.executeStep();
  return st.getColumn(0).getInt64();
}

}  // namespace motcua::store
