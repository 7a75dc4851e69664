#include "store/outbox.hpp"

#include <SQLiteCpp/Statement.h>

#include "store/columns.hpp"

namespace motcua::store {

namespace {

using namespace columns;

// An error text longer than this is cut: it is shown, not archived.
constexpr std::size_t kMaxErrorBytes = 2048;

constexpr const char* kColumns =
    "SELECT id, idempotency_key, receiver, channel, group_key, kind, payload, not_before, "
    "created_at, attempts, last_attempt, last_error, state, finished_at FROM outbox ";

OutboxState parse_state(std::string_view s) {
  if (s == "delivered") return OutboxState::delivered;
  if (s == "dead") return OutboxState::dead;
  return OutboxState::pending;
}

OutboxRow read_row(const SQLite::Statement& st) {
  OutboxRow r;
  r.id = st.getColumn(0).getInt64();
  r.message.idempotency_key = get_text(st, 1);
  r.message.receiver = get_text(st, 2);
  r.message.channel = get_view(st, 3) == "webhook" ? Channel::webhook : Channel::email;
  r.message.group_key = get_text(st, 4);
  r.message.kind = get_text(st, 5);
  r.message.payload = get_text(st, 6);
  r.message.not_before = instant(st.getColumn(7).getInt64());
  r.created_at = instant(st.getColumn(8).getInt64());
  r.attempts = st.getColumn(9).getInt();
  r.last_attempt = get_instant(st, 10);
  r.last_error = get_text(st, 11);
  r.state = parse_state(get_view(st, 12));
  r.finished_at = get_instant(st, 13);
  return r;
}

// Cut at a UTF-8 character boundary.
std::string cut(std::string_view text) {
  if (text.size() <= kMaxErrorBytes) return std::string(text);
  std::size_t n = kMaxErrorBytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
    --n;
  return std::string(text.substr(0, n));
}

}  // namespace

std::string_view channel_name(Channel c) {
  return c == Channel::webhook ? "webhook" : "email";
}

std::string_view outbox_state_name(OutboxState s) {
  switch (s) {
    case OutboxState::pending:
      return "pending";
    case OutboxState::delivered:
      return "delivered";
    case OutboxState::dead:
      return "dead";
  }
  return "pending";
}

struct Outbox::Impl {
  explicit Impl(SQLite::Database& db)
      : insert(db,
               "INSERT INTO outbox (idempotency_key, receiver, channel, group_key, kind, payload, "
               "created_at, not_before) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
               "ON CONFLICT (idempotency_key) DO NOTHING"),
        find_key(db, "SELECT id FROM outbox WHERE idempotency_key = ?1"),
        due(db, std::string(kColumns) +
                    "WHERE state = 'pending' AND not_before <= ?1 ORDER BY not_before, id "
                    "LIMIT ?2"),
        next_due(db, "SELECT min(not_before) FROM outbox WHERE state = 'pending'"),
        delivered(db,
                  "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, "
                  "last_attempt = ?2, finished_at = ?2 WHERE id = ?1 AND state = 'pending'"),
        retry(db,
              "UPDATE outbox SET attempts = attempts + 1, last_attempt = ?2, last_error = ?3, "
              "not_before = ?4 WHERE id = ?1 AND state = 'pending'"),
        dead(db,
             "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_attempt = ?2, "
             "last_error = ?3, finished_at = ?2 WHERE id = ?1 AND state = 'pending'"),
        expire(db,
               "UPDATE outbox SET state = 'dead', finished_at = ?2, "
               "last_error = 'gave up after ' || attempts || ' attempts' || "
               "CASE WHEN last_error = '' THEN '' ELSE '; the last: ' || last_error END "
               "WHERE state = 'pending' AND created_at < ?1"),
        get(db, std::string(kColumns) + "WHERE id = ?1"),
        list(db, std::string(kColumns) + "WHERE state = ?1 ORDER BY id DESC LIMIT ?2"),
        counts(db, "SELECT state, count(*) FROM outbox GROUP BY state"),
        counts_receiver(db,
                        "SELECT state, count(*) FROM outbox WHERE receiver = ?1 GROUP BY state") {}

