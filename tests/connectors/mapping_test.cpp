#include "connectors/mapping.hpp"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "tests/connectors/records.hpp"

namespace motcua::connectors {
namespace {
namespace json = boost::json;
using fixtures::kFullRecord;
using fixtures::small_record;
using fixtures::utc_text;
using ::testing::HasSubstr;
using ::testing::Not;

MapResult map_text(std::string_view text, const RecordMapping& mapping = {}) {
  return map_record(json::parse(text), mapping, "motcua");
}

// The record's error, failing the test when the record mapped.
std::string error_of(std::string_view text, const RecordMapping& mapping = {}) {
  const MapResult result = map_text(text, mapping);
  EXPECT_FALSE(result.dossier.has_value()) << text;
  EXPECT_FALSE(result.error.empty()) << text;
  return result.error;
}

sla::Dossier dossier_of(std::string_view text, const RecordMapping& mapping = {}) {
  MapResult result = map_text(text, mapping);
  EXPECT_TRUE(result.error.empty()) << result.error;
  if (!result.dossier) return {};
  return std::move(*result.dossier);
}

// --- defaults ---------------------------------------------------------------------------------

TEST(MapRecord, MapsEveryFieldOfTheDefaultFormat) {
  const sla::Dossier d = dossier_of(kFullRecord);
  EXPECT_EQ(d.code, "000.00.12.H37-260105-0001");
  EXPECT_EQ(d.source, "motcua");
  EXPECT_EQ(d.procedure, "1.004227");
  EXPECT_EQ(d.procedure_name, "Cấp giấy phép xây dựng");
  EXPECT_EQ(d.sector, "XD");
  EXPECT_EQ(d.agency, "000.00.12.H37");
  EXPECT_EQ(d.agency_name, "Sở Xây dựng");
  EXPECT_EQ(d.applicant, "Nguyễn Văn An");
  EXPECT_EQ(d.note, "Hồ sơ đầy đủ");
  EXPECT_EQ(d.channel, 2);
  EXPECT_EQ(d.status, sla::Status::processing);
  // Vietnam time, UTC+7.
  EXPECT_EQ(utc_text(d.submitted_at), "2026-01-05T01:00:00Z");
  EXPECT_EQ(utc_text(d.received_at), "2026-01-05T01:30:00Z");
  EXPECT_EQ(utc_text(d.due_at), "2026-01-19T10:00:00Z");
  EXPECT_EQ(utc_text(d.updated_at), "2026-01-10T02:15:00Z");
  EXPECT_EQ(utc_text(d.finished_at), "none");
  EXPECT_EQ(utc_text(d.returned_at), "none");
  EXPECT_EQ(utc_text(d.refused_at), "none");

  ASSERT_EQ(d.steps.size(), 2u);
  EXPECT_EQ(d.steps[0].handler, "Trần Thị Bình");
  EXPECT_EQ(d.steps[0].title, "Chuyên viên");
  EXPECT_EQ(d.steps[0].department, "Bộ phận Một cửa");
  EXPECT_EQ(d.steps[0].content, "Tiếp nhận hồ sơ");
  EXPECT_EQ(d.steps[0].status, sla::Status::received);
  EXPECT_EQ(utc_text(d.steps[0].at), "2026-01-05T01:30:00Z");
  EXPECT_EQ(utc_text(d.steps[0].started_at), "2026-01-05T01:30:00Z");
  EXPECT_EQ(utc_text(d.steps[0].due_at), "2026-01-05T10:00:00Z");
  EXPECT_EQ(d.steps[1].handler, "Lê Văn Cường");
  EXPECT_EQ(d.steps[1].department, "Phòng Quản lý xây dựng");
  EXPECT_EQ(d.steps[1].status, sla::Status::processing);
  EXPECT_EQ(utc_text(d.steps[1].due_at), "2026-01-15T10:00:00Z");

  ASSERT_EQ(d.supplements.size(), 1u);
  const sla::SupplementRequest& s = d.supplements[0];
  EXPECT_EQ(s.requested_by, "Lê Văn Cường");
  EXPECT_EQ(s.reason, "Thiếu bản vẽ thiết kế");
  EXPECT_EQ(utc_text(s.requested_at), "2026-01-07T02:00:00Z");
  EXPECT_EQ(utc_text(s.received_at), "2026-01-08T07:00:00Z");
  EXPECT_EQ(utc_text(s.due_before), "2026-01-16T10:00:00Z");
  EXPECT_EQ(utc_text(s.due_after), "2026-01-19T10:00:00Z");

  EXPECT_TRUE(d.apologies.empty());
}

TEST(MapRecord, AMinimalRecordNeedsOnlyItsCode) {
  const sla::Dossier d = dossier_of(R"({"MaHoSo": "X-1"})");
  EXPECT_EQ(d.code, "X-1");
  EXPECT_EQ(d.status, sla::Status::unknown);
  EXPECT_EQ(d.channel, 0);
  EXPECT_EQ(utc_text(d.received_at), "none");
  EXPECT_TRUE(d.steps.empty());
  EXPECT_TRUE(d.supplements.empty());
  EXPECT_TRUE(d.apologies.empty());
}

TEST(MapRecord, EmptyNullAndAbsentDatesHaveNoValue) {
  const sla::Dossier d =
      dossier_of(R"({"MaHoSo": "X-1", "NgayTiepNhan": "", "NgayHenTra": null, "NgayTra": "   "})");
  EXPECT_EQ(utc_text(d.received_at), "none");
  EXPECT_EQ(utc_text(d.due_at), "none");
  EXPECT_EQ(utc_text(d.returned_at), "none");
  EXPECT_EQ(utc_text(d.finished_at), "none");
}

TEST(MapRecord, TrimsTextAndKeepsUtf8) {
  const sla::Dossier d =
      dossier_of(R"({"MaHoSo": "  X-1 ", "ChuHoSo": " Đặng Thị Ánh\t", "MaTTHC": 1004227})");
  EXPECT_EQ(d.code, "X-1");
  EXPECT_EQ(d.applicant, "Đặng Thị Ánh");
  EXPECT_EQ(d.procedure, "1004227");  // a number where text is expected: its decimal text
}

TEST(MapRecord, DatesAreLocalTimeAtTheConfiguredOffset) {
  RecordMapping utc;
  utc.utc_offset = std::chrono::seconds{0};
  EXPECT_EQ(utc_text(dossier_of(small_record("X-1"), utc).received_at), "2026-01-05T08:30:00Z");
  RecordMapping minus_five;
  minus_five.utc_offset = std::chrono::hours{-5};
  EXPECT_EQ(utc_text(dossier_of(small_record("X-1"), minus_five).received_at),
            "2026-01-05T13:30:00Z");
  // Local midnight at UTC+7 is the previous day in UTC.
  EXPECT_EQ(utc_text(dossier_of(R"({"MaHoSo":"X-1","NgayTiepNhan":"20260101000000"})").received_at),
            "2025-12-31T17:00:00Z");
}

// --- numbers as strings -----------------------------------------------------------------------

TEST(MapRecord, StatusChannelAndStepStatusAcceptNumbersAndStrings) {
  for (const char* status : {R"(4)", R"("4")", R"(" 4 ")", R"(4.0)", R"("04")"}) {
    const std::string record = std::string(R"({"MaHoSo":"X-1","TrangThaiHoSo":)") + status +
                               R"(,"KenhThucHien":)" + status +
                               R"(,"QuaTrinhXuLy":[{"TrangThai":)" + status + "}]}";
    const sla::Dossier d = dossier_of(record);
    EXPECT_EQ(d.status, sla::Status::processing) << status;
    EXPECT_EQ(d.channel, 4) << status;
    ASSERT_EQ(d.steps.size(), 1u);
    EXPECT_EQ(d.steps[0].status, sla::Status::processing) << status;
  }
  EXPECT_EQ(dossier_of(R"({"MaHoSo":"X-1","TrangThaiHoSo":"10"})").status, sla::Status::returned);
  EXPECT_EQ(dossier_of(R"({"MaHoSo":"X-1","TrangThaiHoSo":1})").status, sla::Status::submitted);
}

TEST(MapRecord, BlankStatusAndChannelHaveNoValue) {
  const sla::Dossier d = dossier_of(R"({"MaHoSo":"X-1","TrangThaiHoSo":"","KenhThucHien":" "})");
  EXPECT_EQ(d.status, sla::Status::unknown);
  EXPECT_EQ(d.channel, 0);
}

TEST(MapRecord, RejectsNumbersThatAreNotWholeNumbers) {
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","TrangThaiHoSo":4.5})"),
              HasSubstr("TrangThaiHoSo: expected a whole number, got a number 4.5"));
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","TrangThaiHoSo":true})"),
              HasSubstr("TrangThaiHoSo: expected a whole number, got a boolean true"));
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","KenhThucHien":"hai"})"),
              HasSubstr(R"(KenhThucHien: expected a channel number, got a string "hai")"));
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","KenhThucHien":-1})"),
              HasSubstr("KenhThucHien: expected a channel number, got a number -1"));
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","KenhThucHien":"2x"})"), HasSubstr("KenhThucHien"));
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","KenhThucHien":99999999999})"),
              HasSubstr("KenhThucHien"));
}

