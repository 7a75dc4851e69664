// `motcua-watchd --once` against motcua-sim, both real processes on 127.0.0.1: the one-stop
// source syncs over HTTP into the SQLite state, and a second run fetches only what changed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <regex>

#include "store/state_lock.hpp"
#include "tests/support/process.hpp"

namespace motcua::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kNow = "2026-03-10T10:00:00+07:00";

class OnceUpstream : public ::testing::Test {
 protected:
  void SetUp() override {
    sim = std::make_unique<BackgroundProcess>(
        binary_dir() / "motcua-sim",
        std::vector<std::string>{"--listen", "127.0.0.1:0", "--dossiers", "2000", "--seed", "5",
                                 "--now", kNow});
    const auto line = sim->wait_for_line("listening on", std::chrono::seconds(30));
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) << line;
    port = m[1];
  }

  std::filesystem::path config(const std::string& password) {
    dir.write("motcua.password", password + "\n");
    return dir.write("config.toml",
                     "[daemon]\nstate_db = \"state.db\"\n\n[[source]]\nname = \"motcua\"\n"
                     "kind = \"motcua\"\nurl = \"http://127.0.0.1:" +
                         port +
                         "/motcua\"\nusername = \"demo\"\npassword_file = \"motcua.password\"\n"
                         "dstcode = \"H37\"\nmadonvi = \"000.00.00.H37\"\npage_size = 100\n");
  }

  ProcessResult once(const std::filesystem::path& cfg) {
    return run_process(binary_dir() / "motcua-watchd",
                       {"--config", cfg.string(), "--once", "--dry-run", "--now", kNow},
                       std::chrono::seconds(60));
  }

  TempDir dir;
  std::unique_ptr<BackgroundProcess> sim;
  std::string port;
};

TEST_F(OnceUpstream, SyncsIntoTheStoreThenFetchesOnlyWhatChanged) {
  const auto cfg = config("demo");
  auto first = once(cfg);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_FALSE(first.out.empty());
  EXPECT_THAT(first.out, HasSubstr("\"source\":\"motcua\""));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first.err, m, std::regex(R"((\d+) records read)"))) << first.err;
  EXPECT_GT(std::stoi(m[1]), 100);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "state.db"));

  auto second = once(cfg);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr(" 0 records read"));
  // Evaluated from the store: the same findings as the first run.
  EXPECT_EQ(second.out, first.out);
}

TEST_F(OnceUpstream, WrongPasswordMeansTheSourceCouldNotBeRead) {
  auto r = once(config("sai-mat-khau"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("source motcua"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("sai-mat-khau")));
}

TEST_F(OnceUpstream, ASecondDaemonOnTheSameStateFileIsRefused) {
  const auto cfg = config("demo");
  {
    store::StateLock held(dir.path() / "state.db");  // as a running daemon holds it
    auto r = once(cfg);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("is in use by another motcua-watchd (pid " +
                                 std::to_string(getpid()) + ")"));
  }
  auto r = once(cfg);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace motcua::testing
