// The status page without a browser: untrusted text escaped, agencies counted and ordered, the
// worst cases first and capped, the notices, and the routes' headers.
#include "daemon/status_page.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerts/webhook.hpp"
#include "daemon/api.hpp"
#include "store/dossier_store.hpp"
#include "store/outbox.hpp"
#include "store/silence_store.hpp"
#include "tests/daemon/page_test_fixture.hpp"

namespace motcua::daemon {
namespace {

using namespace std::chrono;
using sla::Rule;
using ::testing::ElementsAre;
using testing::finding;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kMarkup = "<script>alert(1)</script>\"'&";
constexpr const char* kEscaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;";

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
    ++n;
  return n;
}

class PageTest : public testing::ServiceFixture, public ::testing::Test {
 protected:
  std::string page(const std::map<std::string, std::int64_t>& open = {}) {
    return render_status_page(state, db, open);
  }
};

TEST(HtmlEscape, EscapesTheFiveCharactersAndKeepsTheRest) {
  EXPECT_EQ(html_escape(kMarkup), kEscaped);
  EXPECT_EQ(html_escape("Sở Xây dựng — 1.009972"), "Sở Xây dựng — 1.009972");
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");
  EXPECT_EQ(html_escape(""), "");
}

TEST_F(PageTest, EveryUpstreamAndConfigStringIsEscaped) {
  set_realistic_sources();
  state.update_source("dvc", [](SourceStatus& s) { s.last_error = std::string("lỗi ") + kMarkup; });
  const std::string name = std::string("Sở ") + kMarkup;
  publish({
      finding(Rule::overdue, std::string("A") + kMarkup, name, std::string("HS-") + kMarkup,
              std::string("Thủ tục ") + kMarkup, 5),
      finding(Rule::due_soon, std::string("A") + kMarkup, name, "HS-2", "TT"),
  });
  store::Silence silence;
  silence.matchers = std::string(R"({"agency":")") + "<i>x</i>" + R"("})";
  silence.starts_at = now - hours(1);
  silence.ends_at = now + hours(1);
  silence.author = std::string("Nguyễn Văn A ") + kMarkup;
  silence.comment = kMarkup;
  store::SilenceStore(db).add(silence, now);

  const auto html = page();
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<i>")));
  EXPECT_THAT(html, HasSubstr(std::string("Sở ") + kEscaped));            // agency name
  EXPECT_THAT(html, HasSubstr(std::string("A") + kEscaped));              // agency code
  EXPECT_THAT(html, HasSubstr(std::string("HS-") + kEscaped));            // dossier code
  EXPECT_THAT(html, HasSubstr(std::string("Thủ tục ") + kEscaped));       // procedure name
  EXPECT_THAT(html, HasSubstr(std::string("lỗi ") + kEscaped));           // source error
  EXPECT_THAT(html, HasSubstr(std::string("Nguyễn Văn A ") + kEscaped));  // silence author
  EXPECT_THAT(html, HasSubstr("agency = &lt;i&gt;x&lt;/i&gt;"));          // silence matchers
}

TEST_F(PageTest, RecentNotificationsShowWhatWasSentAndWhatFailedEscaped) {
  EXPECT_THAT(page(), HasSubstr("Chưa gửi thông báo nào."));

  alerts::Notification n;
  n.receiver = "so-xay-dung";
  n.group_key = "{}/{agency=\"A1\"}";
  for (const char* code : {"HS-1", "HS-2"}) {
    alerts::NotifiedAlert a;
    a.fingerprint = code;
    a.labels = {{"rule", "overdue"}, {"agency", "A1"}, {"dossier", code}};
    a.annotations = {{"agency_name", std::string("Sở Xây dựng ") + kMarkup}};
    a.starts_at = now - hours(2);
    n.alerts.push_back(a);
  }
  store::Outbox outbox(db);
  store::OutboxMessage m;
  m.receiver = "so-xay-dung";
  m.group_key = n.group_key;
  m.kind = "initial";
  m.payload = alerts::native_payload(n);
  m.idempotency_key = "k-email";
  m.channel = store::Channel::email;
  const auto sent = outbox.enqueue(m, now - minutes(5));
  outbox.delivered(sent, now - minutes(4));
  m.idempotency_key = "k-hook";
  m.channel = store::Channel::webhook;
  m.kind = "repeat";
  const auto failed = outbox.enqueue(m, now - minutes(3));
  outbox.dead(failed, now - minutes(2), std::string("HTTP 410: ") + kMarkup);

  const auto html = page();
  EXPECT_THAT(html, HasSubstr("Thông báo gần đây"));
  EXPECT_THAT(html, HasSubstr(std::string("2 cảnh báo — Sở Xây dựng ") + kEscaped));
  EXPECT_THAT(html, HasSubstr("Thư điện tử"));
  EXPECT_THAT(html, HasSubstr("Đã gửi"));
  EXPECT_THAT(html, HasSubstr("Nhắc lại"));
  EXPECT_THAT(html, HasSubstr(std::string("Không gửi được: HTTP 410: ") + kEscaped));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  // Newest first: the failed webhook (created later) before the delivered e-mail.
  EXPECT_LT(html.find("Không gửi được"), html.find("Đã gửi"));
}

TEST_F(PageTest, AgenciesAreCountedAndTheMostOverdueComeFirst) {
  auto e = std::make_shared<Evaluation>();
  e->findings = {
      finding(Rule::overdue, "B", "Sở B", "B-1", "TT", 2),
      finding(Rule::overdue, "A", "Sở A", "A-5", "TT", 5),
      finding(Rule::due_soon, "A", "Sở A", "A-7", "TT"),
      finding(Rule::overdue, "A", "Sở A", "A-30", "TT", 30),
      finding(Rule::step_overdue, "A", "Sở A", "A-30", "TT"),
      finding(Rule::overdue, "A", "Sở A", "A-12", "TT", 12),
      finding(Rule::overdue, "A", "Sở A", "A-12b", "TT", 12),
      finding(Rule::due_soon, "D", "Sở D", "D-1", "TT"),
      finding(Rule::source_stale, "", "", "", ""),
  };
  const auto agencies = summarize_agencies(*e, {{"A", 40}, {"C", 7}, {"B", 3}, {"Z", 0}}, 3);
  ASSERT_EQ(agencies.size(), 4u);  // Z has nothing open, the stale source no agency
  EXPECT_EQ(agencies[0].code, "A");
  EXPECT_EQ(agencies[0].name, "Sở A");
  EXPECT_EQ(agencies[0].open, 40);
  EXPECT_EQ(agencies[0].overdue, 4u);
  EXPECT_EQ(agencies[0].due_soon, 1u);
  std::vector<std::string> worst;
  for (const auto& f : agencies[0].worst)
    worst.push_back(f.dossier);
  // Most working hours late first, ties by dossier code, capped at 3 of 4.
  EXPECT_THAT(worst, ElementsAre("A-30", "A-12", "A-12b"));
  EXPECT_EQ(agencies[1].code, "B");
  EXPECT_EQ(agencies[1].overdue, 1u);
  EXPECT_EQ(agencies[2].code, "D");  // due soon before nothing due
  EXPECT_EQ(agencies[2].open, 0);
  EXPECT_EQ(agencies[3].code, "C");
  EXPECT_EQ(agencies[3].open, 7);
  EXPECT_EQ(agencies[3].name, "");
}

TEST_F(PageTest, ThePageShowsCountsWorstCasesAndHowManyMore) {
  std::vector<sla::Finding> findings;
  for (int i = 1; i <= 12; ++i)
    findings.push_back(finding(Rule::overdue, "000.00.12.H37", "Sở Xây dựng",
                               "HS-" + std::to_string(100 + i), "Cấp giấy phép xây dựng", i * 2.5));
  findings.push_back(finding(Rule::due_soon, "000.00.12.H37", "Sở Xây dựng", "HS-9", "Cấp phép"));
  publish(std::move(findings));
  const auto html = page({{"000.00.12.H37", 321}});

  EXPECT_THAT(html, HasSubstr("<td>Sở Xây dựng</td><td>000.00.12.H37</td><td class=\"n\">321</td>"
                              "<td class=\"n soon\">1</td><td class=\"n late\">12</td>"));
  EXPECT_THAT(html, HasSubstr("<h3>Sở Xây dựng (000.00.12.H37)</h3>"));
  // 30 h late = 3 working days and 6 h at 8 h a day; the deadline as officials write it.
  EXPECT_THAT(html, HasSubstr("<td>HS-112</td><td>Cấp giấy phép xây dựng</td>"
                              "<td>09/03/2026 17:00</td><td class=\"late\">3 ngày 6 giờ làm việc"));
  EXPECT_LT(html.find("HS-112"), html.find("HS-111"));
  EXPECT_LT(html.find("HS-111"), html.find("HS-103"));
  EXPECT_THAT(html, Not(HasSubstr("HS-102<")));  // the 11th and 12th worst are not listed
  EXPECT_THAT(html, Not(HasSubstr("HS-101<")));
  EXPECT_THAT(html, HasSubstr("và 2 hồ sơ quá hạn khác."));
  EXPECT_THAT(html, HasSubstr("Kết quả đánh giá lúc 10/03/2026 10:00"));
  EXPECT_THAT(html, HasSubstr("<html lang=\"vi\">"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, Not(HasSubstr("đang đồng bộ lần đầu")));
}

TEST_F(PageTest, BeforeTheFirstEvaluationItSaysSoAndStillShowsTheSources) {
  set_realistic_sources();
  const auto html = page();
  EXPECT_THAT(html, HasSubstr("Hệ thống đang đồng bộ lần đầu"));
  EXPECT_THAT(html, Not(HasSubstr("Tình hình theo cơ quan")));
  EXPECT_THAT(html, HasSubstr("<td>motcua</td><td>motcua</td><td class=\"ok\">Bình thường</td>"
                              "<td>10/03/2026 09:57</td><td>3 phút</td>"));
  EXPECT_THAT(html, HasSubstr("Lỗi (4 lần liên tiếp)"));
  EXPECT_THAT(html, HasSubstr("<td>2 giờ</td>"));
  EXPECT_THAT(html, HasSubstr("<td>tệp-hồ-sơ</td><td>file</td><td>Chưa đồng bộ</td>"));
}

TEST_F(PageTest, AnUnconfirmedCalendarGetsACalmNotice) {
  ASSERT_TRUE(runtime->calendar.is_confirmed(2024) && runtime->calendar.is_confirmed(2025));
  now = sla::parse_rfc3339("2024-06-03T10:00:00+07:00").value();
  EXPECT_THAT(page(), Not(HasSubstr("lịch nghỉ lễ chính thức")));
  now = sla::parse_rfc3339("2098-06-03T10:00:00+07:00").value();
  EXPECT_THAT(page(),
              HasSubstr("Lưu ý: lịch nghỉ lễ chính thức năm 2098, 2099 chưa được cập nhật"));
}

TEST_F(PageTest, OpenDossiersCountStoredAndFileDossiersWhoseClockRunsOrIsPaused) {
  std::vector<store::StoredRecord> records;
  const std::vector<std::pair<std::string, sla::Status>> stored{
      {"A", sla::Status::received},           {"A", sla::Status::processing},
      {"A", sla::Status::waiting_supplement}, {"A", sla::Status::returned},
      {"B", sla::Status::processing},         {"B", sla::Status::withdrawn},
      {"C", sla::Status::processed},
  };
  for (std::size_t i = 0; i < stored.size(); ++i) {
    store::StoredRecord r;
    r.dossier.source = "motcua";
    r.dossier.code = stored[i].first + "-" + std::to_string(i);
    r.dossier.agency = stored[i].first;
    r.dossier.status = stored[i].second;
    r.raw = "{}";
    records.push_back(std::move(r));
  }
  store::DossierStore(db).upsert(records, now);
  Evaluation e;
  e.file_dossiers.resize(3);
  e.file_dossiers[0].agency = "B";
  e.file_dossiers[0].status = sla::Status::waiting_payment;
  e.file_dossiers[1].agency = "D";
  e.file_dossiers[1].status = sla::Status::processing;
  e.file_dossiers[2].agency = "D";
  e.file_dossiers[2].status = sla::Status::refused;

  // A source since removed from the config: its rows stay in the store but do not count.
  store::StoredRecord gone;
  gone.dossier.source = "motcua-cu";
  gone.dossier.code = "A-old";
  gone.dossier.agency = "A";
  gone.dossier.status = sla::Status::processing;
  gone.raw = "{}";
  store::DossierStore(db).upsert({&gone, 1}, now);
  e.stored_sources = {"motcua"};

  const auto open = open_dossiers_by_agency(db, &e);
  EXPECT_EQ(open, (std::map<std::string, std::int64_t>{{"A", 3}, {"B", 2}, {"D", 1}}));
  EXPECT_EQ(open_dossiers_by_agency(db, nullptr).at("A"), 4);  // no evaluation: every stored one
  EXPECT_EQ(open_dossiers_by_agency(db, nullptr).at("B"), 1);
  e.stored_sources.clear();  // only file sources configured
  EXPECT_EQ(open_dossiers_by_agency(db, &e),
            (std::map<std::string, std::int64_t>{{"B", 1}, {"D", 1}}));
}

TEST_F(PageTest, RoutesAnswerWithTheirTypesAndSecurityHeaders) {
  ApiContext ctx{state, db};
  net::Router router;
  add_page_routes(router, ctx);
  publish({finding(Rule::overdue, "A", "Sở A", "A-1", "TT", 2)});

  const auto page = testing::call(router, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(net::find_header(page.headers, "Content-Security-Policy"),
            "default-src 'none'; style-src 'unsafe-inline'");
  EXPECT_EQ(net::find_header(page.headers, "X-Content-Type-Options"), "nosniff");
  EXPECT_THAT(page.body, HasSubstr("<td>A-1</td>"));

  const auto metrics = testing::call(router, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(metrics.body,
              HasSubstr(R"(motcua_findings{rule="overdue",severity="critical",agency="A"} 1)"));
}

// 100k findings over 300 agencies: one pass, and at most kWorstPerAgency rows per agency.
TEST_F(PageTest, AHundredThousandFindingsMakeAPageOfBoundedSize) {
  std::vector<sla::Finding> findings;
  findings.reserve(100000);
  for (int i = 0; i < 100000; ++i) {
    const auto agency = "000.00." + std::to_string(i % 300) + ".H37";
    findings.push_back(finding((i / 300) % 4 ? Rule::overdue : Rule::due_soon, agency,
                               "UBND xã " + agency, "HS-" + std::to_string(i), "Chứng thực bản sao",
                               (i * 7919) % 500));
  }
  publish(std::move(findings));
  const auto start = steady_clock::now();
  const auto html = page();
  const auto took = duration_cast<milliseconds>(steady_clock::now() - start);
  std::cout << "100k findings: page of " << html.size() << " bytes in " << took.count() << " ms\n";
  // The agency table (header, 300 lines, total), a table of 10 worst cases under its header per
  // agency, and the sources' header: nothing grows with the findings.
  EXPECT_EQ(count(html, "<tr>"), (1 + 300 + 1) + 300 * (1 + kWorstPerAgency) + 1);
  EXPECT_LT(html.size(), 2'000'000u);
  EXPECT_EQ(count(html, "hồ sơ quá hạn khác."), 300u);
}

}  // namespace
}  // namespace motcua::daemon