// --- dates ------------------------------------------------------------------------------------

struct DateCase {
  const char* value;  // the JSON value of NgayHenTra
  const char* error;  // a part of the expected error
};

class DateErrors : public ::testing::TestWithParam<DateCase> {};

TEST_P(DateErrors, AreErrorsNamingTheFieldAndTheValue) {
  const DateCase& c = GetParam();
  const std::string record = std::string(R"({"MaHoSo":"X-1","NgayHenTra":)") + c.value + "}";
  const MapResult result = map_text(record);
  EXPECT_FALSE(result.dossier.has_value());
  EXPECT_THAT(result.error, HasSubstr("NgayHenTra: "));
  EXPECT_THAT(result.error, HasSubstr(c.error));
  EXPECT_EQ(result.code, "X-1");
}

INSTANTIATE_TEST_SUITE_P(
    MapRecord, DateErrors,
    ::testing::Values(
        DateCase{R"("2026-01-05")",
                 R"("2026-01-05" does not match the date format yyyyMMddHHmmss)"},
        DateCase{R"("2026010508300")", "does not match the date format"},    // a digit short
        DateCase{R"("202601050830000")", "does not match the date format"},  // a digit long
        DateCase{R"("2026010508300x")", "does not match the date format"},
        DateCase{R"("+026010508300")", "does not match the date format"},
        DateCase{R"("20260230080000")",
                 R"("20260230080000" is not a valid date (there is no 2026-02-30))"},
        DateCase{R"("20260229080000")", "there is no 2026-02-29"},  // 2026 is not a leap year
        DateCase{R"("20260431080000")", "there is no 2026-04-31"},
        DateCase{R"("20261301080000")", "there is no 2026-13-01"},
        DateCase{R"("20260100080000")", "there is no 2026-01-00"},
        DateCase{R"("20260105240000")", "is not a valid time of day (24:00:00)"},
        DateCase{R"("20260105086000")", "is not a valid time of day (08:60:00)"},
        DateCase{R"("20260105083060")", "is not a valid time of day (08:30:60)"},
        DateCase{R"("19991231235959")", "is outside the years 2000..2099"},
        DateCase{R"("21000101000000")", "is outside the years 2000..2099"},
        DateCase{R"("00000101000000")", "is outside the years 2000..2099"},
        DateCase{R"(20260105083000)",
                 "expected a date in the format yyyyMMddHHmmss, got a number 20260105083000"},
        DateCase{R"({"ngay": "20260105083000"})", "got an object {\"ngay\":\"20260105083000\"}"},
        DateCase{R"(["20260105083000"])", "got an array"},
        DateCase{R"(false)", "got a boolean false"}),
    // Stable names: ctest runs each case by name, so the name must not depend on addresses.
    [](const ::testing::TestParamInfo<DateCase>& info) {
      return "case" + std::to_string(info.index);
    });

