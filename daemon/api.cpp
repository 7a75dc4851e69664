#include "daemon/api.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "alerts/alert.hpp"
#include "alerts/dispatcher.hpp"
#include "alerts/routing.hpp"
#include "daemon/finding_format.hpp"
#include "daemon/version.hpp"
#include "sla/rules.hpp"
#include "store/alert_store.hpp"
#include "store/dossier_store.hpp"
#include "store/group_log.hpp"
#include "store/outbox.hpp"
#include "store/silence_store.hpp"

namespace motcua::daemon {

namespace {

namespace json = boost::json;
using net::ServerRequest;
using net::ServerResponse;
using namespace std::chrono;

constexpr std::size_t kDefaultLimit = 1000;
constexpr std::size_t kMaxLimit = 100000;

// Silences are typed by people: bounds that no honest request reaches, so the table stays small.
constexpr std::size_t kMaxSilenceBody = 64 * 1024;
constexpr std::size_t kMaxMatchers = 16;
constexpr std::size_t kMaxMatcherValue = 256;
constexpr std::size_t kMaxAuthor = 200;
constexpr std::size_t kMaxComment = 4000;

// The labels alerts::labels_of gives an alert: the only names a silence can usefully match.
constexpr std::string_view kSilenceLabels[] = {"rule",      "severity", "source",     "agency",
                                               "procedure", "dossier",  "department", "handler"};

constexpr std::string_view kSilenceKeys[] = {"matchers", "starts_at",  "ends_at",
                                             "duration", "created_by", "comment"};

// Hours to two decimals without trailing zeros, as finding_json writes them: 12.5, 3, 0.25.
std::string hours_text(seconds s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", std::round(static_cast<double>(s.count()) / 36.0) / 100.0);
  std::string out = buf;
  while (!out.empty() && out.back() == '0')
    out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  if (out == "-0") out = "0";
  return out;
}

// Writes JSON straight into a string: the findings are already JSON text (finding_json), and the
// hours must read 12.5, not Boost.JSON's 1.25E1.
class JsonWriter {
 public:
  JsonWriter(std::string& out, seconds utc_offset) : out_(out), offset_(utc_offset) {}

