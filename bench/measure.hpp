#pragma once
// What every benchmark here measures the same way: counts from the command line, elapsed seconds,
// peak resident memory.
#include <sys/resource.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace motcua::bench {

// A whole non-negative number, nothing else.
inline bool parse_count(std::string_view text, std::uint64_t& out) {
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && p == end;
}

inline double seconds_of(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Peak RSS of this process in MB (ru_maxrss is in kilobytes on Linux).
inline double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace motcua::bench
