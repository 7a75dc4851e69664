#pragma once
// `motcua-watchd --demo`: the whole service on a laptop. motcua-sim (both upstream systems) and a
// mail sink run in the process; a demo config in a temporary folder watches them; the status page
// URL is printed and every e-mail the daemon sends is printed as it arrives. Ctrl-C stops it all
// and removes the folder.
#include <cstddef>
#include <cstdint>
#include <cstdio>

namespace motcua::daemon {

struct DemoOptions {
  std::uint16_t port = 9470;  // the API's; any free port when it is taken
  std::size_t dossiers = 6000;
};

int run_demo(std::FILE* out, const DemoOptions& options = {});

}  // namespace motcua::daemon
