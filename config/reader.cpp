#include "config/reader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>

namespace motcua::config {
namespace {

// Keys that would put a secret into a file that is often world-readable, checked into git or
// pasted into tickets. Secrets come from files of their own (`password_file`).
constexpr std::array<std::string_view, 4> kSecretKeys{"password", "secret", "token", "api_token"};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

bool is_string(const toml::node& n) {
  return n.is_string();
}
bool is_boolean(const toml::node& n) {
  return n.is_boolean();
}
bool is_integer(const toml::node& n) {
  return n.is_integer();
}
bool is_number(const toml::node& n) {
  return n.is_integer() || n.is_floating_point();
}
bool is_table(const toml::node& n) {
  return n.is_table();
}
bool is_array(const toml::node& n) {
  return n.is_array();
}

}  // namespace

Position Document::position(const toml::source_position& p) const {
  return {file_name_, static_cast<int>(p.line), static_cast<int>(p.column)};
}

void Document::error(Position where, std::string message) {
  errors_.push_back({std::move(where), std::move(message)});
}

void Document::append(const std::vector<ConfigError>& more) {
  errors_.insert(errors_.end(), more.begin(), more.end());
}

void Document::throw_if_errors() const {
  if (errors_.empty()) return;
  // This file's errors first, in reading order; then those of files it names (holiday tables).
  std::vector<std::string> files{file_name_};
  for (const auto& e : errors_)
    if (std::find(files.begin(), files.end(), e.where.file) == files.end())
      files.push_back(e.where.file);
  auto key = [&](const ConfigError& e) {
    auto file = std::find(files.begin(), files.end(), e.where.file) - files.begin();
    return std::tuple(file, e.where.line, e.where.column);
  };
  auto sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const ConfigError& a, const ConfigError& b) { return key(a) < key(b); });
  throw ConfigErrors(std::move(sorted));
}

std::filesystem::path Document::resolve(const std::filesystem::path& p) const {
  if (p.is_absolute() || base_dir_.empty()) return p;
  return base_dir_ / p;
}

std::optional<toml::table> parse_toml(std::string_view text, Document& doc) {
  try {
    return toml::parse(text, std::string_view(doc.file_name()));
  } catch (const toml::parse_error& e) {
    doc.error(doc.position(e.source().begin), std::string(e.description()));
    return std::nullopt;
  }
}

std::string_view type_phrase(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::optional<sla::Date> date_value(const toml::node& n) {
  if (const auto* s = n.as_string()) return sla::parse_date(s->get());
  if (const auto* d = n.as_date()) {
    const toml::date& v = d->get();
    std::chrono::year_month_day ymd{std::chrono::year(v.year), std::chrono::month(v.month),
                                    std::chrono::day(v.day)};
    if (ymd.ok()) return sla::Date(ymd);
  }
  return std::nullopt;
}

TableReader::TableReader(Document& doc, const toml::table& table, std::string name)
    : doc_(doc), table_(table), name_(std::move(name)) {}

TableReader::~TableReader() {
  finish();
}

Position TableReader::position_of(std::string_view key) const {
  if (const toml::node* n = table_.get(key)) return doc_.position(*n);
  return position();
}

const toml::node* TableReader::node(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  return table_.get(key);
}

void TableReader::error_at(std::string_view key, std::string message) {
  doc_.error(position_of(key), std::move(message));
}

void TableReader::missing(std::string_view key) {
  doc_.error(position(), "missing required key '" + std::string(key) + "' in " + name_);
}

void TableReader::wrong_type(std::string_view key, const toml::node& n, std::string_view expected) {
  doc_.error(n, "'" + std::string(key) + "' in " + name_ + " must be " + std::string(expected) +
                    ", not " + std::string(type_phrase(n)));
}

const toml::node* TableReader::typed(std::string_view key, bool ok_type(const toml::node&),
                                     std::string_view expected) {
  const toml::node* n = node(key);
  if (!n) return nullptr;
  if (!ok_type(*n)) {
    wrong_type(key, *n, expected);
    return nullptr;
  }
  return n;
}

std::optional<std::string> TableReader::optional_string(std::string_view key) {
  const toml::node* n = typed(key, is_string, "a string");
  if (!n) return std::nullopt;
  return n->as_string()->get();
}

std::string TableReader::string(std::string_view key, std::string fallback) {
  return optional_string(key).value_or(std::move(fallback));
}

std::optional<std::string> TableReader::required_string(std::string_view key) {
  if (!has(key)) {
    node(key);
    missing(key);
    return std::nullopt;
  }
  return optional_string(key);
}

bool TableReader::boolean(std::string_view key, bool fallback) {
  const toml::node* n = typed(key, is_boolean, "true or false");
  return n ? n->as_boolean()->get() : fallback;
}

std::optional<std::int64_t> TableReader::optional_integer(std::string_view key, std::int64_t min,
                                                          std::int64_t max) {
  const toml::node* n = typed(key, is_integer, "an integer");
  if (!n) return std::nullopt;
  std::int64_t v = n->as_integer()->get();
  if (v < min || v > max) {
    doc_.error(*n, "'" + std::string(key) + "' in " + name_ + " must be between " +
                       std::to_string(min) + " and " + std::to_string(max) + "; got " +
                       std::to_string(v));
    return std::nullopt;
  }
  return v;
}

std::int64_t TableReader::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                  std::int64_t max) {
  return optional_integer(key, min, max).value_or(fallback);
}