TEST(MapRecord, AcceptsTheEdgesOfTheCalendarAndLeapDays) {
  EXPECT_EQ(utc_text(dossier_of(R"({"MaHoSo":"X-1","NgayHenTra":"20000101070000"})").due_at),
            "2000-01-01T00:00:00Z");
  EXPECT_EQ(utc_text(dossier_of(R"({"MaHoSo":"X-1","NgayHenTra":"20991231235959"})").due_at),
            "2099-12-31T16:59:59Z");
  EXPECT_EQ(utc_text(dossier_of(R"({"MaHoSo":"X-1","NgayHenTra":"20240229120000"})").due_at),
            "2024-02-29T05:00:00Z");
  EXPECT_EQ(utc_text(dossier_of(R"({"MaHoSo":"X-1","NgayHenTra":" 20260105083000 "})").due_at),
            "2026-01-05T01:30:00Z");
}

TEST(MapRecord, DateErrorsInArraysNameTheElement) {
  EXPECT_THAT(
      error_of(
          R"({"MaHoSo":"X-1","QuaTrinhXuLy":[{"ThoiDiemXuLy":""},{"ThoiDiemXuLy":"20260230000000"}]})"),
      HasSubstr(R"(QuaTrinhXuLy[1].ThoiDiemXuLy: "20260230000000" is not a valid date)"));
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","DanhSachHoSoBoSung":[{"NgayHenTraMoi":"x"}]})"),
              HasSubstr(R"(DanhSachHoSoBoSung[0].NgayHenTraMoi: "x" does not match)"));
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","DanhSachXinLoi":[{"NgayXinLoi":"19990101000000"}]})"),
              HasSubstr("DanhSachXinLoi[0].NgayXinLoi: \"19990101000000\" is outside the years"));
}

