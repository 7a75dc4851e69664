#include "connectors/mapping.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include "connectors/text.hpp"
#include "sla/calendar.hpp"

namespace motcua::connectors {
namespace json = boost::json;
namespace {

// Bad values are quoted in errors up to this many bytes: enough to recognise, not a dump.
constexpr std::size_t kShownValueBytes = 80;

struct LogicalField {
  std::string_view name;
  std::string FieldMapping::*member;
};

constexpr LogicalField kLogicalFields[] = {
    {"code", &FieldMapping::code},
    {"procedure", &FieldMapping::procedure},
    {"procedure_name", &FieldMapping::procedure_name},
    {"sector", &FieldMapping::sector},
    {"agency", &FieldMapping::agency},
    {"agency_name", &FieldMapping::agency_name},
    {"channel", &FieldMapping::channel},
    {"applicant", &FieldMapping::applicant},
    {"submitted_at", &FieldMapping::submitted_at},
    {"received_at", &FieldMapping::received_at},
    {"due_at", &FieldMapping::due_at},
    {"status", &FieldMapping::status},
    {"finished_at", &FieldMapping::finished_at},
    {"returned_at", &FieldMapping::returned_at},
    {"refused_at", &FieldMapping::refused_at},
    {"updated_at", &FieldMapping::updated_at},
    {"note", &FieldMapping::note},
    {"steps", &FieldMapping::steps},
    {"step.handler", &FieldMapping::step_handler},
    {"step.title", &FieldMapping::step_title},
    {"step.department", &FieldMapping::step_department},
    {"step.at", &FieldMapping::step_at},
    {"step.content", &FieldMapping::step_content},
    {"step.status", &FieldMapping::step_status},
    {"step.started_at", &FieldMapping::step_started_at},
    {"step.due_at", &FieldMapping::step_due_at},
    {"supplements", &FieldMapping::supplements},
    {"supplement.requested_by", &FieldMapping::supplement_requested_by},
    {"supplement.reason", &FieldMapping::supplement_reason},
    {"supplement.requested_at", &FieldMapping::supplement_requested_at},
    {"supplement.received_at", &FieldMapping::supplement_received_at},
    {"supplement.due_before", &FieldMapping::supplement_due_before},
    {"supplement.due_after", &FieldMapping::supplement_due_after},
    {"apologies", &FieldMapping::apologies},
    {"apology.issued_at", &FieldMapping::apology_issued_at},
    {"apology.reason", &FieldMapping::apology_reason},
    {"apology.due_before", &FieldMapping::apology_due_before},
    {"apology.due_after", &FieldMapping::apology_due_after},
    {"apology.signed_by", &FieldMapping::apology_signed_by},
};

constexpr auto kLogicalNames = [] {
  std::array<std::string_view, std::size(kLogicalFields)> names{};
  for (std::size_t i = 0; i < names.size(); ++i)
    names[i] = kLogicalFields[i].name;
  return names;
}();

const LogicalField* find_logical(std::string_view name) {
  for (const LogicalField& field : kLogicalFields)
    if (field.name == name) return &field;
  return nullptr;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const char* kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

// The value as JSON text, cut to kShownValueBytes; serialises no more than it shows.
std::string show(const json::value& v) {
  if (v.is_double()) {  // "4.5", where the serializer writes "4.5E0"
    char number[32];
    const auto [end, ec] = std::to_chars(number, number + sizeof number, v.get_double());
    if (ec == std::errc()) return std::string(number, end);
  }
  json::serializer serializer;
  serializer.reset(&v);
  char buffer[kShownValueBytes + 1];
  const json::string_view text = serializer.read(buffer, sizeof buffer);
  const bool cut = !serializer.done() || text.size() > kShownValueBytes;
  std::string shown = utf8_excerpt(std::string_view(text.data(), text.size()), kShownValueBytes);
  if (cut) shown += "…";
  return shown;
}

// "got a string "abc"", "got an object {...}"
std::string got(const json::value& v) {
  std::string s = "got ";
  s += kind_name(v);
  if (!v.is_null()) s += " " + show(v);
  return s;
}

// --- dates ------------------------------------------------------------------------------------

enum class DatePart : std::uint8_t { literal, year, month, day, hour, minute, second };

struct DateItem {
  DatePart part;
  char literal;
  std::size_t width;
};

struct DateToken {
  std::string_view text;
  DatePart part;
};

constexpr DateToken kDateTokens[] = {
    {"yyyy", DatePart::year}, {"MM", DatePart::month},  {"dd", DatePart::day},
    {"HH", DatePart::hour},   {"mm", DatePart::minute}, {"ss", DatePart::second},
};

// Compiles a date format into items; returns what is wrong with it, or nullopt.
std::optional<std::string> compile_date_format(std::string_view format,
                                               std::vector<DateItem>& items) {
  items.clear();
  std::array<bool, std::size(kDateTokens)> seen{};
  for (std::size_t i = 0; i < format.size();) {
    bool matched = false;
    for (std::size_t t = 0; t < std::size(kDateTokens); ++t) {
      const DateToken& token = kDateTokens[t];
      if (format.substr(i, token.text.size()) != token.text) continue;
      if (seen[t]) return std::string(token.text) + " appears more than once";
      seen[t] = true;
      items.push_back({token.part, 0, token.text.size()});
      i += token.text.size();
      matched = true;
      break;
    }
    if (matched) continue;
    if (std::string_view("yYMDdHhmSs").find(format[i]) != std::string_view::npos) {
      return "'" + std::string(1, format[i]) + "' at position " + std::to_string(i + 1) +
             " is not part of a token (yyyy MM dd HH mm ss)";
    }
    items.push_back({DatePart::literal, format[i], 1});
    ++i;
  }
  for (std::size_t t = 0; t < 3; ++t)
    if (!seen[t]) return "the format lacks " + std::string(kDateTokens[t].text);
  return std::nullopt;
}

struct LocalDateTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

std::optional<LocalDateTime> parse_local(std::string_view text,
                                         const std::vector<DateItem>& items) {
  LocalDateTime t;
  std::size_t pos = 0;
  for (const DateItem& item : items) {
    if (item.part == DatePart::literal) {
      if (pos >= text.size() || text[pos] != item.literal) return std::nullopt;
      ++pos;
      continue;
    }
    const std::string_view digits = text.substr(pos, item.width);
    if (digits.size() != item.width || !all_digits(digits)) return std::nullopt;
    int n = 0;
    for (char c : digits)
      n = n * 10 + (c - '0');
    pos += item.width;
    switch (item.part) {
      case DatePart::year:
        t.year = n;
        break;
      case DatePart::month:
        t.month = n;
        break;
      case DatePart::day:
        t.day = n;
        break;
      case DatePart::hour:
        t.hour = n;
        break;
      case DatePart::minute:
        t.minute = n;
        break;
      case DatePart::second:
        t.second = n;
        break;
      case DatePart::literal:
        break;
    }
  }
  if (pos != text.size()) return std::nullopt;
  return t;
}

std::string two_digits(int n) {
  return std::string{char('0' + n / 10 % 10), char('0' + n % 10)};
}

// --- reading one record -------------------------------------------------------------------------

// Reads typed fields out of JSON objects, keeping the first error. Once an error is set, every
// read returns an empty value.
class RecordReader {
 public:
  RecordReader(const RecordMapping& mapping, const std::vector<DateItem>& date_items)
      : mapping_(mapping), date_items_(date_items) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }

  std::string text(const json::object& o, std::string_view prefix, const std::string& name) {
    const json::value* v = get(o, name);
    if (v == nullptr) return {};
    if (const json::string* s = v->if_string()) {
      const std::string_view raw(s->data(), s->size());
      if (!is_valid_utf8(raw)) {
        fail(label(prefix, name) + ": invalid UTF-8 in " + show(*v));
        return {};
      }
      return std::string(trim(raw));
    }
    if (v->is_int64()) return std::to_string(v->get_int64());
    if (v->is_uint64()) return std::to_string(v->get_uint64());
    fail(label(prefix, name) + ": expected text, " + got(*v));
    return {};
  }

  std::optional<sla::Instant> date(const json::object& o, std::string_view prefix,
                                   const std::string& name) {
    const json::value* v = get(o, name);
    if (v == nullptr) return std::nullopt;
    const json::string* s = v->if_string();
    if (s == nullptr) {
      fail(label(prefix, name) + ": expected a date in the format " + mapping_.date_format + ", " +
           got(*v));
      return std::nullopt;
    }
    const std::string_view text = trim(std::string_view(s->data(), s->size()));
    if (text.empty()) return std::nullopt;
    const std::optional<LocalDateTime> t = parse_local(text, date_items_);
    if (!t) {
      fail(label(prefix, name) + ": " + show(*v) + " does not match the date format " +
           mapping_.date_format);
      return std::nullopt;
    }
    using namespace std::chrono;
    const year_month_day ymd{year{t->year}, month{static_cast<unsigned>(t->month)},
                             day{static_cast<unsigned>(t->day)}};
    if (!ymd.ok()) {
      fail(label(prefix, name) + ": " + show(*v) + " is not a valid date (there is no " +
           std::to_string(t->year) + "-" + two_digits(t->month) + "-" + two_digits(t->day) + ")");
      return std::nullopt;
    }
    if (t->hour > 23 || t->minute > 59 || t->second > 59) {
      fail(label(prefix, name) + ": " + show(*v) + " is not a valid time of day (" +
           two_digits(t->hour) + ":" + two_digits(t->minute) + ":" + two_digits(t->second) + ")");
      return std::nullopt;
    }
    if (t->year < sla::WorkingCalendar::kFirstYear || t->year > sla::WorkingCalendar::kLastYear) {
      fail(label(prefix, name) + ": " + show(*v) + " is outside the years " +
           std::to_string(sla::WorkingCalendar::kFirstYear) + ".." +
           std::to_string(sla::WorkingCalendar::kLastYear));
      return std::nullopt;
    }
    return sys_days{ymd} + hours{t->hour} + minutes{t->minute} + seconds{t->second} -
           mapping_.utc_offset;
  }

  sla::Status status(const json::object& o, std::string_view prefix, const std::string& name) {
    const json::value* v = get(o, name);
    const std::optional<std::string> code = number_text(v, prefix, name);
    if (!code) return sla::Status::unknown;
    const auto& codes = mapping_.status_codes;
    auto it = codes.find(*code);
    if (it == codes.end() && all_digits(*code)) {
      // "04" is code 4 when the map only knows "4".
      const std::size_t first = std::min(code->find_first_not_of('0'), code->size() - 1);
      it = codes.find(code->substr(first));
    }
    if (it == codes.end()) {
      fail(label(prefix, name) + ": unknown status code " + show(*v));
      return sla::Status::unknown;
    }
    return it->second;
  }

  int channel(const json::object& o, std::string_view prefix, const std::string& name) {
    const json::value* v = get(o, name);
    const std::optional<std::string> text = number_text(v, prefix, name);
    if (!text) return 0;
    int n = 0;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, n);
    if (ec != std::errc() || ptr != end || n < 0) {
      fail(label(prefix, name) + ": expected a channel number, " + got(*v));
      return 0;
    }
    return n;
  }

