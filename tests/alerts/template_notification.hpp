#pragma once
// Notifications for the template tests, filled as the outbox fills them (template.hpp lists the
// keys): one agency's group of three dossiers with mixed rules, and helpers to build more.
#include <string>

#include "alerts/notification.hpp"
#include "sla/time.hpp"

namespace motcua::alerts::fixtures {

inline sla::Instant at(const char* rfc3339) {
  return *sla::parse_rfc3339(rfc3339);
}

// The moment the notification was made.
inline const sla::Instant kNow = at("2026-03-10T10:00:00+07:00");

inline NotifiedAlert dossier_alert(const std::string& rule, const std::string& severity,
                                   const std::string& dossier) {
  NotifiedAlert a;
  a.fingerprint = rule + "/" + dossier;
  a.labels = {{"rule", rule},       {"severity", severity},      {"dossier", dossier},
              {"source", "motcua"}, {"agency", "000.00.12.H37"}, {"procedure", "1.009972"}};
  a.annotations = {
      {"agency_name", "Sở Xây dựng"},
      {"procedure_name", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"},
  };
  a.generator_url = "http://127.0.0.1:9470/api/v1/dossiers/" + dossier;
  return a;
}

// Sở Xây dựng at 10/03/2026 10:00: dossier 0001 overdue by 19 working hours without an apology,
// dossier 0004 stuck at a step for 6.5 working hours, dossier 0009 due in 4.5 working hours.
inline Notification construction_group() {
  Notification n;
  n.receiver = "so-xay-dung";
  n.group_key = R"({}/{agency="000.00.12.H37"}:{agency="000.00.12.H37"})";
  n.group_labels = {{"agency", "000.00.12.H37"}};
  n.external_url = "http://127.0.0.1:9470/";
  n.idempotency_key = "so-xay-dung/1";
  n.kind = NotificationKind::initial;

  NotifiedAlert overdue = dossier_alert("overdue", "critical", "000.00.12.H37-260302-0001");
  overdue.annotations["due"] = "2026-03-05T17:00:00+07:00";
  overdue.annotations["overdue_working_hours"] = "19";
  overdue.annotations["message"] =
      "Hồ sơ 000.00.12.H37-260302-0001 (Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ, mã "
      "1.009972) của Sở Xây dựng đã quá hạn 2 ngày 3 giờ làm việc (hạn trả 05/03/2026 17:00). Đề "
      "nghị khẩn trương giải quyết và ban hành văn bản xin lỗi, hẹn lại ngày trả kết quả ngay hôm "
      "nay.";
  overdue.starts_at = at("2026-03-05T17:00:00+07:00");

  NotifiedAlert apology = dossier_alert("apology_missing", "critical", "000.00.12.H37-260302-0001");
  apology.annotations["due"] = "2026-03-05T17:00:00+07:00";
  apology.annotations["overdue_working_hours"] = "19";
  apology.starts_at = at("2026-03-05T17:00:00+07:00");

  NotifiedAlert step = dossier_alert("step_overdue", "warning", "000.00.12.H37-260303-0004");
  step.labels["department"] = "Phòng Quản lý xây dựng";
  step.annotations["handler"] = "Nguyễn Văn An";
  step.annotations["due"] = "2026-03-20T17:00:00+07:00";
  step.annotations["overdue_working_hours"] = "6.5";
  step.starts_at = at("2026-03-09T11:30:00+07:00");

  NotifiedAlert soon = dossier_alert("due_soon", "warning", "000.00.12.H37-260304-0009");
  soon.labels["procedure"] = "1.010015";
  soon.annotations["procedure_name"] = "Cấp chứng chỉ hành nghề kiến trúc";
  soon.annotations["due"] = "2026-03-10T16:30:00+07:00";
  soon.annotations["remaining_working_hours"] = "4.5";
  soon.starts_at = at("2026-03-09T15:30:00+07:00");

  n.alerts = {overdue, apology, step, soon};
  return n;
}

}  // namespace motcua::alerts::fixtures