TEST(MapRecord, ReadsOtherDateFormats) {
  RecordMapping m;
  m.date_format = "dd/MM/yyyy HH:mm:ss";
  EXPECT_EQ(
      utc_text(dossier_of(R"({"MaHoSo":"X-1","NgayHenTra":"19/01/2026 17:00:00"})", m).due_at),
      "2026-01-19T10:00:00Z");
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","NgayHenTra":"20260119170000"})", m),
              HasSubstr("does not match the date format dd/MM/yyyy HH:mm:ss"));
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","NgayHenTra":"19-01-2026 17:00:00"})", m),
              HasSubstr("does not match"));

  m.date_format = "yyyy-MM-dd";  // a date only: local midnight
  EXPECT_EQ(utc_text(dossier_of(R"({"MaHoSo":"X-1","NgayHenTra":"2026-01-19"})", m).due_at),
            "2026-01-18T17:00:00Z");
}

TEST(ValidateDateFormat, AcceptsTokensAndLiterals) {
  for (const char* format :
       {"yyyyMMddHHmmss", "yyyyMMdd", "dd/MM/yyyy", "yyyy-MM-ddTHH:mm:ss", "ddMMyyyy HHmm"}) {
    EXPECT_EQ(validate_date_format(format), std::nullopt) << format;
  }
}

TEST(ValidateDateFormat, RefusesMissingRepeatedAndStrayTokens) {
  EXPECT_EQ(validate_date_format(""), "the format lacks yyyy");
  EXPECT_EQ(validate_date_format("MMddHHmmss"), "the format lacks yyyy");
  EXPECT_EQ(validate_date_format("yyyyddHH"), "the format lacks MM");
  EXPECT_EQ(validate_date_format("yyyyMM"), "the format lacks dd");
  EXPECT_EQ(validate_date_format("yyyyMMddyyyy"), "yyyy appears more than once");
  EXPECT_EQ(validate_date_format("yyMMdd"),
            "'y' at position 1 is not part of a token (yyyy MM dd HH mm ss)");
  EXPECT_EQ(validate_date_format("yyyyyMMdd"),
            "'y' at position 5 is not part of a token (yyyy MM dd HH mm ss)");
  EXPECT_EQ(validate_date_format("yyyyMdd"),
            "'M' at position 5 is not part of a token (yyyy MM dd HH mm ss)");
  EXPECT_EQ(validate_date_format("yyyyMMddhhmmss"),
            "'h' at position 9 is not part of a token (yyyy MM dd HH mm ss)");
  EXPECT_EQ(validate_date_format("YYYYMMDD"),
            "'Y' at position 1 is not part of a token (yyyy MM dd HH mm ss)");
}

TEST(MapRecord, AnInvalidDateFormatIsAnError) {
  RecordMapping m;
  m.date_format = "yyMMdd";
  EXPECT_THAT(error_of(small_record("X-1"), m), HasSubstr(R"(date format "yyMMdd": 'y')"));
}