  // The array under `name`; nullptr when absent, null or blank, or on error.
  const json::array* array(const json::object& o, const std::string& name) {
    const json::value* v = get(o, name);
    if (v == nullptr) return nullptr;
    if (const json::array* a = v->if_array()) return a;
    if (const json::string* s = v->if_string(); s && trim({s->data(), s->size()}).empty()) {
      return nullptr;
    }
    fail(name + ": expected an array, " + got(*v));
    return nullptr;
  }

  // The element of an array as an object, or nullptr with an error.
  const json::object* element(const json::value& v, const std::string& array_name,
                              std::size_t index) {
    if (!ok()) return nullptr;
    if (const json::object* o = v.if_object()) return o;
    fail(array_name + "[" + std::to_string(index) + "]: expected an object, " + got(v));
    return nullptr;
  }

 private:
  // The value of a field; nullptr when absent or null, or once an error is set.
  const json::value* get(const json::object& o, const std::string& name) const {
    if (!ok()) return nullptr;
    const json::value* v = o.if_contains(name);
    return v != nullptr && !v->is_null() ? v : nullptr;
  }

  static std::string label(std::string_view prefix, const std::string& name) {
    return std::string(prefix) + name;
  }

  // A whole number as decimal text, from a JSON number or a string; nullopt when absent or blank,
  // or on error.
  std::optional<std::string> number_text(const json::value* v, std::string_view prefix,
                                         const std::string& name) {
    if (v == nullptr) return std::nullopt;
    switch (v->kind()) {
      case json::kind::int64:
        return std::to_string(v->get_int64());
      case json::kind::uint64:
        return std::to_string(v->get_uint64());
      case json::kind::double_: {
        const double d = v->get_double();
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e15) {
          return std::to_string(static_cast<std::int64_t>(d));
        }
        break;
      }
      case json::kind::string: {
        const json::string& s = v->get_string();
        const std::string_view text = trim({s.data(), s.size()});
        if (text.empty()) return std::nullopt;
        return std::string(text);
      }
      default:
        break;
    }
    fail(label(prefix, name) + ": expected a whole number, " + got(*v));
    return std::nullopt;
  }

