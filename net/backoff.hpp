#pragma once
// Capped exponential backoff with full jitter: after the n-th consecutive failure wait a uniformly
// random time in [0, min(max, initial * multiplier^(n-1))]. Spreading retries over the whole
// window keeps many pollers that failed together from retrying together. Pure: no clock, no I/O.
#include <chrono>
#include <cstdint>
#include <random>

namespace motcua::net {

struct BackoffPolicy {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{300000};
  double multiplier = 2.0;
};

class Backoff {
 public:
  // Throws std::invalid_argument unless 0 < initial <= max and multiplier >= 1 (configuration
  // errors surface when the source is set up, not on its first failure).
  explicit Backoff(BackoffPolicy policy = {});
  // A fixed seed makes the sequence reproducible (tests, simulations).
  Backoff(BackoffPolicy policy, std::uint64_t seed);

  // The delay before the next attempt; counts one more failed attempt.
  std::chrono::milliseconds next();
  // The upper bound of the delay the next call to next() draws from.
  std::chrono::milliseconds ceiling() const;
  // After a success: the next failure starts again from `initial`.
  void reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 random_;
  int attempts_ = 0;
};

}  // namespace motcua::net
