#pragma once
// Source kind `file`: one-stop records (DOMAIN.md) from a file holding a JSON array of records or
// JSON Lines (one record per line). A bad record is reported and skipped; the rest are still read.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mapping.hpp"
#include "sla/dossier.hpp"

namespace motcua::connectors {

// Records nested deeper than this (the record object itself is depth 1) are bad records.
inline constexpr std::size_t kMaxRecordDepth = 64;
// A bad record's excerpt holds at most this many bytes of its raw text.
inline constexpr std::size_t kExcerptBytes = 200;

struct BadRecord {
  // Where: "line N" (JSON Lines), "record N (line L, column C)" (array; N counts from 1, columns
  // in characters), "end of file (line L, column C)" for an array that is never closed, "after the
  // array (line L, column C)" for text after its end.
  std::string position;
  std::string reason;
  std::string excerpt;  // the first kExcerptBytes bytes of the raw text; see utf8_excerpt
};

struct FileRead {
  std::vector<sla::Dossier> dossiers;  // in the order each code first occurs
  std::vector<BadRecord> bad;
  // Every record and every bad piece of text seen: dossiers.size() + duplicates + bad.size().
  std::size_t records = 0;
  // Good records dropped because a record with the same code wins: the one with the later
  // updated_at, or the later in the file when both are equal or absent (the last write wins).
  std::size_t duplicates = 0;
};

// The format is the first character after an optional UTF-8 byte order mark and white space: '['
// for an array, anything else for JSON Lines (blank lines skipped, CRLF accepted). In an array
// each top-level element is parsed on its own, so one malformed record loses nothing else; when
// the array's structure breaks (never closed, unbalanced brackets, an unterminated string), what
// remains from the record where it broke is one bad record. Never throws for bad content.
FileRead read_dossier_text(std::string_view text, const RecordMapping& mapping,
                           std::string_view source);

// read_dossier_text on a file's content. Throws std::runtime_error naming the file and the system
// error when the file cannot be opened or read.
FileRead read_dossier_file(const std::filesystem::path& path, const RecordMapping& mapping,
                           std::string_view source);

}  // namespace motcua::connectors
