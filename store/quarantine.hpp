#pragma once
// Upstream records that could not be stored (invalid JSON, no code, a date that does not exist,
// an unknown status code ...), kept with their raw text so an operator can show the vendor what
// was wrong. Bounded twice: each text is cut, and only the newest rows are kept, while a per-source
// total keeps counting everything ever quarantined.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sla/time.hpp"
#include "store/database.hpp"

namespace motcua::store {

struct QuarantineEntry {
  std::string source;
  std::string position;  // where in the answer or file: "page 3, record 17", "line 12"
  std::string reason;
  std::string raw;  // the record's text as received; need not be valid UTF-8
};

struct QuarantinedRecord {
  std::int64_t id = 0;  // grows with every entry
  std::string source;
  std::string position;
  std::string reason;
  std::string raw;            // cut to QuarantineOptions::max_text_bytes
  std::size_t raw_bytes = 0;  // the size before the cut
  sla::Instant received_at{};
  bool truncated() const { return raw.size() < raw_bytes; }
};

struct QuarantineOptions {
  std::size_t max_rows = 10'000;           // the oldest rows beyond this are deleted
  std::size_t max_text_bytes = 64 * 1024;  // per text (position, reason, raw), cut at UTF-8 limits
};

class Quarantine {
 public:
  explicit Quarantine(Database& db, QuarantineOptions options = {});
  ~Quarantine();
  Quarantine(const Quarantine&) = delete;
  Quarantine& operator=(const Quarantine&) = delete;

  // Adds the entries in one transaction (a savepoint inside one the caller opened, e.g. with the
  // sync page they came in), then deletes the oldest rows beyond max_rows.
  void add(std::span<const QuarantineEntry> entries, sla::Instant received_at);
  void add(const QuarantineEntry& entry, sla::Instant received_at);

  std::int64_t count();                         // rows kept
  std::int64_t total();                         // entries ever added, all sources
  std::int64_t total(std::string_view source);  // entries ever added for one source
  // The newest rows first, of one source (all when empty).
  std::vector<QuarantinedRecord> list(std::string_view source, std::size_t limit);

 private:
  struct Impl;
  Database& db_;
  QuarantineOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace motcua::store