// --- agency -----------------------------------------------------------------------------------

TEST(MapRecord, TheAgencyFallsBackToTheCodesFirstSegment) {
  EXPECT_EQ(dossier_of(R"({"MaHoSo":"000.00.12.H37-260105-0001"})").agency, "000.00.12.H37");
  EXPECT_EQ(dossier_of(R"({"MaHoSo":"000.00.12.H37-260105-0001","MaDonViXuLy":""})").agency,
            "000.00.12.H37");
  EXPECT_EQ(dossier_of(R"({"MaHoSo":"000.00.12.H37-260105-0001","MaDonViXuLy":"  "})").agency,
            "000.00.12.H37");
  EXPECT_EQ(dossier_of(R"({"MaHoSo":"000.00.12.H37-260105-0001","MaDonViXuLy":null})").agency,
            "000.00.12.H37");
  EXPECT_EQ(dossier_of(R"({"MaHoSo":"000.00.12.H37-260105-0001","MaDonViXuLy":"G12"})").agency,
            "G12");
  EXPECT_EQ(dossier_of(R"({"MaHoSo":"HS0001"})").agency, "HS0001");
}

// --- status codes -----------------------------------------------------------------------------

TEST(MapRecord, StatusCodesAreConfigurable) {
  RecordMapping m;
  // A vendor that reports "waiting for supplement" and "stopped" as 9 and uses its own codes.
  m.status_codes["9"] = sla::Status::waiting_supplement;
  m.status_codes["DXL"] = sla::Status::processing;
  EXPECT_EQ(dossier_of(R"({"MaHoSo":"X-1","TrangThaiHoSo":9})", m).status,
            sla::Status::waiting_supplement);
  EXPECT_EQ(dossier_of(R"({"MaHoSo":"X-1","TrangThaiHoSo":"DXL"})", m).status,
            sla::Status::processing);
  const sla::Dossier d =
      dossier_of(R"({"MaHoSo":"X-1","QuaTrinhXuLy":[{"TrangThai":" DXL "}]})", m);
  ASSERT_EQ(d.steps.size(), 1u);
  EXPECT_EQ(d.steps[0].status, sla::Status::processing);
  EXPECT_EQ(dossier_of(R"({"MaHoSo":"X-1","TrangThaiHoSo":9})").status, sla::Status::processed);
}

TEST(MapRecord, AnUnknownStatusCodeIsAnErrorNamingIt) {
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","TrangThaiHoSo":"11"})"),
              HasSubstr(R"(TrangThaiHoSo: unknown status code "11")"));
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","TrangThaiHoSo":0})"),
              HasSubstr("TrangThaiHoSo: unknown status code 0"));
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","QuaTrinhXuLy":[{"TrangThai":"DXL"}]})"),
              HasSubstr(R"(QuaTrinhXuLy[0].TrangThai: unknown status code "DXL")"));
  RecordMapping only_four;
  only_four.status_codes = {{"4", sla::Status::processing}};
  EXPECT_THAT(error_of(R"({"MaHoSo":"X-1","TrangThaiHoSo":2})", only_four),
              HasSubstr("unknown status code 2"));
}

// --- field names ------------------------------------------------------------------------------

TEST(MapRecord, FieldNamesAreConfigurable) {
  RecordMapping m;  // a vendor whose code field is SoHoSo and whose steps are "LichSu"
  ASSERT_TRUE(m.fields.set("code", "SoHoSo"));
  ASSERT_TRUE(m.fields.set("steps", "LichSu"));
  ASSERT_TRUE(m.fields.set("step.at", "ThoiGian"));
  ASSERT_TRUE(m.fields.set("due_at", "HanXuLy"));
  const sla::Dossier d = dossier_of(
      R"({"SoHoSo":"H37-1","MaHoSo":"ignored","HanXuLy":"20260119170000",
          "LichSu":[{"ThoiGian":"20260105083000"}],"QuaTrinhXuLy":"not read"})",
      m);
  EXPECT_EQ(d.code, "H37-1");
  EXPECT_EQ(utc_text(d.due_at), "2026-01-19T10:00:00Z");
  ASSERT_EQ(d.steps.size(), 1u);
  EXPECT_EQ(utc_text(d.steps[0].at), "2026-01-05T01:30:00Z");
  EXPECT_EQ(error_of(R"({"MaHoSo":"X-1"})", m), "SoHoSo is missing or blank");
}

