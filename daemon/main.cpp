// motcua-watchd: watches administrative-procedure dossiers and reports those due soon, overdue or
// late without an apology. See DESIGN.md "Binaries" for the command line contract.
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "alerts/template.hpp"
#include "config/config.hpp"
#include "daemon/cli.hpp"
#include "daemon/demo.hpp"
#include "daemon/finding_format.hpp"
#include "daemon/one_shot.hpp"
#include "daemon/service.hpp"
#include "sla/rules.hpp"

namespace motcua::daemon {
namespace {

// "<3>" for an error, "<6>" for info...: the syslog priority prefix journald reads from a
// service's stderr (SyslogLevelPrefix=, on by default), so `journalctl -p warning` works.
class SyslogPriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr char kPriority[] = {'7', '7', '6', '4', '3', '2', '6'};  // trace … off
    const auto level = static_cast<std::size_t>(msg.level);
    const char text[] = {'<', level < sizeof kPriority ? kPriority[level] : '6', '>'};
    dest.append(text, text + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SyslogPriorityFlag>();
  }
};

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("motcua-watchd");
  // systemd sets JOURNAL_STREAM when stderr is the journal: a priority prefix instead of colours,
  // and no program name (the journal has it).
  if (std::getenv("JOURNAL_STREAM")) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<SyslogPriorityFlag>('*').set_pattern("%*%l: %v");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("motcua-watchd: %^%l%$: %v");
  }
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

void print_config_errors(const config::ConfigErrors& e) {
  for (const auto& err : e.errors)
    std::fprintf(stderr, "%s\n", err.str().c_str());
}

// Years around `now` without an official holiday table are computed from the statutes: say so
// once, loudly, so an operator adds the Prime Minister's decision when it is published.
void warn_unconfirmed_years(const sla::WorkingCalendar& calendar, sla::Instant now) {
  const int year = static_cast<int>(std::chrono::year_month_day{calendar.local_date(now)}.year());
  for (int y : calendar.unconfirmed_years(year - 1, year + 1))
    spdlog::warn(
        "calendar: {} has no official holiday table; its holidays are computed from the Labour "
        "Code and the lunar calendar and may differ from the official arrangement. Add the "
        "official table with [calendar] holidays_file.",
        y);
}

// More open files than the usual soft limit of 1024: the API alone may hold a thousand
// connections, besides the sources' sockets and the state file's descriptors.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 65536);
  setrlimit(RLIMIT_NOFILE, &limit);
}

// The long-running service: runs until SIGTERM or SIGINT.
int run_service(const Options& opt, const config::Config& cfg) {
  std::signal(SIGPIPE, SIG_IGN);  // a peer closing a socket is an error code, not a death
  raise_open_file_limit();
  ServiceOptions options;
  options.config_file = opt.config;
  std::unique_ptr<Service> service;
  try {
    service = std::make_unique<Service>(Runtime::from(cfg), options);
  } catch (const config::ConfigErrors&) {
    throw;
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return kExitFailure;
  }
  warn_unconfirmed_years(service->state().runtime()->calendar, service->state().now());
  return service->run();
}

int run(const Options& opt) {
  if (opt.help) {
    std::fputs(usage().c_str(), stdout);
    return kExitOk;
  }
  if (opt.version) {
    std::fputs(version_text().c_str(), stdout);
    return kExitOk;
  }
  if (opt.demo) return run_demo(stdout);

  std::optional<config::Config> cfg;
  std::vector<connectors::RecordMapping> mappings;
  std::optional<sla::WorkingCalendar> calendar;
  try {
    cfg = config::load_config(opt.config);
    mappings = record_mappings(*cfg);
    // A template that does not compile is a config error, caught before anything runs.
    if (auto errors = alerts::check_templates(*cfg); !errors.empty())
      throw config::ConfigErrors(std::move(errors));
    calendar.emplace(cfg->calendar);
  } catch (const config::ConfigErrors& e) {
    print_config_errors(e);
    return kExitUsage;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "%s: error: [calendar]: %s\n", opt.config.string().c_str(), e.what());
    return kExitUsage;
  }
  spdlog::set_level(
      spdlog::level::from_str(std::string(config::log_level_name(cfg->daemon.log_level))));
  const sla::Instant now =
      opt.now.value_or(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));

  if (opt.check_config) {
    warn_unconfirmed_years(*calendar, now);
    std::printf("%s\n", cfg->summary().c_str());
    return kExitOk;
  }
  if (!opt.once) return run_service(opt, *cfg);

  warn_unconfirmed_years(*calendar, now);
  const sla::Evaluator evaluator(*calendar, cfg->rules);
  AlertOptions alerting;
  alerting.calendar = &*calendar;
  alerting.deliver = !opt.dry_run;
  const auto result = run_cycle(*cfg, mappings, evaluator, now, &alerting);
  std::string out;
  for (const auto& f : result.findings) {
    out += finding_json(f, cfg->daemon.utc_offset);
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  std::fprintf(stderr, "motcua-watchd: %s\n", cycle_summary(result).c_str());
  // Exit non-zero only when a source could not be read at all.
  return result.all_sources_read() ? kExitOk : kExitFailure;
}

}  // namespace
}  // namespace motcua::daemon

int main(int argc, char** argv) {
  using namespace motcua::daemon;
  setup_logging("info");
  std::string error;
  auto opt = parse_options(std::vector<std::string>(argv + 1, argv + argc), &error);
  if (!opt) {
    std::fprintf(stderr, "motcua-watchd: error: %s\nTry 'motcua-watchd --help'.\n", error.c_str());
    return kExitUsage;
  }
  try {
    return run(*opt);
  } catch (const motcua::config::ConfigErrors& e) {
    for (const auto& err : e.errors)
      std::fprintf(stderr, "%s\n", err.str().c_str());
    return kExitUsage;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return kExitFailure;
  }
}
