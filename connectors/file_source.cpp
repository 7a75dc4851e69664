#include "connectors/file_source.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <unordered_map>
#include <utility>

#include <boost/json/error.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>

#include "connectors/text.hpp"

namespace motcua::connectors {
namespace json = boost::json;
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_json_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// Line and column (from 1; columns count characters, not bytes) of byte offsets, asked for in
// increasing order, so that a whole file costs one pass.
class PositionTracker {
 public:
  explicit PositionTracker(std::string_view text) : text_(text) {}

  std::string at(std::size_t offset) {
    if (offset < offset_) offset_ = 0, line_ = 1, column_ = 1;
    for (; offset_ < offset && offset_ < text_.size(); ++offset_) {
      const char c = text_[offset_];
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
        ++column_;
      }
    }
    return "line " + std::to_string(line_) + ", column " + std::to_string(column_);
  }

  std::size_t column(std::size_t offset) {
    at(offset);
    return column_;
  }

 private:
  std::string_view text_;
  std::size_t offset_ = 0;
  std::size_t line_ = 1;
  std::size_t column_ = 1;
};

struct Parsed {
  std::optional<json::value> value;
  std::size_t error_offset = 0;  // bytes into the text where the parser stopped
  std::string error;
};

Parsed parse_json(std::string_view text) {
  json::parse_options options;
  options.max_depth = kMaxRecordDepth;
  json::parser parser({}, options);
  json::error_code ec;
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) return {parser.release(), 0, {}};
  Parsed parsed;
  parsed.error_offset = consumed;
  parsed.error = ec == json::error::too_deep
                     ? "nested deeper than " + std::to_string(kMaxRecordDepth) + " levels"
                     : ec.message();
  return parsed;
}

// Where a top-level array element ends: at a ',' or ']' outside any string and nested value,
// or at the end of the text.
struct ElementEnd {
  enum class Stop : std::uint8_t { comma, close, end_of_text };
  std::size_t offset = 0;
  Stop stop = Stop::end_of_text;
  bool balanced = true;  // at the end of text: not inside a string or a nested value
};

