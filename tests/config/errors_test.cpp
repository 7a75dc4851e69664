// Configs that do not load: every kind of problem, reported at its FILE:LINE:COL, all at once.
#include "config/config.hpp"

#include "tests/config/support.hpp"

namespace motcua::config {
namespace {

using test::ErrorAt;
using test::ErrorIn;
using test::errors_of;
using test::kMinimal;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

// kMinimal plus `more`, whose first line is line 8.
std::string minimal_and(std::string_view more) {
  return std::string(kMinimal) + std::string(more);
}

TEST(ConfigErrors, TomlSyntaxErrorIsOneErrorAtItsPosition) {
  auto errors = errors_of(R"([daemon]
state_db = "state.db"
listen = = "x"
)");
  EXPECT_THAT(errors, ElementsAre(ErrorAt(3, 10, Not(::testing::IsEmpty()))));
}

TEST(ConfigErrors, DuplicateKeyIsASyntaxError) {
  auto errors = errors_of(R"([daemon]
state_db = "a.db"
state_db = "b.db"
)");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_EQ(errors[0].where.line, 3);
}

TEST(ConfigErrors, UnknownKeyInDaemon) {
  // [daemon.extra] is a key 'extra' inside [daemon].
  auto errors = errors_of(minimal_and(R"(
[daemon.extra]
)"));
  EXPECT_THAT(errors, ElementsAre(ErrorAt(9, 9, HasSubstr("unknown key 'extra' in [daemon]"))));

  errors = errors_of(R"([daemon]
state_db = "state.db"
foo = 1

[[source]]
name = "motcua"
kind = "file"
path = "dossiers.json"
)");
  EXPECT_THAT(errors, ElementsAre(ErrorAt(3, 1, "unknown key 'foo' in [daemon]")));
}

TEST(ConfigErrors, UnknownKeySuggestsTheNearestKnownOne) {
  auto errors = errors_of(minimal_and(R"(
[[source]]
name = "dvc"
kind = "dvc"
url = "https://dvc.example.gov.vn"
pol_interval = "5m"
)"));
  EXPECT_THAT(errors, ElementsAre(ErrorAt(13, 1,
                                          "unknown key 'pol_interval' in [[source]] (did you mean "
                                          "'poll_interval'?)")));
}

TEST(ConfigErrors, UnknownTopLevelSection) {
  auto errors = errors_of(minimal_and(R"(
[[sources]]
name = "x"
)"));
  EXPECT_THAT(errors, ElementsAre(ErrorAt(9, 3,
                                          HasSubstr("unknown key 'sources' in the config "
                                                    "(did you mean 'source'?)"))));
}

TEST(ConfigErrors, WrongTypes) {
  auto errors = errors_of(R"([daemon]
listen = 9470
state_db = ["a"]

[[source]]
name = "motcua"
kind = "file"
path = "dossiers.json"
page_size = "500"
tls = 1
)");
  EXPECT_THAT(
      errors,
      ElementsAre(ErrorAt(2, 10, "'listen' in [daemon] must be a string, not an integer"),
                  ErrorAt(3, 12, "'state_db' in [daemon] must be a string, not an array"),
                  ErrorAt(9, 13, "'page_size' in [[source]] must be an integer, not a string"),
                  ErrorAt(10, 1, "unknown key 'tls' in [[source]]")));
}

TEST(ConfigErrors, SectionOfTheWrongShape) {
  auto errors = errors_of(R"(daemon = "yes"
[source]
name = "motcua"
)");
  EXPECT_THAT(
      errors,
      ElementsAre(ErrorAt(1, 10, "'daemon' in the config must be a table, not a string"),
                  ErrorAt(2, 1, HasSubstr("'source' must be written as [[source]] tables"))));
}

TEST(ConfigErrors, BadValues) {
  auto errors = errors_of(R"([daemon]
listen = "localhost"
utc_offset = "GMT+7"
log_level = "verbose"

[[source]]
name = "motcua"
kind = "file"
path = "dossiers.json"
page_size = 0
rate_limit = -1
)");
  EXPECT_THAT(
      errors,
      ElementsAre(ErrorAt(2, 10, HasSubstr("'listen' in [daemon] must be HOST:PORT")),
                  ErrorAt(3, 14, HasSubstr("'utc_offset' in [daemon] must be an offset")),
                  ErrorAt(4, 13,
                          "'log_level' in [daemon] must be one of 'trace', 'debug', "
                          "'info', 'warn', 'error'; got 'verbose'"),
                  ErrorAt(10, 13, "'page_size' in [[source]] must be between 1 and 10000; got 0"),
                  ErrorAt(11, 14, "'rate_limit' in [[source]] must be between 0.001 and 1000000")));
}

TEST(ConfigErrors, BadDurations) {
  auto errors = errors_of(minimal_and(R"(poll_interval = "2 parsecs"
timeout = "1 working day"
lookback = "-1d"

[rules.due_soon]
threshold = "soon"

[rules.apology_late]
lead = "4 working hours"
)"));
  EXPECT_THAT(
      errors,
      ElementsAre(
          ErrorAt(8, 17,
                  "bad duration '2 parsecs' for 'poll_interval' in [[source]]: unknown "
                  "unit 'parsecs'"),
          ErrorAt(9, 11,
                  "'timeout' in [[source]] must be clock time such as \"30s\" or \"2h\", "
                  "not working time"),
          ErrorAt(10, 12, HasSubstr("negative")),
          ErrorAt(13, 13, HasSubstr("bad duration 'soon' for 'threshold' in [rules.due_soon]")),
          ErrorAt(16, 8,
                  "'lead' in [rules.apology_late] must be whole working days such as "
                  "\"1 working day\"; got 4 working hours")));
}

TEST(ConfigErrors, BadDates) {
  auto errors = errors_of(minimal_and(R"(
[calendar]
holidays = ["2026-02-30", { date = "30/04/2026" }, { from = "2026-05-05", to = "2026-05-01" }]
makeup_workdays = [20260502, "2026-05-02", "2026-05-02"]
)"));
  EXPECT_THAT(
      errors,
      ElementsAre(
          ErrorAt(10, 13, HasSubstr("bad date '2026-02-30' in 'holidays' of [calendar]")),
          ErrorAt(10, 36, HasSubstr("bad date '30/04/2026'")),
          ErrorAt(10, 80, HasSubstr("ends (2026-05-01) before it starts (2026-05-05)")),
          ErrorAt(11, 20, HasSubstr("must be dates or tables")),
          ErrorAt(11, 44,
                  "2026-05-02 is listed twice in 'makeup_workdays' of [calendar] (also at line "
                  "11)")));
}

TEST(ConfigErrors, CalendarShapes) {
  auto errors = errors_of(minimal_and(R"(
[calendar]
workdays = ["mon", "tuesday", "mon"]
working_hours = ["07:00-11:30", "11:00-17:00", "18:00-18:00", "7h-9h"]
builtin_holidays = "yes"
)"));
  EXPECT_THAT(errors, ElementsAre(ErrorAt(10, 20, HasSubstr("unknown weekday 'tuesday'")),
                                  ErrorAt(10, 31, HasSubstr("weekday 'mon' is listed twice")),
                                  ErrorAt(11, 33, HasSubstr("overlaps or precedes")),
                                  ErrorAt(11, 48, HasSubstr("is empty")),
                                  ErrorAt(11, 63, HasSubstr("bad session '7h-9h'")),
                                  ErrorAt(12, 20,
                                          "'builtin_holidays' in [calendar] must be true or "
                                          "false, not a string")));
}

TEST(ConfigErrors, MissingRequiredKeysAreReportedAtTheirTable) {
  auto errors = errors_of(R"([daemon]
state_db = "state.db"

[[source]]
kind = "file"

  [[source]]
  name = "dvc"
  kind = "dvc"

[smtp]
host = "mail.example.gov.vn"

[[receiver]]
email = []

[[route]]
match = {}
)");
  EXPECT_THAT(errors, ElementsAre(ErrorAt(4, 1, "missing required key 'name' in [[source]]"),
                                  ErrorAt(4, 1, "missing required key 'path' in [[source]]"),
                                  ErrorAt(7, 3, "missing required key 'url' in [[source]]"),
                                  ErrorAt(11, 1, "missing required key 'from' in [smtp]"),
                                  ErrorAt(14, 1, "missing required key 'name' in [[receiver]]"),
                                  ErrorAt(17, 1, "missing required key 'receiver' in [[route]]")));
}

TEST(ConfigErrors, MissingSourceIsReportedAtTheTop) {
  auto errors = errors_of("[daemon]\nstate_db = \"state.db\"\n");
  EXPECT_THAT(errors, ElementsAre(ErrorAt(1, 1, HasSubstr("missing [[source]]"))));
  errors = errors_of("");
  EXPECT_THAT(errors, ElementsAre(ErrorAt(1, 1, HasSubstr("missing [[source]]"))));
}

TEST(ConfigErrors, SourceChecks) {
  auto errors = errors_of(minimal_and(R"(
[[source]]
name = "motcua"
kind = "file"
path = "other.json"

[[source]]
name = "Cổng DVC"
kind = "portal"

[[source]]
name = "dvc"
kind = "dvc"
url = "ftp://dvc.example.gov.vn"
path = "x.json"

[[source]]
name = "file2"
kind = "file"
path = "x.json"
url = "https://example.gov.vn"
status_codes = { "DA_TRA" = 11 }
fields = { MaHoSo = 1 }
)"));
  EXPECT_THAT(
      errors,
      ElementsAre(ErrorAt(10, 8, "duplicate source name 'motcua' (also at line 5)"),
                  ErrorAt(15, 8, HasSubstr("source name 'Cổng DVC' must be lower-case")),
                  ErrorAt(16, 8,
                          "'kind' in [[source]] must be one of 'motcua', 'dvc', 'file'; "
                          "got 'portal'"),
                  ErrorAt(21, 7,
                          HasSubstr("'url' in [[source]] must start with http:// or "
                                    "https://")),
                  ErrorAt(22, 8, "'path' in [[source]] applies only to sources of kind file"),
                  ErrorAt(28, 7,
                          "'url' in [[source]] applies only to sources of kind motcua or "
                          "dvc"),
                  ErrorAt(29, 29, HasSubstr("must map to a status code 1..10")),
                  ErrorAt(30, 21, HasSubstr("must map to an upstream field name"))));
}

TEST(ConfigErrors, InlineSecretsAreRejected) {
  auto errors = errors_of(R"([daemon]
state_db = "state.db"
api_token = "hunter2"

[[source]]
name = "motcua"
kind = "motcua"
url = "https://lgsp.example.gov.vn/motcua"
username = "giamsat"
password = "hunter2"

[smtp]
host = "mail.example.gov.vn"
from = "giamsat@example.gov.vn"
username = "giamsat"
password = "hunter2"
password_file = "/etc/motcua-watch/smtp.password"

[[receiver]]
name = "chat"
webhook = { url = "https://chat.example.gov.vn/hook", secret = "hunter2" }
)");
  EXPECT_THAT(
      errors,
      ElementsAre(ErrorAt(3, 1,
                          "secret 'api_token' must not be written into the config ([daemon]): put "
                          "it in a file readable only by the daemon and name that file with "
                          "'api_token_file'"),
                  ErrorAt(9, 12, "[[source]] 'motcua' has a username but no 'password_file'"),
                  ErrorAt(10, 1,
                          AllOf(HasSubstr("secret 'password' must not be written into the config "
                                          "([[source]])"),
                                HasSubstr("name that file with 'password_file'"))),
                  ErrorAt(16, 1,
                          HasSubstr("secret 'password' must not be written into the config "
                                    "([smtp])")),
                  ErrorAt(21, 55,
                          HasSubstr("secret 'secret' must not be written into the config "
                                    "('webhook' of [[receiver]]): put it in a file readable only "
                                    "by the daemon and name that file with 'secret_file'"))));
  // The message never repeats the secret.
  for (const auto& e : errors)
    EXPECT_THAT(e.message, Not(HasSubstr("hunter2")));
}

TEST(ConfigErrors, UnknownRulesAndRuleKeys) {
  auto errors = errors_of(minimal_and(R"(
[rules]
finished_lookback = "1 working day"
step_overdue = true

[rules.overdu]
enabled = false

[rules.overdue]
threshold = "1 working day"
severity = "fatal"
)"));
  EXPECT_THAT(
      errors,
      ElementsAre(ErrorAt(10, 21, HasSubstr("must be clock time")),
                  ErrorAt(11, 16, "'step_overdue' in [rules] must be a table, not a boolean"),
                  ErrorAt(13, 8,
                          HasSubstr("unknown rule 'overdu' in [rules] (rules: due_soon, "
                                    "overdue, step_overdue,")),
                  ErrorAt(17, 1, "unknown key 'threshold' in [rules.overdue]"),
                  ErrorAt(18, 12, HasSubstr("must be one of 'info', 'warning', 'critical'"))));
}

TEST(ConfigErrors, ReceiverChecks) {
  auto errors = errors_of(minimal_and(R"(
[[receiver]]
name = "so-xay-dung"
email = ["vanthu@sxd.example.gov.vn", "not an address", "a@b@c"]
webhook = { format = "slack" }

[[receiver]]
name = "so-xay-dung"
webhook = { url = "chat.example.gov.vn/hook" }
templates = { subject = "s.txt", body = "b.txt" }
)"));
  EXPECT_THAT(
      errors,
      ElementsAre(
          ErrorAt(11, 9,
                  "receiver 'so-xay-dung' has e-mail addresses but the config has no "
                  "[smtp] section"),
          ErrorAt(11, 39,
                  HasSubstr("'not an address' in 'email' of receiver 'so-xay-dung' is "
                            "not an e-mail address")),
          ErrorAt(11, 57, HasSubstr("'a@b@c'")),
          ErrorAt(12, 11, "missing required key 'url' in 'webhook' of [[receiver]]"),
          ErrorAt(12, 22, HasSubstr("must be one of 'native', 'alertmanager'; got 'slack'")),
          ErrorAt(15, 8, "duplicate receiver name 'so-xay-dung' (also at line 10)"),
          ErrorAt(16, 19, HasSubstr("must start with http:// or https://")),
          ErrorAt(17, 34, "unknown key 'body' in 'templates' of [[receiver]]")));
}

TEST(ConfigErrors, RoutesReferencingUnknownReceivers) {
  auto errors = errors_of(minimal_and(R"(
[[receiver]]
name = "van-thu"

[[route]]
receiver = "vanthu"
escalate = [{ after = "1 working day", receiver = "giam-doc" }]
)"));
  EXPECT_THAT(errors, ElementsAre(ErrorAt(13, 12,
                                          "unknown receiver 'vanthu' in [[route]] (defined: "
                                          "van-thu)"),
                                  ErrorAt(14, 51,
                                          "unknown receiver 'giam-doc' in 'escalate' of [[route]] "
                                          "(defined: van-thu)")));
}

TEST(ConfigErrors, RouteChecks) {
  auto errors = errors_of(minimal_and(R"(
[[receiver]]
name = "a"

[[route]]
receiver = "a"
match = { agency = 12, dossier = "x", rule = "late", severity = "high", source = "dvc" }
group_by = ["agency", "handler", "agency"]
group_interval = "0s"
escalate = [
  { after = "2 working days", receiver = "a" },
  { after = "1 working day", receiver = "a" },
  { after = "3d", receiver = "a" },
  { receiver = "a" },
  "a",
]
)"));
  EXPECT_THAT(
      errors,
      ElementsAre(ErrorAt(14, 20,
                          "'match' value for 'agency' in [[route]] must be a string, not an "
                          "integer"),
                  ErrorAt(14, 24,
                          HasSubstr("unknown label 'dossier' in 'match' of [[route]] (labels: "
                                    "agency, procedure, rule, severity, source, department)")),
                  ErrorAt(14, 46, "unknown rule 'late' in 'match' of [[route]]"),
                  ErrorAt(14, 65, HasSubstr("unknown severity 'high'")),
                  ErrorAt(14, 82, "unknown source 'dvc' in 'match' of [[route]]"),
                  ErrorAt(15, 23, HasSubstr("unknown label 'handler' in 'group_by'")),
                  ErrorAt(15, 34, "label 'agency' is listed twice in 'group_by' of [[route]]"),
                  ErrorAt(16, 18, "'group_interval' in [[route]] must be longer than 0s"),
                  ErrorAt(19, 13,
                          "'after' in 'escalate' of [[route]] must be later than the step before "
                          "it (2 working days)"),
                  ErrorAt(20, 13, HasSubstr("mixes clock and working time")),
                  ErrorAt(21, 3, "missing required key 'after' in an 'escalate' step of [[route]]"),
                  ErrorAt(22, 3, HasSubstr("entries of 'escalate' in [[route]] must be tables"))));
}

TEST(ConfigErrors, SeveralErrorsInOneFileAreAllReportedInOrder) {
  auto errors = errors_of(R"([daemon]
listen = "127.0.0.1"
colour = "blue"

[calendar]
workdays = ["mon", "fri", "sun", "xyz"]

[[source]]
name = "motcua"
kind = "file"
path = "dossiers.json"
poll_interval = "often"

[rules.nap]

[[route]]
receiver = "nobody"
)");
  ASSERT_THAT(errors, SizeIs(6));
  EXPECT_THAT(errors, ElementsAre(ErrorAt(2, 10, HasSubstr("HOST:PORT")),
                                  ErrorAt(3, 1, HasSubstr("unknown key 'colour'")),
                                  ErrorAt(6, 34, HasSubstr("unknown weekday 'xyz'")),
                                  ErrorAt(12, 17, HasSubstr("bad duration 'often'")),
                                  ErrorAt(14, 8, HasSubstr("unknown rule 'nap'")),
                                  ErrorAt(17, 12, HasSubstr("unknown receiver 'nobody'"))));
  // What the daemon prints for --check-config.
  try {
    parse_config("[daemon]\nfoo = 1\n", test::kConfigFile);
    FAIL();
  } catch (const ConfigErrors& e) {
    EXPECT_EQ(std::string(e.what()),
              "/etc/motcua-watch/config.toml:1:1: error: missing [[source]]: the config needs at "
              "least one source (DESIGN.md \"Configuration\")\n"
              "/etc/motcua-watch/config.toml:2:1: error: unknown key 'foo' in [daemon]");
  }
}

TEST(ConfigErrors, SmtpChecks) {
  auto errors = errors_of(minimal_and(R"(
[smtp]
host = "mail.example.gov.vn"
port = 70000
starttls = "always"
from = "Giám sát <giamsat>"
password_file = "smtp.password"
)"));
  EXPECT_THAT(errors,
              ElementsAre(ErrorAt(11, 8, HasSubstr("'port' in [smtp] must be between 1 and 65535")),
                          ErrorAt(12, 12, HasSubstr("'starttls' in [smtp] must be one of")),
                          ErrorAt(13, 8, HasSubstr("'from' in [smtp] must be an address")),
                          ErrorAt(14, 17, "[smtp] has a 'password_file' but no username")));
}

TEST(ConfigErrors, UnreadableConfigFile) {
  try {
    load_config("/nonexistent/motcua-watch/config.toml");
    FAIL();
  } catch (const ConfigErrors& e) {
    ASSERT_THAT(e.errors, SizeIs(1));
    EXPECT_THAT(e.errors[0].str(),
                AllOf(HasSubstr("/nonexistent/motcua-watch/config.toml: error: cannot read the "
                                "config"),
                      HasSubstr("No such file")));
  }
}

TEST(ConfigErrors, ErrorsInTheHolidaysFileArePositionedThere) {
  test::TempDir dir;
  auto holidays = dir.write("holidays.toml", R"([[year]]
year = 2027
holidays = [{ date = "2027-13-01", name = "x" }]
)");
  auto config = dir.write("config.toml", minimal_and(R"(
[calendar]
holidays_file = "holidays.toml"
extra = 1
)"));
  try {
    load_config(config);
    FAIL();
  } catch (const ConfigErrors& e) {
    EXPECT_THAT(e.errors,
                ElementsAre(ErrorIn(config.string(), 11, 1, "unknown key 'extra' in [calendar]"),
                            ErrorIn(holidays.string(), 3, 22, HasSubstr("bad date '2027-13-01'"))));
  }
}

TEST(ConfigErrors, MissingHolidaysFile) {
  auto errors = errors_of(minimal_and(R"(
[calendar]
holidays_file = "/nonexistent/holidays.toml"
)"));
  EXPECT_THAT(errors, ElementsAre(ErrorAt(10, 17,
                                          HasSubstr("cannot read holidays_file "
                                                    "'/nonexistent/holidays.toml'"))));
}

}  // namespace
}  // namespace motcua::config
