#pragma once
// GET / (the status page officials open in a browser, in Vietnamese) and GET /metrics. The page is
// rendered on the server from the published evaluation, the sources' state and the store, with no
// script: per agency its open, due-soon and overdue dossiers and the worst cases, the sources'
// health and the silences in force. Everything that came from upstream or the config goes through
// html_escape().
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/service_state.hpp"
#include "sla/finding.hpp"
#include "store/database.hpp"

namespace motcua::daemon {

// The text, safe inside HTML element content and quoted attribute values: & < > " ' escaped.
std::string html_escape(std::string_view text);

// One agency's line on the page.
struct AgencySummary {
  std::string code;
  std::string name;                 // from its findings or dossiers; empty when none carries one
  std::int64_t open = 0;            // dossiers whose legal clock runs or is paused
  std::size_t due_soon = 0;         // findings of rule due_soon
  std::size_t overdue = 0;          // findings of rule overdue
  std::vector<sla::Finding> worst;  // overdue findings, most working hours late first, capped
};

// Agencies with open dossiers or due-soon / overdue findings, the most overdue first (then the
// most due soon, then by code). `open_dossiers`: agency code → open dossiers. Findings without an
// agency (a stale source) are left out: the page shows them with the sources.
std::vector<AgencySummary> summarize_agencies(
    const Evaluation& evaluation, const std::map<std::string, std::int64_t>& open_dossiers,
    std::size_t worst_per_agency);

// Open dossiers (clock running or paused) per agency code: the stored ones of the sources the
// evaluation covered (all stored ones without an evaluation) and the evaluation's file dossiers.
// A scan of the dossier table: the page calls it once per evaluation.
std::map<std::string, std::int64_t> open_dossiers_by_agency(store::Database& db,
                                                            const Evaluation* evaluation);

// The whole page as of now.
std::string render_status_page(const ServiceState& state, store::Database& db,
                               const std::map<std::string, std::int64_t>& open_dossiers);

// Rows of worst cases shown per agency: the page stays small and quick with 100k findings.
inline constexpr std::size_t kWorstPerAgency = 10;

}  // namespace motcua::daemon
