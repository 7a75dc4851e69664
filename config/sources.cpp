// [[source]]: where dossiers come from (DOMAIN.md "Upstream interfaces"), with the per-source
// mapping overrides that let a province whose vendor names things differently change config only.
#include <climits>
#include <map>

#include "config/sections.hpp"
#include "sla/dossier.hpp"

namespace motcua::config::detail {
namespace {

// Keys only the HTTP sources (motcua, dvc) have.
constexpr std::string_view kRemoteKeys[] = {
    "url",     "username", "password_file", "dstcode",
    "madonvi", "ca_file",  "tls_verify",    "session_expired_code"};

bool valid_source_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

void positive(TableReader& r, std::string_view key, std::chrono::seconds value) {
  if (r.has(key) && value <= std::chrono::seconds::zero())
    r.error_at(key, "'" + std::string(key) + "' in " + r.name() + " must be longer than 0s");
}

void read_remote(TableReader& r, SourceConfig& s) {
  if (auto url = r.required_string("url")) {
    if (is_http_url(*url))
      s.url = *url;
    else
      r.error_at("url",
                 "'url' in [[source]] must start with http:// or https:// and name a "
                 "host; got '" +
                     *url + "'");
  }
  s.username = r.string("username", "");
  s.password_file = r.secret_file("password_file");
  s.dstcode = r.string("dstcode", "");
  s.madonvi = r.string("madonvi", "");
  s.ca_file = r.optional_path("ca_file");
  s.tls_verify = r.boolean("tls_verify", true);
  s.session_expired_code = static_cast<int>(r.integer("session_expired_code", 401, 1, INT_MAX));
  if (!s.username.empty() && !s.password_file)
    r.error_at("username", "[[source]] '" + s.name + "' has a username but no 'password_file'");
}

void read_fields(TableReader& r, SourceConfig& s) {
  const toml::table* fields = r.table("fields");
  if (!fields) return;
  Document& doc = r.document();
  for (const auto& [key, value] : *fields) {
    Position where = doc.position(key.source().begin);
    const auto* upstream = value.as_string();
    if (!upstream || upstream->get().empty()) {
      doc.error(value, "field '" + std::string(key.str()) +
                           "' in 'fields' of [[source]] must map to an upstream field name (a "
                           "non-empty string)");
      continue;
    }
    s.fields.push_back({std::string(key.str()), upstream->get(), where});
  }
}

void read_status_codes(TableReader& r, SourceConfig& s) {
  const toml::table* codes = r.table("status_codes");
  if (!codes) return;
  Document& doc = r.document();
  for (const auto& [key, value] : *codes) {
    const auto* code = value.as_integer();
    if (!code || code->get() < 1 || code->get() > sla::kMaxStatus) {
      doc.error(value, "status '" + std::string(key.str()) +
                           "' in 'status_codes' of [[source]] must map to a status code 1..10 "
                           "(DOMAIN.md \"Status codes\")");
      continue;
    }
    s.status_codes.push_back(
        {std::string(key.str()), static_cast<int>(code->get()), doc.position(key.source().begin)});
  }
}

}  // namespace

std::vector<SourceConfig> read_sources(Document& doc, const std::vector<const toml::table*>& list) {
  std::vector<SourceConfig> out;
  std::map<std::string, Position> names;
  for (const toml::table* table : list) {
    TableReader r(doc, *table, "[[source]]");
    SourceConfig s;
    s.where = r.position();
    if (auto name = r.required_string("name")) {
      if (!valid_source_name(*name)) {
        r.error_at("name", "source name '" + *name +
                               "' must be lower-case letters, digits, '_' and '-' only");
      } else if (auto [it, inserted] = names.emplace(*name, r.position_of("name")); !inserted) {
        r.error_at("name", "duplicate source name '" + *name + "' (also at line " +
                               std::to_string(it->second.line) + ")");
      }
      s.name = *name;
    }
    auto kind = r.choice<SourceKind>(
        "kind",
        {{"motcua", SourceKind::motcua}, {"dvc", SourceKind::dvc}, {"file", SourceKind::file}});
    if (!r.has("kind")) r.missing("kind");

    if (kind == SourceKind::file) {
      if (!r.has("path")) r.missing("path");
      if (auto p = r.optional_path("path")) s.path = *p;
      for (auto key : kRemoteKeys)
        r.reject(key, "applies only to sources of kind motcua or dvc");
    } else if (kind) {
      read_remote(r, s);
      r.reject("path", "applies only to sources of kind file");
    } else {
      // Unknown kind: still check the values, so the next run has fewer surprises.
      if (auto p = r.optional_path("path")) s.path = *p;
      r.optional_string("url");
      r.optional_string("username");
      r.secret_file("password_file");
      r.optional_string("dstcode");
      r.optional_string("madonvi");
      r.optional_path("ca_file");
      r.boolean("tls_verify", true);
      r.optional_integer("session_expired_code", 1, INT_MAX);
    }
    if (kind) s.kind = *kind;

    s.poll_interval = r.clock_duration("poll_interval", s.poll_interval);
    positive(r, "poll_interval", s.poll_interval);
    s.page_size = static_cast<int>(r.integer("page_size", s.page_size, 1, 10000));
    s.timeout = r.clock_duration("timeout", s.timeout);
    positive(r, "timeout", s.timeout);
    s.lookback = r.clock_duration("lookback", s.lookback);
    positive(r, "lookback", s.lookback);
    s.concurrency = static_cast<int>(r.integer("concurrency", s.concurrency, 1, 256));
    s.rate_limit = r.number("rate_limit", s.rate_limit, 0.001, 1e6);
    s.date_format = r.string("date_format", s.date_format);
    if (s.date_format.empty()) r.error_at("date_format", "'date_format' in [[source]] is empty");
    s.apology_step_pattern = r.string("apology_step_pattern", s.apology_step_pattern);
    read_fields(r, s);
    read_status_codes(r, s);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace motcua::config::detail
