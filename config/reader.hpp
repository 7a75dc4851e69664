#pragma once
// Checked reading of TOML tables: each section declares its keys once through a TableReader, which
// converts and validates the values, records every problem with its position instead of stopping
// at the first, and reports the keys nobody asked for as unknown. Internal to config/.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config/errors.hpp"
#include "sla/duration.hpp"
#include "sla/time.hpp"

namespace motcua::config {

// One TOML file being read: its name for messages, the folder its relative paths resolve
// against, and the errors found so far.
class Document {
 public:
  Document(std::string file_name, std::filesystem::path base_dir)
      : file_name_(std::move(file_name)), base_dir_(std::move(base_dir)) {}

  const std::string& file_name() const { return file_name_; }
  Position position(const toml::source_position& p) const;
  Position position(const toml::node& n) const { return position(n.source().begin); }

  void error(Position where, std::string message);
  void error(const toml::node& n, std::string message) { error(position(n), std::move(message)); }
  void append(const std::vector<ConfigError>& more);
  bool has_errors() const { return !errors_.empty(); }
  // Throws ConfigErrors with everything found, in file order, when there is anything.
  void throw_if_errors() const;

  std::filesystem::path resolve(const std::filesystem::path& p) const;

 private:
  std::string file_name_;
  std::filesystem::path base_dir_;
  std::vector<ConfigError> errors_;
};

// Parses TOML text; a syntax error becomes the document's one error and nullopt.
std::optional<toml::table> parse_toml(std::string_view text, Document& doc);

// "a string", "an integer", … for messages.
std::string_view type_phrase(const toml::node& n);

enum class DurationKind : std::uint8_t { clock, working, any };

// Parses "YYYY-MM-DD" strings and TOML dates (2026-01-01 without quotes).
std::optional<sla::Date> date_value(const toml::node& n);

class TableReader {
 public:
  // `name` says where the table is in messages: "[daemon]", "[[source]]", "webhook in
  // [[receiver]]".
  TableReader(Document& doc, const toml::table& table, std::string name);
  TableReader(const TableReader&) = delete;
  TableReader& operator=(const TableReader&) = delete;
  // Reports the unknown keys if finish() was not called.
  ~TableReader();

  Document& document() const { return doc_; }
  const std::string& name() const { return name_; }
  // The table's own position: where a missing key is reported.
  Position position() const { return doc_.position(table_); }
  // The value's position, or the table's when the key is absent.
  Position position_of(std::string_view key) const;

  // The raw node, marking the key as known; nullptr when absent.
  const toml::node* node(std::string_view key);
  bool has(std::string_view key) const { return table_.contains(key); }

  std::optional<std::string> optional_string(std::string_view key);
  std::string string(std::string_view key, std::string fallback);
  // Reports "missing required key" at the table when absent.
  std::optional<std::string> required_string(std::string_view key);
  bool boolean(std::string_view key, bool fallback);
  std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
                                               std::int64_t max);
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max);
  // Accepts integers and floats.
  double number(std::string_view key, double fallback, double min, double max);
  std::optional<sla::Duration> optional_duration(std::string_view key, DurationKind kind);
  sla::Duration duration(std::string_view key, sla::Duration fallback, DurationKind kind);
  std::chrono::seconds clock_duration(std::string_view key, std::chrono::seconds fallback);
  std::optional<std::chrono::seconds> optional_clock_duration(std::string_view key);
  // A path, resolved against the document's folder.
  std::optional<std::filesystem::path> optional_path(std::string_view key);
  std::filesystem::path path(std::string_view key, const std::filesystem::path& fallback);
  // The file holding a secret (`password_file`). The secret itself inline (`password`) is an
  // error that points here.
  std::optional<std::filesystem::path> secret_file(std::string_view file_key);
  std::optional<std::vector<std::string>> string_array(std::string_view key);
  std::optional<std::vector<std::pair<std::string, Position>>> string_array_with_positions(
      std::string_view key);
  const toml::table* table(std::string_view key);
  const toml::array* array(std::string_view key);

  // One of a fixed set of words.
  template <typename T>
  std::optional<T> choice(std::string_view key,
                          std::initializer_list<std::pair<std::string_view, T>> options) {
    auto text = optional_string(key);
    if (!text) return std::nullopt;
    std::string names;
    for (const auto& [word, value] : options) {
      if (word == *text) return value;
      if (!names.empty()) names += ", ";
      names += "'" + std::string(word) + "'";
    }
    error_at(key, "'" + std::string(key) + "' in " + name_ + " must be one of " + names +
                      "; got '" + *text + "'");
    return std::nullopt;
  }

  // Reports `key` as not applying here (e.g. `url` for a file source) when present.
  void reject(std::string_view key, std::string_view why);
  void error_at(std::string_view key, std::string message);
  void missing(std::string_view key);
  // Reports every key not read or declared; idempotent.
  void finish();

 private:
  const toml::node* typed(std::string_view key, bool ok_type(const toml::node&),
                          std::string_view expected);
  void wrong_type(std::string_view key, const toml::node& n, std::string_view expected);

  Document& doc_;
  const toml::table& table_;
  std::string name_;
  std::vector<std::string> known_;
  std::vector<std::string> secret_files_;
  bool finished_ = false;
};

}  // namespace motcua::config