  const RecordMapping& mapping_;
  const std::vector<DateItem>& date_items_;
  std::string error_;
};

std::string element_prefix(const std::string& array_name, std::size_t index) {
  return array_name + "[" + std::to_string(index) + "].";
}

void read_steps(RecordReader& r, const json::object& record, const FieldMapping& f,
                std::vector<sla::Step>& steps) {
  const json::array* array = r.array(record, f.steps);
  if (array == nullptr) return;
  steps.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    const json::object* o = r.element((*array)[i], f.steps, i);
    if (o == nullptr) return;
    const std::string p = element_prefix(f.steps, i);
    sla::Step s;
    s.handler = r.text(*o, p, f.step_handler);
    s.title = r.text(*o, p, f.step_title);
    s.department = r.text(*o, p, f.step_department);
    s.content = r.text(*o, p, f.step_content);
    s.at = r.date(*o, p, f.step_at);
    s.started_at = r.date(*o, p, f.step_started_at);
    s.due_at = r.date(*o, p, f.step_due_at);
    s.status = r.status(*o, p, f.step_status);
    steps.push_back(std::move(s));
  }
}

void read_supplements(RecordReader& r, const json::object& record, const FieldMapping& f,
                      std::vector<sla::SupplementRequest>& supplements) {
  const json::array* array = r.array(record, f.supplements);
  if (array == nullptr) return;
  supplements.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    const json::object* o = r.element((*array)[i], f.supplements, i);
    if (o == nullptr) return;
    const std::string p = element_prefix(f.supplements, i);
    sla::SupplementRequest s;
    s.requested_by = r.text(*o, p, f.supplement_requested_by);
    s.reason = r.text(*o, p, f.supplement_reason);
    s.requested_at = r.date(*o, p, f.supplement_requested_at);
    s.received_at = r.date(*o, p, f.supplement_received_at);
    s.due_before = r.date(*o, p, f.supplement_due_before);
    s.due_after = r.date(*o, p, f.supplement_due_after);
    supplements.push_back(std::move(s));
  }
}

