// motcua-watchd's command line (DESIGN.md "Binaries"), exercised on the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "tests/support/process.hpp"

namespace motcua::testing {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

constexpr const char* kDemoNow = "2026-03-10T10:00:00+07:00";

ProcessResult watchd(const std::vector<std::string>& args) {
  return run_process(binary_dir() / "motcua-watchd", args, std::chrono::seconds(60));
}

std::filesystem::path demo_config() {
  return source_dir() / "config/examples/demo.toml";
}

std::vector<json::object> parse_lines(const std::string& out) {
  std::vector<json::object> lines;
  std::size_t start = 0;
  while (start < out.size()) {
    auto end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    auto line = out.substr(start, end - start);
    if (!line.empty()) {
      json::error_code ec;
      auto v = json::parse(line, ec);
      EXPECT_FALSE(ec) << "not JSON: " << line;
      if (!ec) lines.push_back(v.as_object());
    }
    start = end + 1;
  }
  return lines;
}

std::string str(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A one-stop record in the upstream format; `extra` is spliced in as more JSON members.
std::string record(const std::string& code, const std::string& due, const std::string& extra = "",
                   const std::string& name_json = "Đăng ký khai sinh") {
  return R"({"MaHoSo":")" + code + R"(","MaTTHC":"1.001193","TenTTHC":")" + name_json + R"(",)" +
         R"("DonViXuLy":"UBND xã Hữu Lũng","NgayTiepNhan":"20260302080000","NgayHenTra":")" + due +
         R"(","TrangThaiHoSo":4)" + extra + "}";
}

std::string file_config(const std::string& data_file) {
  return "[daemon]\nstate_db = \"state.db\"\n\n[[source]]\nname = \"motcua\"\nkind = \"file\"\n"
         "path = \"" +
         data_file + "\"\n";
}

