#include "config/config.hpp"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "config/reader.hpp"
#include "config/sections.hpp"

namespace motcua::config {
namespace {

// [[source]], [[receiver]], [[route]]: arrays of tables.
std::vector<const toml::table*> tables_of(Document& doc, TableReader& root, std::string_view key) {
  std::vector<const toml::table*> out;
  const toml::node* n = root.node(key);
  if (!n) return out;
  const toml::array* list = n->as_array();
  if (!list) {
    doc.error(*n, "'" + std::string(key) + "' must be written as [[" + std::string(key) +
                      "]] tables, not " + std::string(type_phrase(*n)));
    return out;
  }
  for (const toml::node& item : *list) {
    if (const toml::table* t = item.as_table())
      out.push_back(t);
    else
      doc.error(item, "'" + std::string(key) + "' must hold tables, not " +
                          std::string(type_phrase(item)));
  }
  return out;
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// "2023–2026", "2023–2024, 2026"
std::string year_ranges(std::vector<int> years) {
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  std::string out;
  for (std::size_t i = 0; i < years.size();) {
    std::size_t j = i;
    while (j + 1 < years.size() && years[j + 1] == years[j] + 1)
      ++j;
    if (!out.empty()) out += ", ";
    out += std::to_string(years[i]);
    if (j > i) out += "–" + std::to_string(years[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace

std::string_view log_level_name(LogLevel l) {
  switch (l) {
    case LogLevel::trace:
      return "trace";
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

std::string_view source_kind_name(SourceKind k) {
  switch (k) {
    case SourceKind::motcua:
      return "motcua";
    case SourceKind::dvc:
      return "dvc";
    case SourceKind::file:
      return "file";
  }
  return "file";
}

std::string_view starttls_name(StartTls s) {
  switch (s) {
    case StartTls::required:
      return "required";
    case StartTls::opportunistic:
      return "opportunistic";
    case StartTls::off:
      return "off";
  }
  return "required";
}

std::string_view webhook_format_name(WebhookFormat f) {
  switch (f) {
    case WebhookFormat::native:
      return "native";
    case WebhookFormat::alertmanager:
      return "alertmanager";
  }
  return "native";
}

namespace detail {

DaemonConfig read_daemon(Document& doc, const toml::table* table) {
  DaemonConfig d;
  d.state_db = doc.resolve("state.db");
  if (!table) return d;
  TableReader r(doc, *table, "[daemon]");
  if (auto listen = r.optional_string("listen")) {
    if (auto hp = split_host_port(*listen)) {
      d.listen = *listen;
      d.listen_host = hp->first;
      d.listen_port = hp->second;
    } else {
      r.error_at("listen",
                 "'listen' in [daemon] must be HOST:PORT such as \"127.0.0.1:9470\"; got '" +
                     *listen + "'");
    }
  }
  d.state_db = r.path("state_db", "state.db");
  if (auto offset = r.optional_string("utc_offset")) {
    if (auto s = sla::parse_offset(*offset))
      d.utc_offset = *s;
    else
      r.error_at(
          "utc_offset",
          "'utc_offset' in [daemon] must be an offset such as \"+07:00\"; got '" + *offset + "'");
  }
  d.log_level = r.choice<LogLevel>("log_level", {{"trace", LogLevel::trace},
                                                 {"debug", LogLevel::debug},
                                                 {"info", LogLevel::info},
                                                 {"warn", LogLevel::warn},
                                                 {"error", LogLevel::error}})
                    .value_or(LogLevel::info);
  d.api_token_file = r.secret_file("api_token_file");
  return d;
}

TemplatesConfig read_templates(Document& doc, const toml::table* table) {
  TemplatesConfig t;
  if (!table) return t;
  TableReader r(doc, *table, "[templates]");
  t.directory = r.optional_path("directory");
  t.files.subject = r.optional_path("subject");
  t.files.text = r.optional_path("text");
  t.files.html = r.optional_path("html");
  return t;
}

}  // namespace detail

Config parse_config(std::string_view text, const std::filesystem::path& file) {
  Document doc(file.string(), file.parent_path());
  Config config;
  config.file = file;
  auto root = parse_toml(text, doc);
  if (!root) doc.throw_if_errors();

  TableReader top(doc, *root, "the config");
  // Sections read in dependency order: the calendar needs [daemon]'s offset, rules and routes need
  // the working day's length, routes need the receivers and sources.
  config.daemon = detail::read_daemon(doc, top.table("daemon"));
  config.calendar = detail::read_calendar(doc, top.table("calendar"), config.daemon.utc_offset);
  const auto working_day = detail::working_day_length(config.calendar);

  auto sources = tables_of(doc, top, "source");
  if (sources.empty() && !top.has("source"))
    doc.error(top.position(),
              "missing [[source]]: the config needs at least one source (DESIGN.md "
              "\"Configuration\")");
  config.sources = detail::read_sources(doc, sources);
  config.rules = detail::read_rules(doc, top.table("rules"), working_day);
  config.smtp = detail::read_smtp(doc, top.table("smtp"));
  config.receivers =
      detail::read_receivers(doc, tables_of(doc, top, "receiver"), config.smtp.has_value());
  config.routes = detail::read_routes(doc, tables_of(doc, top, "route"), config.receivers,
                                      config.sources, working_day);
  config.templates = detail::read_templates(doc, top.table("templates"));
  top.finish();

  doc.throw_if_errors();
  return config;
}

std::string read_secret_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::string secret;
  std::getline(in, secret);
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  return secret;
}

Config load_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::error_code ec(errno, std::generic_category());
    throw ConfigErrors({{{file.string(), 0, 0}, "cannot read the config: " + ec.message()}});
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigErrors({{{file.string(), 0, 0}, "cannot read the config"}});
  return parse_config(text.str(), file);
}

const SourceConfig* Config::source(std::string_view name) const {
  for (const auto& s : sources)
    if (s.name == name) return &s;
  return nullptr;
}

const ReceiverConfig* Config::receiver(std::string_view name) const {
  for (const auto& r : receivers)
    if (r.name == name) return &r;
  return nullptr;
}

std::string Config::summary() const {
  std::string out = file.string() + ": " + plural(sources.size(), "source", "sources") + " (";
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (i) out += ", ";
    out += sources[i].name + ":" + std::string(source_kind_name(sources[i].kind));
  }
  std::size_t enabled = std::count_if(rules.rules.begin(), rules.rules.end(),
                                      [](const sla::RuleSettings& r) { return r.enabled; });
  out += "), " + plural(rules.rules.size(), "rule", "rules") + " (" + std::to_string(enabled) +
         " enabled), " + plural(receivers.size(), "receiver", "receivers") + ", " +
         plural(routes.size(), "route", "routes") + ", calendar ";
  std::vector<int> official;
  for (const auto& t : calendar.tables)
    if (t.confirmed) official.push_back(t.year);
  out += official.empty() ? std::string("computed (no official tables)")
                          : year_ranges(official) + " official";
  return out;
}

}  // namespace motcua::config