void read_apologies(RecordReader& r, const json::object& record, const FieldMapping& f,
                    std::vector<sla::Apology>& apologies) {
  const json::array* array = r.array(record, f.apologies);
  if (array == nullptr) return;
  apologies.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    const json::object* o = r.element((*array)[i], f.apologies, i);
    if (o == nullptr) return;
    const std::string p = element_prefix(f.apologies, i);
    sla::Apology a;
    a.issued_at = r.date(*o, p, f.apology_issued_at);
    a.reason = r.text(*o, p, f.apology_reason);
    a.due_before = r.date(*o, p, f.apology_due_before);
    a.due_after = r.date(*o, p, f.apology_due_after);
    a.signed_by = r.text(*o, p, f.apology_signed_by);
    apologies.push_back(std::move(a));
  }
}

// DOMAIN.md: some systems record the apology only as a step ("Ban hành văn bản xin lỗi").
void apologies_from_steps(const std::vector<sla::Step>& steps, const std::string& pattern,
                          std::vector<sla::Apology>& apologies) {
  for (const sla::Step& step : steps) {
    if (!contains_folded(step.content, pattern)) continue;
    sla::Apology a;
    a.issued_at = step.at;
    a.reason = step.content;
    a.signed_by = step.handler;
    a.from_step = true;
    apologies.push_back(std::move(a));
  }
}

