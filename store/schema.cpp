// The schema of the state database, as the ordered list of its forward migrations. Instants are
// Unix seconds (INTEGER, NULL for "no value"); statuses are the canonical codes of sla::Status.
#include "store/database.hpp"

namespace motcua::store {

namespace {

// Version 1: dossiers, their deadline history, sync cursors and health, portal lookups and the
// quarantine.
//
// The record text lives in its own table: evaluation streams every dossier's body every cycle, and
// with the ~1.5 KB of raw text beside it a 4 KiB page would hold one dossier instead of four or
// five, so a scan would read three to four times the pages.
//
// Tables that point at a dossier reference it by (source, code) with ON DELETE CASCADE and have an
// index that starts with (source, code), so removing a dossier later never leaves rows behind and
// never scans a table.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE dossier (
  id           INTEGER PRIMARY KEY,
  source       TEXT    NOT NULL,
  code         TEXT    NOT NULL,
  agency       TEXT    NOT NULL,
  procedure    TEXT    NOT NULL,
  status       INTEGER NOT NULL,
  channel      INTEGER NOT NULL,
  received_at  INTEGER,
  due_at       INTEGER,
  finished_at  INTEGER,
  updated_at   INTEGER,
  supplements  INTEGER NOT NULL,
  apologies    INTEGER NOT NULL,
  body         BLOB    NOT NULL,
  content_hash INTEGER NOT NULL,
  first_seen   INTEGER NOT NULL,
  last_seen    INTEGER NOT NULL,
  UNIQUE (source, code)
);
CREATE INDEX dossier_received ON dossier (received_at);

CREATE TABLE dossier_raw (
  id  INTEGER PRIMARY KEY REFERENCES dossier (id) ON DELETE CASCADE,
  raw TEXT NOT NULL
);

CREATE TABLE deadline_history (
  id                 INTEGER PRIMARY KEY,
  source             TEXT    NOT NULL,
  code               TEXT    NOT NULL,
  field              TEXT    NOT NULL CHECK (field IN ('due_at', 'finished_at')),
  old_value          INTEGER,
  new_value          INTEGER,
  observed_at        INTEGER NOT NULL,
  record_updated_at  INTEGER,
  supplements_before INTEGER NOT NULL,
  supplements_after  INTEGER NOT NULL,
  apologies_before   INTEGER NOT NULL,
  apologies_after    INTEGER NOT NULL,
  FOREIGN KEY (source, code) REFERENCES dossier (source, code) ON DELETE CASCADE
);
CREATE INDEX deadline_history_dossier ON deadline_history (source, code);

CREATE TABLE sync_cursor (
  source       TEXT    PRIMARY KEY,
  value        TEXT    NOT NULL,
  committed_at INTEGER NOT NULL
);
CREATE TABLE sync_cursor_code (
  source TEXT NOT NULL REFERENCES sync_cursor (source) ON DELETE CASCADE,
  code   TEXT NOT NULL,
  PRIMARY KEY (source, code),
  FOREIGN KEY (source, code) REFERENCES dossier (source, code) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE source_health (
  source               TEXT    PRIMARY KEY,
  last_attempt         INTEGER,
  last_success         INTEGER,
  last_failure         INTEGER,
  last_error           TEXT    NOT NULL DEFAULT '',
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  records_synced       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE portal_lookup (
  source               TEXT    NOT NULL,
  code                 TEXT    NOT NULL,
  portal               TEXT    NOT NULL,
  last_checked_at      INTEGER NOT NULL,
  found                INTEGER NOT NULL CHECK (found IN (0, 1)),
  status               INTEGER,
  finished_at          INTEGER,
  raw                  TEXT    NOT NULL DEFAULT '',
  first_seen_on_portal INTEGER,
  PRIMARY KEY (source, code, portal),
  FOREIGN KEY (source, code) REFERENCES dossier (source, code) ON DELETE CASCADE
);

CREATE TABLE quarantine (
  id          INTEGER PRIMARY KEY,
  source      TEXT    NOT NULL,
  position    TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  raw         BLOB    NOT NULL,
  raw_bytes   INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX quarantine_source ON quarantine (source, id);
CREATE TABLE quarantine_total (
  source TEXT    PRIMARY KEY,
  total  INTEGER NOT NULL
);
)sql";

// Version 2: when the daemon first tried each source, so source_stale can tell a source that has
// never synced since it was configured from one that was just added. Existing rows take their
// earliest known time.
constexpr std::string_view kVersion2 = R"sql(
ALTER TABLE source_health ADD COLUMN first_attempt INTEGER;
UPDATE source_health SET first_attempt = min(coalesce(last_attempt, last_success, last_failure),
                                             coalesce(last_success, last_attempt, last_failure),
                                             coalesce(last_failure, last_attempt, last_success));
)sql";

// Version 3: alerts and the outbox. An alert is a finding with a stable identity (its
// fingerprint: rule, source, dossier) that fires and resolves; its labels and annotations are the
// alerts layer's JSON, with a hash so an unchanged alert is never rewritten. The outbox holds
// every notification from the moment the alert change that caused it commits (same transaction)
// until it is delivered or dead-lettered; rows are kept for the record. `not_before` is the next
// attempt; the index serves the delivery loop's "what is due now".
constexpr std::string_view kVersion3 = R"sql(
CREATE TABLE alert (
  fingerprint  TEXT    PRIMARY KEY,
  rule         TEXT    NOT NULL,
  source       TEXT    NOT NULL,
  dossier      TEXT    NOT NULL,
  labels       TEXT    NOT NULL,
  annotations  TEXT    NOT NULL,
  content_hash INTEGER NOT NULL,
  firing       INTEGER NOT NULL CHECK (firing IN (0, 1)),
  starts_at    INTEGER NOT NULL,
  first_seen   INTEGER NOT NULL,
  changed_at   INTEGER NOT NULL,
  resolved_at  INTEGER
) WITHOUT ROWID;
CREATE INDEX alert_firing ON alert (firing, source);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  idempotency_key TEXT    NOT NULL UNIQUE,
  receiver        TEXT    NOT NULL,
  channel         TEXT    NOT NULL CHECK (channel IN ('email', 'webhook')),
  group_key       TEXT    NOT NULL,
  kind            TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  created_at      INTEGER NOT NULL,
  not_before      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_attempt    INTEGER,
  last_error      TEXT    NOT NULL DEFAULT '',
  state           TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'delivered', 'dead')),
  finished_at     INTEGER
);
CREATE INDEX outbox_due ON outbox (not_before) WHERE state = 'pending';
CREATE INDEX outbox_receiver ON outbox (receiver, state);
)sql";

