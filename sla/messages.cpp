#include "sla/messages.hpp"

#include <cstdio>

namespace motcua::sla::messages {

using namespace std::chrono;

namespace {

// "1,5" with a decimal comma, as Vietnamese writes numbers; no trailing ",0".
std::string decimal(double v) {
  const auto tenths = static_cast<long long>(v * 10.0 + 0.5);
  std::string s = std::to_string(tenths / 10);
  if (tenths % 10 != 0) {
    s += ',';
    s += static_cast<char>('0' + tenths % 10);
  }
  return s;
}

// "dd/mm/yyyy"
std::string date_only(Date d) {
  return format_vn(at_local(d, seconds(0), seconds(0)), seconds(0)).substr(0, 10);
}

// "Hồ sơ 000.00.12.H37-260301-0007 (Cấp giấy phép xây dựng, mã 1.004227) của Sở Xây dựng"
std::string subject(const Dossier& d) {
  std::string out;
  out.reserve(256);
  out += "Hồ sơ ";
  out += d.code;
  if (!d.procedure_name.empty() || !d.procedure.empty()) {
    out += " (";
    out += d.procedure_name.empty() ? "TTHC" : d.procedure_name;
    if (!d.procedure.empty()) {
      out += ", mã ";
      out += d.procedure;
    }
    out += ")";
  }
  out += " của ";
  out += d.agency_name.empty() ? d.agency : d.agency_name;
  return out;
}

}  // namespace

std::string working_time(seconds working, seconds day_length) {
  if (working < seconds::zero()) working = seconds::zero();
  const auto day = day_length.count() > 0 ? day_length.count() : 8 * 3600;
  const auto whole_days = working.count() / day;
  const auto rest = working.count() % day;
  std::string out;
  if (whole_days > 0) out = std::to_string(whole_days) + " ngày";
  if (rest > 0 || whole_days == 0) {
    if (!out.empty()) out += ' ';
    if (rest > 0 && rest < 3600)
      out += std::to_string((rest + 59) / 60) + " phút";
    else
      out += decimal(static_cast<double>(rest) / 3600.0) + " giờ";
  }
  return out + " làm việc";
}

std::string due_soon(const Dossier& d, Instant due, seconds remaining, bool apology_still_possible,
                     const Style& s) {
  std::string out = subject(d) + " sắp đến hạn trả kết quả: còn " +
                    working_time(remaining, s.day_length) + " (hạn " +
                    format_vn(due, s.utc_offset) + "). Đề nghị hoàn thành giải quyết trước hạn";
  out += apology_still_possible
             ? "; nếu không kịp, ban hành văn bản xin lỗi và hẹn lại ngày trả kết quả ngay hôm nay."
             : "; nếu không kịp, ban hành ngay văn bản xin lỗi và hẹn lại ngày trả kết quả.";
  return out;
}

std::string overdue(const Dossier& d, Instant due, seconds late, bool has_apology, const Style& s) {
  std::string out = subject(d) + " đã quá hạn " + working_time(late, s.day_length) + " (hạn trả " +
                    format_vn(due, s.utc_offset) + "). ";
  out += has_apology
             ? "Đề nghị khẩn trương giải quyết, trả kết quả cho người dân, tổ chức."
             : "Đề nghị khẩn trương giải quyết và ban hành văn bản xin lỗi, hẹn lại ngày trả kết "
               "quả ngay hôm nay.";
  return out;
}

std::string step_overdue(const Dossier& d, const Step& step, seconds late, const Style& s) {
  std::string out = subject(d) + ": bước xử lý";
  if (!step.department.empty()) out += " tại " + step.department;
  if (!step.handler.empty()) out += " (người xử lý: " + step.handler + ")";
  out += " đã quá hạn " + working_time(late, s.day_length);
  if (step.due_at) out += " (hạn bước " + format_vn(*step.due_at, s.utc_offset) + ")";
  out += ". Đề nghị hoàn thành bước xử lý và chuyển bước tiếp theo.";
  return out;
}

std::string finished_late(const Dossier& d, Instant legal_due, Instant finished, seconds late,
                          const Style& s) {
  return subject(d) + " hoàn thành muộn " + working_time(late, s.day_length) + " so với hạn " +
         format_vn(legal_due, s.utc_offset) + " (hoàn thành " + format_vn(finished, s.utc_offset) +
         "); hồ sơ được tính là trễ hạn. Đề nghị rà soát nguyên nhân và bảo đảm đã có văn bản "
         "xin lỗi người dân, tổ chức.";
}

std::string apology_missing(const Dossier& d, Instant missed_due, int missed, int apologies,
                            bool finished, const Style& s) {
  std::string out = subject(d);
  out += finished ? " đã trả kết quả trễ hạn" : " đã trễ hạn";
  out += " (hạn " + format_vn(missed_due, s.utc_offset) + ") nhưng chưa có văn bản xin lỗi";
  if (missed > 1)
    out += " cho lần trễ hẹn thứ " + std::to_string(apologies + 1) + " (trễ hẹn " +
           std::to_string(missed) + " lần, mới có " + std::to_string(apologies) + " văn bản)";
  out += ". Đề nghị ban hành văn bản xin lỗi";
  out += finished ? " gửi người dân, tổ chức ngay hôm nay."
                  : " và hẹn lại ngày trả kết quả ngay hôm nay.";
  return out;
}

std::string apology_late(const Dossier& d, Instant issued, Date latest_allowed, Instant covered_due,
                         int late_count, const Style& s) {
  std::string out = subject(d) + ": văn bản xin lỗi ban hành ngày " +
                    date_only(local_date(issued, s.utc_offset)) +
                    ", muộn hơn quy định (chậm nhất ngày " + date_only(latest_allowed) +
                    ", trước hạn " + format_vn(covered_due, s.utc_offset) + ")";
  if (late_count > 1) out += "; có " + std::to_string(late_count) + " văn bản xin lỗi muộn";
  out += ". Đề nghị theo dõi tiến độ để xin lỗi và hẹn lại trước hạn ít nhất 01 ngày làm việc.";
  return out;
}

std::string repeat_supplement(const Dossier& d, int requests, const Style&) {
  return subject(d) + " bị yêu cầu bổ sung, hoàn thiện " + std::to_string(requests) +
         " lần. Việc yêu cầu bổ sung chỉ được thực hiện một lần bằng văn bản, nêu đầy đủ nội "
         "dung cần bổ sung; hồ sơ được tính là trễ hạn. Đề nghị rà soát, chấn chỉnh.";
}

std::string supplement_reason_missing(const Dossier& d, const SupplementRequest& r, int blank_count,
                                      const Style& s) {
  std::string out = subject(d) + ": yêu cầu bổ sung";
  if (r.requested_at) out += " ngày " + date_only(local_date(*r.requested_at, s.utc_offset));
  if (!r.requested_by.empty()) out += " (người yêu cầu: " + r.requested_by + ")";
  out += " không ghi rõ nội dung cần bổ sung";
  if (blank_count > 1) out += " (" + std::to_string(blank_count) + " yêu cầu)";
  out +=
      ". Đề nghị nêu rõ lý do, nội dung cần bổ sung bằng phiếu yêu cầu bổ sung, hoàn thiện "
      "hồ sơ (mẫu 02).";
  return out;
}

std::string refusal_reason_missing(const Dossier& d, const Style&) {
  return subject(d) +
         " bị từ chối nhưng không ghi rõ lý do. Đề nghị nêu rõ lý do bằng phiếu từ chối tiếp "
         "nhận, giải quyết hồ sơ (mẫu 03).";
}

const char* rule_title(Rule r) {
  switch (r) {
    case Rule::due_soon:
      return "Sắp đến hạn";
    case Rule::overdue:
      return "Quá hạn";
    case Rule::step_overdue:
      return "Quá hạn bước xử lý";
    case Rule::finished_late:
      return "Hoàn thành trễ hạn";
    case Rule::apology_missing:
      return "Chưa có văn bản xin lỗi";
    case Rule::apology_late:
      return "Xin lỗi muộn";
    case Rule::repeat_supplement:
      return "Yêu cầu bổ sung nhiều lần";
    case Rule::reason_missing:
      return "Thiếu lý do";
    case Rule::deadline_rewritten:
      return "Hạn xử lý bị sửa";
    case Rule::portal_missing:
      return "Chưa đồng bộ lên Cổng DVC";
    case Rule::status_mismatch:
      return "Trạng thái khác Cổng DVC";
    case Rule::source_stale:
      return "Nguồn dữ liệu không cập nhật";
  }
  return "";
}

const char* severity_title(Severity s) {
  switch (s) {
    case Severity::info:
      return "Thông tin";
    case Severity::warning:
      return "Cảnh báo";
    case Severity::critical:
      return "Nghiêm trọng";
  }
  return "";
}

namespace {

std::string instant_or_blank(const std::optional<Instant>& t, const Style& s) {
  return t ? format_vn(*t, s.utc_offset) : std::string("(trống)");
}

}  // namespace

std::string deadline_rewritten(const Dossier& d, bool finish_field,
                               const std::optional<Instant>& old_value,
                               const std::optional<Instant>& new_value, int edits, const Style& s) {
  std::string out = subject(d) + ": ";
  out += finish_field ? "ngày kết thúc xử lý" : "hạn trả kết quả";
  out +=
      " bị sửa từ " + instant_or_blank(old_value, s) + " thành " + instant_or_blank(new_value, s);
  if (edits > 1) out += " (" + std::to_string(edits) + " lần sửa)";
  out +=
      " mà không có yêu cầu bổ sung hay văn bản xin lỗi kèm theo. Đề nghị kiểm tra thao tác "
      "điều chỉnh hạn (“đặt lại hồ sơ quá hạn”) và bảo đảm kết quả đúng hạn được tính "
      "trung thực.";
  return out;
}

std::string portal_missing(const Dossier& d, const std::string& portal, Instant received,
                           Instant checked, const Style& s) {
  return subject(d) + " tiếp nhận ngày " + format_vn(received, s.utc_offset) +
         " chưa có trên Cổng dịch vụ công (" + portal + ", tra cứu lúc " +
         format_vn(checked, s.utc_offset) +
         "). Đề nghị kiểm tra việc đồng bộ hồ sơ lên Cổng dịch vụ công.";
}

std::string status_mismatch(const Dossier& d, const std::string& portal,
                            const std::optional<Status>& portal_status,
                            const std::optional<Instant>& portal_finished, const Style& s) {
  std::string out = subject(d) + ": Cổng dịch vụ công (" + portal + ") ghi trạng thái “";
  out += portal_status ? status_name_vi(*portal_status) : "(trống)";
  out += "”";
  if (portal_finished != d.finished_at)
    out += ", ngày kết thúc xử lý " + instant_or_blank(portal_finished, s);
  out += "; hệ thống một cửa ghi “";
  out += status_name_vi(d.status);
  out += "”";
  if (portal_finished != d.finished_at)
    out += ", ngày kết thúc xử lý " + instant_or_blank(d.finished_at, s);
  out += ". Đề nghị đồng bộ lại hồ sơ lên Cổng dịch vụ công.";
  return out;
}

std::string source_stale(const std::string& source, const std::optional<Instant>& last_success,
                         const std::string& last_error, int failures, const Style& s) {
  std::string out = "Nguồn dữ liệu " + source + " ";
  out += last_success ? "không đồng bộ được từ " + format_vn(*last_success, s.utc_offset)
                      : std::string("chưa đồng bộ được lần nào");
  if (failures > 0) out += " (" + std::to_string(failures) + " lần lỗi liên tiếp)";
  if (!last_error.empty()) out += "; lỗi gần nhất: " + last_error;
  out += ". Các cảnh báo của nguồn này có thể chưa đầy đủ; đề nghị kiểm tra kết nối.";
  return out;
}

}  // namespace motcua::sla::messages
