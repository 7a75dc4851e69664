#include "connectors/dvc_lookup.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "connectors/text.hpp"

namespace motcua::connectors {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// A token bucket in its "theoretical arrival time" form: one token every `interval`, at most
// `burst` saved up. Each acquire() reserves the next slot at once and then waits for it, so
// coroutines on one executor need no lock and are served in the order they asked.
class RateLimiter {
 public:
  RateLimiter(double per_second, std::size_t burst) : burst_(std::max<std::size_t>(1, burst)) {
    if (per_second > 0)
      interval_ = std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(1.0 / per_second));
  }

  asio::awaitable<void> acquire() {
    if (interval_ == Clock::duration::zero()) co_return;
    const auto now = Clock::now();
    next_ = std::max(next_, now);
    const auto start = std::max(now, next_ - interval_ * static_cast<Clock::rep>(burst_ - 1));
    next_ += interval_;
    if (start <= now) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor, start);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

 private:
  std::size_t burst_;
  Clock::duration interval_{};
  Clock::time_point next_{};
};

// The array of records under `result` (or `data`); nullptr when there is none.
const json::array* result_array(const json::object& answer, const std::string& name) {
  const json::value* v = answer.if_contains(name);
  if (v == nullptr) v = answer.if_contains("data");
  return v != nullptr ? v->if_array() : nullptr;
}

std::string text_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return {};
}