TEST(FieldMapping, EveryLogicalNameSetsItsOwnField) {
  const auto names = FieldMapping::logical_names();
  EXPECT_EQ(names.size(), 39u);
  FieldMapping f;
  std::set<std::string> upstream;
  for (const std::string_view name : names) {
    ASSERT_NE(f.find(name), nullptr) << name;
    upstream.insert(*f.find(name));
    EXPECT_TRUE(f.set(name, "X_" + std::string(name))) << name;
  }
  // Two defaults share a name (NgayHenTraTruoc/NgayHenTraMoi in supplements and apologies).
  EXPECT_EQ(upstream.size(), 37u);
  std::set<std::string> distinct;
  for (const std::string_view name : names) {
    EXPECT_EQ(*f.find(name), "X_" + std::string(name));
    distinct.insert(*f.find(name));
  }
  EXPECT_EQ(distinct.size(), names.size());
  EXPECT_EQ(f.code, "X_code");
  EXPECT_EQ(f.step_handler, "X_step.handler");
  EXPECT_EQ(f.apology_signed_by, "X_apology.signed_by");
  EXPECT_EQ(f.supplement_due_before, "X_supplement.due_before");
}

TEST(FieldMapping, UnknownLogicalNamesAreRefused) {
  FieldMapping f;
  EXPECT_FALSE(f.set("MaHoSo", "x"));
  EXPECT_FALSE(f.set("step", "x"));
  EXPECT_FALSE(f.set("", "x"));
  EXPECT_EQ(f.find("steps.handler"), nullptr);
  EXPECT_EQ(f.code, "MaHoSo");
  EXPECT_EQ(*f.find("step.due_at"), "NgayKetThucTheoQuyDinh");
  EXPECT_EQ(*f.find("apology.due_before"), "NgayHenTraTruoc");
}

// --- apologies --------------------------------------------------------------------------------

TEST(MapRecord, StepsReadingXinLoiAreApologiesWhenTheRecordListsNone) {
  const std::string record = R"({"MaHoSo":"X-1","QuaTrinhXuLy":[
      {"NoiDungXuLy":"Tiếp nhận hồ sơ","ThoiDiemXuLy":"20260105083000"},
      {"NoiDungXuLy":"Ban hành văn bản XIN LỖI và hẹn lại ngày trả","ThoiDiemXuLy":"20260118090000",
       "NguoiXuLy":"Lê Văn Cường"},
      {"NoiDungXuLy":"Xin phép gia hạn","ThoiDiemXuLy":"20260119090000"},
      {"NoiDungXuLy":"gui thu xin loi lan 2","ThoiDiemXuLy":"20260125090000"}],
    "DanhSachXinLoi":[]})";
  const sla::Dossier d = dossier_of(record);
  ASSERT_EQ(d.apologies.size(), 2u);
  EXPECT_TRUE(d.apologies[0].from_step);
  EXPECT_EQ(utc_text(d.apologies[0].issued_at), "2026-01-18T02:00:00Z");
  EXPECT_EQ(d.apologies[0].reason, "Ban hành văn bản XIN LỖI và hẹn lại ngày trả");
  EXPECT_EQ(d.apologies[0].signed_by, "Lê Văn Cường");
  EXPECT_EQ(utc_text(d.apologies[0].due_before), "none");
  EXPECT_EQ(utc_text(d.apologies[0].due_after), "none");
  EXPECT_TRUE(d.apologies[1].from_step);
  EXPECT_EQ(utc_text(d.apologies[1].issued_at), "2026-01-25T02:00:00Z");
  EXPECT_EQ(d.steps.size(), 4u);
}

TEST(MapRecord, DecomposedStepTextMatchesTheApologyPattern) {
  const sla::Dossier d = dossier_of(
      "{\"MaHoSo\":\"X-1\",\"QuaTrinhXuLy\":[{\"NoiDungXuLy\":\"Xin lo\\u0302\\u0303i\"}]}");
  ASSERT_EQ(d.apologies.size(), 1u);
  EXPECT_TRUE(d.apologies[0].from_step);
  EXPECT_EQ(utc_text(d.apologies[0].issued_at), "none");
}