// Issue order; apologies without an issue time last, keeping their order.
void sort_apologies(std::vector<sla::Apology>& apologies) {
  std::stable_sort(apologies.begin(), apologies.end(),
                   [](const sla::Apology& a, const sla::Apology& b) {
                     if (!a.issued_at) return false;
                     if (!b.issued_at) return true;
                     return *a.issued_at < *b.issued_at;
                   });
}

}  // namespace

std::span<const std::string_view> FieldMapping::logical_names() {
  return kLogicalNames;
}

bool FieldMapping::set(std::string_view logical, std::string upstream) {
  const LogicalField* field = find_logical(logical);
  if (field == nullptr) return false;
  this->*(field->member) = std::move(upstream);
  return true;
}

const std::string* FieldMapping::find(std::string_view logical) const {
  const LogicalField* field = find_logical(logical);
  return field != nullptr ? &(this->*(field->member)) : nullptr;
}

std::map<std::string, sla::Status> default_status_codes() {
  std::map<std::string, sla::Status> codes;
  for (int i = 1; i <= sla::kMaxStatus; ++i)
    codes.emplace(std::to_string(i), sla::Status(i));
  return codes;
}

std::optional<std::string> validate_date_format(std::string_view format) {
  std::vector<DateItem> items;
  return compile_date_format(format, items);
}

MapResult map_record(const json::value& record, const RecordMapping& mapping,
                     std::string_view source) {
  MapResult result;
  const json::object* object = record.if_object();
  if (object == nullptr) {
    result.error = std::string("the record is not a JSON object: ") + got(record);
    return result;
  }
  std::vector<DateItem> date_items;
  if (auto problem = compile_date_format(mapping.date_format, date_items)) {
    result.error =
        "date format \"" + utf8_excerpt(mapping.date_format, kShownValueBytes) + "\": " + *problem;
    return result;
  }

  const FieldMapping& f = mapping.fields;
  RecordReader r(mapping, date_items);
  sla::Dossier d;
  d.code = r.text(*object, "", f.code);
  if (r.ok() && d.code.empty()) r.fail(f.code + " is missing or blank");
  if (!r.ok()) {
    result.error = r.error();
    return result;
  }
  result.code = d.code;
  d.source = std::string(source);
  d.procedure = r.text(*object, "", f.procedure);
  d.procedure_name = r.text(*object, "", f.procedure_name);
  d.sector = r.text(*object, "", f.sector);
  d.agency = r.text(*object, "", f.agency);
  if (d.agency.empty()) d.agency = d.code.substr(0, d.code.find('-'));
  d.agency_name = r.text(*object, "", f.agency_name);
  d.applicant = r.text(*object, "", f.applicant);
  d.note = r.text(*object, "", f.note);
  d.channel = r.channel(*object, "", f.channel);
  d.status = r.status(*object, "", f.status);
  d.submitted_at = r.date(*object, "", f.submitted_at);
  d.received_at = r.date(*object, "", f.received_at);
  d.due_at = r.date(*object, "", f.due_at);
  d.finished_at = r.date(*object, "", f.finished_at);
  d.returned_at = r.date(*object, "", f.returned_at);
  d.refused_at = r.date(*object, "", f.refused_at);
  d.updated_at = r.date(*object, "", f.updated_at);
  read_steps(r, *object, f, d.steps);
  read_supplements(r, *object, f, d.supplements);
  read_apologies(r, *object, f, d.apologies);
  if (!r.ok()) {
    result.error = r.error();
    return result;
  }
  if (d.apologies.empty()) apologies_from_steps(d.steps, mapping.apology_step_pattern, d.apologies);
  sort_apologies(d.apologies);
  result.dossier = std::move(d);
  return result;
}

}  // namespace motcua::connectors
