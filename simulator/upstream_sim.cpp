#include "simulator/upstream_sim.hpp"

#include <algorithm>
#include <unordered_map>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "simulator/synthetic_dossiers.hpp"
#include "simulator/timeline.hpp"
#include "simulator/upstream_record.hpp"
#include "sla/duration.hpp"

namespace motcua::sim {

namespace json = boost::json;
using namespace std::chrono;
using net::ServerRequest;
using net::ServerResponse;
using sla::Instant;

namespace {

enum class PortalCopy : std::uint8_t { synced, missing, stale };

// A deterministic value in [0, 1) from a dossier's index and a purpose, so that the portal's
// behaviour and rewrites do not depend on the order of anything else.
double mix(std::uint64_t seed, std::uint64_t index, std::uint64_t purpose) {
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull ^ (index + 1) * 0xBF58476D1CE4E5B9ull ^
                    (purpose + 1) * 0x94D049BB133111EBull;
  x ^= x >> 31;
  x *= 0xD6E8FEB86659FD93ull;
  x ^= x >> 32;
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

ServerResponse json_response(const json::object& body, int status = 200) {
  ServerResponse r;
  r.status = status;
  r.content_type = "application/json; charset=utf-8";
  r.body = json::serialize(body);
  return r;
}

ServerResponse upstream_error(int error_code, std::string_view message, int status = 200) {
  json::object o;
  o["error_code"] = error_code;
  o["message"] = message;
  return json_response(o, status);
}

// Reads an integer that may come as a JSON number or a string ("500").
std::optional<std::int64_t> integer(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_string()) {
    try {
      return std::stoll(std::string(v->as_string()));
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// "yyyyMMddHHmmss" at +07:00 → instant.
std::optional<Instant> compact_date(std::string_view s, seconds offset) {
  if (s.size() != 14) return std::nullopt;
  std::string rfc = std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4, 2)) + "-" +
                    std::string(s.substr(6, 2)) + "T" + std::string(s.substr(8, 2)) + ":" +
                    std::string(s.substr(10, 2)) + ":" + std::string(s.substr(12, 2)) +
                    sla::format_offset(offset);
  return sla::parse_rfc3339(rfc);
}

std::optional<Fault::Kind> fault_kind(std::string_view name) {
  static const std::pair<std::string_view, Fault::Kind> kinds[] = {
      {"http_500", Fault::Kind::http_500},
      {"http_503", Fault::Kind::http_503},
      {"delay", Fault::Kind::delay},
      {"drop_connection", Fault::Kind::drop_connection},
      {"truncated_body", Fault::Kind::truncated_body},
      {"malformed_json", Fault::Kind::malformed_json},
      {"wrong_types", Fault::Kind::wrong_types},
      {"oversized_body", Fault::Kind::oversized_body},
      {"expire_session", Fault::Kind::expire_session},
  };
  for (const auto& [n, k] : kinds)
    if (n == name) return k;
  return std::nullopt;
}

}  // namespace

struct UpstreamSim::State {
  State(const sla::WorkingCalendar& c, SimOptions o)
      : calendar(c),
        options(std::move(o)),
        sim_base(options.start),
        real_base(steady_clock::now()),
        tokens(options.seed ^ 0x5E55104ull) {}

  const sla::WorkingCalendar& calendar;
  SimOptions options;
  mutable std::mutex mutex;

  // Generated dossiers: their whole lives, change instants, portal behaviour, rewrites.
  std::vector<sla::Dossier> lives;
  std::vector<std::vector<Instant>> events;
  std::vector<PortalCopy> portal;
  std::vector<seconds> portal_delay;
  std::vector<std::optional<std::pair<Instant, Instant>>> rewrite;  // when, new NgayHenTra
  std::vector<bool> nightly;
  std::unordered_map<std::string, std::size_t> by_code;
  std::map<std::string, SyntheticDossiers::Procedure> procedures;

  struct Scenario {
    std::string code;
    json::object record;
    Instant updated{};
    std::optional<json::object> portal;
  };
  std::vector<Scenario> scenario;
  std::unordered_map<std::string, std::size_t> scenario_by_code;

