// GET /api/v1/indicators: the Decision 766 figures (sla/indicators.hpp) per agency over a period
// of local dates, as JSON or CSV.
//
// A year of a province's dossiers is hundreds of thousands to millions of stored bodies to decode:
// 200,000 took 4 s (Debug build, two shared cores; tests/daemon/indicators_api_test.cpp
// ScanTimeOfManyStoredDossiers), seconds on the API's one thread that also answers /healthz. So
// the scan runs on a worker thread with a store connection of its own, and the request's coroutine
// waits for it without holding the API thread. An answer is reused for a minute per period, until
// a new evaluation (new data) is published.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/api.hpp"
#include "daemon/finding_format.hpp"
#include "sla/indicators.hpp"
#include "store/database.hpp"
#include "store/dossier_store.hpp"

namespace motcua::daemon {

namespace {

namespace asio = boost::asio;
using namespace std::chrono;

// A year, leap or not, and a little: a request for more is a mistake or an attempt to make the
// worker busy.
constexpr int kMaxPeriodDays = 366;
// How long an answer is reused while no new evaluation has been published.
constexpr seconds kCacheFor{60};
constexpr std::size_t kBatch = 10000;

struct Period {
  sla::Date first{};  // local dates, both inclusive
  sla::Date last{};
  sla::Instant from{};  // [from, to)
  sla::Instant to{};
};

struct Query {
  Period period;
  std::string agency;  // empty: every agency
  bool csv = false;
};

// The query, or the 400 to answer.
std::variant<Query, net::ServerResponse> parse_query(const net::ServerRequest& request,
                                                     sla::Instant now, seconds utc_offset) {
  Query q;
  const sla::Date today = sla::local_date(now, utc_offset);
  const auto ymd = year_month_day(today);
  // Default: the current month up to today.
  q.period.first = sla::Date(ymd.year() / ymd.month() / day(1));
  q.period.last = today;
  for (const auto& [name, value] : request.query) {
    if (name == "from" || name == "to") {
      auto d = sla::parse_date(value);
      if (!d)
        return net::ServerResponse::json_error(
            400, "'" + name + "' must be a date YYYY-MM-DD, not '" + value + "'");
      (name == "from" ? q.period.first : q.period.last) = *d;
    } else if (name == "agency") {
      q.agency = value;
    } else if (name == "format") {
      if (value != "json" && value != "csv")
        return net::ServerResponse::json_error(400, "'format' is json or csv");
      q.csv = value == "csv";
    } else {
      return net::ServerResponse::json_error(
          400, "unknown parameter '" + name + "' (from, to, agency, format)");
    }
  }
  if (q.period.first > q.period.last)
    return net::ServerResponse::json_error(400, "'from' is after 'to'");
  if ((q.period.last - q.period.first).count() + 1 > kMaxPeriodDays)
    return net::ServerResponse::json_error(
        400, "the period is longer than " + std::to_string(kMaxPeriodDays) + " days");
  q.period.from = sla::at_local(q.period.first, seconds(0), utc_offset);
  q.period.to = sla::at_local(q.period.last + days(1), seconds(0), utc_offset);
  return q;
}

struct Answer {
  sla::IndicatorReport report;
  sla::Instant generated_at{};
};

// The worker and what only it touches, plus the cache both threads read.
class IndicatorService {
 public:
  explicit IndicatorService(ApiContext& ctx) : ctx_(ctx), state_path_(ctx.db.path()) {}
  // A scan still running when the API goes away (the service stopping) gives up at its next
  // batch, so a stop never waits for a year of dossiers to be read.
  ~IndicatorService() { stopping_ = true; }

  // On the API thread: the cached answer, or the worker's.
  asio::awaitable<std::shared_ptr<const Answer>> answer(Period period) {
    Inputs in = inputs();
    if (auto hit = cached(period, in)) co_return hit;
    co_return co_await asio::co_spawn(pool_, work(period, std::move(in)), asio::use_awaitable);
  }

