#pragma once
// Dossiers that evolve as simulated time passes. Each dossier's whole life is generated up front
// (as seen at a horizon in the future); what the one-stop system shows at an instant t is the part
// of that life that has happened by t: the steps taken, the requests and apologies issued, the
// status those events imply, and NgayCapNhat = the time of the latest of them. A daemon polling
// the simulator therefore sees dossiers arrive, move, turn overdue and finish.
#include <optional>
#include <vector>

#include "sla/dossier.hpp"

namespace motcua::sim {

// Every instant at which the dossier changes, ascending (its possible NgayCapNhat values).
std::vector<sla::Instant> event_times(const sla::Dossier& life);

// The dossier as the one-stop system shows it at t, or nullopt before it was submitted.
std::optional<sla::Dossier> reveal(const sla::Dossier& life, sla::Instant t);

}  // namespace motcua::sim