  // The clock: simulated time moves `speed` times real time, in whole real seconds so that the
  // listing index is rebuilt at most once a second.
  Instant sim_base;
  steady_clock::time_point real_base;

  std::map<std::string, steady_clock::time_point> sessions;
  std::mt19937_64 tokens;
  std::vector<Fault> faults;

  // Listing index at `index_time`: (NgayCapNhat, code) ascending; ids ≥ lives.size() are scenario.
  std::optional<Instant> index_time;
  std::size_t index_generation = 0;
  std::size_t scenario_generation = 0;
  std::vector<std::pair<Instant, std::size_t>> index;

  Instant now() const {
    const auto real = duration_cast<seconds>(steady_clock::now() - real_base);
    return sim_base +
           seconds(static_cast<std::int64_t>(static_cast<double>(real.count()) * options.speed));
  }

  const std::string& code_of(std::size_t id) const {
    return id < lives.size() ? lives[id].code : scenario[id - lives.size()].code;
  }

  std::optional<sla::Dossier> dossier_at(std::size_t i, Instant t) const {
    auto d = reveal(lives[i], t);
    if (!d) return d;
    if (rewrite[i] && rewrite[i]->first <= t) d->due_at = rewrite[i]->second;
    d->updated_at = updated_at(i, t);
    return d;
  }

  // The one-stop system's nightly job stamps NgayCapNhat on every open dossier of the agencies
  // it serves, so many records share one timestamp (DOMAIN.md warns of it across pages).
  std::optional<Instant> nightly_touch(std::size_t i, Instant t) const {
    if (!nightly[i]) return std::nullopt;
    const auto& life = lives[i];
    const seconds at = hours(22);
    Instant last = sla::at_local(calendar.local_date(t), at, calendar.utc_offset());
    if (last > t) last -= days(1);
    if (life.finished_at && last > *life.finished_at) return std::nullopt;
    if (life.refused_at && last > *life.refused_at) return std::nullopt;
    if (!life.received_at || last < *life.received_at) return std::nullopt;
    return last;
  }

  // NgayCapNhat at t: the latest change by t (nullopt before the dossier exists).
  std::optional<Instant> updated_at(std::size_t i, Instant t) const {
    const auto& ev = events[i];
    auto it = std::upper_bound(ev.begin(), ev.end(), t);
    if (it == ev.begin()) return std::nullopt;
    Instant u = *std::prev(it);
    if (auto touch = nightly_touch(i, t)) u = std::max(u, *touch);
    return u;
  }

  void rebuild_index(Instant t) {
    if (index_time == t && index_generation == scenario_generation) return;
    index.clear();
    index.reserve(lives.size() + scenario.size());
    for (std::size_t i = 0; i < lives.size(); ++i)
      if (auto u = updated_at(i, t)) index.emplace_back(*u, i);
    for (std::size_t k = 0; k < scenario.size(); ++k)
      index.emplace_back(scenario[k].updated, lives.size() + k);
    std::sort(index.begin(), index.end(), [this](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      return code_of(a.second) < code_of(b.second);
    });
    index_time = t;
    index_generation = scenario_generation;
  }

  WireStyle style_for(std::size_t i) const {
    // Some vendors send numbers as strings (DOMAIN.md): a third of the agencies do here.
    return WireStyle{calendar.utc_offset(), mix(options.seed, i, 7) < 0.33};
  }

  json::object record_of(std::size_t id, Instant t, const json::storage_ptr& storage = {}) const {
    if (id >= lives.size()) return json::object(scenario[id - lives.size()].record, storage);
    return upstream_record(*dossier_at(id, t), style_for(id), storage);
  }

  // The portal's copy of one-stop dossier `id` at t, or nullopt when the portal does not have it.
  std::optional<json::object> portal_copy(std::size_t i, Instant t) const {
    switch (portal[i]) {
      case PortalCopy::missing:
        return std::nullopt;
      case PortalCopy::stale: {
        // The portal got the first synchronisation and nothing after it.
        const auto& life = lives[i];
        if (!life.received_at || *life.received_at + portal_delay[i] > t) return std::nullopt;
        auto d = dossier_at(i, *life.received_at + portal_delay[i]);
        if (!d) return std::nullopt;
        return upstream_record(*d, style_for(i));
      }
      case PortalCopy::synced: {
        auto d = dossier_at(i, t - portal_delay[i]);
        if (!d || !d->received_at) return std::nullopt;
        return upstream_record(*d, style_for(i));
      }
    }
    return std::nullopt;
  }