 private:
  // What an answer depends on besides the period.
  struct Inputs {
    std::shared_ptr<const Runtime> runtime;
    std::shared_ptr<const Evaluation> evaluation;
    sla::Instant now{};
  };
  struct Entry {
    const Runtime* runtime = nullptr;
    std::optional<sla::Instant> evaluated_at;
    std::shared_ptr<const Answer> answer;
  };
  using Key = std::pair<sla::Instant, sla::Instant>;

  Inputs inputs() const {
    return {ctx_.state.runtime(), ctx_.state.evaluation(), ctx_.state.now()};
  }

  static std::optional<sla::Instant> evaluated_at(const Inputs& in) {
    if (!in.evaluation) return std::nullopt;
    return in.evaluation->at;
  }

  // On the worker. A coroutine with parameters rather than a lambda with captures: GCC 12
  // destroys a coroutine lambda's captures twice.
  asio::awaitable<std::shared_ptr<const Answer>> work(Period period, Inputs in) {
    // Requests for one period queue up behind the first: the later ones find its answer.
    if (auto hit = cached(period, in)) co_return hit;
    auto a = compute(period, in);
    remember(period, in, a);
    co_return a;
  }

  std::shared_ptr<const Answer> cached(const Period& p, const Inputs& in) {
    std::lock_guard lock(mutex_);
    auto it = cache_.find({p.from, p.to});
    if (it == cache_.end()) return nullptr;
    const Entry& e = it->second;
    if (e.runtime != in.runtime.get() || e.evaluated_at != evaluated_at(in) ||
        in.now - e.answer->generated_at >= kCacheFor || in.now < e.answer->generated_at)
      return nullptr;
    return e.answer;
  }

  void remember(const Period& p, const Inputs& in, std::shared_ptr<const Answer> a) {
    std::lock_guard lock(mutex_);
    // Only periods asked for within the minute are worth keeping.
    std::erase_if(cache_, [&](const auto& kv) {
      return in.now - kv.second.answer->generated_at >= kCacheFor;
    });
    cache_[{p.from, p.to}] = {in.runtime.get(), evaluated_at(in), std::move(a)};
  }

  // On the worker: every stored dossier of a configured `motcua` source and the file sources'
  // dossiers of the latest evaluation.
  std::shared_ptr<const Answer> compute(const Period& p, const Inputs& in) {
    const Runtime& rt = *in.runtime;
    std::set<std::string, std::less<>> stored_sources;
    bool portal_configured = false;
    for (const auto& src : rt.cfg.sources) {
      if (src.kind == config::SourceKind::motcua) stored_sources.insert(src.name);
      if (src.kind == config::SourceKind::dvc) portal_configured = true;
    }
    const auto& rules = rt.evaluator.config();
    sla::IndicatorAccumulator acc(rt.calendar, p.from, p.to, in.now,
                                  {rules.max_supplement_requests, rules.apology_lead_working_days});

    const auto started = steady_clock::now();
    std::int64_t visited = 0;
    if (!stored_sources.empty()) {
      store::DossierStore& dossiers = store();
      dossiers.for_each_for_period(
          p.from, p.to, kBatch,
          [&](std::span<const sla::Dossier> batch, std::span<const std::optional<bool>> portal) {
            if (stopping_) throw std::runtime_error("the service is stopping");
            for (std::size_t i = 0; i < batch.size(); ++i) {
              // Dossiers of a source no longer configured say nothing about today's province.
              if (!stored_sources.contains(batch[i].source)) continue;
              acc.add(batch[i], portal_configured ? portal[i] : std::nullopt);
            }
            visited += static_cast<std::int64_t>(batch.size());
          });
    }
    if (in.evaluation)
      for (const auto& d : in.evaluation->file_dossiers)
        acc.add(d, std::nullopt);  // never stored, so never looked up on a portal
    spdlog::debug("indicators {} – {}: {} stored dossiers scanned in {} ms",
                  sla::format_date(p.first), sla::format_date(p.last), visited,
                  duration_cast<milliseconds>(steady_clock::now() - started).count());
    return std::make_shared<const Answer>(Answer{acc.report(), in.now});
  }

