#pragma once
// The command line of motcua-watchd (DESIGN.md "Binaries").
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sla/time.hpp"

namespace motcua::daemon {

inline constexpr const char* kDefaultConfig = "/etc/motcua-watch/config.toml";

struct Options {
  std::filesystem::path config = kDefaultConfig;
  bool check_config = false;
  bool once = false;
  bool dry_run = false;
  bool demo = false;
  bool version = false;
  bool help = false;
  std::optional<sla::Instant> now;
};

// Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

// Parses argv; on a usage error returns nullopt and sets *error.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string* error);
std::string usage();
std::string version_text();

}  // namespace motcua::daemon
