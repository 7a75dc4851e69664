#pragma once
// `motcua-watchd --demo`: the bundled sample (config/examples/, embedded) in a temporary folder,
// evaluated as of the sample's instant and printed for a person to read.
#include <cstdio>

namespace motcua::daemon {

inline constexpr const char* kDemoNow = "2026-03-10T10:00:00+07:00";

int run_demo(std::FILE* out);

}  // namespace motcua::daemon
