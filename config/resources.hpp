#pragma once
// Files embedded into the binaries at build time (cmake/embed.cmake): the shipped holiday tables,
// the example and demo configs, default templates. Names are paths relative to config/.
#include <optional>
#include <span>
#include <string_view>

namespace motcua::resources {

struct Resource {
  std::string_view name;  // e.g. "holidays/vn.toml"
  std::string_view content;
};

std::span<const Resource> all();

inline std::optional<std::string_view> find(std::string_view name) {
  for (const auto& r : all())
    if (r.name == name) return r.content;
  return std::nullopt;
}

}  // namespace motcua::resources
