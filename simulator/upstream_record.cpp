#include "simulator/upstream_record.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace motcua::sim {

namespace json = boost::json;
using namespace std::chrono;

std::string upstream_date(const std::optional<sla::Instant>& t, seconds utc_offset) {
  if (!t) return {};
  const std::string s = sla::format_rfc3339(*t, utc_offset);  // 2026-03-10T17:00:00+07:00
  return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2) + s.substr(11, 2) + s.substr(14, 2) +
         s.substr(17, 2);
}

namespace {

json::value number(int n, const WireStyle& style) {
  if (style.numbers_as_strings) return json::value(std::to_string(n));
  return json::value(n);
}

}  // namespace

json::object upstream_record(const sla::Dossier& d, const WireStyle& style) {
  const auto date = [&](const std::optional<sla::Instant>& t) {
    return json::value(upstream_date(t, style.utc_offset));
  };
  json::object r;
  r["MaHoSo"] = d.code;
  r["MaTTHC"] = d.procedure;
  r["TenTTHC"] = d.procedure_name;
  r["MaLinhVuc"] = d.sector;
  r["MaDonViXuLy"] = d.agency;
  r["DonViXuLy"] = d.agency_name;
  r["KenhThucHien"] = number(d.channel, style);
  r["ChuHoSo"] = d.applicant;
  r["NgayNopHoSo"] = date(d.submitted_at);
  r["NgayTiepNhan"] = date(d.received_at);
  r["NgayHenTra"] = date(d.due_at);
  r["TrangThaiHoSo"] = number(static_cast<int>(d.status), style);
  r["NgayKetThucXuLy"] = date(d.finished_at);
  r["NgayTra"] = date(d.returned_at);
  r["NgayTuChoi"] = date(d.refused_at);
  r["NgayCapNhat"] = date(d.updated_at);
  r["GhiChu"] = d.note;

  json::array steps;
  for (const auto& s : d.steps) {
    json::object o;
    o["NguoiXuLy"] = s.handler;
    o["ChucDanh"] = s.title;
    o["PhongBanXuLy"] = s.department;
    o["ThoiDiemXuLy"] = date(s.at);
    o["NoiDungXuLy"] = s.content;
    o["TrangThai"] = number(static_cast<int>(s.status), style);
    o["NgayBatDau"] = date(s.started_at);
    o["NgayKetThucTheoQuyDinh"] = date(s.due_at);
    steps.push_back(std::move(o));
  }
  r["QuaTrinhXuLy"] = std::move(steps);

  json::array supplements;
  for (const auto& s : d.supplements) {
    json::object o;
    o["NguoiYeuCauBoSung"] = s.requested_by;
    o["NoiDungBoSung"] = s.reason;
    o["NgayBoSung"] = date(s.requested_at);
    o["NgayTiepNhanBoSung"] = date(s.received_at);
    o["NgayHenTraTruoc"] = date(s.due_before);
    o["NgayHenTraMoi"] = date(s.due_after);
    supplements.push_back(std::move(o));
  }
  r["DanhSachHoSoBoSung"] = std::move(supplements);

  // Apologies that some systems record only as a step are already steps; the list holds the
  // letters the system keeps as such.
  json::array apologies;
  for (const auto& a : d.apologies) {
    if (a.from_step) continue;
    json::object o;
    o["NgayXinLoi"] = date(a.issued_at);
    o["LyDo"] = a.reason;
    o["NgayHenTraTruoc"] = date(a.due_before);
    o["NgayHenTraMoi"] = date(a.due_after);
    o["NguoiKy"] = a.signed_by;
    apologies.push_back(std::move(o));
  }
  r["DanhSachXinLoi"] = std::move(apologies);
  return r;
}

}  // namespace motcua::sim