  // The first fault that applies to `target`, used up by one.
  std::optional<Fault> take_fault(std::string_view target) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->target != "*" && it->target != target) continue;
      Fault f = *it;
      if (it->count > 0 && --it->count == 0) faults.erase(it);
      return f;
    }
    return std::nullopt;
  }

  std::string new_session() {
    static constexpr char hex[] = "0123456789abcdef";
    std::string token;
    for (int i = 0; i < 32; ++i)
      token += hex[tokens() % 16];
    sessions[token] = steady_clock::now() + options.session_ttl;
    return token;
  }

  bool session_valid(const std::string& token) {
    auto it = sessions.find(token);
    if (it == sessions.end()) return false;
    if (it->second < steady_clock::now()) {
      sessions.erase(it);
      return false;
    }
    return true;
  }

  ServerResponse session_expired() const {
    if (options.expiry_as_http_status) return upstream_error(401, "Phiên làm việc đã hết hạn", 401);
    return upstream_error(401, "Phiên làm việc đã hết hạn");
  }
};

UpstreamSim::UpstreamSim(const sla::WorkingCalendar& calendar, SimOptions options)
    : state_(std::make_unique<State>(calendar, std::move(options))) {
  State& s = *state_;
  const auto& o = s.options;
  // Lives are generated as seen 20 days after the start, received in the 60 days before that:
  // two thirds exist at the start, the rest arrive as simulated time passes.
  const Instant horizon = o.start + days(20);
  SyntheticDossiers generator(calendar, horizon, o.seed);
  generator.append(o.dossiers, s.lives);
  for (const auto& p : generator.procedures())
    s.procedures[p.code] = p;
  s.events.reserve(s.lives.size());
  for (std::size_t i = 0; i < s.lives.size(); ++i) {
    auto& life = s.lives[i];
    s.by_code[life.code] = i;
    const double p = mix(o.seed, i, 1);
    s.portal.push_back(p < o.portal_missing_share                          ? PortalCopy::missing
                       : p < o.portal_missing_share + o.portal_stale_share ? PortalCopy::stale
                                                                           : PortalCopy::synced);
    s.portal_delay.push_back(minutes(5 + static_cast<int>(mix(o.seed, i, 2) * 120)));
    std::optional<std::pair<Instant, Instant>> rewrite;
    if (mix(o.seed, i, 3) < o.deadline_rewrite_share && life.received_at && life.due_at &&
        life.apologies.empty()) {
      // "Đặt lại hồ sơ quá hạn": an administrator pushes the deadline back after it passed,
      // while the dossier is still open.
      const Instant when = *life.due_at + hours(2 + static_cast<int>(mix(o.seed, i, 4) * 40));
      if (!life.finished_at || when < *life.finished_at)
        rewrite.emplace(when, calendar.add_working_days(*life.due_at, 3));
    }
    s.rewrite.push_back(rewrite);
    s.nightly.push_back(mix(o.seed, i, 5) < 0.3);
    auto ev = event_times(life);
    if (rewrite) {
      ev.insert(std::upper_bound(ev.begin(), ev.end(), rewrite->first), rewrite->first);
    }
    s.events.push_back(std::move(ev));
  }
}

UpstreamSim::~UpstreamSim() = default;

Instant UpstreamSim::now() const {
  std::lock_guard lock(state_->mutex);
  return state_->now();
}

void UpstreamSim::set_now(Instant t) {
  std::lock_guard lock(state_->mutex);
  state_->sim_base = t;
  state_->real_base = steady_clock::now();
}

void UpstreamSim::add_fault(const Fault& f) {
  std::lock_guard lock(state_->mutex);
  state_->faults.push_back(f);
}

void UpstreamSim::clear_faults() {
  std::lock_guard lock(state_->mutex);
  state_->faults.clear();
}

