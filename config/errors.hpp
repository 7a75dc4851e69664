#pragma once
// Where a configuration problem is and what it is. Loading reports every problem it finds at once,
// each as "FILE:LINE:COL: error: MESSAGE" (the form editors and CI logs link to).
#include <stdexcept>
#include <string>
#include <vector>

namespace motcua::config {

// 1-based line and column in a file; line 0 means "the file as a whole" (e.g. it cannot be read).
struct Position {
  std::string file;
  int line = 0;
  int column = 0;
  bool operator==(const Position&) const = default;
};

struct ConfigError {
  Position where;
  std::string message;
  // "FILE:LINE:COL: error: MESSAGE", or "FILE: error: MESSAGE" for line 0.
  std::string str() const;
};

class ConfigErrors : public std::runtime_error {
 public:
  explicit ConfigErrors(std::vector<ConfigError> errors);
  std::vector<ConfigError> errors;
};

}  // namespace motcua::config