TEST(MapRecord, TheApologyPatternIsConfigurable) {
  const std::string record =
      R"({"MaHoSo":"X-1","QuaTrinhXuLy":[{"NoiDungXuLy":"Phiếu xin lỗi"},{"NoiDungXuLy":"Gia hạn xử lý"}]})";
  RecordMapping m;
  m.apology_step_pattern = "GIA HAN";
  const sla::Dossier d = dossier_of(record, m);
  ASSERT_EQ(d.apologies.size(), 1u);
  EXPECT_EQ(d.apologies[0].reason, "Gia hạn xử lý");
  m.apology_step_pattern = "";
  EXPECT_TRUE(dossier_of(record, m).apologies.empty());
}

TEST(MapRecord, ExplicitApologiesWinOverSteps) {
  const sla::Dossier d = dossier_of(R"({"MaHoSo":"X-1",
      "QuaTrinhXuLy":[{"NoiDungXuLy":"Ban hành văn bản xin lỗi","ThoiDiemXuLy":"20260118090000"}],
      "DanhSachXinLoi":[{"NgayXinLoi":"20260117100000","LyDo":"Chờ ý kiến phối hợp",
        "NgayHenTraTruoc":"20260119170000","NgayHenTraMoi":"20260126170000","NguoiKy":"Giám đốc"}]})");
  ASSERT_EQ(d.apologies.size(), 1u);
  const sla::Apology& a = d.apologies[0];
  EXPECT_FALSE(a.from_step);
  EXPECT_EQ(utc_text(a.issued_at), "2026-01-17T03:00:00Z");
  EXPECT_EQ(a.reason, "Chờ ý kiến phối hợp");
  EXPECT_EQ(utc_text(a.due_before), "2026-01-19T10:00:00Z");
  EXPECT_EQ(utc_text(a.due_after), "2026-01-26T10:00:00Z");
  EXPECT_EQ(a.signed_by, "Giám đốc");
}

TEST(MapRecord, ApologiesAreSortedByIssueTimeWithUndatedOnesLast) {
  const sla::Dossier d = dossier_of(R"({"MaHoSo":"X-1","DanhSachXinLoi":[
      {"LyDo":"undated 1"},
      {"LyDo":"third","NgayXinLoi":"20260301080000"},
      {"LyDo":"first","NgayXinLoi":"20260110080000"},
      {"LyDo":"undated 2","NgayXinLoi":""},
      {"LyDo":"second a","NgayXinLoi":"20260201080000"},
      {"LyDo":"second b","NgayXinLoi":"20260201080000"}]})");
  std::vector<std::string> order;
  for (const sla::Apology& a : d.apologies)
    order.push_back(a.reason);
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second a", "second b", "third", "undated 1",
                                             "undated 2"}));
}

TEST(MapRecord, ApologiesFromStepsAreSortedToo) {
  const sla::Dossier d = dossier_of(R"({"MaHoSo":"X-1","QuaTrinhXuLy":[
      {"NoiDungXuLy":"xin lỗi B","ThoiDiemXuLy":"20260210080000"},
      {"NoiDungXuLy":"xin lỗi C"},
      {"NoiDungXuLy":"xin lỗi A","ThoiDiemXuLy":"20260110080000"}]})");
  std::vector<std::string> order;
  for (const sla::Apology& a : d.apologies)
    order.push_back(a.reason);
  EXPECT_EQ(order, (std::vector<std::string>{"xin lỗi A", "xin lỗi B", "xin lỗi C"}));
  // The steps themselves keep the record's order.
  EXPECT_EQ(d.steps[0].content, "xin lỗi B");
}

// --- errors -----------------------------------------------------------------------------------

TEST(MapRecord, ARecordMustBeAnObject) {
  EXPECT_EQ(error_of(R"([{"MaHoSo":"X-1"}])"),
            R"(the record is not a JSON object: got an array [{"MaHoSo":"X-1"}])");
  EXPECT_EQ(error_of(R"("X-1")"), R"(the record is not a JSON object: got a string "X-1")");
  EXPECT_EQ(error_of("null"), "the record is not a JSON object: got null");
  EXPECT_EQ(error_of("42"), "the record is not a JSON object: got a number 42");
}

