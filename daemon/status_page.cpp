// The status page and the metrics endpoint. The page is for officials, not operators: it says in
// Vietnamese what is late where and how late, and only then how the sources are doing. Strings from
// upstream records and the config are untrusted (a procedure name is whatever a vendor's system
// holds), so every one of them passes through html_escape(), and the page's CSP forbids scripts
// should one ever slip through.
#include "daemon/status_page.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "alerts/dispatcher.hpp"
#include "alerts/template.hpp"
#include "daemon/api.hpp"
#include "daemon/metrics.hpp"
#include "daemon/version.hpp"
#include "sla/messages.hpp"
#include "sla/time.hpp"
#include "store/dossier_store.hpp"
#include "store/outbox.hpp"
#include "store/silence_store.hpp"

namespace motcua::daemon {

namespace {

using namespace std::chrono;

bool is_open(sla::Status s) {
  const auto clock = sla::clock_of(s);
  return clock == sla::Clock::running || clock == sla::Clock::paused;
}

double hours_late(const sla::Finding& f) {
  return f.overdue_working_hours.value_or(0.0);
}

// "45 giây", "3 phút", "2 giờ 5 phút", "1 ngày 3 giờ": how long ago, for a person.
std::string format_age(seconds age) {
  const auto s = std::max<std::int64_t>(age.count(), 0);
  if (s < 60) return std::to_string(s) + " giây";
  const auto m = s / 60;
  if (m < 60) return std::to_string(m) + " phút";
  const auto h = m / 60;
  if (h < 24)
    return std::to_string(h) + " giờ" + (m % 60 ? " " + std::to_string(m % 60) + " phút" : "");
  return std::to_string(h / 24) + " ngày" + (h % 24 ? " " + std::to_string(h % 24) + " giờ" : "");
}

// "agency = 000.00.12.H37, rule = overdue" from the stored matchers object; the stored text as it
// is when it is not one.
std::string describe_matchers(const std::string& json) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(json, ec);
  if (ec || !value.is_object()) return json;
  std::string out;
  for (const auto& [key, v] : value.as_object()) {
    if (!out.empty()) out += ", ";
    out += std::string_view(key);
    out += " = ";
    out += v.is_string() ? std::string(v.as_string()) : boost::json::serialize(v);
  }
  return out.empty() ? json : out;
}

constexpr std::string_view kStyle = R"(
body{font-family:system-ui,"Segoe UI",Roboto,Arial,sans-serif;margin:1.5rem;color:#1d2733;background:#fff}
h1{font-size:1.5rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin:1.8rem 0 .6rem}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
.meta{color:#556;margin:0 0 1rem}.notice{border-left:4px solid #3a7bd5;background:#eef4fc;padding:.6rem .9rem;margin:.8rem 0}
table{border-collapse:collapse;margin:.3rem 0 .8rem;min-width:50%}th,td{border:1px solid #cfd6de;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#f2f4f7}td.n{text-align:right;font-variant-numeric:tabular-nums}.late{color:#a61b1b;font-weight:600}
.soon{color:#8a5a00;font-weight:600}.ok{color:#1e6b34}.bad{color:#a61b1b}.more{color:#556;font-style:italic}
)";

class Page {
 public:
  void raw(std::string_view html) { out_ += html; }
  void text(std::string_view s) { out_ += html_escape(s); }
  void cell(std::string_view s, std::string_view cls = {}) {
    out_ += cls.empty() ? "<td>" : "<td class=\"" + std::string(cls) + "\">";
    text(s);
    out_ += "</td>";
  }
  void number(std::int64_t n, std::string_view cls = {}) {
    out_ += "<td class=\"n";
    if (!cls.empty()) {
      out_ += ' ';
      out_ += cls;
    }
    out_ += "\">" + std::to_string(n) + "</td>";
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string agency_title(const AgencySummary& a) {
  if (a.name.empty()) return a.code;
  return a.name + " (" + a.code + ")";
}

void render_agencies(Page& p, const std::vector<AgencySummary>& agencies, const Runtime& rt) {
  std::int64_t open = 0;
  std::size_t soon = 0, late = 0;
  for (const auto& a : agencies) {
    open += a.open;
    soon += a.due_soon;
    late += a.overdue;
  }
  p.raw("<h2>Tình hình theo cơ quan</h2>\n");
  if (agencies.empty()) {
    p.raw("<p>Không có hồ sơ đang giải quyết nào.</p>\n");
    return;
  }
  p.raw(
      "<table><thead><tr><th>Cơ quan</th><th>Mã cơ quan</th><th>Đang giải quyết</th>"
      "<th>Sắp đến hạn</th><th>Quá hạn</th></tr></thead><tbody>\n");
  for (const auto& a : agencies) {
    p.raw("<tr>");
    p.cell(a.name.empty() ? a.code : a.name);
    p.cell(a.code);
    p.number(a.open);
    p.number(static_cast<std::int64_t>(a.due_soon), a.due_soon ? "soon" : "");
    p.number(static_cast<std::int64_t>(a.overdue), a.overdue ? "late" : "");
    p.raw("</tr>\n");
  }
  p.raw("<tr><th colspan=\"2\">Tổng cộng</th>");
  p.number(open);
  p.number(static_cast<std::int64_t>(soon));
  p.number(static_cast<std::int64_t>(late));
  p.raw("</tr>\n</tbody></table>\n");

  if (late == 0) return;
  p.raw("<h2>Hồ sơ quá hạn nhiều nhất</h2>\n");
  const auto offset = rt.cfg.daemon.utc_offset;
  const auto day = rt.calendar.working_day_length();
  for (const auto& a : agencies) {
    if (a.worst.empty()) continue;
    p.raw("<h3>");
    p.text(agency_title(a));
    p.raw(
        "</h3>\n<table><thead><tr><th>Mã hồ sơ</th><th>Thủ tục</th><th>Hạn trả</th>"
        "<th>Quá hạn</th></tr></thead><tbody>\n");
    for (const auto& f : a.worst) {
      p.raw("<tr>");
      p.cell(f.dossier);
      p.cell(f.procedure_name.empty() ? f.procedure : f.procedure_name);
      p.cell(f.due ? sla::format_vn(*f.due, offset) : "");
      const auto working = seconds(std::llround(hours_late(f) * 3600.0));
      p.cell(sla::messages::working_time(working, day), "late");
      p.raw("</tr>\n");
    }
    p.raw("</tbody></table>\n");
    if (a.overdue > a.worst.size()) {
      p.raw("<p class=\"more\">và ");
      p.text(std::to_string(a.overdue - a.worst.size()));
      p.raw(" hồ sơ quá hạn khác.</p>\n");
    }
  }
}

void render_sources(Page& p, const std::vector<SourceStatus>& sources, sla::Instant now,
                    seconds offset) {
  p.raw("<h2>Tình trạng nguồn dữ liệu</h2>\n");
  p.raw(
      "<table><thead><tr><th>Nguồn</th><th>Loại</th><th>Trạng thái</th>"
      "<th>Đồng bộ thành công gần nhất</th><th>Độ trễ</th><th>Số hồ sơ</th>"
      "<th>Lỗi gần nhất</th></tr></thead><tbody>\n");
  for (const auto& s : sources) {
    p.raw("<tr>");
    p.cell(s.name);
    p.cell(config::source_kind_name(s.kind));
    if (s.consecutive_failures > 0)
      p.cell("Lỗi (" + std::to_string(s.consecutive_failures) + " lần liên tiếp)", "bad");
    else if (s.running)
      p.cell("Đang đồng bộ");
    else if (!s.last_success)
      p.cell("Chưa đồng bộ");
    else
      p.cell("Bình thường", "ok");
    p.cell(s.last_success ? sla::format_vn(*s.last_success, offset) : "chưa có");
    p.cell(s.last_success ? format_age(duration_cast<seconds>(now - *s.last_success)) : "");
    p.number(s.dossiers);
    p.cell(s.last_error);
    p.raw("</tr>\n");
  }
  p.raw("</tbody></table>\n");
}

void render_silences(Page& p, const std::vector<store::Silence>& silences, seconds offset) {
  p.raw("<h2>Tạm dừng cảnh báo đang có hiệu lực</h2>\n");
  if (silences.empty()) {
    p.raw("<p>Không có.</p>\n");
    return;
  }
  p.raw(
      "<table><thead><tr><th>Áp dụng cho</th><th>Từ</th><th>Đến</th><th>Người tạo</th>"
      "<th>Lý do</th></tr></thead><tbody>\n");
  for (const auto& s : silences) {
    p.raw("<tr>");
    p.cell(describe_matchers(s.matchers));
    p.cell(sla::format_vn(s.starts_at, offset));
    p.cell(sla::format_vn(s.ends_at, offset));
    p.cell(s.author);
    p.cell(s.comment);
    p.raw("</tr>\n");
  }
  p.raw("</tbody></table>\n");
}

// The latest notifications, newest first, so officials see what was sent on their behalf and what
// is still waiting (e-mail held to working hours, a receiver that is down).
void render_notifications(Page& p, store::Database& db, seconds offset) {
  constexpr std::size_t kShown = 20;
  store::Outbox outbox(db);
  std::vector<store::OutboxRow> rows;
  for (const auto state :
       {store::OutboxState::pending, store::OutboxState::delivered, store::OutboxState::dead}) {
    auto some = outbox.list(state, kShown);
    std::move(some.begin(), some.end(), std::back_inserter(rows));
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  if (rows.size() > kShown) rows.resize(kShown);

  p.raw("<h2>Thông báo gần đây</h2>\n");
  if (rows.empty()) {
    p.raw("<p>Chưa gửi thông báo nào.</p>\n");
    return;
  }
  p.raw(
      "<table><thead><tr><th>Lúc</th><th>Người nhận</th><th>Kênh</th><th>Loại</th>"
      "<th>Nội dung</th><th>Trạng thái</th></tr></thead><tbody>\n");
  for (const auto& row : rows) {
    p.raw("<tr>");
    p.cell(sla::format_vn(row.finished_at.value_or(row.created_at), offset));
    p.cell(row.message.receiver);
    p.cell(row.message.channel == store::Channel::email ? "Thư điện tử" : "Webhook");
    const auto kind = row.message.kind;
    p.cell(kind == "repeat"       ? "Nhắc lại"
           : kind == "escalation" ? "Báo cáo lãnh đạo"
           : kind == "resolved"   ? "Đã khắc phục"
                                  : "Cảnh báo mới");
    std::string what;
    try {
      const auto n = alerts::parse_native_payload(row.message.payload);
      std::string agency;
      if (!n.alerts.empty()) {
        const auto& a = n.alerts.front();
        if (auto it = a.annotations.find("agency_name"); it != a.annotations.end())
          agency = it->second;
        else if (auto l = a.labels.find("agency"); l != a.labels.end())
          agency = l->second;
      }
      what = std::to_string(n.alerts.size()) + " cảnh báo" + (agency.empty() ? "" : " — " + agency);
    } catch (const std::exception&) {
      what = row.message.group_key;
    }
    p.cell(what);
    switch (row.state) {
      case store::OutboxState::delivered:
        p.cell("Đã gửi", "ok");
        break;
      case store::OutboxState::pending:
        p.cell(row.attempts > 0
                   ? "Đang thử lại (" + std::to_string(row.attempts) + " lần): " + row.last_error
                   : "Đang chờ gửi");
        break;
      case store::OutboxState::dead:
        p.cell("Không gửi được: " + row.last_error, "bad");
        break;
    }
    p.raw("</tr>\n");
  }
  p.raw("</tbody></table>\n");
}

// The open dossiers per agency of one evaluation, computed once per evaluation: the store scan is
// the page's one costly part, and counts from the evaluation's own time agree with its findings.
struct OpenDossiersCache {
  std::mutex mutex;
  std::weak_ptr<const Evaluation> of;
  std::shared_ptr<const std::map<std::string, std::int64_t>> counts;

  std::shared_ptr<const std::map<std::string, std::int64_t>> get(
      store::Database& db, const std::shared_ptr<const Evaluation>& evaluation) {
    std::lock_guard lock(mutex);
    if (!counts || of.lock() != evaluation) {
      counts = std::make_shared<const std::map<std::string, std::int64_t>>(
          open_dossiers_by_agency(db, evaluation.get()));
      of = evaluation;
    }
    return counts;
  }
};

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  alerts::append_html(text, out);
  return out;
}

std::vector<AgencySummary> summarize_agencies(
    const Evaluation& evaluation, const std::map<std::string, std::int64_t>& open_dossiers,
    std::size_t worst_per_agency) {
  struct Work {
    std::string_view name;
    std::int64_t open = 0;
    std::size_t due_soon = 0;
    std::vector<const sla::Finding*> overdue;
  };
  // Views into the evaluation and the map, both alive for the whole call.
  std::map<std::string_view, Work> by_agency;
  for (const auto& [code, n] : open_dossiers)
    if (n > 0) by_agency[code].open = n;
  for (const auto& f : evaluation.findings) {
    if (f.agency.empty()) continue;
    Work* w = nullptr;
    if (f.rule == sla::Rule::due_soon || f.rule == sla::Rule::overdue) {
      w = &by_agency[f.agency];
      if (f.rule == sla::Rule::due_soon)
        ++w->due_soon;
      else
        w->overdue.push_back(&f);
    } else if (auto it = by_agency.find(f.agency); it != by_agency.end()) {
      w = &it->second;
    }
    if (w && w->name.empty()) w->name = f.agency_name;
  }
  for (const auto& d : evaluation.file_dossiers)
    if (auto it = by_agency.find(d.agency); it != by_agency.end() && it->second.name.empty())
      it->second.name = d.agency_name;

  std::vector<AgencySummary> out;
  out.reserve(by_agency.size());
  for (auto& [code, w] : by_agency) {
    AgencySummary a;
    a.code = std::string(code);
    a.name = std::string(w.name);
    a.open = w.open;
    a.due_soon = w.due_soon;
    a.overdue = w.overdue.size();
    const auto shown = std::min(worst_per_agency, w.overdue.size());
    const auto worse = [](const sla::Finding* x, const sla::Finding* y) {
      if (hours_late(*x) != hours_late(*y)) return hours_late(*x) > hours_late(*y);
      return x->dossier < y->dossier;
    };
    std::partial_sort(w.overdue.begin(), w.overdue.begin() + static_cast<std::ptrdiff_t>(shown),
                      w.overdue.end(), worse);
    for (std::size_t i = 0; i < shown; ++i)
      a.worst.push_back(*w.overdue[i]);
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const AgencySummary& x, const AgencySummary& y) {
    if (x.overdue != y.overdue) return x.overdue > y.overdue;
    if (x.due_soon != y.due_soon) return x.due_soon > y.due_soon;
    return x.code < y.code;
  });
  return out;
}

std::map<std::string, std::int64_t> open_dossiers_by_agency(store::Database& db,
                                                            const Evaluation* evaluation) {
  std::vector<sla::Status> open;
  for (int s = 0; s <= sla::kMaxStatus; ++s)
    if (is_open(static_cast<sla::Status>(s))) open.push_back(static_cast<sla::Status>(s));
  store::DossierStore dossiers(db);
  auto out = evaluation ? dossiers.count_by_agency(open, evaluation->stored_sources)
                        : dossiers.count_by_agency(open);
  if (evaluation)
    for (const auto& d : evaluation->file_dossiers)
      if (is_open(d.status)) ++out[d.agency];
  return out;
}

std::string render_status_page(const ServiceState& state, store::Database& db,
                               const std::map<std::string, std::int64_t>& open_dossiers) {
  const auto runtime = state.runtime();
  const auto evaluation = state.evaluation();
  const auto sources = state.sources();
  const sla::Instant now = state.now();
  const seconds offset = runtime ? runtime->cfg.daemon.utc_offset : sla::kVietnamOffset;

  Page p;
  p.raw(
      "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"refresh\" content=\"60\">\n"
      "<title>Giám sát hồ sơ thủ tục hành chính</title>\n<style>");
  p.raw(kStyle);
  p.raw("</style>\n</head>\n<body>\n<h1>Giám sát giải quyết hồ sơ thủ tục hành chính</h1>\n");

  p.raw("<p class=\"meta\">");
  if (evaluation) {
    p.text("Kết quả đánh giá lúc " + sla::format_vn(evaluation->at, offset) + " (UTC" +
           sla::format_offset(offset) + "), trên " + std::to_string(evaluation->dossiers) +
           " hồ sơ. ");
  }
  p.text("Trang tự làm mới sau mỗi 60 giây. Phiên bản " + std::string(kVersion) + ".");
  p.raw("</p>\n");

  if (runtime) {
    const int year = static_cast<int>(year_month_day(runtime->calendar.local_date(now)).year());
    const auto years = runtime->calendar.unconfirmed_years(year, year + 1);
    if (!years.empty()) {
      std::string list;
      for (const int y : years)
        list += (list.empty() ? "" : ", ") + std::to_string(y);
      p.raw("<p class=\"notice\">");
      p.text("Lưu ý: lịch nghỉ lễ chính thức năm " + list +
             " chưa được cập nhật vào hệ thống. Hạn giải quyết rơi vào thời gian này đang được "
             "tính theo lịch nghỉ dự kiến theo quy định và sẽ được tính lại khi có thông báo "
             "chính thức.");
      p.raw("</p>\n");
    }
  }

  if (!evaluation) {
    p.raw("<p class=\"notice\">");
    p.text(
        "Hệ thống đang đồng bộ lần đầu với các nguồn dữ liệu. Kết quả sẽ hiển thị ngay khi "
        "lần đánh giá đầu tiên hoàn tất.");
    p.raw("</p>\n");
  } else if (runtime) {
    render_agencies(p, summarize_agencies(*evaluation, open_dossiers, kWorstPerAgency), *runtime);
  }

  render_notifications(p, db, offset);
  render_sources(p, sources, now, offset);
  render_silences(p, store::SilenceStore(db).active(now), offset);
  p.raw("</body>\n</html>\n");
  return p.take();
}

void add_page_routes(net::Router& router, ApiContext& ctx) {
  auto cache = std::make_shared<OpenDossiersCache>();
  router.add("GET", "/", [&ctx, cache](const net::ServerRequest&) {
    const auto evaluation = ctx.state.evaluation();
    static const std::map<std::string, std::int64_t> kNone;
    const auto open = evaluation ? cache->get(ctx.db, evaluation) : nullptr;
    net::ServerResponse response;
    response.content_type = "text/html; charset=utf-8";
    response.headers = {
        {"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Cache-Control", "no-cache"},
    };
    response.body = render_status_page(ctx.state, ctx.db, open ? *open : kNone);
    return response;
  });
  router.add("GET", "/metrics", [&ctx](const net::ServerRequest&) {
    net::ServerResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.headers = {{"X-Content-Type-Options", "nosniff"}};
    response.body = ctx.state.metrics().render(ctx.state, ctx.db);
    return response;
  });
}

}  // namespace motcua::daemon
