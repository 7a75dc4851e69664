#pragma once
// Mapping one upstream one-stop record (DOMAIN.md "The dossier record") onto sla::Dossier. The
// upstream field names, the date format and the status codes are data, overridable per source in
// config, so a province whose vendor names a field differently changes config, not code.
#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "sla/dossier.hpp"
#include "sla/time.hpp"

namespace motcua::connectors {

// The upstream name of every field we read, by logical name. Logical names are the dotted strings
// of logical_names() ("code", "step.handler", "apology.issued_at", ...); defaults are the names
// in DOMAIN.md.
struct FieldMapping {
  std::string code = "MaHoSo";
  std::string procedure = "MaTTHC";
  std::string procedure_name = "TenTTHC";
  std::string sector = "MaLinhVuc";
  std::string agency = "MaDonViXuLy";
  std::string agency_name = "DonViXuLy";
  std::string channel = "KenhThucHien";
  std::string applicant = "ChuHoSo";
  std::string submitted_at = "NgayNopHoSo";
  std::string received_at = "NgayTiepNhan";
  std::string due_at = "NgayHenTra";
  std::string status = "TrangThaiHoSo";
  std::string finished_at = "NgayKetThucXuLy";
  std::string returned_at = "NgayTra";
  std::string refused_at = "NgayTuChoi";
  std::string updated_at = "NgayCapNhat";
  std::string note = "GhiChu";

  std::string steps = "QuaTrinhXuLy";
  std::string step_handler = "NguoiXuLy";
  std::string step_title = "ChucDanh";
  std::string step_department = "PhongBanXuLy";
  std::string step_at = "ThoiDiemXuLy";
  std::string step_content = "NoiDungXuLy";
  std::string step_status = "TrangThai";
  std::string step_started_at = "NgayBatDau";
  std::string step_due_at = "NgayKetThucTheoQuyDinh";

  std::string supplements = "DanhSachHoSoBoSung";
  std::string supplement_requested_by = "NguoiYeuCauBoSung";
  std::string supplement_reason = "NoiDungBoSung";
  std::string supplement_requested_at = "NgayBoSung";
  std::string supplement_received_at = "NgayTiepNhanBoSung";
  std::string supplement_due_before = "NgayHenTraTruoc";
  std::string supplement_due_after = "NgayHenTraMoi";

  std::string apologies = "DanhSachXinLoi";
  std::string apology_issued_at = "NgayXinLoi";
  std::string apology_reason = "LyDo";
  std::string apology_due_before = "NgayHenTraTruoc";
  std::string apology_due_after = "NgayHenTraMoi";
  std::string apology_signed_by = "NguoiKy";

  // Every logical name, in the order of the members above.
  static std::span<const std::string_view> logical_names();
  // Sets the upstream name of a logical field; false when `logical` is not a logical name.
  // Checking that `upstream` is a sensible name is config's job.
  bool set(std::string_view logical, std::string upstream);
  // The upstream name of a logical field, or nullptr when `logical` is not a logical name.
  const std::string* find(std::string_view logical) const;
};

// "1".."10" → the canonical status with that number (DOMAIN.md "Status codes").
std::map<std::string, sla::Status> default_status_codes();

// Checks a date format: the tokens yyyy, MM, dd, HH, mm and ss (each at most once; yyyy, MM and
// dd required), everything else literal. A letter of y Y M D d H h m S s that is not part of a
// token is refused: "yy", "YYYY" or "hh" is a typo more often than a literal. Returns what is
// wrong, or nullopt when the format is fine.
std::optional<std::string> validate_date_format(std::string_view format);

struct RecordMapping {
  FieldMapping fields;
  // Upstream dates are local civil time at utc_offset in this format; see validate_date_format.
  std::string date_format = "yyyyMMddHHmmss";
  // Upstream status code text → canonical status, for the record's and the steps' status. Numbers
  // are looked up by their decimal text; a code not in the map is an error.
  std::map<std::string, sla::Status> status_codes = default_status_codes();
  // A step whose content contains this (accent-, case- and white-space-insensitive) counts as an
  // apology when the record lists none itself. Empty: never.
  std::string apology_step_pattern = "xin lỗi";
  std::chrono::seconds utc_offset = sla::kVietnamOffset;
};

struct MapResult {
  std::optional<sla::Dossier> dossier;  // set exactly when error is empty
  std::string error;
  std::string code;  // the dossier code when the record has one, also on error
};

// Maps one upstream record. Never throws for bad input: a value of the wrong JSON type, a blank
// code, a date that does not parse or does not exist or lies outside the calendar's years
// (sla::WorkingCalendar::kFirstYear..kLastYear), an unknown status code or invalid UTF-8 gives an
// error naming the upstream field (with its index inside arrays, "QuaTrinhXuLy[2].ThoiDiemXuLy")
// and the offending value, cut to about 80 bytes.
//
// Absent, null and blank values mean "no value"; text is trimmed. Status, channel and step status
// may be JSON numbers or strings holding a number; a text field given a whole number takes its
// decimal text. The agency falls back to the first segment of the code before '-'. Apologies are
// the record's own entries sorted by issue time (stable; entries without one last, in record
// order); when there are none, every step matching apology_step_pattern is an apology issued at
// the step's time (from_step, reason = the step's content, signed_by = its handler), in the same
// order. Steps and supplementation requests keep the record's order.
MapResult map_record(const boost::json::value& record, const RecordMapping& mapping,
                     std::string_view source);

}  // namespace motcua::connectors
