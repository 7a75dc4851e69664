#pragma once
// A notification as the outbox would hand it over: one agency's group with an overdue dossier
// (firing) and a step that was overdue (resolved), Vietnamese text included.
#include <chrono>

#include "alerts/notification.hpp"
#include "sla/time.hpp"

namespace motcua::alerts::fixtures {

inline sla::Instant instant(const char* rfc3339) {
  return *sla::parse_rfc3339(rfc3339);
}

inline const char* const kOverdueMessage =
    "Hồ sơ 000.00.12.H37-260302-0001 (Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ, mã "
    "1.009972) của Sở Xây dựng đã quá hạn 3 giờ làm việc (hạn trả 09/03/2026 17:00). Đề nghị "
    "khẩn trương giải quyết và ban hành văn bản xin lỗi.";

inline Notification sample_notification() {
  Notification n;
  n.receiver = "so-xay-dung";
  n.group_key = R"({}/{agency="000.00.12.H37"}:{agency="000.00.12.H37"})";
  n.group_labels = {{"agency", "000.00.12.H37"}};
  n.status = AlertStatus::firing;
  n.external_url = "http://127.0.0.1:9470/";
  n.idempotency_key = "so-xay-dung/4f1c2a9e/3";
  n.kind = NotificationKind::repeat;

  NotifiedAlert overdue;
  overdue.fingerprint = "9a3e1f0c2b7d4e51";
  overdue.status = AlertStatus::firing;
  overdue.labels = {{"rule", "overdue"},       {"dossier", "000.00.12.H37-260302-0001"},
                    {"source", "motcua"},      {"agency", "000.00.12.H37"},
                    {"procedure", "1.009972"}, {"severity", "critical"}};
  overdue.annotations = {{"summary", "Hồ sơ quá hạn"},
                         {"message", kOverdueMessage},
                         {"due", "2026-03-09T17:00:00+07:00"},
                         {"agency_name", "Sở Xây dựng"}};
  overdue.starts_at = instant("2026-03-09T17:00:00+07:00");
  overdue.generator_url = "http://127.0.0.1:9470/api/v1/dossiers/000.00.12.H37-260302-0001";

  NotifiedAlert step;
  step.fingerprint = "0c77b2d5e4a19f38";
  step.status = AlertStatus::resolved;
  step.labels = {{"rule", "step_overdue"},
                 {"dossier", "000.00.12.H37-260303-0004"},
                 {"source", "motcua"},
                 {"agency", "000.00.12.H37"},
                 {"procedure", "1.009972"},
                 {"severity", "warning"},
                 {"department", "Phòng Quản lý xây dựng"}};
  step.annotations = {{"summary", "Bước xử lý quá hạn"},
                      {"message", "Bước thẩm định của hồ sơ 000.00.12.H37-260303-0004 đã xong."},
                      {"agency_name", "Sở Xây dựng"}};
  step.starts_at = instant("2026-03-06T11:30:00+07:00");
  step.ends_at = instant("2026-03-10T09:15:00+07:00");

  n.alerts = {overdue, step};
  return n;
}

}  // namespace motcua::alerts::fixtures
