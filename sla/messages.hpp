#pragma once
// The Vietnamese text an official reads in a finding: which dossier, which procedure and agency,
// how late in working days and hours, and what to do now. All of the rules' wording lives here.
#include <chrono>
#include <optional>
#include <string>

#include "sla/dossier.hpp"
#include "sla/finding.hpp"
#include "sla/time.hpp"

namespace motcua::sla::messages {

struct Style {
  std::chrono::seconds utc_offset = kVietnamOffset;
  std::chrono::seconds day_length = std::chrono::hours(8);
};

// "1 ngày 4,5 giờ làm việc", "6 giờ làm việc", "30 phút làm việc", "0 giờ làm việc".
std::string working_time(std::chrono::seconds working, std::chrono::seconds day_length);

std::string due_soon(const Dossier& d, Instant due, std::chrono::seconds remaining,
                     bool apology_still_possible, const Style& s);
std::string overdue(const Dossier& d, Instant due, std::chrono::seconds late, bool has_apology,
                    const Style& s);
std::string step_overdue(const Dossier& d, const Step& step, std::chrono::seconds late,
                         const Style& s);
std::string finished_late(const Dossier& d, Instant legal_due, Instant finished,
                          std::chrono::seconds late, const Style& s);
std::string apology_missing(const Dossier& d, Instant missed_due, int missed, int apologies,
                            bool finished, const Style& s);
std::string apology_late(const Dossier& d, Instant issued, Date latest_allowed, Instant covered_due,
                         int late_count, const Style& s);
std::string repeat_supplement(const Dossier& d, int requests, const Style& s);
std::string supplement_reason_missing(const Dossier& d, const SupplementRequest& r, int blank_count,
                                      const Style& s);
std::string refusal_reason_missing(const Dossier& d, const Style& s);
// `finish_field`: NgayKetThucXuLy was edited, else NgayHenTra.
std::string deadline_rewritten(const Dossier& d, bool finish_field,
                               const std::optional<Instant>& old_value,
                               const std::optional<Instant>& new_value, int edits, const Style& s);
std::string portal_missing(const Dossier& d, const std::string& portal, Instant received,
                           Instant checked, const Style& s);
std::string status_mismatch(const Dossier& d, const std::string& portal,
                            const std::optional<Status>& portal_status,
                            const std::optional<Instant>& portal_finished, const Style& s);
std::string source_stale(const std::string& source, const std::optional<Instant>& last_success,
                         const std::string& last_error, int failures, const Style& s);

// Short Vietnamese titles for listings: "Quá hạn", "Chưa có văn bản xin lỗi", "Nghiêm trọng".
const char* rule_title(Rule r);
const char* severity_title(Severity s);

}  // namespace motcua::sla::messages
