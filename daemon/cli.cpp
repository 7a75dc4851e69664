#include "daemon/cli.hpp"

#include "daemon/version.hpp"

namespace motcua::daemon {

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string* error) {
  Options o;
  auto fail = [&](std::string why) -> std::optional<Options> {
    *error = std::move(why);
    return std::nullopt;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string_view flag) -> std::optional<std::string> {
      const std::string prefix = std::string(flag) + "=";
      if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
      if (i + 1 < args.size()) return args[++i];
      return std::nullopt;
    };
    auto is = [&](std::string_view flag) {
      return a == flag || a.rfind(std::string(flag) + "=", 0) == 0;
    };
    if (is("--config")) {
      auto v = value("--config");
      if (!v || v->empty()) return fail("--config needs a file");
      o.config = *v;
    } else if (is("--now")) {
      auto v = value("--now");
      if (!v) return fail("--now needs an RFC 3339 instant, e.g. 2026-03-10T10:00:00+07:00");
      o.now = sla::parse_rfc3339(*v);
      if (!o.now) return fail("--now: not an RFC 3339 instant: '" + *v + "'");
    } else if (a == "--check-config") {
      o.check_config = true;
    } else if (a == "--once") {
      o.once = true;
    } else if (a == "--dry-run") {
      o.dry_run = true;
    } else if (a == "--demo") {
      o.demo = true;
    } else if (a == "--version") {
      o.version = true;
    } else if (a == "--help" || a == "-h") {
      o.help = true;
    } else {
      return fail("unknown argument '" + a + "'");
    }
  }
  if (o.dry_run && !o.once) return fail("--dry-run goes with --once");
  if (o.now && !o.once) return fail("--now goes with --once");
  if (o.check_config && (o.once || o.demo)) return fail("--check-config runs alone");
  if (o.demo && o.once) return fail("--demo and --once exclude each other");
  return o;
}

std::string usage() {
  return "Usage: motcua-watchd [--config FILE] [--check-config | --once [--dry-run] [--now TIME] "
         "| --demo]\n"
         "\n"
         "Watches administrative-procedure dossiers (one-stop system, public-service portal) and\n"
         "reports those due soon, overdue or late without the apology the law requires.\n"
         "\n"
         "Without --check-config, --once or --demo it runs as a service until SIGTERM or SIGINT\n"
         "(SIGHUP re-reads the configuration), answering HTTP at [daemon] listen.\n"
         "\n"
         "  --config FILE   configuration (default " +
         std::string(kDefaultConfig) +
         ")\n"
         "  --check-config  validate the configuration and print a one-line summary\n"
         "  --once          one cycle: sync every source, evaluate, deliver, print the findings\n"
         "                  as JSON Lines on stdout and a summary on stderr, then exit\n"
         "  --dry-run       with --once: deliver nothing\n"
         "  --now TIME      with --once: evaluate as of TIME (RFC 3339) instead of the clock\n"
         "  --demo          run the service against the built-in simulator and a mail sink in a\n"
         "                  temporary folder; prints the status page URL and every e-mail sent\n"
         "  --version       print the version\n"
         "  --help          print this help\n"
         "\n"
         "Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.\n";
}

std::string version_text() {
  return std::string("motcua-watchd ") + kVersion + "\n";
}

}  // namespace motcua::daemon
