#include "config/errors.hpp"

#include <utility>

namespace motcua::config {

std::string ConfigError::str() const {
  std::string out = where.file;
  if (where.line > 0) out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  return out + ": error: " + message;
}

namespace {
std::string join_lines(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += '\n';
    out += e.str();
  }
  return out;
}
}  // namespace

ConfigErrors::ConfigErrors(std::vector<ConfigError> list)
    : std::runtime_error(join_lines(list)), errors(std::move(list)) {}

}  // namespace motcua::config
