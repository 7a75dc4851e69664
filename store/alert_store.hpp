#pragma once
// Alerts as the store keeps them: a finding with a stable identity (the fingerprint of rule,
// source and dossier) that fires and resolves. A restart reads them back, so it neither forgets an
// alert nor announces it again. The labels and annotations are the alerts layer's JSON text; the
// store compares them only by their hash.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sla/time.hpp"
#include "store/database.hpp"

namespace motcua::store {

// An alert as the latest evaluation sees it.
struct AlertRecord {
  std::string fingerprint;
  std::string rule;
  std::string source;
  std::string dossier;             // empty for source alerts (source_stale)
  std::string labels;              // JSON object
  std::string annotations;         // JSON object
  std::uint64_t content_hash = 0;  // of labels and annotations; equal means unchanged
  sla::Instant starts_at{};        // when the condition began (the finding's `since`)
};

struct StoredAlert {
  AlertRecord alert;
  bool firing = false;
  sla::Instant first_seen{};  // the first cycle that found it
  sla::Instant changed_at{};  // the last transition or content change
  std::optional<sla::Instant> resolved_at;
};

enum class AlertTransition : std::uint8_t {
  fired,     // new
  refired,   // resolved before, firing again
  changed,   // still firing, other content (a later deadline, more hours late…)
  resolved,  // firing before, not found by this evaluation
};
std::string_view alert_transition_name(AlertTransition t);

struct AlertChange {
  AlertTransition transition{};
  std::string fingerprint;
};

class AlertStore {
 public:
  explicit AlertStore(Database& db);
  ~AlertStore();
  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;

  // Brings the stored alerts in line with one evaluation. Every alert in `current` fires: it is
  // inserted, fired again, or rewritten when its content changed; an unchanged one is not written
  // at all. Every firing alert of a source in `complete` that is not in `current` resolves — only
  // those sources: a source that could not be evaluated keeps its alerts as they were. In one
  // transaction (a savepoint in the caller's, so the outbox rows the changes cause can commit with
  // them). Returns the changes in fingerprint order. A fingerprint repeated in `current` counts
  // once (the last wins).
  std::vector<AlertChange> reconcile(std::span<const AlertRecord> current,
                                     std::span<const std::string> complete, sla::Instant now);

  std::optional<StoredAlert> get(std::string_view fingerprint);
  // Ordered by fingerprint.
  std::vector<StoredAlert> list(bool firing_only);
  std::int64_t count_firing();
  // Alerts that resolved at or after `since`, ordered by fingerprint.
  std::vector<StoredAlert> resolved_since(sla::Instant since);

 private:
  struct Impl;
  Database& db_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace motcua::store
