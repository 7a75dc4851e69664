#pragma once
// A finding as an alert: its identity (fingerprint), the labels routes match and group on, and
// the annotations people read. What counts as a change of an alert is what would change what
// officials must do: its labels, when the condition began, and its deadlines. The hours-late
// figures and the message grow every cycle; they are kept fresh in the annotations but do not
// make an alert "changed", so a cycle rewrites only the alerts that really changed.
#include <chrono>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sla/finding.hpp"
#include "store/alert_store.hpp"

namespace motcua::alerts {

// 16 hex digits of FNV-1a 64 over `text`: short stable tags (group keys inside idempotency keys,
// Message-IDs).
std::string hash_hex(std::string_view text);

// Stable across runs and versions: 16 hex digits of FNV-1a over rule, source and dossier.
std::string fingerprint(sla::Rule rule, std::string_view source, std::string_view dossier);

// rule, severity, source, agency, procedure, dossier, department (step_overdue), handler; empty
// values are left out. These are the names `[[route]] match` and `group_by` use.
std::map<std::string, std::string> labels_of(const sla::Finding& f);

// message, agency_name, procedure_name, since, due, first_due (RFC 3339 at `utc_offset`),
// overdue_working_hours, remaining_working_hours; empty values are left out.
std::map<std::string, std::string> annotations_of(const sla::Finding& f,
                                                  std::chrono::seconds utc_offset);

// The finding as the store keeps it (labels and annotations as JSON objects).
store::AlertRecord alert_record(const sla::Finding& f, std::chrono::seconds utc_offset);

// One evaluation's findings into the alert store (AlertStore::reconcile): `complete` names the
// sources whose every dossier was evaluated, the only ones whose missing alerts resolve.
std::vector<store::AlertChange> record_findings(store::AlertStore& alerts,
                                                std::span<const sla::Finding> findings,
                                                std::span<const std::string> complete,
                                                sla::Instant now, std::chrono::seconds utc_offset);

// Back from the store's JSON text; a malformed text gives an empty map (it is our own output).
std::map<std::string, std::string> parse_string_map(std::string_view json);

}  // namespace motcua::alerts
