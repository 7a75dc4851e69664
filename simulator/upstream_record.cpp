#include "simulator/upstream_record.hpp"

#include <cstdio>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace motcua::sim {

namespace json = boost::json;
using namespace std::chrono;
using std::chrono::year_month_day;

namespace {

// yyyyMMddHHmmss, written digit by digit: the listing writes a dozen dates per record, and
// formatting them through snprintf was the largest single cost of serving a page.
constexpr std::size_t kDateSize = 14;

void put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

void write_date(sla::Instant t, seconds utc_offset, char* out) {
  const year_month_day ymd{sla::local_date(t, utc_offset)};
  const hh_mm_ss hms{sla::local_time_of_day(t, utc_offset)};
  put_digits(out, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  put_digits(out + 4, static_cast<unsigned>(ymd.month()), 2);
  put_digits(out + 6, static_cast<unsigned>(ymd.day()), 2);
  put_digits(out + 8, static_cast<unsigned>(hms.hours().count()), 2);
  put_digits(out + 10, static_cast<unsigned>(hms.minutes().count()), 2);
  put_digits(out + 12, static_cast<unsigned>(hms.seconds().count()), 2);
}

json::value number(int n, const WireStyle& style, const json::storage_ptr& storage) {
  if (style.numbers_as_strings) {
    char text[16];
    const int size = std::snprintf(text, sizeof text, "%d", n);
    return json::value(json::string_view(text, static_cast<std::size_t>(size)), storage);
  }
  return json::value(n, storage);
}

}  // namespace

std::string upstream_date(const std::optional<sla::Instant>& t, seconds utc_offset) {
  if (!t) return {};
  std::string out(kDateSize, '0');
  write_date(*t, utc_offset, out.data());
  return out;
}

json::object upstream_record(const sla::Dossier& d, const WireStyle& style,
                             json::storage_ptr storage) {
  const auto date = [&](const std::optional<sla::Instant>& t) {
    if (!t) return json::value(json::string_view(), storage);
    char text[kDateSize];
    write_date(*t, style.utc_offset, text);
    return json::value(json::string_view(text, kDateSize), storage);
  };
  json::object r(storage);
  r["MaHoSo"] = d.code;
  r["MaTTHC"] = d.procedure;
  r["TenTTHC"] = d.procedure_name;
  r["MaLinhVuc"] = d.sector;
  r["MaDonViXuLy"] = d.agency;
  r["DonViXuLy"] = d.agency_name;
  r["KenhThucHien"] = number(d.channel, style, storage);
  r["ChuHoSo"] = d.applicant;
  r["NgayNopHoSo"] = date(d.submitted_at);
  r["NgayTiepNhan"] = date(d.received_at);
  r["NgayHenTra"] = date(d.due_at);
  r["TrangThaiHoSo"] = number(static_cast<int>(d.status), style, storage);
  r["NgayKetThucXuLy"] = date(d.finished_at);
  r["NgayTra"] = date(d.returned_at);
  r["NgayTuChoi"] = date(d.refused_at);
  r["NgayCapNhat"] = date(d.updated_at);
  r["GhiChu"] = d.note;

  json::array steps(storage);
  for (const auto& s : d.steps) {
    json::object o(storage);
    o["NguoiXuLy"] = s.handler;
    o["ChucDanh"] = s.title;
    o["PhongBanXuLy"] = s.department;
    o["ThoiDiemXuLy"] = date(s.at);
    o["NoiDungXuLy"] = s.content;
    o["TrangThai"] = number(static_cast<int>(s.status), style, storage);
    o["NgayBatDau"] = date(s.started_at);
    o["NgayKetThucTheoQuyDinh"] = date(s.due_at);
    steps.push_back(std::move(o));
  }
  r["QuaTrinhXuLy"] = std::move(steps);

  json::array supplements(storage);
  for (const auto& s : d.supplements) {
    json::object o(storage);
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
  json::array apologies(storage);
  for (const auto& a : d.apologies) {
    if (a.from_step) continue;
    json::object o(storage);
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
