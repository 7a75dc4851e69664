// The template language: values escaped per kind, sections, standalone lines, and every syntax
// error at its FILE:LINE:COL.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerts/template.hpp"
#include "alerts/template_data.hpp"
#include "tests/alerts/template_notification.hpp"
#include "tests/config/support.hpp"  // prints ConfigError as the daemon does

namespace motcua::alerts {
namespace {

using fixtures::construction_group;
using fixtures::dossier_alert;
using fixtures::kNow;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string render_with(std::string_view source, TemplateKind kind, const Notification& n) {
  const Template t = Template::compile(source, kind, "t.txt");
  return t.render(detail::template_data(n, kNow, std::chrono::hours(8)));
}

std::string text(std::string_view source, const Notification& n = construction_group()) {
  return render_with(source, TemplateKind::text, n);
}

std::vector<config::ConfigError> errors_of(std::string_view source,
                                           TemplateKind kind = TemplateKind::text) {
  try {
    Template::compile(source, kind, "t.txt");
  } catch (const config::ConfigErrors& e) {
    return e.errors;
  }
  ADD_FAILURE() << "the template compiled, but errors were expected:\n" << source;
  return {};
}

MATCHER_P3(ErrorAt, line, column, message,
           "is at t.txt:" + ::testing::PrintToString(line) + ":" +
               ::testing::PrintToString(column) + " with a message that " +
               ::testing::DescribeMatcher<std::string>(message, negation)) {
  return arg.where.file == "t.txt" && arg.where.line == line && arg.where.column == column &&
         ::testing::ExplainMatchResult(message, arg.message, result_listener);
}

Notification with_name(const std::string& procedure_name) {
  Notification n = construction_group();
  n.alerts.resize(1);
  n.alerts[0].annotations["procedure_name"] = procedure_name;
  return n;
}

// Values

TEST(TemplateLanguage, SubstitutesGroupAndAlertValues) {
  EXPECT_EQ(text("{{agency}} ({{agency_code}}): {{count}} cảnh báo"),
            "Sở Xây dựng (000.00.12.H37): 4 cảnh báo");
  EXPECT_EQ(text("{{#alerts}}{{index}}. {{dossier}} {{rule_code}}\n{{/alerts}}"),
            "1. 000.00.12.H37-260302-0001 overdue\n"
            "2. 000.00.12.H37-260302-0001 apology_missing\n"
            "3. 000.00.12.H37-260303-0004 step_overdue\n"
            "4. 000.00.12.H37-260304-0009 due_soon\n");
  EXPECT_EQ(text("{{ agency }}|{{#alerts}}{{# first }}{{ dossier }}{{/ first }}{{/alerts}}"),
            "Sở Xây dựng|000.00.12.H37-260302-0001");
}

TEST(TemplateLanguage, HtmlEscapesEveryValue) {
  const Notification n = with_name(R"(<script>alert("x")</script> & 'Nhà ở' <b>)");
  EXPECT_EQ(render_with("<td>{{#alerts}}{{procedure}}{{/alerts}}</td>", TemplateKind::html, n),
            "<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Nhà ở&#39; "
            "&lt;b&gt;</td>");
}

TEST(TemplateLanguage, TextKeepsValuesRaw) {
  const std::string name = R"(<script>alert("x")</script> & 'Nhà ở')";
  EXPECT_EQ(text("{{#alerts}}{{procedure}}{{/alerts}}", with_name(name)), name);
}

TEST(TemplateLanguage, SubjectIsOneLineWhateverTheDataHolds) {
  const Notification n = with_name("Cấp phép\r\nBcc: x@example.com\nX\tY\x1b\xe2\x80\xa8Z");
  const std::string subject = render_with(
      "  [motcua-watch]\n{{#alerts}}{{procedure}}{{/alerts}}\r\n\n", TemplateKind::subject, n);
  EXPECT_EQ(subject, "[motcua-watch] Cấp phép Bcc: x@example.com X Y Z");
  EXPECT_EQ(subject.find_first_of("\r\n"), std::string::npos);
}

TEST(TemplateLanguage, InvalidUtf8InDataBecomesReplacementCharacters) {
  EXPECT_EQ(text("{{#alerts}}{{procedure}}{{/alerts}}", with_name("Nh\xe0 \xff\xfe\xc3")),
            "Nh\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(TemplateLanguage, LinksOtherThanHttpAreDropped) {
  Notification n = construction_group();
  n.alerts.resize(1);
  n.alerts[0].generator_url = "javascript:alert(1)";
  n.external_url = "data:text/html,x";
  EXPECT_EQ(render_with("[{{status_url}}]{{#alerts}}[{{link}}]{{/alerts}}", TemplateKind::html, n),
            "[][]");
}

// Sections

TEST(TemplateLanguage, ValueSectionsShowOnPresenceOrAbsence) {
  EXPECT_EQ(text("{{#alerts}}{{#department}}[{{department}}]{{/department}}"
                 "{{^department}}-{{/department}}{{/alerts}}"),
            "--[Phòng Quản lý xây dựng]-");
  EXPECT_EQ(text("{{#initial}}mới{{/initial}}{{^repeat}} không nhắc{{/repeat}}"), "mới không nhắc");
}

TEST(TemplateLanguage, ListsOfFiringAndResolvedAlerts) {
  Notification n = construction_group();
  n.alerts[1].status = AlertStatus::resolved;
  n.alerts[1].ends_at = fixtures::at("2026-03-10T09:15:00+07:00");
  EXPECT_EQ(text("{{#firing_alerts}}{{index}}{{/firing_alerts}}|"
                 "{{#resolved_alerts}}{{index}} {{rule}} {{resolved_at}}{{/resolved_alerts}}|"
                 "{{firing_count}}/{{resolved_count}}",
                 n),
            "123|1 Chưa có văn bản xin lỗi 10/03/2026 09:15|3/1");
  EXPECT_EQ(text("{{^resolved_alerts}}không có{{/resolved_alerts}}"), "không có");
  EXPECT_EQ(text("{{#alerts}}{{#first}}<{{/first}}{{index}}{{#last}}>{{/last}}{{/alerts}}"),
            "<1234>");
}

TEST(TemplateLanguage, AlertValuesShadowGroupValuesInsideAList) {
  Notification n = construction_group();
  n.alerts[3].annotations["agency_name"] = "UBND xã Tân Lập";
  n.alerts[3].labels["agency"] = "000.00.31.H37";
  EXPECT_EQ(text("{{agency}}|{{#alerts}}{{#last}}{{agency}}{{/last}}{{/alerts}}", n),
            "Sở Xây dựng, UBND xã Tân Lập|UBND xã Tân Lập");
}

TEST(TemplateLanguage, LinesHoldingOnlyASectionTagLeaveNoLine) {
  EXPECT_EQ(text("Đầu\n"
                 "{{! chú thích }}\n"
                 "{{#alerts}}\n"
                 "  {{#first}}\n"
                 "- {{index}}\n"
                 "  {{/first}}\n"
                 "{{/alerts}}\n"
                 "Cuối\n"),
            "Đầu\n- 1\nCuối\n");
  // A tag sharing its line with text keeps the line.
  EXPECT_EQ(text("a {{#initial}}b{{/initial}}\nc"), "a b\nc");
  EXPECT_EQ(text("{{#initial}}\r\nx\r\n{{/initial}}\r\n"), "x\r\n");
}

TEST(TemplateLanguage, CommentsRenderNothing) {
  EXPECT_EQ(text("a{{! {{agency}} không dùng }}b{{!\nnhiều dòng\n}}c"), "abc");
  EXPECT_THAT(errors_of("x\n{{! {{agency}}"), ElementsAre(ErrorAt(2, 1, HasSubstr("not closed"))));
}

// Errors

TEST(TemplateLanguage, OpenBracesWithoutClose) {
  EXPECT_THAT(errors_of("Kính gửi {{agency}}\nHồ sơ {{dossier"),
              ElementsAre(ErrorAt(2, 7, "'{{' is not closed with '}}'")));
}

TEST(TemplateLanguage, UnclosedSection) {
  EXPECT_THAT(
      errors_of("a\n  {{#alerts}}\n{{dossier}}\n"),
      ElementsAre(ErrorAt(2, 3, "section 'alerts' is not closed: '{{/alerts}}' is missing")));
}

TEST(TemplateLanguage, MismatchedSection) {
  EXPECT_THAT(errors_of("{{#alerts}}{{#late}}x{{/alerts}}{{/late}}"),
              ElementsAre(ErrorAt(1, 22, "'{{/alerts}}' does not close '{{#late}}' opened at 1:12"),
                          ErrorAt(1, 33, "'{{/late}}' closes no open section")));
  EXPECT_THAT(
      errors_of("{{#initial}}x{{/repeat}}"),
      ElementsAre(ErrorAt(1, 14, "'{{/repeat}}' does not close '{{#initial}}' opened at 1:1"),
                  ErrorAt(1, 1, HasSubstr("section 'initial' is not closed"))));
}

TEST(TemplateLanguage, CloseWithoutOpen) {
  EXPECT_THAT(errors_of("x\n{{/alerts}}"),
              ElementsAre(ErrorAt(2, 1, "'{{/alerts}}' closes no open section")));
}

TEST(TemplateLanguage, UnknownVariableIsAnErrorWithASuggestion) {
  EXPECT_THAT(errors_of("{{agncy}} {{nothing_like_it}}"),
              ElementsAre(ErrorAt(1, 1, "unknown variable 'agncy' (did you mean 'agency'?)"),
                          ErrorAt(1, 11, "unknown variable 'nothing_like_it'")));
  EXPECT_THAT(errors_of("{{#alerts}}{{dosier}}{{/alerts}}"),
              ElementsAre(ErrorAt(1, 12, "unknown variable 'dosier' (did you mean 'dossier'?)")));
  EXPECT_THAT(errors_of("{{#nothing}}x{{/nothing}}"),
              ElementsAre(ErrorAt(1, 1, "unknown variable 'nothing'")));
}

TEST(TemplateLanguage, AlertValueOutsideAList) {
  EXPECT_THAT(errors_of("Hồ sơ {{dossier}}"),
              ElementsAre(ErrorAt(1, 7, HasSubstr("'dossier' is a value of each alert"))));
}

TEST(TemplateLanguage, ListsAreNotValuesAndDoNotNest) {
  EXPECT_THAT(errors_of("{{alerts}}"),
              ElementsAre(ErrorAt(1, 1, HasSubstr("'alerts' is a list of alerts"))));
  EXPECT_THAT(errors_of("{{#alerts}}\n{{#firing_alerts}}{{/firing_alerts}}{{/alerts}}"),
              ElementsAre(ErrorAt(2, 1, HasSubstr("lists cannot be nested"))));
}

TEST(TemplateLanguage, UnsupportedAndMalformedTags) {
  EXPECT_THAT(errors_of("{{{agency}}}"), ElementsAre(ErrorAt(1, 1, HasSubstr("'{{{'"))));
  EXPECT_THAT(errors_of("{{> partial}}"),
              ElementsAre(ErrorAt(1, 1, HasSubstr("'{{>' is not supported"))));
  EXPECT_THAT(errors_of("{{ }}"), ElementsAre(ErrorAt(1, 1, HasSubstr("empty tag"))));
  EXPECT_THAT(errors_of("{{Agency}}"),
              ElementsAre(ErrorAt(1, 1, HasSubstr("'Agency' is not a variable name"))));
}

TEST(TemplateLanguage, ColumnsCountCharactersNotBytes) {
  // "Kính gửi: " is 10 characters and 13 bytes.
  EXPECT_THAT(errors_of("Kính gửi: {{cơ_quan}}"),
              ElementsAre(ErrorAt(1, 11, HasSubstr("is not a variable name"))));
}

TEST(TemplateLanguage, InvalidUtf8TemplateIsAnError) {
  EXPECT_THAT(errors_of("ab\ncd\xff"),
              ElementsAre(ErrorAt(2, 3, "the template is not valid UTF-8")));
}

TEST(TemplateLanguage, EveryErrorIsReportedAtOnce) {
  const auto errors = errors_of("{{agncy}}\n{{#alerts}}{{dosier}}\n{{/late}}\n{{#alerts}}");
  EXPECT_THAT(
      errors,
      ElementsAre(ErrorAt(1, 1, HasSubstr("'agncy'")), ErrorAt(2, 12, HasSubstr("'dosier'")),
                  ErrorAt(3, 1, "'{{/late}}' does not close '{{#alerts}}' opened at 2:1"),
                  ErrorAt(4, 1, HasSubstr("lists cannot be nested")),
                  ErrorAt(2, 1, HasSubstr("section 'alerts' is not closed")),
                  ErrorAt(4, 1, HasSubstr("section 'alerts' is not closed"))));
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].str(), "t.txt:1:1: error: unknown variable 'agncy' (did you mean 'agency'?)");
}

TEST(TemplateLanguage, TenThousandAlertsRenderInOnePass) {
  Notification n = construction_group();
  const NotifiedAlert base = n.alerts[0];
  n.alerts.clear();
  for (int i = 0; i < 10'000; ++i) {
    NotifiedAlert a = base;
    a.labels["dossier"] = "000.00.12.H37-260302-" + std::to_string(10'000 + i);
    n.alerts.push_back(std::move(a));
  }
  const RenderedText m = render(default_templates(), n, kNow);
  EXPECT_THAT(m.subject, HasSubstr("10000 hồ sơ quá hạn"));
  EXPECT_THAT(m.text, HasSubstr("10000. Hồ sơ 000.00.12.H37-260302-19999"));
  EXPECT_THAT(m.html, HasSubstr("000.00.12.H37-260302-19999"));
  EXPECT_THAT(m.html, Not(HasSubstr("{{")));
}

}  // namespace
}  // namespace motcua::alerts
