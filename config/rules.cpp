// [rules] and [rules.<name>]: which SLA rules run, how loud they are and their thresholds
// (DOMAIN.md "Rule semantics"). Starts from sla::RulesConfig's defaults.
#include "config/sections.hpp"

namespace motcua::config::detail {
namespace {

std::string rule_list() {
  std::string out;
  for (sla::Rule r : sla::all_rules()) {
    if (!out.empty()) out += ", ";
    out += sla::rule_name(r);
  }
  return out;
}

// apology_late counts whole working days before the deadline's day; working hours are accepted
// when they make whole days under the configured sessions.
void read_apology_lead(TableReader& r, sla::RulesConfig& rc, std::chrono::seconds working_day) {
  auto lead = r.optional_duration("lead", DurationKind::working);
  if (!lead) return;
  if (lead->unit == sla::Duration::Unit::working_days) {
    rc.apology_lead_working_days = static_cast<int>(std::min<std::int64_t>(lead->amount, 366));
    return;
  }
  if (working_day.count() > 0 && lead->amount % working_day.count() == 0) {
    rc.apology_lead_working_days =
        static_cast<int>(std::min<std::int64_t>(lead->amount / working_day.count(), 366));
    return;
  }
  r.error_at("lead", "'lead' in " + r.name() +
                         " must be whole working days such as \"1 working day\"; got " +
                         sla::format_duration(*lead));
}

void read_rule(Document& doc, const toml::table& table, sla::Rule rule, sla::RulesConfig& rc,
               std::chrono::seconds working_day) {
  TableReader r(doc, table, "[rules." + std::string(sla::rule_name(rule)) + "]");
  sla::RuleSettings& s = rc[rule];
  s.enabled = r.boolean("enabled", s.enabled);
  s.severity = r.choice<sla::Severity>("severity", {{"info", sla::Severity::info},
                                                    {"warning", sla::Severity::warning},
                                                    {"critical", sla::Severity::critical}})
                   .value_or(s.severity);
  if (auto lookback = r.optional_duration("finished_lookback", DurationKind::clock))
    s.finished_lookback = *lookback;
  switch (rule) {
    case sla::Rule::due_soon:
      rc.due_soon_threshold = r.duration("threshold", rc.due_soon_threshold, DurationKind::any);
      break;
    case sla::Rule::apology_late:
      read_apology_lead(r, rc, working_day);
      break;
    case sla::Rule::repeat_supplement:
      rc.max_supplement_requests =
          static_cast<int>(r.integer("max_requests", rc.max_supplement_requests, 1, 1000));
      break;
    case sla::Rule::portal_missing:
      rc.portal_missing_after = r.duration("after", rc.portal_missing_after, DurationKind::any);
      break;
    case sla::Rule::status_mismatch:
      rc.status_mismatch_after = r.duration("after", rc.status_mismatch_after, DurationKind::any);
      break;
    case sla::Rule::source_stale:
      rc.source_stale_after = r.duration("after", rc.source_stale_after, DurationKind::any);
      break;
    default:
      break;
  }
}

}  // namespace

sla::RulesConfig read_rules(Document& doc, const toml::table* table,
                            std::chrono::seconds working_day) {
  sla::RulesConfig rc;
  if (!table) return rc;
  TableReader r(doc, *table, "[rules]");
  rc.finished_lookback = r.duration("finished_lookback", rc.finished_lookback, DurationKind::clock);
  for (const auto& [key, value] : *table) {
    const std::string name(key.str());
    if (name == "finished_lookback") continue;
    auto rule = sla::parse_rule(name);
    if (!rule) {
      if (value.is_table()) {
        r.node(name);
        doc.error(doc.position(key.source().begin),
                  "unknown rule '" + name + "' in [rules] (rules: " + rule_list() + ")");
      }
      continue;  // anything else is an unknown key, reported by finish()
    }
    if (const toml::table* sub = r.table(name)) read_rule(doc, *sub, *rule, rc, working_day);
  }
  return rc;
}

}  // namespace motcua::config::detail