// Tracks strings (with escapes) and nesting depth only as far as needed to find the element's
// end; whether the element is valid JSON is the parser's job. A counter rather than a stack, so
// any depth costs nothing, and a stray '}' stays inside the element, which then fails to parse.
ElementEnd find_element_end(std::string_view text, std::size_t p) {
  std::int64_t depth = 0;
  bool in_string = false;
  for (; p < text.size(); ++p) {
    const char c = text[p];
    if (in_string) {
      if (c == '\\') {
        ++p;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        ++depth;
        break;
      case '}':
      case ']':
        if (depth > 0) {
          --depth;
        } else if (c == ']') {
          return {p, ElementEnd::Stop::close, true};
        }
        break;
      case ',':
        if (depth == 0) return {p, ElementEnd::Stop::comma, true};
        break;
      default:
        break;
    }
  }
  return {text.size(), ElementEnd::Stop::end_of_text, depth == 0 && !in_string};
}

class FileReader {
 public:
  FileReader(std::string_view text, const RecordMapping& mapping, std::string_view source)
      : text_(text), tracker_(text), mapping_(mapping), source_(source) {}

  FileRead read() && {
    std::size_t p = 0;
    while (p < text_.size() && is_json_space(text_[p]))
      ++p;
    if (p < text_.size() && text_[p] == '[') {
      read_array(p + 1);
    } else {
      read_lines();
    }
    return std::move(out_);
  }

 private:
  void read_lines() {
    std::size_t line = 0;
    for (std::size_t p = 0; p < text_.size();) {
      ++line;
      std::size_t end = text_.find('\n', p);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view raw = text_.substr(p, end - p);
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      if (!trim_right(raw).empty()) add_record(raw, p, "line " + std::to_string(line), false);
      p = end + 1;
    }
  }

  void read_array(std::size_t p) {
    std::size_t index = 0;
    for (;;) {
      while (p < text_.size() && is_json_space(text_[p]))
        ++p;
      const std::size_t start = p;
      const ElementEnd end = find_element_end(text_, start);
      const std::string_view raw = trim_right(text_.substr(start, end.offset - start));
      if (raw.empty()) {
        switch (end.stop) {
          case ElementEnd::Stop::comma:
            ++index;
            add_bad(record_position(index, start), "empty element: a ',' with no record before it",
                    {});
            p = end.offset + 1;
            continue;
          case ElementEnd::Stop::close:  // "[]", or a trailing comma: nothing is missing
            read_after_array(end.offset + 1);
            return;
          case ElementEnd::Stop::end_of_text:
            add_unclosed();
            return;
        }
      }
      ++index;
      std::string position = record_position(index, start);
      if (end.stop == ElementEnd::Stop::end_of_text && !end.balanced) {
        add_bad(std::move(position),
                "the file ends inside this record, and the array is never closed (truncated "
                "file?)",
                raw);
        return;
      }
      const bool at_end = end.stop == ElementEnd::Stop::end_of_text;
      const bool json = add_record(raw, start, std::move(position), true,
                                   at_end ? "the array is never closed, and the text from here to "
                                            "the end is not a record: "
                                          : "");
      switch (end.stop) {
        case ElementEnd::Stop::comma:
          p = end.offset + 1;
          break;
        case ElementEnd::Stop::close:
          read_after_array(end.offset + 1);
          return;
        case ElementEnd::Stop::end_of_text:
          if (json) add_unclosed();
          return;
      }
    }
  }

  void read_after_array(std::size_t p) {
    while (p < text_.size() && is_json_space(text_[p]))
      ++p;
    if (p == text_.size()) return;
    add_bad("after the array (" + tracker_.at(p) + ")",
            "unexpected text after the end of the array", text_.substr(p));
  }

  void add_unclosed() {
    add_bad("end of file (" + tracker_.at(text_.size()) + ")",
            "the array is never closed (truncated file?)", {});
  }

  std::string record_position(std::size_t index, std::size_t offset) {
    return "record " + std::to_string(index) + " (" + tracker_.at(offset) + ")";
  }

  // Parses and maps one record; false when it is not JSON. `context` leads a JSON error.
  bool add_record(std::string_view raw, std::size_t offset, std::string position, bool in_array,
                  std::string_view context = {}) {
    Parsed parsed = parse_json(raw);
    if (!parsed.value) {
      const std::size_t error_at = offset + parsed.error_offset;
      const std::string where =
          in_array ? tracker_.at(error_at) : "column " + std::to_string(tracker_.column(error_at));
      add_bad(std::move(position),
              std::string(context) + "invalid JSON at " + where + ": " + parsed.error, raw);
      return false;
    }
    MapResult mapped = map_record(*parsed.value, mapping_, source_);
    if (!mapped.dossier) {
      add_bad(std::move(position), std::move(mapped.error), raw);
      return true;
    }
    ++out_.records;
    sla::Dossier& dossier = *mapped.dossier;
    const auto [it, inserted] = index_.try_emplace(dossier.code, out_.dossiers.size());
    if (inserted) {
      out_.dossiers.push_back(std::move(dossier));
      return true;
    }
    ++out_.duplicates;
    sla::Dossier& kept = out_.dossiers[it->second];
    if (dossier.updated_at >= kept.updated_at) kept = std::move(dossier);
    return true;
  }

  void add_bad(std::string position, std::string reason, std::string_view raw) {
    ++out_.records;
    out_.bad.push_back({std::move(position), std::move(reason), utf8_excerpt(raw, kExcerptBytes)});
  }

  std::string_view text_;
  PositionTracker tracker_;
  const RecordMapping& mapping_;
  std::string_view source_;
  FileRead out_;
  std::unordered_map<std::string, std::size_t> index_;  // code → position in out_.dossiers
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

FileRead read_dossier_text(std::string_view text, const RecordMapping& mapping,
                           std::string_view source) {
  if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    text.remove_prefix(kByteOrderMark.size());
  }
  return FileReader(text, mapping, source).read();
}

FileRead read_dossier_file(const std::filesystem::path& path, const RecordMapping& mapping,
                           std::string_view source) {
  const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    throw std::runtime_error("cannot open " + path.string() + ": " +
                             std::generic_category().message(errno));
  }
  std::string content;
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
    content.append(buffer, n);
  if (std::ferror(file.get())) {
    throw std::runtime_error("cannot read " + path.string() + ": " +
                             std::generic_category().message(errno));
  }
  return read_dossier_text(content, mapping, source);
}

}  // namespace motcua::connectors