TEST(MapRecord, TheCodeIsRequired) {
  EXPECT_EQ(error_of(R"({"MaTTHC":"1.004227"})"), "MaHoSo is missing or blank");
  EXPECT_EQ(error_of(R"({"MaHoSo":""})"), "MaHoSo is missing or blank");
  EXPECT_EQ(error_of(R"({"MaHoSo":" \t "})"), "MaHoSo is missing or blank");
  EXPECT_EQ(error_of(R"({"MaHoSo":null})"), "MaHoSo is missing or blank");
  EXPECT_EQ(error_of(R"({"MaHoSo":{"x":1}})"), R"(MaHoSo: expected text, got an object {"x":1})");
  EXPECT_EQ(map_text(R"({"MaHoSo":""})").code, "");
}

TEST(MapRecord, WrongTypesAreErrorsNamingTheField) {
  EXPECT_EQ(error_of(R"({"MaHoSo":"X-1","ChuHoSo":{"ten":"An"}})"),
            R"(ChuHoSo: expected text, got an object {"ten":"An"})");
  EXPECT_EQ(error_of(R"({"MaHoSo":"X-1","ChuHoSo":1.5})"),
            "ChuHoSo: expected text, got a number 1.5");
  EXPECT_EQ(error_of(R"({"MaHoSo":"X-1","QuaTrinhXuLy":{"NguoiXuLy":"An"}})"),
            R"(QuaTrinhXuLy: expected an array, got an object {"NguoiXuLy":"An"})");
  EXPECT_EQ(error_of(R"({"MaHoSo":"X-1","DanhSachXinLoi":"[]"})"),
            R"(DanhSachXinLoi: expected an array, got a string "[]")");
  EXPECT_EQ(error_of(R"({"MaHoSo":"X-1","DanhSachHoSoBoSung":[{},"x"]})"),
            R"(DanhSachHoSoBoSung[1]: expected an object, got a string "x")");
  EXPECT_EQ(error_of(R"({"MaHoSo":"X-1","QuaTrinhXuLy":[{"NguoiXuLy":["An"]}]})"),
            R"(QuaTrinhXuLy[0].NguoiXuLy: expected text, got an array ["An"])");
  const MapResult r = map_text(R"({"MaHoSo":"X-1","NgayTra":1})");
  EXPECT_EQ(r.code, "X-1");  // known even though the record is bad
}

TEST(MapRecord, BlankArraysAreEmpty) {
  const sla::Dossier d = dossier_of(
      R"({"MaHoSo":"X-1","QuaTrinhXuLy":"","DanhSachHoSoBoSung":null,"DanhSachXinLoi":" "})");
  EXPECT_TRUE(d.steps.empty());
  EXPECT_TRUE(d.supplements.empty());
  EXPECT_TRUE(d.apologies.empty());
}

TEST(MapRecord, BadValuesAreCutInErrors) {
  const std::string long_value(5000, '9');
  const std::string error =
      error_of(std::string(R"({"MaHoSo":"X-1","NgayHenTra":")") + long_value + "\"}");
  EXPECT_THAT(error, HasSubstr("NgayHenTra: \"9999"));
  EXPECT_THAT(error, HasSubstr("…"));
  EXPECT_LT(error.size(), 200u);

  std::string object = R"({"MaHoSo":"X-1","ChuHoSo":{"a":")";
  for (int i = 0; i < 100; ++i)
    object += "Nguyễn ";
  object += "\"}}";
  const std::string cut = error_of(object);
  EXPECT_LT(cut.size(), 200u);
  EXPECT_THAT(cut, HasSubstr("…"));
}

TEST(MapRecord, InvalidUtf8IsAnErrorNotAThrow) {
  json::object o;
  o["MaHoSo"] = "X-1";
  o["ChuHoSo"] =
      "Nguy\xFF"
      "n";
  MapResult r;
  EXPECT_NO_THROW(r = map_record(o, {}, "motcua"));
  EXPECT_FALSE(r.dossier.has_value());
  EXPECT_THAT(r.error, HasSubstr("ChuHoSo: invalid UTF-8"));
  EXPECT_THAT(r.error, Not(HasSubstr("\xFF")));
}

}  // namespace
}  // namespace motcua::connectors
