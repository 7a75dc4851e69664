#include "store/silence_store.hpp"

#include <gtest/gtest.h>

#include "tests/store/fixtures.hpp"

namespace motcua::store {
namespace {

using testing::T;

Silence silence(const std::string& from, const std::string& to) {
  Silence s;
  s.matchers = R"({"agency":"000.00.12.H37"})";
  s.starts_at = T(from);
  s.ends_at = T(to);
  s.author = "Nguyễn Văn An";
  s.comment = "Bảo trì hệ thống một cửa của Sở";
  return s;
}

class SilenceStoreTest : public testing::StoreTest {
 protected:
  Database db_{db_path()};
  SilenceStore silences_{db_};
};

TEST_F(SilenceStoreTest, ActiveOnlyWithinItsWindow) {
  const auto id =
      silences_.add(silence("2026-03-10 10:00", "2026-03-10 12:00"), T("2026-03-10 09:00"));
  EXPECT_TRUE(silences_.active(T("2026-03-10 09:59")).empty());
  ASSERT_EQ(silences_.active(T("2026-03-10 10:00")).size(), 1u);
  EXPECT_TRUE(silences_.active(T("2026-03-10 12:00")).empty());
  const auto s = silences_.get(id);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->author, "Nguyễn Văn An");
  EXPECT_EQ(s->comment, "Bảo trì hệ thống một cửa của Sở");
  EXPECT_EQ(s->created_at, T("2026-03-10 09:00"));
  EXPECT_EQ(silences_.current(T("2026-03-10 09:00"), 10).size(), 1u);
  EXPECT_TRUE(silences_.current(T("2026-03-10 12:00"), 10).empty());
}

TEST_F(SilenceStoreTest, ExpiringEndsItNowAndKeepsTheRecord) {
  const auto active =
      silences_.add(silence("2026-03-10 10:00", "2026-03-10 12:00"), T("2026-03-10 09:00"));
  const auto future =
      silences_.add(silence("2026-03-11 10:00", "2026-03-11 12:00"), T("2026-03-10 09:00"));
  EXPECT_TRUE(silences_.expire(active, T("2026-03-10 11:00")));
  EXPECT_TRUE(silences_.expire(future, T("2026-03-10 11:00")));
  EXPECT_FALSE(silences_.expire(999, T("2026-03-10 11:00")));
  EXPECT_TRUE(silences_.active(T("2026-03-10 11:00")).empty());
  EXPECT_TRUE(silences_.active(T("2026-03-11 10:30")).empty());  // the future one never starts
  EXPECT_EQ(silences_.get(active)->ends_at, T("2026-03-10 11:00"));
}

TEST_F(SilenceStoreTest, ASilenceMustEndAfterItStarts) {
  EXPECT_THROW(
      silences_.add(silence("2026-03-10 10:00", "2026-03-10 10:00"), T("2026-03-10 09:00")),
      std::invalid_argument);
}

}  // namespace
}  // namespace motcua::store