  SQLite::Statement insert, find_key, due, next_due, delivered, retry, dead, expire, get, list,
      counts, counts_receiver;
};

Outbox::Outbox(Database& db) : db_(db), impl_(std::make_unique<Impl>(db.sql())) {}
Outbox::~Outbox() = default;

std::int64_t Outbox::enqueue(const OutboxMessage& m, sla::Instant now) {
  SQLite::Statement& st = impl_->insert;
  bind_text(st, 1, m.idempotency_key);
  bind_text(st, 2, m.receiver);
  bind_text_copy(st, 3, channel_name(m.channel));
  bind_text(st, 4, m.group_key);
  bind_text(st, 5, m.kind);
  bind_text(st, 6, m.payload);
  bind_int(st, 7, seconds(now));
  bind_int(st, 8, seconds(m.not_before));
  run(st);
  SQLite::Statement& find = impl_->find_key;
  ResetOnExit reset(find);
  bind_text(find, 1, m.idempotency_key);
  find.executeStep();
  return find.getColumn(0).getInt64();
}

std::vector<OutboxRow> Outbox::due(sla::Instant now, std::size_t limit) {
  SQLite::Statement& st = impl_->due;
  ResetOnExit reset(st);
  bind_int(st, 1, seconds(now));
  bind_int(st, 2, static_cast<std::int64_t>(limit));
  std::vector<OutboxRow> out;
  while (st.executeStep())
    out.push_back(read_row(st));
  return out;
}

std::optional<sla::Instant> Outbox::next_due() {
  SQLite::Statement& st = impl_->next_due;
  ResetOnExit reset(st);
  st.executeStep();
  return get_instant(st, 0);
}

void Outbox::delivered(std::int64_t id, sla::Instant at) {
  SQLite::Statement& st = impl_->delivered;
  bind_int(st, 1, id);
  bind_int(st, 2, seconds(at));
  run(st);
}

void Outbox::retry(std::int64_t id, sla::Instant at, std::string_view error, sla::Instant next) {
  SQLite::Statement& st = impl_->retry;
  bind_int(st, 1, id);
  bind_int(st, 2, seconds(at));
  bind_text_copy(st, 3, cut(error));
  bind_int(st, 4, seconds(next));
  run(st);
}

void Outbox::dead(std::int64_t id, sla::Instant at, std::string_view error) {
  SQLite::Statement& st = impl_->dead;
  bind_int(st, 1, id);
  bind_int(st, 2, seconds(at));
  bind_text_copy(st, 3, cut(error));
  run(st);
}

std::size_t Outbox::expire(sla::Instant created_before, sla::Instant now) {
  SQLite::Statement& st = impl_->expire;
  bind_int(st, 1, seconds(created_before));
  bind_int(st, 2, seconds(now));
  ResetOnExit reset(st);
  return static_cast<std::size_t>(st.exec());
}

std::optional<OutboxRow> Outbox::get(std::int64_t id) {
  SQLite::Statement& st = impl_->get;
  ResetOnExit reset(st);
  bind_int(st, 1, id);
  if (!st.executeStep()) return std::nullopt;
  return read_row(st);
}

std::vector<OutboxRow> Outbox::list(OutboxState state, std::size_t limit) {
  SQLite::Statement& st = impl_->list;
  ResetOnExit reset(st);
  bind_text_copy(st, 1, outbox_state_name(state));
  bind_int(st, 2, static_cast<std::int64_t>(limit));
  std::vector<OutboxRow> out;
  while (st.executeStep())
    out.push_back(read_row(st));
  return out;
}

namespace {

OutboxCounts read_counts(SQLite::Statement& st) {
  OutboxCounts c;
  while (st.executeStep()) {
    const auto n = st.getColumn(1).getInt64();
    switch (parse_state(get_view(st, 0))) {
      case OutboxState::pending:
        c.pending = n;
        break;
      case OutboxState::delivered:
        c.delivered = n;
        break;
      case OutboxState::dead:
        c.dead = n;
        break;
    }
  }
  return c;
}

}  // namespace

OutboxCounts Outbox::counts() {
  ResetOnExit reset(impl_->counts);
  return read_counts(impl_->counts);
}

OutboxCounts Outbox::counts(std::string_view receiver) {
  ResetOnExit reset(impl_->counts_receiver);
  bind_text_copy(impl_->counts_receiver, 1, receiver);
  return read_counts(impl_->counts_receiver);
}

}  // namespace motcua::store
