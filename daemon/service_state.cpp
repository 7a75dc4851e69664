#include "daemon/service_state.hpp"

#include <algorithm>
#include <utility>

#include "alerts/template.hpp"
#include "daemon/metrics.hpp"
#include "daemon/one_shot.hpp"

namespace motcua::daemon {

namespace {

config::ConfigError whole_file_error(const config::Config& cfg, std::string message) {
  return {{cfg.file.string(), 0, 0}, std::move(message)};
}

}  // namespace

Runtime::Runtime(config::Config c)
    : cfg(std::move(c)),
      mappings(record_mappings(cfg)),
      calendar(cfg.calendar),
      evaluator(calendar, cfg.rules) {}

std::shared_ptr<const Runtime> Runtime::from(config::Config cfg) {
  // A template that does not compile is a config error, caught before anything runs.
  if (auto errors = alerts::check_templates(cfg); !errors.empty())
    throw config::ConfigErrors(std::move(errors));
  std::shared_ptr<Runtime> rt;
  try {
    rt = std::make_shared<Runtime>(cfg);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigErrors({whole_file_error(cfg, std::string("[calendar]: ") + e.what())});
  }
  if (rt->cfg.daemon.api_token_file) {
    try {
      rt->api_token = config::read_secret_file(*rt->cfg.daemon.api_token_file);
    } catch (const std::exception& e) {
      throw config::ConfigErrors(
          {whole_file_error(rt->cfg, std::string("[daemon] api_token_file: ") + e.what())});
    }
    if (rt->api_token->empty())
      throw config::ConfigErrors(
          {whole_file_error(rt->cfg, "[daemon] api_token_file: the token file is empty")});
  }
  return rt;
}

std::shared_ptr<const Runtime> Runtime::load(const std::filesystem::path& config_file) {
  return from(config::load_config(config_file));
}

ServiceState::ServiceState(std::shared_ptr<const Runtime> runtime, Clock clock,
                           std::shared_ptr<Metrics> metrics)
    : runtime_(std::move(runtime)),
      clock_(std::move(clock)),
      started_at_(clock_()),
      metrics_(std::move(metrics)) {
  if (!metrics_) metrics_ = std::make_shared<Metrics>();
}

std::shared_ptr<const Runtime> ServiceState::runtime() const {
  std::lock_guard lock(mutex_);
  return runtime_;
}

void ServiceState::set_runtime(std::shared_ptr<const Runtime> runtime) {
  std::lock_guard lock(mutex_);
  runtime_ = std::move(runtime);
}

std::shared_ptr<const Evaluation> ServiceState::evaluation() const {
  std::lock_guard lock(mutex_);
  return evaluation_;
}

void ServiceState::publish(std::shared_ptr<const Evaluation> evaluation) {
  std::lock_guard lock(mutex_);
  evaluation_ = std::move(evaluation);
}

std::vector<SourceStatus> ServiceState::sources() const {
  std::lock_guard lock(mutex_);
  return sources_;
}

void ServiceState::set_sources(std::vector<SourceStatus> sources) {
  std::lock_guard lock(mutex_);
  sources_ = std::move(sources);
}

void ServiceState::update_source(const std::string& name,
                                 const std::function<void(SourceStatus&)>& change) {
  std::lock_guard lock(mutex_);
  const auto it = std::find_if(sources_.begin(), sources_.end(),
                               [&](const SourceStatus& s) { return s.name == name; });
  if (it != sources_.end()) change(*it);
}

std::optional<std::string> ServiceState::not_ready() const {
  std::lock_guard lock(mutex_);
  for (const auto& s : sources_)
    if (!s.synced_once) return "source " + s.name + " has not synced yet";
  if (!evaluation_) return std::string("the first evaluation has not finished yet");
  return std::nullopt;
}

}  // namespace motcua::daemon
