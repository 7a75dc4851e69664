// Where each template comes from (a receiver's file, [templates], the embedded default), and one
// notification rendered with a set of them.
#include "alerts/template.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

#include "alerts/template_data.hpp"
#include "config/resources.hpp"

namespace motcua::alerts {

namespace {

namespace fs = std::filesystem;
using config::ConfigError;
using config::ConfigErrors;
using config::Position;

// Templates are small; a big file is a wrong path, not a template.
constexpr std::uintmax_t kMaxTemplateBytes = 1 << 20;

struct Slot {
  TemplateKind kind;
  std::string_view embedded;   // the default's resource name
  std::string_view file_name;  // its name in [templates] directory
  std::optional<fs::path> config::TemplateFiles::*member;
};
constexpr Slot kSlots[] = {
    {TemplateKind::subject, kDefaultSubject, "subject.txt", &config::TemplateFiles::subject},
    {TemplateKind::text, kDefaultText, "body.txt", &config::TemplateFiles::text},
    {TemplateKind::html, kDefaultHtml, "body.html", &config::TemplateFiles::html},
};

// A template's origin: a file, or an embedded default.
struct Source {
  std::string name;
  bool embedded = false;
};

std::string read_file(const fs::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec)
    throw ConfigErrors(
        {ConfigError{Position{name, 0, 0}, "cannot read the template: " + ec.message()}});
  if (size > kMaxTemplateBytes)
    throw ConfigErrors({ConfigError{Position{name, 0, 0},
                                    "the template is larger than 1 MiB: is this the right file?"}});
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in)
    throw ConfigErrors({ConfigError{
        Position{name, 0, 0}, "cannot read the template: " + std::string(std::strerror(errno))}});
  return std::move(text).str();
}

Template compile_source(const Source& source, TemplateKind kind) {
  if (source.embedded) {
    const auto text = resources::find(source.name);
    if (!text)
      throw ConfigErrors({ConfigError{Position{source.name, 0, 0},
                                      "the default template is missing from this build"}});
    return Template::compile(*text, kind, source.name);
  }
  return Template::compile(read_file(source.name), kind, source.name);
}

// The file for one slot, by precedence; the default when nothing overrides it.
Source pick(const config::Config& config, const config::ReceiverConfig* receiver,
            const Slot& slot) {
  if (receiver)
    if (const auto& file = receiver->templates.*slot.member) return {file->string(), false};
  if (const auto& file = config.templates.files.*slot.member) return {file->string(), false};
  if (const auto& dir = config.templates.directory) {
    std::error_code ec;
    const fs::path candidate = *dir / slot.file_name;
    if (fs::exists(candidate, ec)) return {candidate.string(), false};
  }
  return {std::string(slot.embedded), true};
}

std::optional<ConfigError> check_directory(const config::Config& config) {
  const auto& dir = config.templates.directory;
  if (!dir) return std::nullopt;
  std::error_code ec;
  if (fs::is_directory(*dir, ec)) return std::nullopt;
  return ConfigError{Position{dir->string(), 0, 0},
                     "the [templates] directory does not exist or is not a folder"};
}

std::chrono::seconds working_day(const config::Config& config) {
  std::chrono::seconds total{0};
  for (const auto& s : config.calendar.sessions)
    total += s.end - s.start;
  return total > std::chrono::seconds{0} ? total : std::chrono::hours(8);
}

// Loads the three slots, collecting every error; compiled files are shared through `cache`.
std::optional<TemplateSet> load(const config::Config& config,
                                const config::ReceiverConfig* receiver,
                                std::map<std::string, std::optional<Template>>& cache,
                                std::vector<ConfigError>& errors) {
  std::optional<Template> slots[3];
  for (std::size_t i = 0; i < 3; ++i) {
    const Source source = pick(config, receiver, kSlots[i]);
    // The same file may serve as a subject and a body; it compiles for each kind.
    const std::string key = std::to_string(i) + '\n' + source.name;
    if (auto it = cache.find(key); it != cache.end()) {
      slots[i] = it->second;
      continue;
    }
    try {
      slots[i] = compile_source(source, kSlots[i].kind);
    } catch (const ConfigErrors& e) {
      errors.insert(errors.end(), e.errors.begin(), e.errors.end());
    }
    cache.emplace(key, slots[i]);
  }
  if (!slots[0] || !slots[1] || !slots[2]) return std::nullopt;
  return TemplateSet{std::move(*slots[0]), std::move(*slots[1]), std::move(*slots[2]),
                     working_day(config)};
}

}  // namespace

TemplateSet default_templates() {
  config::Config defaults;
  return load_templates(defaults, "");
}

TemplateSet load_templates(const config::Config& config, std::string_view receiver) {
  std::vector<ConfigError> errors;
  if (auto e = check_directory(config)) errors.push_back(*e);
  std::map<std::string, std::optional<Template>> cache;
  auto set = load(config, config.receiver(receiver), cache, errors);
  if (!errors.empty() || !set) throw ConfigErrors(std::move(errors));
  return std::move(*set);
}

std::vector<ConfigError> check_templates(const config::Config& config) {
  std::vector<ConfigError> errors;
  if (auto e = check_directory(config)) errors.push_back(*e);
  std::map<std::string, std::optional<Template>> cache;
  load(config, nullptr, cache, errors);
  for (const auto& r : config.receivers)
    load(config, &r, cache, errors);
  return errors;
}

RenderedText render(const TemplateSet& templates, const Notification& notification,
                    sla::Instant now) {
  const detail::TemplateData data = detail::template_data(notification, now, templates.working_day);
  return RenderedText{templates.subject.render(data), templates.text.render(data),
                      templates.html.render(data)};
}

}  // namespace motcua::alerts