void UpstreamSim::add_scenario(json::object record, std::optional<json::object> portal) {
  std::lock_guard lock(state_->mutex);
  State& s = *state_;
  const std::string code = text(record, "MaHoSo");
  const auto updated = compact_date(text(record, "NgayCapNhat"), s.calendar.utc_offset());
  State::Scenario entry{code, std::move(record), updated.value_or(Instant{}), std::move(portal)};
  if (auto it = s.scenario_by_code.find(code); it != s.scenario_by_code.end()) {
    s.scenario[it->second] = std::move(entry);
  } else {
    s.scenario_by_code[code] = s.scenario.size();
    s.scenario.push_back(std::move(entry));
  }
  ++s.scenario_generation;
}

std::size_t UpstreamSim::dossier_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->lives.size() + state_->scenario.size();
}

namespace {

// The answer to a service call once faults are applied to it.
ServerResponse apply_fault(const std::optional<Fault>& fault, ServerResponse normal) {
  if (!fault) return normal;
  switch (fault->kind) {
    case Fault::Kind::http_500:
      return upstream_error(500, "Lỗi hệ thống, vui lòng thử lại sau", 500);
    case Fault::Kind::http_503:
      return upstream_error(503, "Hệ thống đang bảo trì", 503);
    case Fault::Kind::drop_connection:
      normal.close_without_response = true;
      return normal;
    case Fault::Kind::truncated_body:
      normal.truncate_body_to = normal.body.size() / 2;
      return normal;
    case Fault::Kind::malformed_json:
      normal.body = normal.body.substr(0, normal.body.size() / 2) + "\"}}]{,";
      return normal;
    case Fault::Kind::oversized_body: {
      // Larger than the client's 64 MiB default limit.
      normal.body.insert(normal.body.size() - 1,
                         ",\"padding\":\"" + std::string(65 * 1024 * 1024, 'x') + "\"");
      return normal;
    }
    case Fault::Kind::delay:
    case Fault::Kind::wrong_types:
    case Fault::Kind::expire_session:
      return normal;  // handled before the answer is built
  }
  return normal;
}

// Spoils the types of some fields of every record, as a vendor's bad release would.
void spoil_types(json::object& answer) {
  json::value* data = answer.if_contains("data");
  if (!data) data = answer.if_contains("result");
  if (!data || !data->is_array()) return;
  for (auto& v : data->as_array()) {
    if (!v.is_object()) continue;
    auto& r = v.as_object();
    r["NgayHenTra"] = 20260310170000;
    r["QuaTrinhXuLy"] = "không có";
    r["TrangThaiHoSo"] = json::array{4};
  }
}

}  // namespace

