#pragma once
// Findings laid out for a person at a terminal, grouped by agency, in Vietnamese.
#include <chrono>
#include <string>
#include <vector>

#include "sla/finding.hpp"

namespace motcua::daemon {

std::string readable_findings(const std::vector<sla::Finding>& findings,
                              std::chrono::seconds utc_offset);

}  // namespace motcua::daemon
