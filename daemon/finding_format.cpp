#include "daemon/finding_format.hpp"

#include <cmath>
#include <cstdio>

namespace motcua::daemon {

namespace {

bool needs_escape(unsigned char c) {
  return c < 0x20 || c == 0x7f || c == '"' || c == '\\';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  // Runs of bytes that need no escape (nearly all of a message) are copied whole: byte by byte,
  // this was a fifth of the API thread's time serving findings.
  for (std::size_t i = 0; i < s.size();) {
    std::size_t run = i;
    while (run < s.size() && !needs_escape(static_cast<unsigned char>(s[run])))
      ++run;
    out.append(s.data() + i, run - i);
    if (run == s.size()) break;
    i = run + 1;
    const auto c = static_cast<unsigned char>(s[run]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out += '"';
}

namespace {

// Hours to two decimals, without trailing zeros: 12.5, 3, 0.25.
void append_hours(std::string& out, double h) {
  const double cents = std::round(h * 100.0);
  if (std::abs(cents) < 1e15) {
    // Digits by hand (snprintf's %f was a tenth of the API's time serving findings); the same
    // text as the fallback below.
    auto n = static_cast<long long>(cents);
    if (n < 0) {
      out += '-';
      n = -n;
    }
    out += std::to_string(n / 100);
    if (const auto fraction = n % 100; fraction != 0) {
      out += '.';
      out += static_cast<char>('0' + fraction / 10);
      if (fraction % 10 != 0) out += static_cast<char>('0' + fraction % 10);
    }
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", std::round(h * 100.0) / 100.0);
  std::string s = buf;
  while (!s.empty() && s.back() == '0')
    s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  out += s;
}

class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ~ObjectWriter() { out_ += '}'; }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  void key(std::string_view k) {
    if (!first_) out_ += ',';
    first_ = false;
    append_json_string(out_, k);
    out_ += ':';
  }
  void string(std::string_view k, std::string_view v) {
    key(k);
    append_json_string(out_, v);
  }
  void hours(std::string_view k, double v) {
    key(k);
    append_hours(out_, v);
  }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

std::string finding_json(const sla::Finding& f, std::chrono::seconds offset) {
  std::string out;
  out.reserve(512 + f.message.size());
  {
    ObjectWriter w(out);
    w.string("rule", sla::rule_name(f.rule));
    w.string("dossier", f.dossier);
    w.string("source", f.source);
    w.string("agency", f.agency);
    w.string("procedure", f.procedure);
    w.string("severity", sla::severity_name(f.severity));
    w.string("since", sla::format_rfc3339(f.since, offset));
    if (f.due) w.string("due", sla::format_rfc3339(*f.due, offset));
    if (f.first_due) w.string("first_due", sla::format_rfc3339(*f.first_due, offset));
    if (f.overdue_working_hours) w.hours("overdue_working_hours", *f.overdue_working_hours);
    if (f.remaining_working_hours) w.hours("remaining_working_hours", *f.remaining_working_hours);
    if (f.rule == sla::Rule::step_overdue) {
      w.string("department", f.department);
      w.string("handler", f.handler);
    }
    w.string("message", f.message);
    if (!f.agency_name.empty()) w.string("agency_name", f.agency_name);
    if (!f.procedure_name.empty()) w.string("procedure_name", f.procedure_name);
  }
  return out;
}

}  // namespace motcua::daemon
