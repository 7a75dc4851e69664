#include "net/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace motcua::net {

Backoff::Backoff(BackoffPolicy policy) : Backoff(policy, std::random_device{}()) {}

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed) : policy_(policy), random_(seed) {
  if (policy_.initial.count() <= 0)
    throw std::invalid_argument("backoff: the initial delay must be positive");
  if (policy_.max < policy_.initial)
    throw std::invalid_argument("backoff: the maximum delay must not be below the initial delay");
  // NaN fails this comparison too.
  if (!(policy_.multiplier >= 1.0))
    throw std::invalid_argument("backoff: the multiplier must be at least 1");
}

std::chrono::milliseconds Backoff::ceiling() const {
  // In floating point, so that many attempts saturate at `max` instead of overflowing.
  const double grown = static_cast<double>(policy_.initial.count()) *
                       std::pow(policy_.multiplier, static_cast<double>(attempts_));
  const double capped = std::min(grown, static_cast<double>(policy_.max.count()));
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(capped));
}

std::chrono::milliseconds Backoff::next() {
  const auto bound = ceiling();
  std::uniform_int_distribution<std::chrono::milliseconds::rep> jitter(0, bound.count());
  // Saturate: a daemon that fails for years must not overflow the counter.
  if (attempts_ < 1'000'000) ++attempts_;
  return std::chrono::milliseconds(jitter(random_));
}

}  // namespace motcua::net