TEST(Cli, VersionAndHelp) {
  auto v = watchd({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, ::testing::StartsWith("motcua-watchd "));
  auto h = watchd({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_THAT(h.out, HasSubstr("--check-config"));
  EXPECT_THAT(h.out, HasSubstr("--once"));
}

TEST(Cli, UsageErrorsExitTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--bogus"}, {"--now", "yesterday", "--once"}, {"--dry-run"}, {"--config"}}) {
    auto r = watchd(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_THAT(r.err, HasSubstr("error")) << args[0];
  }
}

TEST(CheckConfig, GoodConfigPrintsOneLineSummary) {
  auto r = watchd({"--config", demo_config().string(), "--check-config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("1 source"));
}

// Under systemd (JOURNAL_STREAM set) each log line starts with its syslog priority for journald;
// on a terminal it names the program and the level.
TEST(Logging, JournalGetsSyslogPrioritiesATerminalGetsNames) {
  // A config whose calendar year has no official table logs a warning at every start.
  const std::vector<std::string> args = {(binary_dir() / "motcua-watchd").string(),
                                         "--config",
                                         demo_config().string(),
                                         "--once",
                                         "--dry-run",
                                         "--now",
                                         "2031-01-05T10:00:00+07:00"};
  auto plain = watchd({args.begin() + 1, args.end()});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.err, HasSubstr("motcua-watchd: warning: calendar: 2031"));

  std::vector<std::string> with_env = {"JOURNAL_STREAM=8:12345"};
  with_env.insert(with_env.end(), args.begin(), args.end());
  auto journal = run_process("/usr/bin/env", with_env, std::chrono::seconds(60));
  ASSERT_EQ(journal.exit_code, 0) << journal.err;
  EXPECT_EQ(journal.err.rfind("<4>warning: calendar: ", 0), 0u) << journal.err;
  EXPECT_THAT(journal.err, HasSubstr("\n<4>warning: calendar: 2031"));
  EXPECT_THAT(journal.err, Not(HasSubstr("motcua-watchd: warning")));
}

TEST(CheckConfig, EveryErrorWithFileLineColumn) {
  TempDir dir;
  auto path = dir.write("config.toml",
                        "[daemon]\n"
                        "state_db = \"state.db\"\n"
                        "colour = \"blue\"\n"  // line 3: unknown key
                        "\n"
                        "[[source]]\n"
                        "name = \"motcua\"\n"
                        "kind = \"file\"\n"
                        "path = \"dossiers.json\"\n"
                        "poll_interval = \"soon\"\n"       // line 9: bad duration
                        "page_size = \"many\"\n"           // line 10: wrong type
                        "fields = { cod = \"SoHoSo\" }\n"  // line 11: unknown logical field
                        "\n"
                        "[rules.overdue]\n"
                        "severity = \"urgent\"\n");  // line 14: bad severity
  auto r = watchd({"--config", path.string(), "--check-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  const std::string file = path.string();
  for (int line : {3, 9, 10, 14})
    EXPECT_THAT(r.err, HasSubstr(file + ":" + std::to_string(line) + ":")) << r.err;
  EXPECT_THAT(r.err, HasSubstr(": error: "));
}

TEST(CheckConfig, UnknownFieldNameIsReportedAtItsKey) {
  TempDir dir;
  auto path = dir.write("config.toml", file_config("d.json") + "fields = { cod = \"SoHoSo\" }\n");
  auto r = watchd({"--config", path.string(), "--check-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(path.string() + ":8:"));
  EXPECT_THAT(r.err, HasSubstr("cod"));
}

TEST(CheckConfig, ATemplateErrorIsAConfigErrorAtItsPosition) {
  TempDir dir;
  const auto tmpl =
      dir.write("subject.txt", "[motcua-watch] {{agency}}:\n{{#alerts}} {{dosier}}{{/alerts}}\n");
  auto path = dir.write("config.toml",
                        file_config("d.json") + "\n[templates]\nsubject = \"subject.txt\"\n");
  auto r = watchd({"--config", path.string(), "--check-config"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(tmpl.string() + ":2:"));
  EXPECT_THAT(r.err, HasSubstr("dosier"));
}

TEST(CheckConfig, MissingFileIsAConfigError) {
  auto r = watchd({"--config", "/nonexistent/motcua.toml", "--check-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/motcua.toml"));
}

TEST(CheckConfig, TomlSyntaxErrorHasItsPosition) {
  TempDir dir;
  auto path = dir.write("config.toml", "[daemon]\nstate_db = \"state.db\n");
  auto r = watchd({"--config", path.string(), "--check-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(path.string() + ":2:"));
}

TEST(Once, SampleDataFiresEveryRuleSortedByDossierThenRule) {
  auto r = watchd({"--config", demo_config().string(), "--once", "--dry-run", "--now", kDemoNow});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = parse_lines(r.out);
  ASSERT_FALSE(lines.empty());

  std::set<std::string> rules;
  for (const auto& l : lines)
    rules.insert(str(l, "rule"));
  for (const char* rule :
       {"due_soon", "overdue", "step_overdue", "finished_late", "apology_missing", "apology_late",
        "repeat_supplement", "reason_missing"})
    EXPECT_TRUE(rules.count(rule)) << rule;

  const std::vector<std::string> order = {"due_soon",          "overdue",         "step_overdue",
                                          "finished_late",     "apology_missing", "apology_late",
                                          "repeat_supplement", "reason_missing"};
  auto rank = [&](const std::string& rule) {
    return std::find(order.begin(), order.end(), rule) - order.begin();
  };
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto a = std::make_pair(str(lines[i - 1], "dossier"), rank(str(lines[i - 1], "rule")));
    auto b = std::make_pair(str(lines[i], "dossier"), rank(str(lines[i], "rule")));
    EXPECT_LE(a, b) << "line " << i;
  }

  // The sample's first building permit: due Monday 09/03 17:00, 3 working hours late.
  bool seen = false;
  for (const auto& l : lines) {
    if (str(l, "dossier") != "000.00.12.H37-260302-0001" || str(l, "rule") != "overdue") continue;
    seen = true;
    EXPECT_EQ(str(l, "due"), "2026-03-09T17:00:00+07:00");
    EXPECT_EQ(str(l, "since"), "2026-03-09T17:00:00+07:00");
    EXPECT_EQ(str(l, "agency"), "000.00.12.H37");
    EXPECT_EQ(str(l, "procedure"), "1.009972");
    EXPECT_EQ(str(l, "severity"), "critical");
    EXPECT_EQ(str(l, "source"), "motcua");
    EXPECT_EQ(l.at("overdue_working_hours").to_number<double>(), 3.0);
    EXPECT_THAT(str(l, "message"), HasSubstr("quá hạn 3 giờ làm việc"));
  }
  EXPECT_TRUE(seen);
  for (const auto& l : lines)
    if (str(l, "rule") == "step_overdue") {
      EXPECT_EQ(str(l, "department"), "Phòng Quản lý xây dựng");
      EXPECT_EQ(str(l, "handler"), "Nguyễn Văn An");
    }
  EXPECT_THAT(r.err,
              HasSubstr("8 records read, 0 bad, " + std::to_string(lines.size()) + " findings"));
}

TEST(Once, BadRecordsAreReportedCountedAndSkipped) {
  TempDir dir;
  dir.write("dossiers.jsonl", record("000.20.31.H37-260302-0001", "20260305170000") + "\n" +
                                  "{\"MaHoSo\": \"broken\n" +
                                  "{\"TenTTHC\": \"no code\", \"TrangThaiHoSo\": 4}\n" +
                                  record("000.20.31.H37-260302-0004", "20260230170000") + "\n" +
                                  record("000.20.31.H37-260302-0005", "20260306170000") + "\n");
  auto cfg = dir.write("config.toml", file_config("dossiers.jsonl"));
  auto r = watchd({"--config", cfg.string(), "--once", "--dry-run", "--now", kDemoNow});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("line 2"));
  EXPECT_THAT(r.err, HasSubstr("line 3"));
  EXPECT_THAT(r.err, HasSubstr("line 4"));
  EXPECT_THAT(r.err, HasSubstr("MaHoSo"));
  EXPECT_THAT(r.err, HasSubstr("20260230170000"));
  EXPECT_THAT(r.err, HasSubstr("5 records read, 3 bad"));
  std::set<std::string> dossiers;
  for (const auto& l : parse_lines(r.out))
    dossiers.insert(str(l, "dossier"));
  EXPECT_EQ(dossiers,
            (std::set<std::string>{"000.20.31.H37-260302-0001", "000.20.31.H37-260302-0005"}));
}

TEST(Once, UpstreamTextIsEscapedInJson) {
  TempDir dir;
  // TenTTHC as JSON text: quotes, CR LF and a control character.
  const std::string name = R"(Khai sinh \"A\"\r\nBcc: x@example.com\u0007)";
  dir.write("d.json", "[" + record("000.20.31.H37-260302-0001", "20260305170000", "", name) + "]");
  auto cfg = dir.write("config.toml", file_config("d.json"));
  auto r = watchd({"--config", cfg.string(), "--once", "--dry-run", "--now", kDemoNow});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = parse_lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), static_cast<long>(lines.size()));
  EXPECT_THAT(str(lines[0], "message"), HasSubstr("Khai sinh \"A\"\r\nBcc: x@example.com\a"));
}

TEST(Once, UnreadableSourceExitsOne) {
  TempDir dir;
  auto cfg = dir.write("config.toml", file_config("missing.json"));
  auto r = watchd({"--config", cfg.string(), "--once", "--dry-run", "--now", kDemoNow});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("missing.json"));
}

TEST(Once, JunkInputNeitherCrashesNorHangs) {
  TempDir dir;
  std::string junk;
  std::uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1664525u + 1013904223u;
    junk += static_cast<char>(x >> 24);
  }
  dir.write("junk.json", junk);
  dir.write("nested.json", std::string(100000, '[') + std::string(100000, ']'));
  dir.write("empty.json", "");
  for (const char* file : {"junk.json", "nested.json", "empty.json"}) {
    auto cfg = dir.write("config.toml", file_config(file));
    auto r = watchd({"--config", cfg.string(), "--once", "--dry-run", "--now", kDemoNow});
    EXPECT_FALSE(r.timed_out) << file;
    EXPECT_EQ(r.exit_code, 0) << file << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << file;
  }
}

TEST(Once, WarnsOnceAboutAYearWithoutAnOfficialHolidayTable) {
  auto confirmed = watchd({"--config", demo_config().string(), "--once", "--dry-run", "--now",
                           "2025-06-10T10:00:00+07:00"});
  EXPECT_EQ(confirmed.exit_code, 0) << confirmed.err;
  EXPECT_THAT(confirmed.err, ::testing::Not(HasSubstr("no official holiday table")));
  auto r = watchd({"--config", demo_config().string(), "--once", "--dry-run", "--now",
                   "2027-06-10T10:00:00+07:00"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("2027 has no official holiday table"));
  EXPECT_EQ(r.err.find("2027 has no"), r.err.rfind("2027 has no"));  // once
}

}  // namespace
}  // namespace motcua::testing
