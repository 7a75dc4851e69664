#pragma once
// The domain model: a dossier (hồ sơ) as the one-stop system records it, normalised. Field
// meanings and their upstream names are in DOMAIN.md; the mapping lives in connectors/.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sla/time.hpp"

namespace motcua::sla {

// Canonical status codes (TrangThaiHoSo), DOMAIN.md "Status codes". Sources whose vendor uses
// other codes map them onto these in their connector mapping.
enum class Status : std::uint8_t {
  unknown = 0,
  submitted = 1,           // Mới đăng ký
  received = 2,            // Được tiếp nhận
  refused = 3,             // Không được tiếp nhận
  processing = 4,          // Đang xử lý
  waiting_supplement = 5,  // Yêu cầu bổ sung giấy tờ
  waiting_payment = 6,     // Yêu cầu thực hiện nghĩa vụ tài chính
  withdrawn = 7,           // Công dân yêu cầu rút hồ sơ
  stopped = 8,             // Dừng xử lý
  processed = 9,           // Đã xử lý xong
  returned = 10,           // Đã trả kết quả
};
inline constexpr int kMaxStatus = 10;

// Whose turn it is, which decides whether the legal clock runs.
enum class Clock : std::uint8_t { not_started, running, paused, ended, finished };

Clock clock_of(Status s);
const char* status_name_vi(Status s);

// One hand-over in the process-control slip (phiếu kiểm soát quá trình giải quyết).
struct Step {
  std::string handler;                // NguoiXuLy
  std::string title;                  // ChucDanh
  std::string department;             // PhongBanXuLy
  std::string content;                // NoiDungXuLy
  std::optional<Instant> at;          // ThoiDiemXuLy
  std::optional<Instant> started_at;  // NgayBatDau
  std::optional<Instant> due_at;      // NgayKetThucTheoQuyDinh
  Status status = Status::unknown;    // TrangThai
};

// A request to the applicant to supplement the dossier (form 02).
struct SupplementRequest {
  std::string requested_by;             // NguoiYeuCauBoSung
  std::string reason;                   // NoiDungBoSung
  std::optional<Instant> requested_at;  // NgayBoSung
  std::optional<Instant> received_at;   // NgayTiepNhanBoSung
  std::optional<Instant> due_before;    // NgayHenTraTruoc
  std::optional<Instant> due_after;     // NgayHenTraMoi
};

// An apology letter with a new return date (form 04).
struct Apology {
  std::string reason;                 // LyDo
  std::string signed_by;              // NguoiKy
  std::optional<Instant> issued_at;   // NgayXinLoi
  std::optional<Instant> due_before;  // NgayHenTraTruoc: the deadline it admits missing
  std::optional<Instant> due_after;   // NgayHenTraMoi: the new promise
  bool from_step = false;  // found only as a step reading "xin lỗi"; no dates but its time
};

struct Dossier {
  std::string code;            // MaHoSo, the key
  std::string source;          // the configured source name
  std::string procedure;       // MaTTHC
  std::string procedure_name;  // TenTTHC
  std::string sector;          // MaLinhVuc
  std::string agency;          // MaDonViXuLy, else the first segment of MaHoSo
  std::string agency_name;     // DonViXuLy
  std::string applicant;       // ChuHoSo (personal data: the name only, never contact details)
  std::string note;            // GhiChu
  int channel = 0;             // KenhThucHien: 1 in person, 2 online, 3 postal
  Status status = Status::unknown;
  std::optional<Instant> submitted_at;  // NgayNopHoSo
  std::optional<Instant> received_at;   // NgayTiepNhan
  std::optional<Instant> due_at;        // NgayHenTra
  std::optional<Instant> finished_at;   // NgayKetThucXuLy
  std::optional<Instant> returned_at;   // NgayTra
  std::optional<Instant> refused_at;    // NgayTuChoi
  std::optional<Instant> updated_at;    // NgayCapNhat
  std::vector<Step> steps;
  std::vector<SupplementRequest> supplements;
  std::vector<Apology> apologies;  // in issue order

  Clock clock() const { return clock_of(status); }
};

}  // namespace motcua::sla