std::optional<double> number_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) return v->to_number<double>();
  if (v->is_string()) {
    std::string s(v->get_string());
    std::replace(s.begin(), s.end(), ',', '.');  // "0,5" is how Vietnamese writes one half
    try {
      std::size_t used = 0;
      const double d = std::stod(s, &used);
      if (used == s.size() && std::isfinite(d) && d >= 0) return d;
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

bool failed_for_the_portal(const CallError& e) {
  return e.kind == CallFailure::transport || e.kind == CallFailure::http_status ||
         e.kind == CallFailure::session_expired;
}

asio::awaitable<std::pair<PortalLookup, CallError>> lookup_one(UpstreamSession& session,
                                                               const RecordMapping& mapping,
                                                               std::string_view source,
                                                               const std::string& code,
                                                               const PortalProtocol& protocol) {
  PortalLookup out;
  out.code = code;
  out.looked_up = true;
  json::object params;
  params[protocol.code_param] = code;
  CallResult r = co_await session.call(protocol.lookup_service, std::move(params));
  if (!r.ok()) {
    out.error = r.error.message;
    co_return std::pair{std::move(out), r.error};
  }
  const json::array* result = result_array(r.answer, protocol.result);
  if (result == nullptr) {
    out.error =
        protocol.lookup_service + " " + code + ": the answer has no array " + protocol.result;
    co_return std::pair{std::move(out), CallError{}};
  }
  if (result->empty()) co_return std::pair{std::move(out), CallError{}};
  const json::value& copy = result->front();
  out.found = true;
  out.raw = json::serialize(copy);
  MapResult m = map_record(copy, mapping, source);
  if (!m.dossier) {
    out.error =
        protocol.lookup_service + " " + code + ": the portal's copy cannot be read: " + m.error;
  } else if (m.dossier->code != code) {
    out.error = protocol.lookup_service + " " + code + ": the portal answered with dossier " +
                utf8_excerpt(m.dossier->code, 80);
  } else {
    out.status = m.dossier->status;
    out.finished_at = m.dossier->finished_at;
    out.dossier = std::move(m.dossier);
  }
  co_return std::pair{std::move(out), CallError{}};
}

struct LookupRun {
  LookupRun(std::vector<std::string> c, LookupOptions o)
      : codes(std::move(c)), options(std::move(o)), limiter(options.rate_limit, options.burst) {
    report.results.resize(codes.size());
  }

  std::vector<std::string> codes;
  LookupOptions options;
  RateLimiter limiter;
  LookupReport report;
  std::size_t next = 0;
  std::size_t consecutive_failures = 0;
  bool stop = false;
  std::size_t running = 0;
  std::exception_ptr crashed;
  std::unique_ptr<asio::steady_timer> all_done;
};

asio::awaitable<void> lookup_worker(std::shared_ptr<LookupRun> run, UpstreamSession& session,
                                    const RecordMapping& mapping, std::string source) {
  while (!run->stop && run->next < run->codes.size()) {
    const std::size_t i = run->next++;
    co_await run->limiter.acquire();
    if (run->stop) break;  // left not looked up; marked with the reason at the end
    auto [result, error] =
        co_await lookup_one(session, mapping, source, run->codes[i], run->options.protocol);
    ++run->report.requests;
    if (error.kind == CallFailure::none || error.kind == CallFailure::upstream_error)
      run->report.reachable = true;
    if (failed_for_the_portal(error)) {
      ++run->consecutive_failures;
      const std::size_t limit = run->options.max_consecutive_failures;
      if (limit > 0 && run->consecutive_failures >= limit && !run->stop) {
        run->stop = true;
        run->report.error = "not looked up: " + std::to_string(run->consecutive_failures) +
                            " lookups in a row failed, the last with: " + error.message;
      }
    } else {
      run->consecutive_failures = 0;
    }
    if (error.kind == CallFailure::login_refused && !run->stop) {
      run->stop = true;
      run->report.error = "not looked up: " + error.message;
    }
    run->report.results[i] = std::move(result);
  }
}

}  // namespace

asio::awaitable<LookupReport> lookup_dossiers(UpstreamSession& session,
                                              const RecordMapping& mapping, std::string_view source,
                                              std::vector<std::string> codes,
                                              LookupOptions options) {
  const auto started = Clock::now();
  auto executor = co_await asio::this_coro::executor;
  auto run = std::make_shared<LookupRun>(std::move(codes), std::move(options));
  run->all_done = std::make_unique<asio::steady_timer>(executor, Clock::time_point::max());
  const std::size_t workers =
      std::min(std::max<std::size_t>(1, run->options.concurrency), run->codes.size());
  run->running = workers;
  for (std::size_t w = 0; w < workers; ++w) {
    asio::co_spawn(executor, lookup_worker(run, session, mapping, std::string(source)),
                   [run](std::exception_ptr e) {
                     if (e && !run->crashed) run->crashed = e;
                     if (--run->running == 0) run->all_done->cancel();
                   });
  }
  if (workers > 0) {
    boost::system::error_code ec;
    co_await run->all_done->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (run->crashed) std::rethrow_exception(run->crashed);

  LookupReport report = std::move(run->report);
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    PortalLookup& r = report.results[i];
    if (!r.looked_up) {
      r.code = run->codes[i];
      r.error = report.error;
    }
    if (!r.ok())
      ++report.failed;
    else if (r.found)
      ++report.found;
    else
      ++report.missing;
  }
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  co_return report;
}

TimeUnit parse_time_unit(std::string_view donvitinh) {
  const std::string unit = fold_vietnamese(donvitinh);
  const bool working = unit.find("lam viec") != std::string::npos;
  if (unit.find("ngay") != std::string::npos)
    return working ? TimeUnit::working_days : TimeUnit::days;
  if (unit.find("gio") != std::string::npos)
    return working ? TimeUnit::working_hours : TimeUnit::hours;
  return TimeUnit::unknown;
}

std::optional<sla::Duration> StatutoryTime::duration() const {
  if (!amount) return std::nullopt;
  const double a = *amount;
  const auto seconds = [](double s) {
    return std::chrono::seconds(static_cast<std::int64_t>(std::llround(s)));
  };
  switch (unit) {
    case TimeUnit::working_days:
      if (a != std::floor(a)) return std::nullopt;
      return sla::Duration::working_days(static_cast<std::int64_t>(a));
    case TimeUnit::working_hours:
      return sla::Duration::working(seconds(a * 3600));
    case TimeUnit::days:
      return sla::Duration::clock(seconds(a * 86400));
    case TimeUnit::hours:
      return sla::Duration::clock(seconds(a * 3600));
    case TimeUnit::unknown:
      return std::nullopt;
  }
  return std::nullopt;
}

namespace {

// Reads LayThuTuc's answer: the national portal's procedure record.
ProcedureLookup read_procedure(const json::object& answer, const std::string& where,
                               const PortalProtocol& protocol) {
  ProcedureLookup out;
  const json::array* result = result_array(answer, protocol.result);
  if (result == nullptr) {
    out.error = where + ": the answer has no array " + protocol.result;
    return out;
  }
  if (result->empty()) return out;
  const json::object* record = result->front().if_object();
  if (record == nullptr) {
    out.error = where + ": the record is not a JSON object";
    return out;
  }
  out.found = true;
  out.raw = json::serialize(*record);
  ProcedureInfo& p = out.procedure;
  p.code = text_of(*record, "MaTTHC");
  p.name = text_of(*record, "TenTTHC");
  p.sector = text_of(*record, "MaLinhVuc");
  const json::value* ways = record->if_contains("CACHTHUCTHUCHIEN");
  if (ways == nullptr || !ways->is_array()) {
    out.error = where + ": CACHTHUCTHUCHIEN is missing or not an array";
    return out;
  }
  for (const json::value& way : ways->get_array()) {
    const json::object* w = way.if_object();
    if (w == nullptr) continue;
    const json::value* times = w->if_contains("THOIGIAN");
    if (times == nullptr || !times->is_array()) continue;
    for (const json::value& time : times->get_array()) {
      const json::object* t = time.if_object();
      if (t == nullptr) continue;
      StatutoryTime s;
      s.channel = text_of(*w, "KENH");
      s.amount = number_of(*t, "THOIGIANGIAIQUYET");
      s.unit_text = text_of(*t, "DONVITINH");
      s.unit = parse_time_unit(s.unit_text);
      s.description = text_of(*t, "MOTA");
      p.times.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace

asio::awaitable<ProcedureLookup> lookup_procedure(UpstreamSession& session,
                                                  std::string procedure_code,
                                                  PortalProtocol protocol) {
  json::object params;
  params[protocol.procedure_param] = procedure_code;
  CallResult r = co_await session.call(protocol.procedure_service, std::move(params));
  if (!r.ok()) {
    ProcedureLookup failed;
    failed.error = r.error.message;
    co_return failed;
  }
  co_return read_procedure(r.answer, protocol.procedure_service + " " + procedure_code, protocol);
}

}  // namespace motcua::connectors
