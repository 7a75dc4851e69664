#pragma once
// Shared helpers for the store/ tests: instants from text, a fully filled dossier, a field-by-field
// comparison, and a fresh database file in a temporary folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sla/dossier.hpp"
#include "sla/time.hpp"
#include "store/database.hpp"
#include "store/dossier_store.hpp"
#include "tests/support/process.hpp"

namespace motcua::testing {

// "2026-03-10 10:00" in Vietnam time.
inline sla::Instant T(const std::string& text) {
  std::string full = text;
  if (full.size() == 16) full += ":00+07:00";
  if (full.size() == 19) full += "+07:00";
  auto t = sla::parse_rfc3339(full);
  if (!t) ADD_FAILURE() << "bad test instant " << text;
  return t.value_or(sla::Instant{});
}

// A dossier with every field set, Vietnamese text included.
inline sla::Dossier full_dossier(const std::string& code = "000.00.12.H37-260302-0001",
                                 const std::string& source = "motcua") {
  sla::Dossier d;
  d.code = code;
  d.source = source;
  d.procedure = "1.009972";
  d.procedure_name = "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ";
  d.sector = "G13";
  d.agency = "000.00.12.H37";
  d.agency_name = "Sở Xây dựng tỉnh Hà Tĩnh";
  d.applicant = "Nguyễn Thị Hằng";
  d.note = "Hồ sơ nộp trực tuyến; đã thanh toán phí";
  d.channel = 2;
  d.status = sla::Status::processing;
  d.submitted_at = T("2026-03-02 08:15");
  d.received_at = T("2026-03-02 09:00");
  d.due_at = T("2026-03-16 17:00");
  d.finished_at = T("2026-03-13 16:00");
  d.returned_at = T("2026-03-14 09:30");
  d.refused_at = T("2026-03-03 10:00");
  d.updated_at = T("2026-03-13 16:05");

  sla::Step s;
  s.handler = "Trần Văn Bình";
  s.title = "Chuyên viên";
  s.department = "Phòng Quản lý xây dựng";
  s.content = "Thẩm định hồ sơ, đề xuất cấp phép";
  s.at = T("2026-03-03 14:00");
  s.started_at = T("2026-03-03 08:00");
  s.due_at = T("2026-03-09 17:00");
  s.status = sla::Status::processing;
  d.steps.push_back(s);
  s.handler = "Lê Thị Mai";
  s.title = "Phó Giám đốc";
  s.department = "Ban Giám đốc";
  s.content = "Ban hành văn bản xin lỗi";
  s.at = T("2026-03-12 10:00");
  s.started_at.reset();
  s.due_at.reset();
  s.status = sla::Status::processed;
  d.steps.push_back(s);

  sla::SupplementRequest r;
  r.requested_by = "Trần Văn Bình";
  r.reason = "Thiếu bản vẽ mặt bằng móng công trình";
  r.requested_at = T("2026-03-04 10:00");
  r.received_at = T("2026-03-06 15:00");
  r.due_before = T("2026-03-12 17:00");
  r.due_after = T("2026-03-16 17:00");
  d.supplements.push_back(r);

  sla::Apology a;
  a.reason = "Hồ sơ cần lấy ý kiến của cơ quan liên quan";
  a.signed_by = "Lê Thị Mai";
  a.issued_at = T("2026-03-12 10:00");
  a.due_before = T("2026-03-16 17:00");
  a.due_after = T("2026-03-20 17:00");
  d.apologies.push_back(a);
  a.from_step = true;
  a.reason = "Ban hành văn bản xin lỗi";
  a.due_before.reset();
  a.due_after.reset();
  d.apologies.push_back(a);
  return d;
}

// A small dossier: code, source, status and the deadline fields only.
inline sla::Dossier small_dossier(const std::string& code, const std::string& source = "motcua") {
  sla::Dossier d;
  d.code = code;
  d.source = source;
  d.agency = "000.00.12.H37";
  d.procedure = "1.004227";
  d.status = sla::Status::received;
  d.received_at = T("2026-03-02 09:00");
  d.due_at = T("2026-03-10 17:00");
  d.updated_at = T("2026-03-02 09:00");
  return d;
}

inline store::StoredRecord record_of(sla::Dossier d) {
  std::string raw = "{\"MaHoSo\":\"" + d.code + "\",\"TrangThaiHoSo\":\"" +
                    std::to_string(static_cast<int>(d.status)) + "\"}";
  return store::StoredRecord{std::move(d), std::move(raw)};
}

inline void expect_same(const std::optional<sla::Instant>& a, const std::optional<sla::Instant>& b,
                        const char* what) {
  EXPECT_EQ(a.has_value(), b.has_value()) << what;
  if (a && b) {
    EXPECT_EQ(a->time_since_epoch().count(), b->time_since_epoch().count()) << what;
  }
}

inline void expect_same_dossier(const sla::Dossier& a, const sla::Dossier& b) {
  EXPECT_EQ(a.code, b.code);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.procedure, b.procedure);
  EXPECT_EQ(a.procedure_name, b.procedure_name);
  EXPECT_EQ(a.sector, b.sector);
  EXPECT_EQ(a.agency, b.agency);
  EXPECT_EQ(a.agency_name, b.agency_name);
  EXPECT_EQ(a.applicant, b.applicant);
  EXPECT_EQ(a.note, b.note);
  EXPECT_EQ(a.channel, b.channel);
  EXPECT_EQ(a.status, b.status);
  expect_same(a.submitted_at, b.submitted_at, "submitted_at");
  expect_same(a.received_at, b.received_at, "received_at");
  expect_same(a.due_at, b.due_at, "due_at");
  expect_same(a.finished_at, b.finished_at, "finished_at");
  expect_same(a.returned_at, b.returned_at, "returned_at");
  expect_same(a.refused_at, b.refused_at, "refused_at");
  expect_same(a.updated_at, b.updated_at, "updated_at");
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (std::size_t i = 0; i < a.steps.size(); ++i) {
    SCOPED_TRACE("step " + std::to_string(i));
    EXPECT_EQ(a.steps[i].handler, b.steps[i].handler);
    EXPECT_EQ(a.steps[i].title, b.steps[i].title);
    EXPECT_EQ(a.steps[i].department, b.steps[i].department);
    EXPECT_EQ(a.steps[i].content, b.steps[i].content);
    EXPECT_EQ(a.steps[i].status, b.steps[i].status);
    expect_same(a.steps[i].at, b.steps[i].at, "at");
    expect_same(a.steps[i].started_at, b.steps[i].started_at, "started_at");
    expect_same(a.steps[i].due_at, b.steps[i].due_at, "due_at");
  }
  ASSERT_EQ(a.supplements.size(), b.supplements.size());
  for (std::size_t i = 0; i < a.supplements.size(); ++i) {
    SCOPED_TRACE("supplement " + std::to_string(i));
    EXPECT_EQ(a.supplements[i].requested_by, b.supplements[i].requested_by);
    EXPECT_EQ(a.supplements[i].reason, b.supplements[i].reason);
    expect_same(a.supplements[i].requested_at, b.supplements[i].requested_at, "requested_at");
    expect_same(a.supplements[i].received_at, b.supplements[i].received_at, "received_at");
    expect_same(a.supplements[i].due_before, b.supplements[i].due_before, "due_before");
    expect_same(a.supplements[i].due_after, b.supplements[i].due_after, "due_after");
  }
  ASSERT_EQ(a.apologies.size(), b.apologies.size());
  for (std::size_t i = 0; i < a.apologies.size(); ++i) {
    SCOPED_TRACE("apology " + std::to_string(i));
    EXPECT_EQ(a.apologies[i].reason, b.apologies[i].reason);
    EXPECT_EQ(a.apologies[i].signed_by, b.apologies[i].signed_by);
    EXPECT_EQ(a.apologies[i].from_step, b.apologies[i].from_step);
    expect_same(a.apologies[i].issued_at, b.apologies[i].issued_at, "issued_at");
    expect_same(a.apologies[i].due_before, b.apologies[i].due_before, "due_before");
    expect_same(a.apologies[i].due_after, b.apologies[i].due_after, "due_after");
  }
}

// A test with a state database file of its own.
class StoreTest : public ::testing::Test {
 protected:
  std::filesystem::path db_path() const { return dir_.path() / "state.db"; }
  TempDir dir_;
};

}  // namespace motcua::testing