  // The worker's own connection: the API's is used by the API thread only. Opened on first use,
  // on the worker, and kept.
  store::DossierStore& store() {
    if (!dossiers_) {
      store::DatabaseOptions options;
      options.checkpoint_in_background = false;  // it only reads; the writer checkpoints
      options.cache_kib = 16 * 1024;
      db_ = std::make_unique<store::Database>(state_path_, options);
      dossiers_ = std::make_unique<store::DossierStore>(*db_);
    }
    return *dossiers_;
  }

  ApiContext& ctx_;
  const std::filesystem::path state_path_;
  std::mutex mutex_;
  std::map<Key, Entry> cache_;
  // Worker only.
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<store::DossierStore> dossiers_;
  std::atomic<bool> stopping_{false};
  // Last: destroyed first, so the worker has finished before what it uses goes.
  asio::thread_pool pool_{1};
};

// --- answers ------------------------------------------------------------------------------

void append_number(std::string& out, double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_rate(std::string& out, const std::optional<double>& v, const char* null) {
  if (v)
    append_number(out, *v);
  else
    out += null;
}

struct Figure {
  const char* name;
  std::int64_t (*count)(const sla::IndicatorCounts&);
  std::optional<double> (*rate)(const sla::IndicatorCounts&);
};

// In the order of the README: 2.1, apologies, 3.3, 1.4.
constexpr Figure kFigures[] = {
    {"received", [](const sla::IndicatorCounts& c) { return c.received; }, nullptr},
    {"finished", [](const sla::IndicatorCounts& c) { return c.finished; }, nullptr},
    {"finished_on_time", [](const sla::IndicatorCounts& c) { return c.finished_on_time; }, nullptr},
    {"finished_late", [](const sla::IndicatorCounts& c) { return c.finished_late; }, nullptr},
    {"open_overdue", [](const sla::IndicatorCounts& c) { return c.open_overdue; }, nullptr},
    {"late", [](const sla::IndicatorCounts& c) { return c.late(); }, nullptr},
    {"judged", [](const sla::IndicatorCounts& c) { return c.judged(); }, nullptr},
    {"on_time_rate", nullptr, [](const sla::IndicatorCounts& c) { return c.on_time_rate(); }},
    {"late_rate", nullptr, [](const sla::IndicatorCounts& c) { return c.late_rate(); }},
    {"apology_due", [](const sla::IndicatorCounts& c) { return c.apology_due; }, nullptr},
    {"apology_compliant", [](const sla::IndicatorCounts& c) { return c.apology_compliant; },
     nullptr},
    {"apology_rate", nullptr, [](const sla::IndicatorCounts& c) { return c.apology_rate(); }},
    {"received_online", [](const sla::IndicatorCounts& c) { return c.received_online; }, nullptr},
    {"online_share", nullptr, [](const sla::IndicatorCounts& c) { return c.online_share(); }},
    {"online_score", nullptr, [](const sla::IndicatorCounts& c) { return c.online_score(); }},
    {"portal_known", [](const sla::IndicatorCounts& c) { return c.portal_known; }, nullptr},
    {"on_portal", [](const sla::IndicatorCounts& c) { return c.on_portal; }, nullptr},
    {"sync_rate", nullptr, [](const sla::IndicatorCounts& c) { return c.sync_rate(); }},
};

void append_figures_json(std::string& out, const sla::IndicatorCounts& c) {
  for (const Figure& f : kFigures) {
    out += ",\"";
    out += f.name;
    out += "\":";
    if (f.count)
      out += std::to_string(f.count(c));
    else
      append_rate(out, f.rate(c), "null");
  }
}

bool wanted(const sla::AgencyIndicators& a, const Query& q) {
  return q.agency.empty() || a.agency == q.agency;
}

net::ServerResponse json_answer(const Answer& a, const Query& q, seconds offset) {
  const sla::IndicatorReport& r = a.report;
  std::string out = "{\"period\":{\"from\":\"" + sla::format_date(q.period.first) + "\",\"to\":\"" +
                    sla::format_date(q.period.last) + "\",\"utc_offset\":\"" +
                    sla::format_offset(offset) + "\",\"open_judged_at\":\"" +
                    sla::format_rfc3339(r.period_end, offset) + "\"},\"generated_at\":\"" +
                    sla::format_rfc3339(a.generated_at, offset) + "\",\"agency\":";
  if (q.agency.empty())
    out += "null";
  else
    append_json_string(out, q.agency);
  out += ",\"province\":{\"agencies\":" + std::to_string(r.agencies.size());
  append_figures_json(out, r.province);
  out += "},\"agencies\":[";
  bool first = true;
  for (const auto& ag : r.agencies) {
    if (!wanted(ag, q)) continue;
    if (!first) out += ',';
    first = false;
    out += "{\"agency\":";
    append_json_string(out, ag.agency);
    out += ",\"agency_name\":";
    append_json_string(out, ag.agency_name);
    append_figures_json(out, ag.counts);
    out += '}';
  }
  out += "]}";
  net::ServerResponse response;
  response.body = std::move(out);
  return response;
}

void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_csv_row(std::string& out, std::string_view agency, std::string_view name,
                    const sla::IndicatorCounts& c) {
  append_csv_field(out, agency);
  out += ',';
  append_csv_field(out, name);
  for (const Figure& f : kFigures) {
    out += ',';
    if (f.count)
      out += std::to_string(f.count(c));
    else
      append_rate(out, f.rate(c), "");
  }
  out += "\r\n";
}

// RFC 4180 with a UTF-8 byte order mark, without which Excel reads the agencies' Vietnamese
// names as Windows-1252. The province's total comes first, with an empty agency code.
net::ServerResponse csv_answer(const Answer& a, const Query& q) {
  std::string out =
      "\xEF\xBB\xBF"
      "agency,agency_name";
  for (const Figure& f : kFigures) {
    out += ',';
    out += f.name;
  }
  out += "\r\n";
  append_csv_row(out, "", "Toàn tỉnh", a.report.province);
  for (const auto& ag : a.report.agencies)
    if (wanted(ag, q)) append_csv_row(out, ag.agency, ag.agency_name, ag.counts);
  net::ServerResponse response;
  response.content_type = "text/csv; charset=utf-8";
  response.headers.emplace_back(
      "Content-Disposition", "attachment; filename=\"chi-so-" + sla::format_date(q.period.first) +
                                 "-" + sla::format_date(q.period.last) + ".csv\"");
  response.body = std::move(out);
  return response;
}

asio::awaitable<net::ServerResponse> indicators(net::ServerRequest request, ApiContext* ctx,
                                                std::shared_ptr<IndicatorService> service) {
  const seconds offset = ctx->state.runtime()->cfg.daemon.utc_offset;
  auto parsed = parse_query(request, ctx->state.now(), offset);
  if (auto* refusal = std::get_if<net::ServerResponse>(&parsed)) co_return *refusal;
  const Query q = std::get<Query>(std::move(parsed));
  std::shared_ptr<const Answer> answer;
  try {
    answer = co_await service->answer(q.period);
  } catch (const std::exception& e) {
    spdlog::error("indicators {} – {}: {}", sla::format_date(q.period.first),
                  sla::format_date(q.period.last), e.what());
    co_return net::ServerResponse::json_error(500, std::string("indicators: ") + e.what());
  }
  co_return q.csv ? csv_answer(*answer, q) : json_answer(*answer, q, offset);
}

}  // namespace

void add_indicator_routes(net::Router& router, ApiContext& ctx) {
  // Shared by the handler's copies; the worker thread lives as long as the router.
  auto service = std::make_shared<IndicatorService>(ctx);
  router.add("GET", "/api/v1/indicators",
             net::Router::AsyncHandler([&ctx, service](net::ServerRequest request) {
               return indicators(std::move(request), &ctx, service);
             }));
}

}  // namespace motcua::daemon