double TableReader::number(std::string_view key, double fallback, double min, double max) {
  const toml::node* n = typed(key, is_number, "a number");
  if (!n) return fallback;
  double v =
      n->is_integer() ? static_cast<double>(n->as_integer()->get()) : n->as_floating_point()->get();
  if (!std::isfinite(v) || v < min || v > max) {
    auto text = [](double x) {
      std::string s = std::to_string(x);
      s.erase(s.find_last_not_of('0') + 1);
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    };
    doc_.error(*n, "'" + std::string(key) + "' in " + name_ + " must be between " + text(min) +
                       " and " + text(max));
    return fallback;
  }
  return v;
}

std::optional<sla::Duration> TableReader::optional_duration(std::string_view key,
                                                            DurationKind kind) {
  std::string_view expected = kind == DurationKind::clock ? "a duration such as \"90s\""
                              : kind == DurationKind::working
                                  ? "a duration such as \"1 working day\""
                                  : "a duration such as \"2h\" or \"1 working day\"";
  const toml::node* n = typed(key, is_string, expected);
  if (!n) return std::nullopt;
  const std::string& text = n->as_string()->get();
  std::string why;
  auto d = sla::parse_duration(text, &why);
  if (!d) {
    doc_.error(
        *n, "bad duration '" + text + "' for '" + std::string(key) + "' in " + name_ + ": " + why);
    return std::nullopt;
  }
  if (kind == DurationKind::clock && d->is_working()) {
    doc_.error(*n, "'" + std::string(key) + "' in " + name_ +
                       " must be clock time such as \"30s\" or \"2h\", not working time");
    return std::nullopt;
  }
  if (kind == DurationKind::working && !d->is_working()) {
    doc_.error(*n, "'" + std::string(key) + "' in " + name_ +
                       " must be working time such as \"1 working day\", not clock time");
    return std::nullopt;
  }
  return d;
}

sla::Duration TableReader::duration(std::string_view key, sla::Duration fallback,
                                    DurationKind kind) {
  return optional_duration(key, kind).value_or(fallback);
}

std::optional<std::chrono::seconds> TableReader::optional_clock_duration(std::string_view key) {
  auto d = optional_duration(key, DurationKind::clock);
  if (!d) return std::nullopt;
  return std::chrono::seconds(d->amount);
}

std::chrono::seconds TableReader::clock_duration(std::string_view key,
                                                 std::chrono::seconds fallback) {
  return optional_clock_duration(key).value_or(fallback);
}

std::optional<std::filesystem::path> TableReader::optional_path(std::string_view key) {
  auto text = optional_string(key);
  if (!text) return std::nullopt;
  if (text->empty()) {
    error_at(key, "'" + std::string(key) + "' in " + name_ + " must not be empty");
    return std::nullopt;
  }
  return doc_.resolve(*text);
}

std::filesystem::path TableReader::path(std::string_view key,
                                        const std::filesystem::path& fallback) {
  if (auto p = optional_path(key)) return *p;
  return doc_.resolve(fallback);
}

std::optional<std::filesystem::path> TableReader::secret_file(std::string_view file_key) {
  secret_files_.emplace_back(file_key);
  return optional_path(file_key);
}

std::optional<std::vector<std::pair<std::string, Position>>>
TableReader::string_array_with_positions(std::string_view key) {
  const toml::node* n = typed(key, is_array, "an array of strings");
  if (!n) return std::nullopt;
  std::vector<std::pair<std::string, Position>> out;
  bool ok = true;
  for (const toml::node& item : *n->as_array()) {
    if (const auto* s = item.as_string()) {
      out.emplace_back(s->get(), doc_.position(item));
    } else {
      doc_.error(item, "'" + std::string(key) + "' in " + name_ + " must hold only strings, not " +
                           std::string(type_phrase(item)));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> TableReader::string_array(std::string_view key) {
  auto items = string_array_with_positions(key);
  if (!items) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(items->size());
  for (auto& [text, where] : *items)
    out.push_back(std::move(text));
  return out;
}

const toml::table* TableReader::table(std::string_view key) {
  const toml::node* n = typed(key, is_table, "a table");
  return n ? n->as_table() : nullptr;
}

const toml::array* TableReader::array(std::string_view key) {
  const toml::node* n = typed(key, is_array, "an array");
  return n ? n->as_array() : nullptr;
}

void TableReader::reject(std::string_view key, std::string_view why) {
  if (const toml::node* n = node(key))
    doc_.error(*n, "'" + std::string(key) + "' in " + name_ + " " + std::string(why));
}

void TableReader::finish() {
  if (finished_) return;
  finished_ = true;
  for (const auto& [key, value] : table_) {
    std::string_view k = key.str();
    if (std::find(known_.begin(), known_.end(), k) != known_.end()) continue;
    Position where = doc_.position(key.source().begin);
    if (std::find(kSecretKeys.begin(), kSecretKeys.end(), k) != kSecretKeys.end()) {
      std::string file_key;
      for (const auto& f : secret_files_)
        if (f == std::string(k) + "_file" || file_key.empty()) file_key = f;
      doc_.error(where, "secret '" + std::string(k) + "' must not be written into the config (" +
                            name_ + "): put it in a file readable only by the daemon and name " +
                            "that file with '" +
                            (file_key.empty() ? std::string(k) + "_file" : file_key) + "'");
      continue;
    }
    std::string message = "unknown key '" + std::string(k) + "' in " + name_;
    const std::string* best = nullptr;
    std::size_t best_distance = 3;
    for (const auto& candidate : known_) {
      std::size_t d = edit_distance(k, candidate);
      if (d < best_distance) {
        best_distance = d;
        best = &candidate;
      }
    }
    if (best) message += " (did you mean '" + *best + "'?)";
    doc_.error(where, std::move(message));
  }
}

}  // namespace motcua::config
