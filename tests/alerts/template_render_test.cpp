// The embedded default templates on realistic groups, the values computed from the notification,
// and where each template comes from (receiver, [templates], defaults) with --check-config's view.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerts/template.hpp"
#include "config/resources.hpp"
#include "tests/alerts/template_notification.hpp"
#include "tests/config/support.hpp"

namespace motcua::alerts {
namespace {

using config::test::ErrorIn;
using config::test::TempDir;
using fixtures::construction_group;
using fixtures::dossier_alert;
using fixtures::kNow;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

RenderedText render_default(const Notification& n) {
  return render(default_templates(), n, kNow);
}

// Defaults

TEST(DefaultTemplates, AreEmbeddedAndCompile) {
  for (auto name : {kDefaultSubject, kDefaultText, kDefaultHtml})
    EXPECT_TRUE(resources::find(name)) << name;
  EXPECT_NO_THROW(default_templates());
  EXPECT_THAT(check_templates(config::Config{}), IsEmpty());
}

TEST(DefaultTemplates, SubjectSummarisesTheGroup) {
  EXPECT_EQ(render_default(construction_group()).subject,
            "[motcua-watch] Sở Xây dựng: 1 hồ sơ quá hạn, 1 chưa có văn bản xin lỗi, 1 quá hạn "
            "bước xử lý, 1 sắp đến hạn");

  Notification n = construction_group();
  n.alerts = {dossier_alert("overdue", "critical", "A"), dossier_alert("overdue", "critical", "B"),
              dossier_alert("due_soon", "warning", "C"), dossier_alert("overdue", "critical", "D")};
  EXPECT_EQ(render_default(n).subject,
            "[motcua-watch] Sở Xây dựng: 3 hồ sơ quá hạn, 1 sắp đến hạn");
  n.kind = NotificationKind::repeat;
  EXPECT_EQ(render_default(n).subject,
            "[motcua-watch] Nhắc lại – Sở Xây dựng: 3 hồ sơ quá hạn, 1 sắp đến hạn");
  n.kind = NotificationKind::escalation;
  EXPECT_EQ(render_default(n).subject,
            "[motcua-watch] Chuyển cấp trên – Sở Xây dựng: 3 hồ sơ quá hạn, 1 sắp đến hạn");
  n.kind = NotificationKind::resolved;
  for (auto& a : n.alerts)
    a.status = AlertStatus::resolved;
  EXPECT_EQ(render_default(n).subject, "[motcua-watch] Sở Xây dựng: 4 cảnh báo đã được khắc phục");
}

TEST(DefaultTemplates, TextListsEachDossierWithWhatToDo) {
  const std::string text = render_default(construction_group()).text;
  EXPECT_THAT(text, StartsWith("Kính gửi: Sở Xây dựng\n\nHệ thống giám sát hồ sơ thủ tục hành "
                               "chính phát hiện 1 hồ sơ quá hạn, 1 chưa có văn bản xin lỗi, 1 quá "
                               "hạn bước xử lý, 1 sắp đến hạn."));
  EXPECT_THAT(text,
              HasSubstr("\n\n1. Hồ sơ 000.00.12.H37-260302-0001: Quá hạn (Nghiêm trọng)\n"
                        "   Thủ tục: Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ (mã "
                        "1.009972)\n"
                        "   Cơ quan xử lý: Sở Xây dựng\n"
                        "   Hạn trả kết quả: 05/03/2026 17:00\n"
                        "   Đã quá hạn: 2 ngày 3 giờ làm việc\n"
                        "   Việc cần làm: Ban hành văn bản xin lỗi, hẹn lại ngày trả kết quả\n"
                        "   Chi tiết: Hồ sơ 000.00.12.H37-260302-0001"));
  EXPECT_THAT(text, HasSubstr("\n   Xem hồ sơ: "
                              "http://127.0.0.1:9470/api/v1/dossiers/000.00.12.H37-260302-0001\n"));
  EXPECT_THAT(text, HasSubstr("2. Hồ sơ 000.00.12.H37-260302-0001: Chưa có văn bản xin lỗi "
                              "(Nghiêm trọng)\n"));
  EXPECT_THAT(text, HasSubstr("3. Hồ sơ 000.00.12.H37-260303-0004: Quá hạn bước xử lý (Cảnh báo)\n"
                              "   Thủ tục: Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ (mã "
                              "1.009972)\n"
                              "   Cơ quan xử lý: Sở Xây dựng, Phòng Quản lý xây dựng (người xử lý: "
                              "Nguyễn Văn An)\n"
                              "   Hạn trả kết quả: 20/03/2026 17:00\n"
                              "   Đã quá hạn: 6,5 giờ làm việc\n"
                              "   Việc cần làm: Hoàn thành bước xử lý, chuyển bước tiếp theo\n"));
  EXPECT_THAT(text, HasSubstr("4. Hồ sơ 000.00.12.H37-260304-0009: Sắp đến hạn (Cảnh báo)\n"
                              "   Thủ tục: Cấp chứng chỉ hành nghề kiến trúc (mã 1.010015)\n"
                              "   Cơ quan xử lý: Sở Xây dựng\n"
                              "   Hạn trả kết quả: 10/03/2026 16:30\n"
                              "   Thời gian còn lại: 4,5 giờ làm việc\n"
                              "   Việc cần làm: Khẩn trương giải quyết trước hạn"));
  EXPECT_THAT(text, HasSubstr("\n--\nThư gửi tự động từ hệ thống giám sát motcua-watch lúc "
                              "10/03/2026 10:00; vui lòng không trả lời thư này.\n"
                              "Trang theo dõi: http://127.0.0.1:9470/\n"));
  EXPECT_THAT(text, Not(HasSubstr("Đã khắc phục")));
  EXPECT_THAT(text, Not(HasSubstr("\n\n\n")));
}

TEST(DefaultTemplates, HtmlIsOneTableWithInlineStylesAndNothingExternal) {
  const std::string html = render_default(construction_group()).html;
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>\n<html lang=\"vi\">"));
  EXPECT_THAT(html, HasSubstr("charset=utf-8"));
  EXPECT_THAT(html, HasSubstr("<strong>Sở Xây dựng</strong>"));
  EXPECT_THAT(html, HasSubstr("<a href=\"http://127.0.0.1:9470/api/v1/dossiers/"
                              "000.00.12.H37-260302-0001\" style=\"color:#1d4ed8;\">"
                              "000.00.12.H37-260302-0001</a>"));
  EXPECT_THAT(html, HasSubstr("<strong>Quá hạn</strong> (Nghiêm trọng)<br>quá hạn 2 ngày 3 giờ "
                              "làm việc"));
  EXPECT_THAT(html,
              HasSubstr("<strong>Ban hành văn bản xin lỗi, hẹn lại ngày trả kết quả</strong>"));
  EXPECT_THAT(html, HasSubstr(">10/03/2026 16:30</td>"));
  auto count = [&](std::string_view needle) {
    std::size_t n = 0;
    for (auto p = html.find(needle); p != std::string::npos; p = html.find(needle, p + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("<table"), 1u);
  EXPECT_EQ(count("</table>"), 1u);
  EXPECT_EQ(count("<tr valign=\"top\">"), 4u);
  EXPECT_EQ(count("<script"), 0u);
  EXPECT_EQ(count("src="), 0u);
  EXPECT_EQ(count("<link"), 0u);
  EXPECT_EQ(count("{{"), 0u);
}

TEST(DefaultTemplates, EscapeUpstreamTextInHtmlAndKeepItInText) {
  Notification n = construction_group();
  n.alerts[0].annotations["procedure_name"] = R"(Cấp phép <script>alert("x")</script> & 'nhà')";
  n.alerts[0].annotations["agency_name"] = "Sở <b>Xây</b> & Dựng";
  const RenderedText m = render_default(n);
  EXPECT_THAT(m.html, HasSubstr("Cấp phép &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
                                "&amp; &#39;nhà&#39;"));
  EXPECT_THAT(m.html, HasSubstr("Sở &lt;b&gt;Xây&lt;/b&gt; &amp; Dựng"));
  EXPECT_THAT(m.html, Not(HasSubstr("<script")));
  EXPECT_THAT(m.text, HasSubstr(R"(Thủ tục: Cấp phép <script>alert("x")</script> & 'nhà' (mã)"));
  EXPECT_THAT(m.subject, HasSubstr("Sở <b>Xây</b> & Dựng"));
}

TEST(DefaultTemplates, SubjectStaysOneLineWithLineBreaksInData) {
  Notification n = construction_group();
  n.alerts[0].annotations["agency_name"] = "Sở Xây dựng\r\nBcc: attacker@example.com";
  const std::string subject = render_default(n).subject;
  EXPECT_EQ(subject.find_first_of("\r\n"), std::string::npos);
  EXPECT_THAT(subject, StartsWith("[motcua-watch] Sở Xây dựng Bcc: attacker@example.com, "));
}

TEST(DefaultTemplates, ResolvedAlertsAreListedApart) {
  Notification n = construction_group();
  n.alerts[2].status = AlertStatus::resolved;
  n.alerts[2].ends_at = fixtures::at("2026-03-10T09:15:00+07:00");
  const RenderedText m = render_default(n);
  EXPECT_THAT(m.text, HasSubstr("\n\nĐã khắc phục:\n   - Hồ sơ 000.00.12.H37-260303-0004: Quá hạn "
                                "bước xử lý (khắc phục lúc 10/03/2026 09:15)\n"));
  EXPECT_THAT(m.text, HasSubstr("3. Hồ sơ 000.00.12.H37-260304-0009: Sắp đến hạn"));
  EXPECT_THAT(m.html, HasSubstr("<li>Hồ sơ 000.00.12.H37-260303-0004: Quá hạn bước xử lý "
                                "(khắc phục lúc 10/03/2026 09:15)</li>"));
}

TEST(DefaultTemplates, EscalationAddressesTheLeadership) {
  Notification n = construction_group();
  n.kind = NotificationKind::escalation;
  const RenderedText m = render_default(n);
  EXPECT_THAT(m.text, StartsWith("Kính gửi: Lãnh đạo Sở Xây dựng\n\nChuyển cấp trên: đến "
                                 "10/03/2026 10:00 vẫn còn 1 hồ sơ quá hạn"));
  EXPECT_THAT(m.html, HasSubstr("Chuyển cấp trên:"));
}

TEST(DefaultTemplates, SourceFindingsHaveNoDossierLine) {
  Notification n = construction_group();
  NotifiedAlert stale;
  stale.labels = {{"rule", "source_stale"}, {"severity", "critical"}, {"source", "motcua"}};
  n.alerts = {stale};
  const RenderedText m = render_default(n);
  EXPECT_THAT(m.subject, HasSubstr(": 1 nguồn dữ liệu không cập nhật"));
  EXPECT_THAT(m.text, HasSubstr("\n1. Nguồn dữ liệu không cập nhật (Nghiêm trọng)\n"
                                "   Việc cần làm: Kiểm tra kết nối với hệ thống nguồn\n"));
}

TEST(DefaultTemplates, WorkingDayFollowsTheCalendar) {
  config::Config c;
  c.calendar.sessions = {{std::chrono::hours(8), std::chrono::hours(12)},
                         {std::chrono::hours(13), std::chrono::hours(16)}};  // 7 hours
  const TemplateSet set = load_templates(c, "");
  EXPECT_EQ(set.working_day, std::chrono::hours(7));
  EXPECT_THAT(render(set, construction_group(), kNow).text,
              HasSubstr("Đã quá hạn: 2 ngày 5 giờ làm việc"));
}

// Where templates come from

config::Config with_receivers() {
  config::Config c;
  c.file = "/etc/motcua-watch/config.toml";
  config::ReceiverConfig a;
  a.name = "so-xay-dung";
  config::ReceiverConfig b;
  b.name = "lanh-dao-so";
  c.receivers = {a, b};
  return c;
}

TEST(TemplateLoading, ReceiverOverridesTemplatesSectionWhichOverridesDefaults) {
  TempDir dir;
  config::Config c = with_receivers();
  c.templates.files.subject = dir.write("chung.txt", "Chung: {{agency}}");
  c.templates.files.html = dir.write("chung.html", "<p>{{summary}}</p>");
  c.receivers[1].templates.subject = dir.write("lanh-dao.txt", "Lãnh đạo: {{agency}}\n");

  const Notification n = construction_group();
  const RenderedText staff = render(load_templates(c, "so-xay-dung"), n, kNow);
  EXPECT_EQ(staff.subject, "Chung: Sở Xây dựng");
  EXPECT_THAT(staff.text, StartsWith("Kính gửi: Sở Xây dựng"));  // the default
  EXPECT_EQ(staff.html,
            "<p>1 hồ sơ quá hạn, 1 chưa có văn bản xin lỗi, 1 quá hạn bước xử lý, 1 sắp đến "
            "hạn</p>");

  const RenderedText boss = render(load_templates(c, "lanh-dao-so"), n, kNow);
  EXPECT_EQ(boss.subject, "Lãnh đạo: Sở Xây dựng");
  EXPECT_EQ(boss.html, staff.html);

  EXPECT_EQ(render(load_templates(c, "khong-co"), n, kNow).subject, "Chung: Sở Xây dựng");
}

TEST(TemplateLoading, DirectoryFilesOverrideDefaultsButNotNamedFiles) {
  TempDir dir;
  config::Config c = with_receivers();
  c.templates.directory = dir.path() / "mau";
  dir.write("mau/subject.txt", "Thư mục: {{count}}");
  dir.write("mau/body.txt", "Thân thư: {{count}}");
  c.templates.files.text = dir.write("rieng.txt", "Riêng: {{count}}");
  const RenderedText m = render(load_templates(c, "so-xay-dung"), construction_group(), kNow);
  EXPECT_EQ(m.subject, "Thư mục: 4");
  EXPECT_EQ(m.text, "Riêng: 4");
  EXPECT_THAT(m.html, StartsWith("<!DOCTYPE html>"));  // body.html is not in the folder
}

TEST(TemplateLoading, ErrorsAreConfigErrorsAtTheTemplatesPosition) {
  TempDir dir;
  config::Config c = with_receivers();
  const auto bad = dir.write("bad.html", "<p>\n  {{#alerts}}{{dosier}}\n</p>\n");
  c.receivers[0].templates.html = bad;
  c.receivers[1].templates.html = bad;  // shared: reported once
  c.receivers[1].templates.text = dir.path() / "missing.txt";
  c.templates.directory = dir.path() / "no-such-folder";

  const auto errors = check_templates(c);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].str(), (dir.path() / "no-such-folder").string() +
                                 ": error: the [templates] directory does not exist or is not a "
                                 "folder");
  EXPECT_THAT(errors[1],
              ErrorIn(bad.string(), 2, 14, "unknown variable 'dosier' (did you mean 'dossier'?)"));
  EXPECT_THAT(errors[2], ErrorIn(bad.string(), 2, 3, HasSubstr("section 'alerts' is not closed")));
  EXPECT_THAT(errors[3], ErrorIn((dir.path() / "missing.txt").string(), 0, 0,
                                 HasSubstr("cannot read the template")));

