#pragma once
// Findings as text: JSON (DESIGN.md "Finding") and a readable form for a terminal.
#include <chrono>
#include <string>

#include "sla/finding.hpp"

namespace motcua::daemon {

// One JSON object, no newline. Keys as DESIGN.md fixes them; times in RFC 3339 at utc_offset.
std::string finding_json(const sla::Finding& f, std::chrono::seconds utc_offset);

// JSON string literal with the quotes; UTF-8 kept, control characters escaped.
void append_json_string(std::string& out, std::string_view s);

}  // namespace motcua::daemon