// Version 4: the notification log (Alertmanager's nflog): per alert group, when it was first seen
// firing, when it was last notified and with which alerts, how many escalation steps were sent
// and how many notifications were made (the sequence in their idempotency keys).
constexpr std::string_view kVersion4 = R"sql(
CREATE TABLE alert_group (
  group_key        TEXT    PRIMARY KEY,
  receiver         TEXT    NOT NULL,
  first_seen       INTEGER NOT NULL,
  last_notified_at INTEGER,
  notified         TEXT    NOT NULL DEFAULT '',
  escalations_sent INTEGER NOT NULL DEFAULT 0,
  sequence         INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
)sql";

// Version 5: silences. Matchers are the alerts layer's JSON (label = value); a silence mutes the
// alerts it matches between starts_at and ends_at. Expiring one early sets ends_at; rows are
// kept for the record.
constexpr std::string_view kVersion5 = R"sql(
CREATE TABLE silence (
  id         INTEGER PRIMARY KEY,
  matchers   TEXT    NOT NULL,
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL,
  author     TEXT    NOT NULL,
  comment    TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX silence_ends ON silence (ends_at);
)sql";

constexpr Migration kMigrations[] = {
    {1, "dossiers, deadline history, sync state, portal lookups, quarantine", kVersion1},
    {2, "first sync attempt per source", kVersion2},
    {3, "alerts and the outbox", kVersion3},
    {4, "alert groups' notification log", kVersion4},
    {5, "silences", kVersion5},
};

}  // namespace

std::span<const Migration> schema_migrations() {
  return kMigrations;
}

}  // namespace motcua::store
