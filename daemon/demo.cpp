#include "daemon/demo.hpp"

#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "config/resources.hpp"
#include "daemon/one_shot.hpp"
#include "daemon/readable.hpp"

namespace motcua::daemon {

namespace {

// A temporary folder that is removed when the demo ends.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "motcua-demo-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary folder");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void write_resource(const std::filesystem::path& dir, std::string_view name,
                    std::string_view file_name) {
  auto content = resources::find(name);
  if (!content) throw std::runtime_error("resource " + std::string(name) + " is not embedded");
  std::ofstream(dir / file_name, std::ios::binary) << *content;
}

}  // namespace

int run_demo(std::FILE* out) {
  TempDir dir;
  write_resource(dir.path(), "examples/demo.toml", "config.toml");
  write_resource(dir.path(), "examples/dossiers.json", "dossiers.json");
  const auto cfg = config::load_config(dir.path() / "config.toml");
  const sla::WorkingCalendar calendar(cfg.calendar);
  const sla::Evaluator evaluator(calendar, cfg.rules);
  const auto now = *sla::parse_rfc3339(kDemoNow);
  const auto result = run_cycle(cfg, record_mappings(cfg), evaluator, now);

  const auto offset = cfg.daemon.utc_offset;
  std::string text = "motcua-watch — chế độ trình diễn (demo) trên dữ liệu mẫu, thời điểm " +
                     sla::format_vn(now, offset) + " (" + sla::format_offset(offset) + ")\n" +
                     "Thư mục tạm: " + dir.path().string() + "\n\n";
  text += readable_findings(result.findings, offset);
  text += "Tổng kết: " + cycle_summary(result) + "\n";
  text +=
      "\nThe same as JSON Lines, from the source tree:\n  motcua-watchd --config "
      "config/examples/demo.toml --once --dry-run --now " +
      std::string(kDemoNow) + "\n";
  std::fputs(text.c_str(), out);
  return result.all_sources_read() ? 0 : 1;
}

}  // namespace motcua::daemon
