#pragma once
// The persistent outbox (Monit's event queue, Alertmanager's retries): every notification is
// written here in the same transaction as the alert change that caused it, then delivered. A row
// stays pending until a channel accepts it (delivered) or it is given up (dead: a permanent
// refusal, or too old); every row is kept, with its attempts and the last error, so nothing is
// lost and every failure can be shown. Delivery is at least once: a row whose delivery was
// interrupted (kill -9) is due again, with the same idempotency key.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sla/time.hpp"
#include "store/database.hpp"

namespace motcua::store {

enum class Channel : std::uint8_t { email, webhook };
std::string_view channel_name(Channel c);

enum class OutboxState : std::uint8_t { pending, delivered, dead };
std::string_view outbox_state_name(OutboxState s);

struct OutboxMessage {
  std::string idempotency_key;  // unique: enqueuing it twice stores it once
  std::string receiver;
  Channel channel = Channel::email;
  std::string group_key;
  std::string kind;           // initial, repeat, escalation, resolved
  std::string payload;        // the notification, as the alerts layer serialised it
  sla::Instant not_before{};  // not delivered earlier (quiet hours, group_wait)
};

struct OutboxRow {
  std::int64_t id = 0;
  OutboxMessage message;
  sla::Instant created_at{};
  int attempts = 0;
  std::optional<sla::Instant> last_attempt;
  std::string last_error;
  OutboxState state = OutboxState::pending;
  std::optional<sla::Instant> finished_at;  // delivered or dead
};

struct OutboxCounts {
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t dead = 0;
};

class Outbox {
 public:
  explicit Outbox(Database& db);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Stores the message as pending (inside the caller's transaction when one is open). Returns its
  // id; a message whose idempotency key is stored already is not stored again and the existing
  // id is returned.
  std::int64_t enqueue(const OutboxMessage& message, sla::Instant now);

  // Pending rows with not_before <= now, the earliest first, at most `limit`.
  std::vector<OutboxRow> due(sla::Instant now, std::size_t limit);
  // The earliest not_before of a pending row: when the delivery loop must wake next.
  std::optional<sla::Instant> next_due();

  // The outcome of one attempt. Each counts the attempt; `retry` moves not_before to `next`.
  // A row that is no longer pending is left as it is (a second delivery loop cannot undo the
  // first's outcome).
  void delivered(std::int64_t id, sla::Instant at);
  void retry(std::int64_t id, sla::Instant at, std::string_view error, sla::Instant next);
  void dead(std::int64_t id, sla::Instant at, std::string_view error);

  // Gives up every pending row created before `created_before`: dead, with a note of how long it
  // was tried. Returns how many.
  std::size_t expire(sla::Instant created_before, sla::Instant now);

  std::optional<OutboxRow> get(std::int64_t id);
  // The newest first, of one state.
  std::vector<OutboxRow> list(OutboxState state, std::size_t limit);
  OutboxCounts counts();
  OutboxCounts counts(std::string_view receiver);

 private:
  struct Impl;
  Database& db_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace motcua::store
