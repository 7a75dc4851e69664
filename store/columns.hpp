#pragma once
// Internal to store/: binding C++ values to statement parameters and reading them back. Instants
// are stored as Unix seconds (INTEGER), "no value" as NULL.
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include "sla/time.hpp"

namespace motcua::store::columns {

inline std::int64_t seconds(sla::Instant t) {
  return t.time_since_epoch().count();
}
inline sla::Instant instant(std::int64_t s) {
  return sla::Instant{std::chrono::seconds{s}};
}

// Text and blobs that the caller keeps alive until the statement has run are bound without a
// copy; a temporary would be gone by then, so binding one does not compile.
inline void bind_text(SQLite::Statement& st, int index, const std::string& text) {
  st.bindNoCopy(index, text);
}
void bind_text(SQLite::Statement& st, int index, std::string&& text) = delete;

// Text held by a view is copied: SQLiteCpp binds text without a copy only from a std::string.
inline void bind_text_copy(SQLite::Statement& st, int index, std::string_view text) {
  st.bind(index, std::string(text));
}

inline void bind_blob(SQLite::Statement& st, int index, std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw std::length_error("blob too large for SQLite");
  st.bindNoCopy(index, bytes.empty() ? "" : bytes.data(), static_cast<int>(bytes.size()));
}

inline void bind_int(SQLite::Statement& st, int index, std::int64_t value) {
  st.bind(index, value);
}

inline void bind_null(SQLite::Statement& st, int index) {
  st.bind(index);
}

inline void bind_instant(SQLite::Statement& st, int index, const std::optional<sla::Instant>& t) {
  if (t)
    bind_int(st, index, seconds(*t));
  else
    bind_null(st, index);
}

inline std::optional<sla::Instant> get_instant(const SQLite::Statement& st, int index) {
  if (st.isColumnNull(index)) return std::nullopt;
  return instant(st.getColumn(index).getInt64());
}

// Valid until the statement steps again or is reset.
inline std::string_view get_view(const SQLite::Statement& st, int index) {
  SQLite::Column c = st.getColumn(index);
  // Blob before bytes: the documented order that gives the pointer and the size of the same
  // representation.
  const void* p = c.getBlob();
  int n = c.getBytes();
  if (p == nullptr || n <= 0) return {};
  return {static_cast<const char*>(p), static_cast<std::size_t>(n)};
}

inline std::string get_text(const SQLite::Statement& st, int index) {
  return std::string(get_view(st, index));
}

// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a UTF-8
// sequence (text that is not UTF-8 is cut at `max_bytes` less at most three bytes).
inline std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  for (int back = 0; back < 3 && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80;
       ++back)
    --cut;
  return text.substr(0, cut);
}

// Resets a statement when it goes out of scope, also when an exception leaves the scope, so that
// no statement stays half-stepped (which would keep a read transaction open).
class ResetOnExit {
 public:
  explicit ResetOnExit(SQLite::Statement& st) : st_(st) {}
  ~ResetOnExit() { st_.tryReset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  SQLite::Statement& st_;
};

// Runs a statement that returns no rows and makes it ready for the next bindings.
inline void run(SQLite::Statement& st) {
  ResetOnExit reset(st);
  st.executeStep();
}

}  // namespace motcua::store::columns