  JsonWriter& object() { return open('{'); }
  JsonWriter& array() { return open('['); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& end_array() { return close(']'); }

  JsonWriter& key(std::string_view k) {
    separate();
    append_json_string(out_, k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& string(std::string_view v) {
    separate();
    append_json_string(out_, v);
    return *this;
  }
  JsonWriter& integer(std::int64_t v) { return raw(std::to_string(v)); }
  JsonWriter& boolean(bool v) { return raw(v ? "true" : "false"); }
  JsonWriter& null() { return raw("null"); }
  JsonWriter& time(std::optional<sla::Instant> t) {
    return t ? string(sla::format_rfc3339(*t, offset_)) : null();
  }
  // Text that is JSON already (a finding_json object).
  JsonWriter& raw(std::string_view json_text) {
    separate();
    out_ += json_text;
    return *this;
  }

  JsonWriter& field(std::string_view k, std::string_view v) { return key(k).string(v); }
  JsonWriter& field_int(std::string_view k, std::int64_t v) { return key(k).integer(v); }
  JsonWriter& field_bool(std::string_view k, bool v) { return key(k).boolean(v); }
  JsonWriter& field_time(std::string_view k, std::optional<sla::Instant> t) {
    return key(k).time(t);
  }
  JsonWriter& field_hours(std::string_view k, seconds s) { return key(k).raw(hours_text(s)); }
  JsonWriter& field_map(std::string_view k, const std::map<std::string, std::string>& m) {
    key(k).object();
    for (const auto& [name, value] : m)
      field(name, value);
    return end_object();
  }

  seconds offset() const { return offset_; }

 private:
  JsonWriter& open(char c) {
    separate();
    out_ += c;
    first_.push_back(true);
    return *this;
  }
  JsonWriter& close(char c) {
    first_.pop_back();
    out_ += c;
    return *this;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }

  std::string& out_;
  seconds offset_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

ServerResponse json_response(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string joined(std::span<const std::string_view> names) {
  std::string out;
  for (auto n : names)
    out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// A parameter the endpoint does not know is refused rather than ignored: a misspelt filter
// ("agnecy") would otherwise answer with everything, and an official would act on that.
std::optional<ServerResponse> refuse_unknown_params(const ServerRequest& request,
                                                    std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : request.query)
    if (std::find(known.begin(), known.end(), name) == known.end())
      return ServerResponse::json_error(
          400, "unknown query parameter '" + name + "' (allowed: " + joined(known) + ")");
  return std::nullopt;
}

// `limit` and `offset`: whole decimal numbers in [0, max].
std::optional<ServerResponse> read_count(const ServerRequest& request, const std::string& name,
                                         std::size_t max, std::size_t& out) {
  const auto it = request.query.find(name);
  if (it == request.query.end()) return std::nullopt;
  const std::string& text = it->second;
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > max)
    return ServerResponse::json_error(
        400, name + " must be a whole number from 0 to " + std::to_string(max));
  out = value;
  return std::nullopt;
}

std::string rule_names() {
  std::string out;
  for (auto r : sla::all_rules())
    out += (out.empty() ? "" : ", ") + std::string(sla::rule_name(r));
  return out;
}

std::optional<ServerResponse> read_rule(const ServerRequest& request,
                                        std::optional<sla::Rule>& out) {
  const auto it = request.query.find("rule");
  if (it == request.query.end()) return std::nullopt;
  out = sla::parse_rule(it->second);
  if (!out)
    return ServerResponse::json_error(
        400, "unknown rule '" + it->second + "' (allowed: " + rule_names() + ")");
  return std::nullopt;
}

std::optional<ServerResponse> read_severity(const ServerRequest& request,
                                            std::optional<sla::Severity>& out) {
  const auto it = request.query.find("severity");
  if (it == request.query.end()) return std::nullopt;
  out = sla::parse_severity(it->second);
  if (!out)
    return ServerResponse::json_error(
        400, "unknown severity '" + it->second + "' (allowed: info, warning, critical)");
  return std::nullopt;
}

std::optional<std::string> text_param(const ServerRequest& request, const std::string& name) {
  const auto it = request.query.find(name);
  if (it == request.query.end()) return std::nullopt;
  return it->second;
}

sla::Instant now_of(const ApiContext& ctx) {
  return ctx.state.now();
}

// ---------------------------------------------------------------------------------------------
// Health

ServerResponse healthz(ApiContext&, const ServerRequest&) {
  return json_response(200, R"({"status":"ok"})");
}

ServerResponse readyz(ApiContext& ctx, const ServerRequest&) {
  if (auto why = ctx.state.not_ready()) return ServerResponse::json_error(503, *why);
  return json_response(200, R"({"status":"ready"})");
}

// ---------------------------------------------------------------------------------------------
// Status

ServerResponse status(ApiContext& ctx, const ServerRequest&) {
  const auto rt = ctx.state.runtime();
  const auto evaluation = ctx.state.evaluation();
  const sla::Instant now = now_of(ctx);
  const seconds offset = rt->cfg.daemon.utc_offset;

  std::string out;
  JsonWriter w(out, offset);
  w.object();
  w.field("version", kVersion);
  w.field_time("now", now);
  w.field_time("started_at", ctx.state.started_at());
  w.field_int("uptime_seconds", duration_cast<seconds>(now - ctx.state.started_at()).count());
  w.field_time("evaluated_at", evaluation ? std::optional(evaluation->at) : std::nullopt);
  w.key("findings");
  evaluation ? w.integer(static_cast<std::int64_t>(evaluation->findings.size())) : w.null();
  w.key("dossiers_evaluated");
  evaluation ? w.integer(evaluation->dossiers) : w.null();
  w.key("evaluation_ms");
  evaluation ? w.integer(evaluation->took.count()) : w.null();

  // DOMAIN.md "Working time": a year without an official table is computed from the statutes and
  // must be said loudly, so an operator adds the Prime Minister's decision.
  const int year = static_cast<int>(year_month_day{rt->calendar.local_date(now)}.year());
  w.key("calendar").object().key("unconfirmed_years").array();
  for (int y : rt->calendar.unconfirmed_years(year - 1, year + 1))
    w.integer(y);
  w.end_array().end_object();

  w.field_int("alerts_firing", store::AlertStore(ctx.db).count_firing());
  const store::OutboxCounts outbox = store::Outbox(ctx.db).counts();
  w.key("outbox").object();
  w.field_int("pending", outbox.pending);
  w.field_int("delivered", outbox.delivered);
  w.field_int("dead", outbox.dead);
  w.end_object();

  // What the service knows of each source; the config's URLs, user names and secret files stay
  // out (a URL may carry credentials).
  w.key("sources").array();
  for (const SourceStatus& s : ctx.state.sources()) {
    w.object();
    w.field("name", s.name);
    w.field("kind", config::source_kind_name(s.kind));
    w.field_bool("synced_once", s.synced_once);
    w.field_bool("running", s.running);
    w.field_time("last_attempt", s.last_attempt);
    w.field_time("last_success", s.last_success);
    w.field_time("last_failure", s.last_failure);
    w.key("last_error");
    s.last_error.empty() ? w.null() : w.string(s.last_error);
    w.field_int("consecutive_failures", s.consecutive_failures);
    w.key("lag_seconds");
    s.last_success ? w.integer(duration_cast<seconds>(now - *s.last_success).count()) : w.null();
    w.field_time("next_run", s.next_run);
    w.field_int("dossiers", s.dossiers);
    w.field_int("syncs", static_cast<std::int64_t>(s.syncs));
    w.field_int("failures", static_cast<std::int64_t>(s.failures));
    w.field_int("records", static_cast<std::int64_t>(s.records));
    w.field_int("bad", static_cast<std::int64_t>(s.bad));
    w.field_int("last_duration_ms", s.last_duration.count());
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return json_response(200, std::move(out));
}

// ---------------------------------------------------------------------------------------------
// Findings

// Exact matches on the finding's fields; an absent field matches anything. Written to stay cheap
// per finding even unoptimised: a filtered request scans every finding of the evaluation.
struct FindingFilter {
  std::optional<sla::Rule> rule;
  std::optional<sla::Severity> severity;
  std::optional<std::string> agency, procedure, source, dossier;

  bool matches(const sla::Finding& f) const {
    return (!rule || f.rule == *rule) && (!severity || f.severity == *severity) &&
           same(agency, f.agency) && same(procedure, f.procedure) && same(source, f.source) &&
           same(dossier, f.dossier);
  }

 private:
  static bool same(const std::optional<std::string>& wanted, const std::string& value) {
    if (!wanted) return true;
    const std::size_t n = value.size();
    return n == wanted->size() && std::memcmp(value.data(), wanted->data(), n) == 0;
  }
};

// The findings of one dossier, by binary search: an evaluation is sorted by dossier first.
std::span<const sla::Finding> findings_of_dossier(const Evaluation& e, const std::string& code) {
  const auto less = [](const sla::Finding& f, const std::string& c) { return f.dossier < c; };
  const auto greater = [](const std::string& c, const sla::Finding& f) { return c < f.dossier; };
  const auto begin = std::lower_bound(e.findings.begin(), e.findings.end(), code, less);
  return {begin, std::upper_bound(begin, e.findings.end(), code, greater)};
}

// Where each value of a text field occurs in one evaluation, as ascending positions.
class Postings {
 public:
  void add(std::string_view key, std::uint32_t position) {
    // Findings come sorted by dossier, whose code starts with its agency: long runs of one value,
    // which need no hashing.
    if (!last_ || key != last_key_) {
      last_ = &positions_[key];
      last_key_ = key;
    }
    last_->push_back(position);
  }
  std::span<const std::uint32_t> find(std::string_view key) const {
    const auto it = positions_.find(key);
    return it == positions_.end() ? std::span<const std::uint32_t>() : it->second;
  }

 private:
  // The keys view the evaluation's strings, which the index keeps alive.
  std::unordered_map<std::string_view, std::vector<std::uint32_t>> positions_;
  std::string_view last_key_;
  std::vector<std::uint32_t>* last_ = nullptr;
};

// Where the findings of one evaluation have each agency, procedure and source. A filtered scan
// of 100 000 findings compares a string per finding (~25 ms for one agency in a debug build);
// with the positions at hand a request reads only the findings of its rarest value. Each field's
// positions are gathered on the first request that filters on it; rule and severity are cheap to
// compare and have few values, so they are not indexed.
class FindingIndex {
 public:
  explicit FindingIndex(std::shared_ptr<const Evaluation> evaluation)
      : evaluation_(std::move(evaluation)) {}

  const Evaluation* evaluation() const { return evaluation_.get(); }

  // The positions of the findings that can match: those of the filter's rarest indexed value.
  // nullopt when the filter names no indexed field. `exact` tells whether every one of them
  // matches (the filter names that one field and nothing else).
  std::optional<std::span<const std::uint32_t>> candidates(const FindingFilter& filter,
                                                           bool& exact) {
    std::optional<std::span<const std::uint32_t>> best;
    int fields = 0;
    const auto consider = [&](const std::optional<std::string>& wanted,
                              std::optional<Postings>& postings, auto field) {
      if (!wanted) return;
      ++fields;
      if (!postings) {
        postings.emplace();
        const auto& findings = evaluation_->findings;
        for (std::uint32_t i = 0; i < findings.size(); ++i)
          postings->add(findings[i].*field, i);
      }
      const auto positions = postings->find(*wanted);
      if (!best || positions.size() < best->size()) best = positions;
    };
    consider(filter.agency, by_agency_, &sla::Finding::agency);
    consider(filter.procedure, by_procedure_, &sla::Finding::procedure);
    consider(filter.source, by_source_, &sla::Finding::source);
    exact = fields == 1 && !filter.rule && !filter.severity && !filter.dossier;
    return best;
  }

 private:
  std::shared_ptr<const Evaluation> evaluation_;
  std::optional<Postings> by_agency_, by_procedure_, by_source_;
};

// The index of the latest evaluation asked about, shared by the requests. It keeps that
// evaluation alive until a request sees a newer one.
class FindingLookup {
 public:
  // Calls visit(finding) for the matching findings of `e` from the `offset`-th, at most `limit`
  // of them, in the evaluation's order; returns how many match in all. When the index alone
  // answers the filter (one agency, say) the count is the index's, and only the findings shown
  // are read: with 1,000,000 dossiers an agency has ~12,000 findings spread over ~250 MB, and
  // checking each of them cost a cache miss apiece, about 1 ms a request.
  template <typename Visit>
  std::size_t page(const std::shared_ptr<const Evaluation>& e, const FindingFilter& filter,
                   std::size_t offset, std::size_t limit, Visit&& visit) {
    std::size_t matched = 0;
    const auto consider = [&](const sla::Finding& f) {
      if (!filter.matches(f)) return;
      if (matched >= offset && matched - offset < limit) visit(f);
      ++matched;
    };
    if (filter.dossier) {
      for (const auto& f : findings_of_dossier(*e, *filter.dossier))
        consider(f);
      return matched;
    }
    std::lock_guard lock(mutex_);
    if (!index_ || index_->evaluation() != e.get()) index_.emplace(e);
    bool exact = false;
    const auto positions = index_->candidates(filter, exact);
    if (!positions) {
      for (const auto& f : e->findings)
        consider(f);
    } else if (exact) {
      const std::size_t first = std::min(offset, positions->size());
      const std::size_t last = first + std::min(limit, positions->size() - first);
      for (std::size_t k = first; k < last; ++k)
        visit(e->findings[(*positions)[k]]);
      matched = positions->size();
    } else {
      for (const std::uint32_t i : *positions)
        consider(e->findings[i]);
    }
    return matched;
  }

 private:
  std::mutex mutex_;
  std::optional<FindingIndex> index_;  // of the latest evaluation a filter asked about
};

// A spreadsheet evaluates a cell that starts with one of these as a formula (OWASP "CSV
// injection"); dossier texts come from upstream systems and officials open the file in Excel.
bool looks_like_formula(std::string_view cell) {
  return !cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos;
}

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
void append_csv_text(std::string& out, std::string_view cell) {
  std::string guarded;
  if (looks_like_formula(cell)) {
    guarded = "'" + std::string(cell);
    cell = guarded;
  }
  if (cell.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += cell;
    return;
  }
  out += '"';
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

constexpr std::string_view kCsvColumns[] = {"rule",
                                            "severity",
                                            "dossier",
                                            "source",
                                            "agency",
                                            "agency_name",
                                            "procedure",
                                            "procedure_name",
                                            "since",
                                            "due",
                                            "first_due",
                                            "overdue_working_hours",
                                            "remaining_working_hours",
                                            "department",
                                            "handler",
                                            "message"};

void append_csv_row(std::string& out, const sla::Finding& f, seconds offset) {
  const auto time = [&](std::optional<sla::Instant> t) {
    return t ? sla::format_rfc3339(*t, offset) : std::string();
  };
  const auto hours = [](std::optional<double> h) {
    return h ? hours_text(seconds(std::llround(*h * 3600.0))) : std::string();
  };
  const std::string cells[] = {std::string(sla::rule_name(f.rule)),
                               std::string(sla::severity_name(f.severity)),
                               f.dossier,
                               f.source,
                               f.agency,
                               f.agency_name,
                               f.procedure,
                               f.procedure_name,
                               time(f.since),
                               time(f.due),
                               time(f.first_due),
                               hours(f.overdue_working_hours),
                               hours(f.remaining_working_hours),
                               f.department,
                               f.handler,
                               f.message};
  bool first = true;
  for (const auto& cell : cells) {
    if (!first) out += ',';
    first = false;
    append_csv_text(out, cell);
  }
  out += "\r\n";
}

ServerResponse findings(ApiContext& ctx, FindingLookup& lookup, const ServerRequest& request) {
  if (auto refused =
          refuse_unknown_params(request, {"rule", "agency", "procedure", "severity", "source",
                                          "dossier", "limit", "offset", "format"}))
    return *refused;
  FindingFilter filter;
  std::size_t limit = kDefaultLimit;
  std::size_t offset = 0;
  if (auto refused = read_rule(request, filter.rule)) return *refused;
  if (auto refused = read_severity(request, filter.severity)) return *refused;
  if (auto refused = read_count(request, "limit", kMaxLimit, limit)) return *refused;
  if (auto refused = read_count(request, "offset", kMaxLimit * 100, offset)) return *refused;
  filter.agency = text_param(request, "agency");
  filter.procedure = text_param(request, "procedure");
  filter.source = text_param(request, "source");
  filter.dossier = text_param(request, "dossier");
  const std::string format = text_param(request, "format").value_or("json");
  if (format != "json" && format != "csv")
    return ServerResponse::json_error(400, "unknown format '" + format + "' (allowed: json, csv)");

  const auto evaluation = ctx.state.evaluation();
  if (!evaluation)
    return ServerResponse::json_error(503, "the first evaluation has not finished yet");
  const seconds utc_offset = ctx.state.runtime()->cfg.daemon.utc_offset;

  ServerResponse response;
  std::string& out = response.body;
  const bool csv = format == "csv";
  if (csv) {
    // The byte order mark makes Excel read the file as UTF-8 (Vietnamese) instead of ANSI.
    out = "\xEF\xBB\xBF";
    for (std::size_t i = 0; i < std::size(kCsvColumns); ++i)
      out += (i ? "," : "") + std::string(kCsvColumns[i]);
    out += "\r\n";
  } else {
    out = "[";
  }
  std::size_t written = 0;
  const std::size_t matched =
      lookup.page(evaluation, filter, offset, limit, [&](const sla::Finding& f) {
        if (csv) {
          append_csv_row(out, f, utc_offset);
        } else {
          if (written) out += ',';
          out += finding_json(f, utc_offset);
        }
        ++written;
      });
  if (!csv) out += ']';

  if (csv) {
    response.content_type = "text/csv; charset=utf-8";
    response.headers.emplace_back("Content-Disposition", R"(attachment; filename="findings.csv")");
  }
  // The array holds exactly the findings; how many matched in all rides in a header.
  response.headers.emplace_back("X-Total-Count", std::to_string(matched));
  return response;
}

// ---------------------------------------------------------------------------------------------
// One dossier

const char* clock_name(sla::Clock c) {
  switch (c) {
    case sla::Clock::not_started:
      return "not_started";
    case sla::Clock::running:
      return "running";
    case sla::Clock::paused:
      return "paused";
    case sla::Clock::ended:
      return "ended";
    case sla::Clock::finished:
      return "finished";
  }
  return "unknown";
}

// The dossier as the sources gave it, normalised: sla::Dossier's fields and nothing else, so no
// contact details (phone, e-mail) can leak from the raw record.
void write_dossier(JsonWriter& w, const sla::Dossier& d) {
  w.field("code", d.code);
  w.field("source", d.source);
  w.field("procedure", d.procedure);
  w.field("procedure_name", d.procedure_name);
  w.field("sector", d.sector);
  w.field("agency", d.agency);
  w.field("agency_name", d.agency_name);
  w.field("applicant", d.applicant);
  w.field("note", d.note);
  w.field_int("channel", d.channel);
  w.field_int("status", static_cast<int>(d.status));
  w.field("status_name", sla::status_name_vi(d.status));
  w.field_time("submitted_at", d.submitted_at);
  w.field_time("received_at", d.received_at);
  w.field_time("due_at", d.due_at);
  w.field_time("finished_at", d.finished_at);
  w.field_time("returned_at", d.returned_at);
  w.field_time("refused_at", d.refused_at);
  w.field_time("updated_at", d.updated_at);
  w.key("steps").array();
  for (const auto& s : d.steps) {
    w.object();
    w.field("handler", s.handler);
    w.field("title", s.title);
    w.field("department", s.department);
    w.field("content", s.content);
    w.field_time("at", s.at);
    w.field_time("started_at", s.started_at);
    w.field_time("due_at", s.due_at);
    w.field_int("status", static_cast<int>(s.status));
    w.end_object();
  }
  w.end_array();
  w.key("supplements").array();
  for (const auto& s : d.supplements) {
    w.object();
    w.field("requested_by", s.requested_by);
    w.field("reason", s.reason);
    w.field_time("requested_at", s.requested_at);
    w.field_time("received_at", s.received_at);
    w.field_time("due_before", s.due_before);
    w.field_time("due_after", s.due_after);
    w.end_object();
  }
  w.end_array();
  w.key("apologies").array();
  for (const auto& a : d.apologies) {
    w.object();
    w.field("reason", a.reason);
    w.field("signed_by", a.signed_by);
    w.field_time("issued_at", a.issued_at);
    w.field_time("due_before", a.due_before);
    w.field_time("due_after", a.due_after);
    w.field_bool("from_step", a.from_step);
    w.end_object();
  }
  w.end_array();
}

// DOMAIN.md "Deadlines", as the rules compute it (sla::compute_deadlines), with the working time
// left or overdue as of `now`.
void write_deadlines(JsonWriter& w, const sla::Dossier& d, const sla::WorkingCalendar& calendar,
                     sla::Instant now) {
  const sla::Deadlines dl = sla::compute_deadlines(d);
  w.object();
  w.field_time("as_of", now);
  w.field("clock", clock_name(dl.clock));
  w.field_bool("running", dl.clock == sla::Clock::running);
  w.field_time("received", d.received_at);
  w.field_time("due", dl.current_due);
  // Only when an apology moved the deadline, as in a finding.
  if (dl.chain.size() > 1) w.field_time("first_due", dl.legal_due);
  w.key("chain").array();
  for (const auto t : dl.chain)
    w.time(t);
  w.end_array();
  w.field_time("finished_at", dl.finished_at);
  w.field_time("ended_at", dl.ended_at);
  if (dl.clock == sla::Clock::running && dl.current_due) {
    if (now <= *dl.current_due) {
      w.field_hours("remaining_working_hours", calendar.working_time_between(now, *dl.current_due));
      w.field_bool("overdue", false);
    } else {
      w.field_hours("overdue_working_hours", calendar.working_time_between(*dl.current_due, now));
      w.field_bool("overdue", true);
    }
  }
  // Decision 766 indicator 2.1: on time iff finished no later than the legal deadline D0.
  if (dl.clock == sla::Clock::finished && dl.finished_at && dl.legal_due) {
    const bool late = *dl.finished_at > *dl.legal_due;
    w.field_bool("finished_on_time", !late);
    if (late)
      w.field_hours("late_working_hours",
                    calendar.working_time_between(*dl.legal_due, *dl.finished_at));
  }
  w.end_object();
}

ServerResponse dossier(ApiContext& ctx, const ServerRequest& request) {
  if (auto refused = refuse_unknown_params(request, {"source"})) return *refused;
  const std::string& code = request.params.at("code");
  const auto wanted_source = text_param(request, "source");
  const auto rt = ctx.state.runtime();
  const auto evaluation = ctx.state.evaluation();

  if (wanted_source && !rt->cfg.source(*wanted_source))
    return ServerResponse::json_error(400, "unknown source '" + *wanted_source + "'");

  // In config order: the one-stop sources' dossiers live in the store, the file sources' only in
  // the latest evaluation; the portal (dvc) holds copies, not dossiers.
  std::optional<sla::Dossier> found;
  store::DossierStore stored(ctx.db);
  for (const auto& src : rt->cfg.sources) {
    if (wanted_source && src.name != *wanted_source) continue;
    if (src.kind == config::SourceKind::motcua) {
      found = stored.get(src.name, code);
    } else if (src.kind == config::SourceKind::file && evaluation) {
      const auto& files = evaluation->file_dossiers;
      const auto it = std::find_if(files.begin(), files.end(), [&](const sla::Dossier& d) {
        return d.source == src.name && d.code == code;
      });
      if (it != files.end()) found = *it;
    }
    if (found) break;
  }
  if (!found) return ServerResponse::json_error(404, "no dossier " + code);

  const sla::Instant now = now_of(ctx);
  const seconds utc_offset = rt->cfg.daemon.utc_offset;
  std::string out;
  JsonWriter w(out, utc_offset);
  w.object();
  write_dossier(w, *found);
  w.key("deadlines");
  write_deadlines(w, *found, rt->calendar, now);
  w.key("findings").array();
  if (evaluation) {
    FindingFilter filter;
    filter.dossier = found->code;
    filter.source = found->source;
    for (const auto& f : findings_of_dossier(*evaluation, found->code))
      if (filter.matches(f)) w.raw(finding_json(f, utc_offset));
  }
  w.end_array();
  w.field_time("evaluated_at", evaluation ? std::optional(evaluation->at) : std::nullopt);
  w.end_object();
  return json_response(200, std::move(out));
}

// ---------------------------------------------------------------------------------------------
// Alerts

sla::Instant after(const sla::WorkingCalendar& calendar, sla::Instant from,
                   const sla::Duration& d) {
  if (d.is_working())
    return calendar.add_working_time(from, d.working_time(calendar.working_day_length()));
  return from + seconds(d.amount);
}

// When the dispatcher will next consider telling the group about this alert, by the rules of
// alerts/dispatcher.cpp: after group_wait for a group never told, after group_interval for an
// alert that joined since, else the reminder after repeat_interval (working time). E-mail may
// wait longer, for the next working session.
sla::Instant next_notification(const store::GroupState& g, const config::RouteConfig& route,
                               const std::string& fingerprint,
                               const sla::WorkingCalendar& calendar) {
  if (!g.last_notified_at) return g.first_seen + route.group_wait;
  if (!std::binary_search(g.notified.begin(), g.notified.end(), fingerprint))
    return *g.last_notified_at + route.group_interval;
  return after(calendar, *g.last_notified_at, route.repeat_interval);
}

ServerResponse alerts_list(ApiContext& ctx, const ServerRequest& request) {
  if (auto refused = refuse_unknown_params(
          request, {"agency", "rule", "severity", "source", "procedure", "limit", "offset"}))
    return *refused;
  std::optional<sla::Rule> rule;
  std::optional<sla::Severity> severity;
  std::size_t limit = kDefaultLimit;
  std::size_t offset = 0;
  if (auto refused = read_rule(request, rule)) return *refused;
  if (auto refused = read_severity(request, severity)) return *refused;
  if (auto refused = read_count(request, "limit", kMaxLimit, limit)) return *refused;
  if (auto refused = read_count(request, "offset", kMaxLimit * 100, offset)) return *refused;
  std::map<std::string, std::string> wanted;
  if (rule) wanted["rule"] = std::string(sla::rule_name(*rule));
  if (severity) wanted["severity"] = std::string(sla::severity_name(*severity));
  for (const char* name : {"agency", "source", "procedure"})
    if (auto v = text_param(request, name)) wanted[name] = *v;

  const auto rt = ctx.state.runtime();
  const sla::Instant now = now_of(ctx);
  std::vector<std::pair<std::int64_t, std::map<std::string, std::string>>> silences;
  for (const auto& s : store::SilenceStore(ctx.db).active(now))
    silences.emplace_back(s.id, alerts::parse_string_map(s.matchers));
  std::map<std::string, store::GroupState> groups;
  for (auto& g : store::GroupLog(ctx.db).all())
    groups.emplace(g.group_key, std::move(g));
  const alerts::Routes routes(rt->cfg.routes);

  std::string out;
  JsonWriter w(out, rt->cfg.daemon.utc_offset);
  w.array();
  std::size_t matched = 0;
  std::size_t written = 0;
  for (const auto& a : store::AlertStore(ctx.db).list(true)) {
    const auto labels = alerts::parse_string_map(a.alert.labels);
    // Filters hold like matchers: an exact value of each label asked for.
    if (!wanted.empty() && !alerts::silenced(wanted, labels)) continue;
    if (matched++ < offset || written >= limit) continue;
    ++written;

    std::vector<std::int64_t> silenced_by;
    for (const auto& [id, matchers] : silences)
      if (alerts::silenced(matchers, labels)) silenced_by.push_back(id);

    w.object();
    w.field("fingerprint", a.alert.fingerprint);
    w.field("state", silenced_by.empty() ? "firing" : "silenced");
    w.key("silenced_by").array();
    for (auto id : silenced_by)
      w.integer(id);
    w.end_array();
    w.field_map("labels", labels);
    w.field_map("annotations", alerts::parse_string_map(a.alert.annotations));
    w.field_time("starts_at", a.alert.starts_at);
    w.field_time("first_seen", a.first_seen);
    w.field_time("changed_at", a.changed_at);

    // Every route that takes it (more than one with `continue`), with what its group was told.
    std::optional<sla::Instant> last_notified;
    std::optional<sla::Instant> next_notified;
    int escalation_level = 0;
    const auto matches = routes.match(labels);
    w.key("receivers").array();
    for (const auto& m : matches)
      w.string(routes.route(m.route).receiver);
    w.end_array();
    w.key("groups").array();
    for (const auto& m : matches) {
      const config::RouteConfig& route = routes.route(m.route);
      w.object();
      w.field("receiver", route.receiver);
      w.field("group_key", m.group_key);
      const auto g = groups.find(m.group_key);
      if (g == groups.end()) {
        // The dispatcher has not run since the alert fired.
        w.field_time("last_notified_at", std::nullopt);
        w.field_time("next_notification_at", std::nullopt);
        w.field_int("escalation_level", 0);
        w.key("escalated_to").array().end_array();
      } else {
        const store::GroupState& state = g->second;
        const sla::Instant next =
            next_notification(state, route, a.alert.fingerprint, rt->calendar);
        w.field_time("last_notified_at", state.last_notified_at);
        w.field_time("next_notification_at",
                     silenced_by.empty() ? std::optional(next) : std::nullopt);
        w.field_int("escalation_level", state.escalations_sent);
        w.key("escalated_to").array();
        for (int i = 0; i < state.escalations_sent && i < static_cast<int>(route.escalate.size());
             ++i)
          w.string(route.escalate[static_cast<std::size_t>(i)].receiver);
        w.end_array();
        if (state.last_notified_at && (!last_notified || *state.last_notified_at > *last_notified))
          last_notified = state.last_notified_at;
        if (silenced_by.empty() && (!next_notified || next < *next_notified)) next_notified = next;
        escalation_level = std::max(escalation_level, state.escalations_sent);
      }
      w.end_object();
    }
    w.end_array();
    w.field_time("last_notified_at", last_notified);
    w.field_time("next_notification_at", next_notified);
    w.field_int("escalation_level", escalation_level);
    w.end_object();
  }
  w.end_array();
  ServerResponse response = json_response(200, std::move(out));
  response.headers.emplace_back("X-Total-Count", std::to_string(matched));
  return response;
}

// ---------------------------------------------------------------------------------------------
// Silences

void write_silence(JsonWriter& w, const store::Silence& s, sla::Instant now) {
  w.object();
  w.field_int("id", s.id);
  w.field("state", s.starts_at <= now ? "active" : "pending");
  w.field_map("matchers", alerts::parse_string_map(s.matchers));
  w.field_time("starts_at", s.starts_at);
  w.field_time("ends_at", s.ends_at);
  w.field("created_by", s.author);
  w.field("comment", s.comment);
  w.field_time("created_at", s.created_at);
  w.end_object();
}

ServerResponse silences_list(ApiContext& ctx, const ServerRequest& request) {
  if (auto refused = refuse_unknown_params(request, {"limit"})) return *refused;
  std::size_t limit = kDefaultLimit;
  if (auto refused = read_count(request, "limit", kMaxLimit, limit)) return *refused;
  const sla::Instant now = now_of(ctx);
  std::string out;
  JsonWriter w(out, ctx.state.runtime()->cfg.daemon.utc_offset);
  w.array();
  for (const auto& s : store::SilenceStore(ctx.db).current(now, limit))
    write_silence(w, s, now);
  w.end_array();
  return json_response(200, std::move(out));
}

bool has_control_character(std::string_view s, bool allow_line_breaks) {
  return std::any_of(s.begin(), s.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (allow_line_breaks && (c == '\n' || c == '\r' || c == '\t')) return false;
    return u < 0x20 || u == 0x7f;
  });
}

// The body of POST /api/v1/silences as a silence to store, or why not.
struct SilenceRequest {
  std::optional<store::Silence> silence;
  std::string error;
};

SilenceRequest parse_silence(std::string_view body, sla::Instant now,
                             const sla::WorkingCalendar& calendar) {
  const auto fail = [](std::string why) { return SilenceRequest{std::nullopt, std::move(why)}; };
  if (body.size() > kMaxSilenceBody)
    return fail("the body is larger than " + std::to_string(kMaxSilenceBody) + " bytes");
  json::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec) return fail("the body is not JSON: " + ec.message());
  if (!v.is_object()) return fail("the body must be a JSON object");
  const json::object& o = v.as_object();
  for (const auto& [k, value] : o)
    if (std::find(std::begin(kSilenceKeys), std::end(kSilenceKeys), std::string_view(k)) ==
        std::end(kSilenceKeys))
      return fail("unknown key '" + std::string(k) + "' (allowed: " + joined(kSilenceKeys) + ")");

  const auto string_of = [&](std::string_view key) -> std::optional<std::string> {
    const json::value* field = o.if_contains(key);
    if (!field || !field->is_string()) return std::nullopt;
    return std::string(field->as_string());
  };
  for (const char* key : {"starts_at", "ends_at", "duration", "created_by", "comment"})
    if (const json::value* field = o.if_contains(key); field && !field->is_string())
      return fail(std::string(key) + " must be a string");

  // Matchers: label = value, all must hold (alerts::silenced). A name no alert carries, or a rule
  // or severity that does not exist, would mute nothing while its author believes otherwise.
  const json::value* m = o.if_contains("matchers");
  if (!m || !m->is_object() || m->as_object().empty())
    return fail("matchers must be a non-empty object of label → value");
  if (m->as_object().size() > kMaxMatchers)
    return fail("at most " + std::to_string(kMaxMatchers) + " matchers");
  std::map<std::string, std::string> matchers;
  for (const auto& [k, value] : m->as_object()) {
    const std::string name(k);
    if (std::find(std::begin(kSilenceLabels), std::end(kSilenceLabels), name) ==
        std::end(kSilenceLabels)) {
      return fail("unknown label '" + name + "' in matchers (allowed: " + joined(kSilenceLabels) +
                  ")");
    }
    if (!value.is_string() || value.as_string().empty())
      return fail("matcher " + name + " must be a non-empty string");
    const std::string text(value.as_string());
    if (text.size() > kMaxMatcherValue || has_control_character(text, false))
      return fail("matcher " + name + " is too long or holds control characters");
    if (name == "rule" && !sla::parse_rule(text))
      return fail("unknown rule '" + text + "' (allowed: " + rule_names() + ")");
    if (name == "severity" && !sla::parse_severity(text))
      return fail("unknown severity '" + text + "' (allowed: info, warning, critical)");
    matchers[name] = text;
  }

  store::Silence s;
  s.starts_at = now;
  if (auto text = string_of("starts_at")) {
    const auto t = sla::parse_rfc3339(*text);
    if (!t) return fail("starts_at is not an RFC 3339 time: " + *text);
    s.starts_at = *t;
  }
  const auto ends_at = string_of("ends_at");
  const auto duration = string_of("duration");
  if (ends_at.has_value() == duration.has_value())
    return fail("give exactly one of ends_at and duration");
  if (ends_at) {
    const auto t = sla::parse_rfc3339(*ends_at);
    if (!t) return fail("ends_at is not an RFC 3339 time: " + *ends_at);
    s.ends_at = *t;
  } else {
    std::string why;
    const auto d = sla::parse_duration(*duration, &why);
    if (!d) return fail("duration: " + why);
    if (d->amount <= 0) return fail("duration must be positive");
    s.ends_at = after(calendar, s.starts_at, *d);
  }
  if (s.ends_at <= now) return fail("ends_at is in the past: the silence would never apply");
  if (s.ends_at <= s.starts_at) return fail("ends_at must be after starts_at");

  s.author = string_of("created_by").value_or("");
  s.comment = string_of("comment").value_or("");
  if (s.author.empty() || s.author.size() > kMaxAuthor || has_control_character(s.author, false))
    return fail("created_by is required (at most " + std::to_string(kMaxAuthor) +
                " bytes, one line)");
  if (s.comment.empty() || s.comment.size() > kMaxComment || has_control_character(s.comment, true))
    return fail("comment is required (at most " + std::to_string(kMaxComment) + " bytes)");

  // The matchers as the dispatcher reads them back: a JSON object of strings.
  std::string text;
  JsonWriter mw(text, seconds(0));
  mw.object();
  for (const auto& [k, value] : matchers)
    mw.field(k, value);
  mw.end_object();
  s.matchers = std::move(text);
  return {std::move(s), {}};
}

ServerResponse silences_create(ApiContext& ctx, const ServerRequest& request) {
  if (auto refused = refuse_write(ctx, request)) return *refused;
  const auto rt = ctx.state.runtime();
  const sla::Instant now = now_of(ctx);
  SilenceRequest parsed = parse_silence(request.body, now, rt->calendar);
  if (!parsed.silence) return ServerResponse::json_error(400, parsed.error);
  const std::int64_t id = store::SilenceStore(ctx.db).add(*parsed.silence, now);
  ServerResponse response = json_response(201, "{\"id\":" + std::to_string(id) + "}");
  response.headers.emplace_back("Location", "/api/v1/silences/" + std::to_string(id));
  return response;
}

ServerResponse silences_delete(ApiContext& ctx, const ServerRequest& request) {
  if (auto refused = refuse_write(ctx, request)) return *refused;
  const std::string& text = request.params.at("id");
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0)
    return ServerResponse::json_error(400, "a silence id is a positive whole number");
  if (!store::SilenceStore(ctx.db).expire(id, now_of(ctx)))
    return ServerResponse::json_error(404, "no silence " + text);
  return json_response(200, "{\"id\":" + std::to_string(id) + ",\"state\":\"expired\"}");
}

// Equal without an early exit: the time taken depends on the presented token's length only, so
// timing does not tell an attacker how many leading characters were right.
bool same_token(std::string_view presented, std::string_view expected) {
  unsigned char diff = presented.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < presented.size(); ++i)
    diff |= static_cast<unsigned char>(presented[i]) ^
            static_cast<unsigned char>(expected.empty() ? 0 : expected[i % expected.size()]);
  return diff == 0;
}

}  // namespace

std::optional<ServerResponse> refuse_write(const ApiContext& ctx, const ServerRequest& request) {
  const auto rt = ctx.state.runtime();
  if (!rt->api_token)
    return ServerResponse::json_error(
        403, "writes are disabled: [daemon] api_token_file is not configured");
  // RFC 6750 section 2.1; the scheme name is case-insensitive (RFC 9110 section 11.1).
  const std::string header = request.header("Authorization");
  constexpr std::string_view kScheme = "bearer ";
  std::string_view token;
  if (header.size() > kScheme.size() &&
      net::header_name_equals(std::string_view(header).substr(0, kScheme.size()), kScheme))
    token = std::string_view(header).substr(kScheme.size());
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
    token.remove_suffix(1);
  if (!token.empty() && same_token(token, *rt->api_token)) return std::nullopt;
  ServerResponse response = ServerResponse::json_error(
      401, header.empty() ? "this request needs Authorization: Bearer <token>" : "invalid token");
  response.headers.emplace_back("WWW-Authenticate",
                                header.empty() ? "Bearer" : R"(Bearer error="invalid_token")");
  return response;
}

void add_json_routes(net::Router& router, ApiContext& ctx) {
  const auto bind = [&ctx](ServerResponse (*handler)(ApiContext&, const ServerRequest&)) {
    return net::Router::SyncHandler(
        [&ctx, handler](const ServerRequest& request) { return handler(ctx, request); });
  };
  auto lookup = std::make_shared<FindingLookup>();
  router.add("GET", "/healthz", bind(healthz))
      .add("GET", "/readyz", bind(readyz))
      .add("GET", "/api/v1/status", bind(status))
      .add("GET", "/api/v1/findings",
           [&ctx, lookup](const ServerRequest& request) { return findings(ctx, *lookup, request); })
      .add("GET", "/api/v1/dossiers/{code}", bind(dossier))
      .add("GET", "/api/v1/alerts", bind(alerts_list))
      .add("GET", "/api/v1/silences", bind(silences_list))
      .add("POST", "/api/v1/silences", bind(silences_create))
      .add("DELETE", "/api/v1/silences/{id}", bind(silences_delete));
}

}  // namespace motcua::daemon
