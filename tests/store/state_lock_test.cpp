#include "store/state_lock.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "store/database.hpp"
#include "tests/support/process.hpp"

namespace motcua::store {
namespace {

using ::testing::HasSubstr;

TEST(StateLockTest, ASecondHolderIsRefusedWithTheOwnersPid) {
  testing::TempDir dir;
  const auto file = dir.path() / "state.db";
  StateLock first(file);
  try {
    StateLock second(file);
    FAIL() << "two locks on one state file";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("in use by another motcua-watchd"));
    EXPECT_THAT(e.what(), HasSubstr("(pid " + std::to_string(getpid()) + ")"));
    EXPECT_THAT(e.what(), HasSubstr(file.string()));
  }
}

TEST(StateLockTest, ReleasedWhenTheHolderGoes) {
  testing::TempDir dir;
  const auto file = dir.path() / "state.db";
  { StateLock first(file); }
  EXPECT_NO_THROW(StateLock again(file));
}

TEST(StateLockTest, ReleasedWhenTheHoldingProcessIsKilled) {
  testing::TempDir dir;
  const auto file = dir.path() / "state.db";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    StateLock held(file);
    const char c = 'x';
    [[maybe_unused]] auto n = write(ready[1], &c, 1);
    pause();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  EXPECT_THROW(StateLock busy(file), StoreError);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_NO_THROW(StateLock after(file));
  close(ready[0]);
  close(ready[1]);
}

}  // namespace
}  // namespace motcua::store