  try {
    load_templates(c, "so-xay-dung");
    ADD_FAILURE() << "expected ConfigErrors";
  } catch (const config::ConfigErrors& e) {
    EXPECT_THAT(std::string(e.what()),
                HasSubstr(bad.string() + ":2:14: error: unknown variable 'dosier'"));
  }
}

TEST(TemplateLoading, TemplatesFromAParsedConfig) {
  TempDir dir;
  dir.write("mau/subject.txt", "{{agency}} – {{summary}}");
  const auto file = dir.write("config.toml", std::string(config::test::kMinimal) + R"(
[smtp]
host = "mail.example.gov.vn"
from = "giamsat@example.gov.vn"

[[receiver]]
name = "so-xay-dung"
email = ["vanthu@sxd.example.gov.vn"]
templates = { html = "mau/sxd.html" }

[templates]
directory = "mau"
)");
  dir.write("mau/sxd.html", "<p>{{#alerts}}{{dossier}} {{/alerts}}</p>");
  const config::Config c = config::load_config(file);
  EXPECT_THAT(check_templates(c), IsEmpty());
  const RenderedText m = render(load_templates(c, "so-xay-dung"), construction_group(), kNow);
  EXPECT_THAT(m.subject, StartsWith("Sở Xây dựng – 1 hồ sơ quá hạn"));
  EXPECT_THAT(m.html, StartsWith("<p>000.00.12.H37-260302-0001 "));
}

}  // namespace
}  // namespace motcua::alerts
