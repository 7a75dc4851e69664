#include "alerts/alert.hpp"

#include <cstdio>

#include <boost/json.hpp>

namespace motcua::alerts {

namespace json = boost::json;

namespace {

constexpr std::uint64_t kFnvOffset = 1469598103934665603ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

void mix(std::uint64_t& h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  h ^= 0x1f;  // a separator, so ("ab","c") and ("a","bc") differ
  h *= kFnvPrime;
}

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string hours(double h) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", h);
  return buf;
}

std::string to_json(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m)
    o[k] = v;
  return json::serialize(o);
}

}  // namespace

std::string hash_hex(std::string_view text) {
  std::uint64_t h = kFnvOffset;
  for (unsigned char c : text) {
    h ^= c;
    h *= kFnvPrime;
  }
  return hex(h);
}

std::string fingerprint(sla::Rule rule, std::string_view source, std::string_view dossier) {
  std::uint64_t h = kFnvOffset;
  mix(h, sla::rule_name(rule));
  mix(h, source);
  mix(h, dossier);
  return hex(h);
}

std::map<std::string, std::string> labels_of(const sla::Finding& f) {
  std::map<std::string, std::string> out;
  const auto put = [&](const char* k, std::string_view v) {
    if (!v.empty()) out.emplace(k, v);
  };
  put("rule", sla::rule_name(f.rule));
  put("severity", sla::severity_name(f.severity));
  put("source", f.source);
  put("agency", f.agency);
  put("procedure", f.procedure);
  put("dossier", f.dossier);
  put("department", f.department);
  put("handler", f.handler);
  return out;
}

std::map<std::string, std::string> annotations_of(const sla::Finding& f,
                                                  std::chrono::seconds utc_offset) {
  std::map<std::string, std::string> out;
  const auto put = [&](const char* k, std::string v) {
    if (!v.empty()) out.emplace(k, std::move(v));
  };
  put("message", f.message);
  put("agency_name", f.agency_name);
  put("procedure_name", f.procedure_name);
  put("since", sla::format_rfc3339(f.since, utc_offset));
  if (f.due) put("due", sla::format_rfc3339(*f.due, utc_offset));
  if (f.first_due) put("first_due", sla::format_rfc3339(*f.first_due, utc_offset));
  if (f.overdue_working_hours) put("overdue_working_hours", hours(*f.overdue_working_hours));
  if (f.remaining_working_hours) put("remaining_working_hours", hours(*f.remaining_working_hours));
  return out;
}

store::AlertRecord alert_record(const sla::Finding& f, std::chrono::seconds utc_offset) {
  store::AlertRecord r;
  r.fingerprint = fingerprint(f.rule, f.source, f.dossier);
  r.rule = sla::rule_name(f.rule);
  r.source = f.source;
  r.dossier = f.dossier;
  const auto labels = labels_of(f);
  r.labels = to_json(labels);
  r.annotations = to_json(annotations_of(f, utc_offset));
  r.starts_at = f.since;
  std::uint64_t h = kFnvOffset;
  mix(h, r.labels);
  mix(h, std::to_string(f.since.time_since_epoch().count()));
  mix(h, f.due ? std::to_string(f.due->time_since_epoch().count()) : "");
  mix(h, f.first_due ? std::to_string(f.first_due->time_since_epoch().count()) : "");
  r.content_hash = h;
  return r;
}

std::vector<store::AlertChange> record_findings(store::AlertStore& alerts,
                                                std::span<const sla::Finding> findings,
                                                std::span<const std::string> complete,
                                                sla::Instant now, std::chrono::seconds utc_offset) {
  std::vector<store::AlertRecord> records;
  records.reserve(findings.size());
  for (const auto& f : findings)
    records.push_back(alert_record(f, utc_offset));
  return alerts.reconcile(records, complete, now);
}

std::map<std::string, std::string> parse_string_map(std::string_view text) {
  std::map<std::string, std::string> out;
  json::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, val] : v.as_object())
    if (val.is_string()) out.emplace(std::string(k), std::string(val.as_string()));
  return out;
}

}  // namespace motcua::alerts
