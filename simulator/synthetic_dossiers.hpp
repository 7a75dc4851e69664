#pragma once
// Deterministic synthetic dossiers (for motcua-sim and the benchmarks): a province's one-stop
// system as seen at one instant, with ~40 agencies, ~200 procedures, processing steps,
// supplementation requests and apologies, and deadlines computed with the working calendar. The mix
// is tuned so that every dossier rule fires in roughly the proportions a real province shows
// (bench/README.md).
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "sla/calendar.hpp"
#include "sla/dossier.hpp"
#include "sla/time.hpp"

namespace motcua::sim {

class SyntheticDossiers {
 public:
  // The dossiers are observed at `now` and were received in the `window_days` before it.
  SyntheticDossiers(const sla::WorkingCalendar& calendar, sla::Instant now, std::uint64_t seed,
                    int window_days = 60);

  // Appends `count` dossiers to `out`. The sequence depends only on the seed, not on how it is
  // split into calls, so every batch size evaluates the same dossiers.
  void append(std::size_t count, std::vector<sla::Dossier>& out);

  struct Agency {
    std::string code;
    std::string name;
    std::string reception;   // the one-stop department
    std::string specialist;  // the department that examines the dossier
    std::string leadership;
    std::string leader_title;
    std::size_t first_procedure = 0;
  };
  struct Procedure {
    std::string code;
    std::string name;
    std::string sector;
    int working_days = 1;
  };

  std::size_t agency_count() const { return agencies_.size(); }
  std::size_t procedure_count() const { return procedures_.size(); }
  const std::vector<Agency>& agencies() const { return agencies_; }
  const std::vector<Procedure>& procedures() const { return procedures_; }

 private:
  // Uniform helpers on the engine's raw output, so the data is the same with any standard library.
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double between(double lo, double hi) { return lo + (hi - lo) * unit(); }
  bool chance(double p) { return unit() < p; }
  std::chrono::seconds working_days(double n) const;

  void fill(sla::Dossier& d);
  void running(sla::Dossier& d, const Agency& a, const Procedure& p);
  void paused(sla::Dossier& d, const Agency& a, const Procedure& p);
  void finished(sla::Dossier& d, const Agency& a, const Procedure& p);
  void ended(sla::Dossier& d, const Agency& a, const Procedure& p);

  // Sets the receipt, the submission before it and the deadline `total` working time later.
  void receive(sla::Dossier& d, sla::Instant receipt, std::chrono::seconds total);
  // The receipt `elapsed` working time before `at`, kept inside the window.
  sla::Instant receipt_before(sla::Instant at, std::chrono::seconds elapsed) const;
  // Hand-overs from the receipt until `limit`: each step gets a share of the deadline, and takes
  // more or less than its share. The step open at `limit` is the last one.
  void add_steps(sla::Dossier& d, const Agency& a, std::chrono::seconds total, sla::Instant limit);
  void add_step(sla::Dossier& d, const std::string& department, const std::string& title,
                std::string_view content, sla::Instant at, std::optional<sla::Instant> due,
                sla::Status status);
  // Requests issued between the receipt and `limit`; with `open_last`, the applicant has not
  // answered the last one yet.
  void add_supplements(sla::Dossier& d, sla::Instant limit, bool open_last);
  // One or two apologies that move the deadline, issued on time or late, none after `limit`.
  void add_apologies(sla::Dossier& d, sla::Instant limit);
  void add_apology(sla::Dossier& d, sla::Instant covered, sla::Instant promised,
                   sla::Instant limit);
  void set_code(sla::Dossier& d, const Agency& a, sla::Instant at);

  const sla::WorkingCalendar& calendar_;
  const sla::Instant now_;
  const sla::Instant window_start_;
  std::mt19937_64 engine_;
  std::vector<Agency> agencies_;
  std::vector<Procedure> procedures_;
  // Dossier codes number the dossiers of one agency and day (DOMAIN.md: {agency}-{yyMMdd}-{NNNN}).
  std::map<std::pair<std::string, int>, unsigned> sequence_;
};

}  // namespace motcua::sim
