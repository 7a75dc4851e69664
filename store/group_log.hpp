#pragma once
// The notification log of alert groups: what each group was last told, so that a restart neither
// repeats a notification nor forgets a reminder or an escalation step. Written in the same
// transaction as the outbox rows the decision produced.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sla/time.hpp"
#include "store/database.hpp"

namespace motcua::store {

struct GroupState {
  std::string group_key;
  std::string receiver;
  sla::Instant first_seen{};  // the group's first firing alert was seen (group_wait counts)
  std::optional<sla::Instant> last_notified_at;
  std::vector<std::string> notified;  // fingerprints of the firing alerts last notified, sorted
  int escalations_sent = 0;
  std::int64_t sequence = 0;  // notifications made for the group, ever
};

class GroupLog {
 public:
  explicit GroupLog(Database& db);
  ~GroupLog();
  GroupLog(const GroupLog&) = delete;
  GroupLog& operator=(const GroupLog&) = delete;

  std::vector<GroupState> all();
  void put(const GroupState& state);
  void remove(std::string_view group_key);

 private:
  struct Impl;
  Database& db_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace motcua::store
