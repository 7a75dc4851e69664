#pragma once
// Shared helpers for the config/ tests: configs as TOML text, their errors, temporary folders.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "config/config.hpp"

namespace motcua::config {

// gtest prints errors as the daemon does.
inline void PrintTo(const ConfigError& e, std::ostream* os) {
  *os << e.str();
}

namespace test {

// Configs in the tests claim to live here; relative paths resolve against its folder.
inline const std::filesystem::path kConfigFile = "/etc/motcua-watch/config.toml";

// The smallest whole config (DESIGN.md "Configuration").
inline constexpr std::string_view kMinimal = R"([daemon]
state_db = "state.db"

[[source]]
name = "motcua"
kind = "file"
path = "dossiers.json"
)";

inline std::string minimal_text() {
  return std::string(kMinimal);
}

inline std::vector<ConfigError> errors_of(std::string_view text,
                                          const std::filesystem::path& file = kConfigFile) {
  try {
    parse_config(text, file);
  } catch (const ConfigErrors& e) {
    return e.errors;
  }
  ADD_FAILURE() << "the config loaded, but errors were expected:\n" << text;
  return {};
}

inline Config load(std::string_view text, const std::filesystem::path& file = kConfigFile) {
  try {
    return parse_config(text, file);
  } catch (const ConfigErrors& e) {
    ADD_FAILURE() << "the config did not load:\n" << e.what();
  }
  return {};
}

// An error at line:column of the config file whose message matches.
MATCHER_P3(ErrorAt, line, column, message,
           "is at " + ::testing::PrintToString(line) + ":" + ::testing::PrintToString(column) +
               " with a message that " +
               ::testing::DescribeMatcher<std::string>(message, negation)) {
  return arg.where.file == kConfigFile.string() && arg.where.line == line &&
         arg.where.column == column &&
         ::testing::ExplainMatchResult(message, arg.message, result_listener);
}

// Same, in another file.
MATCHER_P4(ErrorIn, file, line, column, message,
           "is at " + ::testing::PrintToString(file) + ":" + ::testing::PrintToString(line) + ":" +
               ::testing::PrintToString(column)) {
  return arg.where.file == std::string(file) && arg.where.line == line &&
         arg.where.column == column &&
         ::testing::ExplainMatchResult(message, arg.message, result_listener);
}

// A fresh folder under the test temp dir, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("motcua-config-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, std::string_view content) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace test
}  // namespace motcua::config