void UpstreamSim::add_routes(net::Router& router) {
  State* s = state_.get();

  auto login = [s](const ServerRequest& req) -> ServerResponse {
    std::lock_guard lock(s->mutex);
    if (auto f = s->take_fault("auth"); f && f->kind != Fault::Kind::expire_session)
      return apply_fault(f, upstream_error(0, ""));
    json::error_code ec;
    auto body = json::parse(req.body, ec);
    if (ec || !body.is_object()) return upstream_error(400, "Dữ liệu không hợp lệ", 400);
    if (req.header("dstcode").empty()) return upstream_error(2, "Thiếu mã hệ thống (dstcode)");
    const auto& o = body.as_object();
    if (text(o, "username") != s->options.username || text(o, "password") != s->options.password)
      return upstream_error(1, "Tên đăng nhập hoặc mật khẩu không đúng");
    json::object answer;
    answer["error_code"] = 0;
    answer["message"] = "Đăng nhập thành công";
    answer["session"] = s->new_session();
    return json_response(answer);
  };

  // One-stop and portal services share the transport; which services exist differs.
  auto service = [s](bool portal) {
    return [s, portal](ServerRequest req) -> boost::asio::awaitable<ServerResponse> {
      json::error_code ec;
      auto body = json::parse(req.body, ec);
      if (ec || !body.is_object()) co_return upstream_error(400, "Dữ liệu không hợp lệ", 400);
      const auto& o = body.as_object();
      const std::string name = text(o, "service");
      std::optional<Fault> fault;
      {
        std::lock_guard lock(s->mutex);
        fault = s->take_fault(name);
        if (fault && fault->kind == Fault::Kind::expire_session)
          s->sessions.erase(text(o, "session"));
      }
      // A failing server or a dropped connection answers before looking at the request.
      if (fault && (fault->kind == Fault::Kind::http_500 || fault->kind == Fault::Kind::http_503 ||
                    fault->kind == Fault::Kind::drop_connection))
        co_return apply_fault(fault, upstream_error(0, ""));
      if (fault && fault->kind == Fault::Kind::delay) {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        timer.expires_after(fault->delay);
        co_await timer.async_wait(boost::asio::use_awaitable);
      }

      std::lock_guard lock(s->mutex);
      if (!s->session_valid(text(o, "session"))) co_return s->session_expired();
      const Instant t = s->now();
      // The whole answer lives in one monotonic resource, released at once after serializing:
      // a page of records is thousands of small strings, objects and arrays.
      json::monotonic_resource arena;
      const json::storage_ptr storage(&arena);
      json::object answer(storage);
      answer["error_code"] = 0;
      answer["message"] = "Thành công";
      if (!portal && name == "LayDanhSachHoSo") {
        s->rebuild_index(t);
        Instant from{};
        if (auto f = text(o, "CapNhatTu"); !f.empty()) {
          auto parsed = compact_date(f, s->calendar.utc_offset());
          if (!parsed) co_return upstream_error(3, "CapNhatTu không đúng định dạng yyyyMMddHHmmss");
          from = *parsed;
        }
        const auto page = integer(o, "Trang").value_or(1);
        const auto size = integer(o, "SoLuong").value_or(100);
        if (page < 1 || size < 1 || size > 10000)
          co_return upstream_error(3, "Trang hoặc SoLuong không hợp lệ");
        auto first = std::lower_bound(s->index.begin(), s->index.end(), from,
                                      [](const auto& e, Instant f) { return e.first < f; });
        const auto total = static_cast<std::int64_t>(s->index.end() - first);
        json::array data(storage);
        const auto skip = (page - 1) * size;
        for (auto it = first + std::min(skip, total);
             it != s->index.end() && static_cast<std::int64_t>(data.size()) < size; ++it)
          data.push_back(s->record_of(it->second, t, storage));
        answer["TongSo"] = total;
        answer["data"] = std::move(data);
      } else if (portal && name == "TraCuuHoSo") {
        const std::string code = text(o, "MaHoSo");
        json::array result;
        if (auto it = s->scenario_by_code.find(code); it != s->scenario_by_code.end()) {
          if (const auto& p = s->scenario[it->second].portal) result.push_back(*p);
        } else if (auto g = s->by_code.find(code); g != s->by_code.end()) {
          if (auto copy = s->portal_copy(g->second, t)) result.push_back(std::move(*copy));
        }
        answer["result"] = std::move(result);
      } else if (portal && name == "LayThuTuc") {
        json::array result;
        if (auto it = s->procedures.find(text(o, "MaTTHC")); it != s->procedures.end()) {
          const auto& p = it->second;
          json::array ways;
          for (const char* channel : {"1", "2", "3"}) {
            json::object time;
            time["THOIGIANGIAIQUYET"] = std::to_string(p.working_days);
            time["DONVITINH"] = "Ngày làm việc";
            time["MOTA"] = "Kể từ ngày nhận đủ hồ sơ hợp lệ";
            ways.push_back(json::object{{"KENH", channel}, {"THOIGIAN", json::array{time}}});
          }
          result.push_back(json::object{{"MaTTHC", p.code},
                                        {"TenTTHC", p.name},
                                        {"MaLinhVuc", p.sector},
                                        {"CACHTHUCTHUCHIEN", std::move(ways)}});
        }
        answer["result"] = std::move(result);
      } else {
        co_return upstream_error(404, "Không tìm thấy dịch vụ '" + name + "'");
      }
      if (fault && fault->kind == Fault::Kind::wrong_types) spoil_types(answer);
      co_return apply_fault(fault, json_response(answer));
    };
  };

  router.add("POST", "/motcua/auth", login);
  router.add("POST", "/dvc/auth", login);
  router.add("POST", "/motcua/service", net::Router::AsyncHandler(service(false)));
  router.add("POST", "/dvc/service", net::Router::AsyncHandler(service(true)));

  router.add("GET", "/_sim/status", [s](const ServerRequest&) {
    std::lock_guard lock(s->mutex);
    json::object o;
    o["now"] = sla::format_rfc3339(s->now(), s->calendar.utc_offset());
    o["speed"] = s->options.speed;
    o["dossiers"] = s->lives.size();
    o["scenario"] = s->scenario.size();
    o["sessions"] = s->sessions.size();
    o["faults"] = s->faults.size();
    return json_response(o);
  });
  router.add("POST", "/_sim/clock", [s](const ServerRequest& req) {
    json::error_code ec;
    auto body = json::parse(req.body, ec);
    if (ec || !body.is_object())
      return ServerResponse::json_error(400,
                                        "expected {\"now\": RFC3339} or {\"advance\": \"2h\"}");
    std::lock_guard lock(s->mutex);
    const auto& o = body.as_object();
    Instant t = s->now();
    if (auto now = text(o, "now"); !now.empty()) {
      auto parsed = sla::parse_rfc3339(now);
      if (!parsed) return ServerResponse::json_error(400, "now: not an RFC 3339 instant");
      t = *parsed;
    } else if (auto advance = text(o, "advance"); !advance.empty()) {
      auto d = sla::parse_duration(advance);
      if (!d || d->is_working()) return ServerResponse::json_error(400, "advance: not a duration");
      t += seconds(d->amount);
    } else {
      return ServerResponse::json_error(400, "expected \"now\" or \"advance\"");
    }
    s->sim_base = t;
    s->real_base = steady_clock::now();
    return json_response({{"now", sla::format_rfc3339(t, s->calendar.utc_offset())}});
  });
  router.add("POST", "/_sim/faults", [s](const ServerRequest& req) {
    json::error_code ec;
    auto body = json::parse(req.body, ec);
    if (ec || !body.is_object()) return ServerResponse::json_error(400, "expected a JSON object");
    const auto& o = body.as_object();
    auto kind = fault_kind(text(o, "kind"));
    if (!kind)
      return ServerResponse::json_error(400, "unknown fault kind '" + text(o, "kind") + "'");
    Fault f;
    f.kind = *kind;
    if (auto target = text(o, "target"); !target.empty()) f.target = target;
    f.count = static_cast<int>(integer(o, "count").value_or(1));
    f.delay = milliseconds(integer(o, "delay_ms").value_or(0));
    std::lock_guard lock(s->mutex);
    s->faults.push_back(f);
    return json_response({{"faults", s->faults.size()}});
  });
  router.add("DELETE", "/_sim/faults", [s](const ServerRequest&) {
    std::lock_guard lock(s->mutex);
    s->faults.clear();
    return json_response({{"faults", 0}});
  });
  router.add("POST", "/_sim/sessions/expire", [s](const ServerRequest&) {
    std::lock_guard lock(s->mutex);
    s->sessions.clear();
    return json_response({{"sessions", 0}});
  });
  router.add("POST", "/_sim/scenario", [this](const ServerRequest& req) {
    json::error_code ec;
    auto body = json::parse(req.body, ec);
    if (ec) return ServerResponse::json_error(400, "not JSON: " + ec.message());
    // {"records": [...], "portal": {"MaHoSo": record-or-null}} or a bare array of records
    // (which the portal then holds as they are).
    const json::array* records = nullptr;
    const json::object* portal = nullptr;
    if (body.is_array()) records = &body.as_array();
    if (body.is_object()) {
      if (auto* r = body.as_object().if_contains("records"); r && r->is_array())
        records = &r->as_array();
      if (auto* p = body.as_object().if_contains("portal"); p && p->is_object())
        portal = &p->as_object();
    }
    if (!records) return ServerResponse::json_error(400, "expected records");
    std::size_t added = 0;
    for (const auto& r : *records) {
      if (!r.is_object()) continue;
      const std::string code = text(r.as_object(), "MaHoSo");
      std::optional<json::object> copy = r.as_object();
      if (portal) {
        const json::value* p = portal->if_contains(code);
        copy = p && p->is_object() ? std::optional<json::object>(p->as_object()) : std::nullopt;
      }
      add_scenario(r.as_object(), std::move(copy));
      ++added;
    }
    return json_response({{"added", added}});
  });
}

}  // namespace motcua::sim
