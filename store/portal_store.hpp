#pragma once
// What the public-service portal (a `dvc` source) said about the one-stop dossiers: for each
// portal and dossier, the last lookup (TraCuuHoSo) and the portal's copy of the status and finish
// time. `portal_missing` and `status_mismatch` compare these with the one-stop record.
#include <cstddef>
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

// One lookup's answer for one stored dossier.
struct PortalObservation {
  std::string source;  // the one-stop source the dossier is stored under
  std::string code;
  bool found = false;
  // The portal's copy, when found.
  std::optional<sla::Status> status;
  std::optional<sla::Instant> finished_at;
  std::string raw;  // the portal's record text, as given
};

struct PortalState {
  std::string portal;  // the `dvc` source name
  std::string source;
  std::string code;
  sla::Instant last_checked_at{};
  bool found = false;
  std::optional<sla::Status> status;
  std::optional<sla::Instant> finished_at;
  std::string raw;
  std::optional<sla::Instant> first_seen_on_portal;  // the first lookup that found it; kept
};

// A dossier the portal should be asked about next, with the one-stop side of the comparison.
struct LookupCandidate {
  std::string source;
  std::string code;
  sla::Instant received_at{};
  sla::Status status = sla::Status::unknown;    // the one-stop record's
  std::optional<sla::Instant> finished_at;      // the one-stop record's
  std::optional<sla::Instant> last_checked_at;  // empty: never looked up on this portal
};

class PortalStore {
 public:
  explicit PortalStore(Database& db);
  ~PortalStore();
  PortalStore(const PortalStore&) = delete;
  PortalStore& operator=(const PortalStore&) = delete;

  // Records the answers of one round of lookups on `portal`, in one transaction. Each dossier must
  // be stored (a foreign key); a not-found answer clears the portal's copy but keeps
  // first_seen_on_portal.
  void record(std::string_view portal, std::span<const PortalObservation> observations,
              sla::Instant checked_at);

  std::optional<PortalState> get(std::string_view portal, std::string_view source,
                                 std::string_view code);

  // DOMAIN.md "Upstream interfaces": the dossiers received at or after `received_since` that the
  // portal has not yet confirmed in the state the one-stop record shows (not found, or found with
  // another status or finish time), never-checked first, then the longest unchecked, at most
  // `limit`. `source` narrows to one one-stop source; empty means all.
  // Every last answer, from any portal, that disagrees with a stored dossier of `source`: not
  // found, or found with another status or finish time. The inputs of portal_missing and
  // status_mismatch; ordered by code, then portal. `raw` is left empty.
  std::vector<PortalState> disagreements(std::string_view source);

  std::vector<LookupCandidate> due_for_lookup(std::string_view portal, sla::Instant received_since,
                                              std::size_t limit, std::string_view source = {});

 private:
  struct Impl;
  Database& db_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace motcua::store
