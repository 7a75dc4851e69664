#include "net/backoff.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace motcua::net {
namespace {
using std::chrono::milliseconds;

BackoffPolicy policy() {
  return {milliseconds(100), milliseconds(1000), 2.0};
}

TEST(Backoff, CeilingGrowsByTheMultiplierPerFailure) {
  Backoff backoff(policy(), 1);
  std::vector<long> ceilings;
  for (int i = 0; i < 4; ++i) {
    ceilings.push_back(backoff.ceiling().count());
    backoff.next();
  }
  EXPECT_EQ(ceilings, (std::vector<long>{100, 200, 400, 800}));
  EXPECT_EQ(backoff.attempts(), 4);
}

TEST(Backoff, CeilingStopsAtTheMaximumAndNeverOverflows) {
  Backoff backoff(policy(), 1);
  for (int i = 0; i < 5000; ++i)
    EXPECT_LE(backoff.next(), milliseconds(1000));
  EXPECT_EQ(backoff.ceiling(), milliseconds(1000));
}

TEST(Backoff, FullJitterSpreadsOverTheWholeWindow) {
  Backoff backoff(policy(), 42);
  std::vector<long> delays;
  for (int i = 0; i < 2000; ++i) {
    backoff.reset();
    for (int failure = 0; failure < 3; ++failure)
      backoff.next();
    ASSERT_EQ(backoff.ceiling(), milliseconds(800));
    delays.push_back(backoff.next().count());
  }
  const auto [low, high] = std::minmax_element(delays.begin(), delays.end());
  EXPECT_GE(*low, 0);
  EXPECT_LE(*high, 800);
  // Uniform over [0, 800]: 2000 draws reach both ends of the window.
  EXPECT_LT(*low, 100);
  EXPECT_GT(*high, 700);
  EXPECT_GT(std::count_if(delays.begin(), delays.end(), [](long d) { return d < 400; }), 800);
  EXPECT_GT(std::count_if(delays.begin(), delays.end(), [](long d) { return d >= 400; }), 800);
}

TEST(Backoff, ResetStartsOverFromTheInitialDelay) {
  Backoff backoff(policy(), 7);
  for (int i = 0; i < 6; ++i)
    backoff.next();
  ASSERT_EQ(backoff.ceiling(), milliseconds(1000));
  backoff.reset();
  EXPECT_EQ(backoff.attempts(), 0);
  EXPECT_EQ(backoff.ceiling(), milliseconds(100));
  EXPECT_LE(backoff.next(), milliseconds(100));
}

TEST(Backoff, SameSeedSameDelays) {
  Backoff a(policy(), 99), b(policy(), 99), c(policy(), 100);
  std::vector<long> from_a, from_b, from_c;
  for (int i = 0; i < 20; ++i) {
    from_a.push_back(a.next().count());
    from_b.push_back(b.next().count());
    from_c.push_back(c.next().count());
  }
  EXPECT_EQ(from_a, from_b);
  EXPECT_NE(from_a, from_c);
}

TEST(Backoff, RejectsPoliciesThatCannotBackOff) {
  EXPECT_THROW(Backoff({milliseconds(0), milliseconds(10), 2.0}), std::invalid_argument);
  EXPECT_THROW(Backoff({milliseconds(100), milliseconds(10), 2.0}), std::invalid_argument);
  EXPECT_THROW(Backoff({milliseconds(100), milliseconds(1000), 0.5}), std::invalid_argument);
}

}  // namespace
}  // namespace motcua::net
