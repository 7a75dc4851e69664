#pragma once
// Silences (Alertmanager's): a set of label matchers, a time window, who made it and why. While
// active, the alerts it matches notify nobody; they still fire and resolve, and show as silenced.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sla/time.hpp"
#include "store/database.hpp"

namespace motcua::store {

struct Silence {
  std::int64_t id = 0;   // given by add()
  std::string matchers;  // JSON object, label → value (the alerts layer's)
  sla::Instant starts_at{};
  sla::Instant ends_at{};
  std::string author;
  std::string comment;
  sla::Instant created_at{};
};

class SilenceStore {
 public:
  explicit SilenceStore(Database& db);
  ~SilenceStore();
  SilenceStore(const SilenceStore&) = delete;
  SilenceStore& operator=(const SilenceStore&) = delete;

  // Stores a silence; throws std::invalid_argument when ends_at is not after starts_at.
  std::int64_t add(const Silence& silence, sla::Instant now);
  // Ends a silence now (when it has not ended yet). False when there is no such silence.
  bool expire(std::int64_t id, sla::Instant now);
  std::optional<Silence> get(std::int64_t id);
  // Active at `now`: starts_at <= now < ends_at.
  std::vector<Silence> active(sla::Instant now);
  // Not yet ended at `now` (active or future), newest first, at most `limit`.
  std::vector<Silence> current(sla::Instant now, std::size_t limit);

 private:
  struct Impl;
  Database& db_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace motcua::store
