#pragma once
// Upstream one-stop records for the connector tests (DOMAIN.md "The dossier record"), and a
// readable form of instants for expectations.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "sla/time.hpp"

namespace motcua::connectors::fixtures {

// A complete record in the default format: every mapped field, two steps, one supplementation
// request, no apology. Dates are Vietnam time (UTC+7).
inline constexpr std::string_view kFullRecord = R"({
  "MaHoSo": "000.00.12.H37-260105-0001",
  "MaTTHC": "1.004227",
  "TenTTHC": "Cấp giấy phép xây dựng",
  "MaLinhVuc": "XD",
  "TenLinhVuc": "Xây dựng",
  "MaDonViXuLy": "000.00.12.H37",
  "DonViXuLy": "Sở Xây dựng",
  "KenhThucHien": 2,
  "ChuHoSo": "Nguyễn Văn An",
  "SoDienThoai": "0900000000",
  "NgayNopHoSo": "20260105080000",
  "NgayTiepNhan": "20260105083000",
  "NgayHenTra": "20260119170000",
  "TrangThaiHoSo": "4",
  "NgayKetThucXuLy": "",
  "NgayTra": "",
  "NgayTuChoi": null,
  "NgayCapNhat": "20260110091500",
  "GhiChu": "Hồ sơ đầy đủ",
  "QuaTrinhXuLy": [
    {"NguoiXuLy": "Trần Thị Bình", "ChucDanh": "Chuyên viên", "PhongBanXuLy": "Bộ phận Một cửa",
     "ThoiDiemXuLy": "20260105083000", "NoiDungXuLy": "Tiếp nhận hồ sơ", "TrangThai": 2,
     "NgayBatDau": "20260105083000", "NgayKetThucTheoQuyDinh": "20260105170000"},
    {"NguoiXuLy": "Lê Văn Cường", "ChucDanh": "Trưởng phòng",
     "PhongBanXuLy": "Phòng Quản lý xây dựng", "ThoiDiemXuLy": "20260106100000",
     "NoiDungXuLy": "Thẩm định hồ sơ", "TrangThai": "4", "NgayBatDau": "20260106100000",
     "NgayKetThucTheoQuyDinh": "20260115170000"}
  ],
  "DanhSachHoSoBoSung": [
    {"NguoiYeuCauBoSung": "Lê Văn Cường", "NoiDungBoSung": "Thiếu bản vẽ thiết kế",
     "NgayBoSung": "20260107090000", "NgayTiepNhanBoSung": "20260108140000",
     "NgayHenTraTruoc": "20260116170000", "NgayHenTraMoi": "20260119170000"}
  ],
  "DanhSachXinLoi": []
})";

// A small record on one line: `code`, then `extra` members (each starting with a comma).
inline std::string small_record(std::string_view code, std::string_view extra = {}) {
  std::string r = R"({"MaHoSo": ")";
  r += code;
  r += R"(", "TrangThaiHoSo": 4, "NgayTiepNhan": "20260105083000", "NgayHenTra": "20260119170000")";
  r += extra;
  r += "}";
  return r;
}

// "2026-01-05T01:30:00Z", or "none".
inline std::string utc_text(std::optional<sla::Instant> t) {
  if (!t) return "none";
  using namespace std::chrono;
  const sys_days day = floor<days>(*t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> time{*t - day};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(time.hours().count()),
                int(time.minutes().count()), int(time.seconds().count()));
  return buffer;
}

}  // namespace motcua::connectors::fixtures
