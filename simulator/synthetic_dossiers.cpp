#include "simulator/synthetic_dossiers.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace motcua::sim {

using namespace std::chrono;
using sla::Dossier;
using sla::Instant;
using sla::Status;

namespace {

struct ProcedureName {
  std::string_view sector;
  std::string_view name;
  int working_days;
};

// Provincial departments: one sector each, a handful of procedures per sector.
struct Department {
  std::string_view name;
  std::string_view sector;
  std::string_view specialist;
};

constexpr std::array kDepartments{
    Department{"Sở Xây dựng", "XD", "Phòng Quản lý xây dựng"},
    Department{"Sở Tư pháp", "TP", "Phòng Hành chính tư pháp"},
    Department{"Sở Y tế", "YT", "Phòng Nghiệp vụ Dược"},
    Department{"Sở Giáo dục và Đào tạo", "GD", "Phòng Khảo thí và Quản lý chất lượng"},
    Department{"Sở Tài chính", "TC", "Phòng Đăng ký kinh doanh"},
    Department{"Sở Nội vụ", "NV", "Phòng Lao động - Việc làm"},
    Department{"Sở Công Thương", "CT", "Phòng Quản lý thương mại"},
    Department{"Sở Nông nghiệp và Môi trường", "MT", "Văn phòng Đăng ký đất đai"},
    Department{"Sở Văn hóa, Thể thao và Du lịch", "VH", "Phòng Quản lý du lịch"},
    Department{"Sở Khoa học và Công nghệ", "KH", "Phòng Quản lý công nghệ"},
    Department{"Sở Dân tộc và Tôn giáo", "DT", "Phòng Tôn giáo"},
    Department{"Ban Quản lý các khu kinh tế", "KT", "Phòng Quản lý đầu tư"},
};

constexpr std::array kProvincialProcedures{
    ProcedureName{"XD", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", 15},
    ProcedureName{"XD", "Cấp giấy phép sửa chữa, cải tạo công trình", 15},
    ProcedureName{"XD", "Cấp chứng chỉ hành nghề hoạt động xây dựng", 20},
    ProcedureName{"XD", "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", 5},
    ProcedureName{"TP", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", 10},
    ProcedureName{"TP", "Đăng ký hoạt động văn phòng công chứng", 10},
    ProcedureName{"TP", "Đăng ký hành nghề luật sư với tư cách cá nhân", 7},
    ProcedureName{"YT", "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược", 20},
    ProcedureName{"YT", "Cấp chứng chỉ hành nghề dược", 10},
    ProcedureName{"YT", "Cấp giấy phép hoạt động đối với phòng khám đa khoa", 20},
    ProcedureName{"YT", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", 15},
    ProcedureName{"GD", "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", 1},
    ProcedureName{"GD", "Cho phép trung tâm ngoại ngữ, tin học hoạt động giáo dục", 20},
    ProcedureName{"GD", "Chuyển trường đối với học sinh trung học phổ thông", 3},
    ProcedureName{"TC", "Đăng ký thành lập doanh nghiệp tư nhân", 3},
    ProcedureName{"TC", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", 3},
    ProcedureName{"TC", "Cấp Giấy chứng nhận đăng ký đầu tư", 15},
    ProcedureName{"NV", "Cấp giấy phép lao động cho người lao động nước ngoài", 5},
    ProcedureName{"NV", "Giải quyết chế độ ưu đãi đối với người có công với cách mạng", 12},
    ProcedureName{"NV", "Công nhận ban vận động thành lập hội", 15},
    ProcedureName{"CT", "Cấp Giấy phép bán lẻ sản phẩm rượu", 10},
    ProcedureName{"CT", "Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu", 15},
    ProcedureName{"CT", "Cấp Giấy phép hoạt động điện lực", 15},
    ProcedureName{"MT", "Đăng ký đất đai, tài sản gắn liền với đất lần đầu", 20},
    ProcedureName{"MT", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản", 10},
    ProcedureName{"MT", "Cấp giấy phép môi trường", 20},
    ProcedureName{"MT", "Cấp giấy phép khai thác, sử dụng nước dưới đất", 20},
    ProcedureName{"VH", "Cấp giấy phép tổ chức biểu diễn nghệ thuật", 5},
    ProcedureName{"VH", "Công nhận hạng cơ sở lưu trú du lịch", 15},
    ProcedureName{"VH", "Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa", 10},
    ProcedureName{"KH", "Cấp giấy chứng nhận đăng ký hoạt động khoa học và công nghệ", 15},
    ProcedureName{"KH", "Cấp giấy phép tiến hành công việc bức xạ", 15},
    ProcedureName{"DT", "Đăng ký hoạt động tín ngưỡng", 15},
    ProcedureName{"DT", "Đăng ký sinh hoạt tôn giáo tập trung", 20},
    ProcedureName{"KT", "Điều chỉnh dự án đầu tư trong khu kinh tế", 15},
    ProcedureName{"KT", "Cấp giấy phép lao động tại khu kinh tế", 5},
};

// Communes and wards: the same short list of civil-status and everyday procedures everywhere.
constexpr std::array<std::string_view, 28> kCommunes{
    "UBND phường Tân Phong",  "UBND phường Đoàn Kết", "UBND phường Quyết Thắng",
    "UBND phường Đông Phong", "UBND phường Tân Hà",   "UBND xã Bình Lư",
    "UBND xã Phong Thổ",      "UBND xã Sìn Hồ",       "UBND xã Tam Đường",
    "UBND xã Than Uyên",      "UBND xã Tân Uyên",     "UBND xã Mường Tè",
    "UBND xã Nậm Nhùn",       "UBND xã Bản Bo",       "UBND xã Khun Há",
    "UBND xã Mường Kim",      "UBND xã Pắc Ta",       "UBND xã Dào San",
    "UBND xã Sì Lở Lầu",      "UBND xã Khổng Lào",    "UBND xã Nậm Tăm",
    "UBND xã Pa Tần",         "UBND xã Hua Bum",      "UBND xã Bum Nưa",
    "UBND xã Thu Lũm",        "UBND xã Mường Khoa",   "UBND xã Nậm Sỏ",
    "UBND xã Tà Tổng",
};

constexpr std::array kCommuneProcedures{
    ProcedureName{"HT", "Đăng ký khai sinh", 1},
    ProcedureName{"HT", "Đăng ký kết hôn", 3},
    ProcedureName{"HT", "Đăng ký khai tử", 1},
    ProcedureName{"CT", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", 1},
    ProcedureName{"CT", "Chứng thực hợp đồng, giao dịch liên quan đến nhà ở", 2},
    ProcedureName{"HT", "Cấp Giấy xác nhận tình trạng hôn nhân", 3},
    ProcedureName{"HT", "Thay đổi, cải chính, bổ sung thông tin hộ tịch", 3},
    ProcedureName{"DK", "Đăng ký thành lập hộ kinh doanh", 3},
    ProcedureName{"XD", "Cấp giấy phép xây dựng nhà ở riêng lẻ", 15},
    ProcedureName{"BT", "Trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội", 15},
    ProcedureName{"DD", "Hòa giải tranh chấp đất đai", 20},
    ProcedureName{"NC", "Hỗ trợ người có công với cách mạng cải thiện nhà ở", 10},
    ProcedureName{"HT", "Đăng ký nhận cha, mẹ, con", 3},
};

constexpr std::array<std::string_view, 32> kPeople{
    "Nguyễn Văn An",  "Trần Thị Bích",  "Lê Hoàng Cường", "Phạm Thị Dung", "Hoàng Văn Bình",
    "Vũ Thị Hạnh",    "Đặng Minh Khôi", "Bùi Thị Lan",    "Đỗ Quang Huy",  "Hồ Thị Mai",
    "Ngô Văn Nam",    "Dương Thị Oanh", "Lý Văn Phúc",    "Lường Thị Hoa", "Đinh Văn Tuấn",
    "Vi Thị Lan",     "Hà Minh Đức",    "Lò Văn Sơn",     "Tòng Thị Thu",  "Giàng A Páo",
    "Sùng Thị Mỷ",    "Chẩu Văn Lâm",   "Phan Thanh Tâm", "Mai Thị Xuân",  "Trịnh Văn Hùng",
    "Cao Thị Yến",    "Quàng Văn Ơn",   "Tẩn Láo Lở",     "Lù Thị Nhung",  "Vàng A Chứ",
    "Kiều Minh Tuấn", "Nông Thị Hằng",
};

constexpr std::array<std::string_view, 8> kCompanies{
    "Công ty TNHH Xây dựng Tân Phong",
    "Công ty cổ phần Dược phẩm Lai Châu",
    "Hợp tác xã Chè Tam Đường",
    "Công ty TNHH Du lịch Sìn Hồ",
    "Công ty cổ phần Thủy điện Nậm Na",
    "Công ty TNHH Thương mại Hoàng Long",
    "Doanh nghiệp tư nhân Xăng dầu Bình Lư",
    "Trung tâm Ngoại ngữ Tin học Ánh Dương",
};

constexpr std::array<std::string_view, 5> kExamination{
    "Thẩm định hồ sơ",
    "Xác minh thực địa",
    "Lấy ý kiến cơ quan liên quan",
    "Thẩm tra, đề xuất phương án giải quyết",
    "Kiểm tra, đối chiếu thông tin trên Cơ sở dữ liệu quốc gia về dân cư",
};

constexpr std::array<std::string_view, 8> kSupplementReasons{
    "Bổ sung bản sao Giấy chứng nhận quyền sử dụng đất có chứng thực",
    "Bổ sung bản vẽ thiết kế có chữ ký của chủ đầu tư",
    "Kê khai lại tờ khai theo Mẫu số 01 ban hành kèm theo Nghị định",
    "Bổ sung văn bản ủy quyền có chứng thực",
    "Bổ sung giấy tờ chứng minh nhân thân của người được ủy quyền",
    "Nộp bản chính Giấy khám sức khỏe còn thời hạn",
    "Bổ sung hợp đồng thuê địa điểm kinh doanh",
    "Làm rõ diện tích xây dựng sai khác so với hiện trạng",
};

constexpr std::array<std::string_view, 6> kApologyReasons{
    "Hồ sơ cần xác minh thêm thông tin tại thực địa",
    "Chờ ý kiến của cơ quan có liên quan",
    "Hệ thống Cơ sở dữ liệu quốc gia về dân cư gián đoạn",
    "Số lượng hồ sơ tiếp nhận tăng đột biến sau Tết Nguyên đán",
    "Cán bộ thụ lý đi công tác đột xuất",
    "Chờ kết quả thẩm định cơ sở",
};

constexpr std::array<std::string_view, 4> kRefusalReasons{
    "Từ chối tiếp nhận: hồ sơ không đúng thành phần theo quy định",
    "Từ chối: thủ tục không thuộc thẩm quyền giải quyết",
    "Từ chối: thông tin trên tờ khai không khớp Cơ sở dữ liệu quốc gia về dân cư",
    "Từ chối: giấy tờ hết hiệu lực",
};

// Shares of the whole population (DOMAIN.md "Clock"): most dossiers are running, as in a live
// system; finished ones stay until the 30-day lookback lets them go.
struct StatusWeight {
  Status status;
  int per_mille;
};
constexpr std::array kStatusMix{
    StatusWeight{Status::submitted, 20},
    StatusWeight{Status::processing, 700},
    StatusWeight{Status::waiting_supplement, 45},
    StatusWeight{Status::waiting_payment, 15},
    StatusWeight{Status::refused, 20},
    StatusWeight{Status::withdrawn, 10},
    StatusWeight{Status::stopped, 10},
    StatusWeight{Status::processed, 60},
    StatusWeight{Status::returned, 120},
};

// Running dossiers: some are late already, with or without an apology.
constexpr double kRunningApology = 0.12;
constexpr double kRunningOverdue = 0.11;
constexpr double kFinishedApology = 0.08;
constexpr double kFinishedLate = 0.10;
// Supplementation requests beyond those of the dossiers waiting for one (status 5).
constexpr double kSupplements = 0.11;
constexpr double kBlankReason = 0.07;
constexpr double kApologyOnTime = 0.7;
constexpr double kSecondApology = 0.3;
constexpr std::size_t kProceduresPerAgency = 5;
constexpr int kLongestProcedure = 20;  // working days

template <class T, std::size_t N>
const T& pick_from(const std::array<T, N>& items, std::uint64_t r) {
  return items[r % N];
}

}  // namespace

SyntheticDossiers::SyntheticDossiers(const sla::WorkingCalendar& calendar, Instant now,
                                     std::uint64_t seed, int window_days)
    : calendar_(calendar), now_(now), window_start_(now - days(window_days)), engine_(seed) {
  char code[32];
  auto add_procedure = [&](const ProcedureName& p) {
    // National procedure codes look like 1.004227; 37 is prime to 9000, so they stay distinct.
    const auto n = procedures_.size();
    std::snprintf(code, sizeof code, "%d.%06zu", n % 3 == 0 ? 2 : 1, 1000 + (n * 37) % 9000);
    procedures_.push_back({code, std::string(p.name), std::string(p.sector), p.working_days});
  };

  for (std::size_t i = 0; i < kDepartments.size(); ++i) {
    const Department& dep = kDepartments[i];
    Agency a;
    std::snprintf(code, sizeof code, "000.00.%02zu.H37", 10 + i);
    a.code = code;
    a.name = dep.name;
    a.reception = "Bộ phận Tiếp nhận và Trả kết quả";
    a.specialist = dep.specialist;
    a.leadership = "Ban Giám đốc";
    a.leader_title = "Phó Giám đốc";
    a.first_procedure = procedures_.size();
    std::vector<const ProcedureName*> own;
    for (const auto& p : kProvincialProcedures)
      if (p.sector == dep.sector) own.push_back(&p);
    for (std::size_t k = 0; k < kProceduresPerAgency; ++k)
      add_procedure(*own[k % own.size()]);
    agencies_.push_back(std::move(a));
  }
  for (std::size_t i = 0; i < kCommunes.size(); ++i) {
    Agency a;
    std::snprintf(code, sizeof code, "000.%02zu.%02zu.H37", 21 + i / 10, 30 + i);
    a.code = code;
    a.name = kCommunes[i];
    a.reception = "Bộ phận Một cửa";
    a.specialist = i % 2 ? "Công chức Tư pháp - Hộ tịch" : "Công chức Địa chính - Xây dựng";
    a.leadership = "Lãnh đạo UBND";
    a.leader_title = "Phó Chủ tịch UBND";
    a.first_procedure = procedures_.size();
    for (std::size_t k = 0; k < kProceduresPerAgency; ++k)
      add_procedure(kCommuneProcedures[(i + 3 * k) % kCommuneProcedures.size()]);
    agencies_.push_back(std::move(a));
  }
}

seconds SyntheticDossiers::working_days(double n) const {
  return seconds(
      static_cast<std::int64_t>(n * static_cast<double>(calendar_.working_day_length().count())));
}

void SyntheticDossiers::append(std::size_t count, std::vector<Dossier>& out) {
  for (std::size_t i = 0; i < count; ++i)
    fill(out.emplace_back());
}

void SyntheticDossiers::fill(Dossier& d) {
  auto r = static_cast<int>(below(1000));
  d.status = kStatusMix.back().status;
  for (const auto& w : kStatusMix) {
    if (r < w.per_mille) {
      d.status = w.status;
      break;
    }
    r -= w.per_mille;
  }

  // Provincial departments get fewer but heavier dossiers than the 28 communes together. A
  // dossier stays open as long as its procedure takes, so the open ones lean towards long
  // procedures (Little's law): a one-day birth registration is rarely still open.
  const bool open = sla::clock_of(d.status) == sla::Clock::running ||
                    sla::clock_of(d.status) == sla::Clock::paused;
  const Agency* a = nullptr;
  const Procedure* p = nullptr;
  do {
    a = chance(0.45) ? &agencies_[below(kDepartments.size())]
                     : &agencies_[kDepartments.size() + below(kCommunes.size())];
    p = &procedures_[a->first_procedure + below(kProceduresPerAgency)];
  } while (open && !chance(p->working_days / static_cast<double>(kLongestProcedure)));
  d.source = "motcua";
  d.procedure = p->code;
  d.procedure_name = p->name;
  d.sector = p->sector;
  d.agency = a->code;
  d.agency_name = a->name;
  d.applicant = chance(0.15) ? pick_from(kCompanies, engine_()) : pick_from(kPeople, engine_());
  d.channel = chance(0.45) ? 2 : (chance(0.03) ? 3 : 1);

  switch (sla::clock_of(d.status)) {
    case sla::Clock::running:
      running(d, *a, *p);
      break;
    case sla::Clock::paused:
      paused(d, *a, *p);
      break;
    case sla::Clock::finished:
      finished(d, *a, *p);
      break;
    case sla::Clock::ended:
      ended(d, *a, *p);
      break;
    case sla::Clock::not_started:
      d.submitted_at = now_ - seconds(static_cast<std::int64_t>(between(0, 3 * 86400)));
      d.updated_at = d.submitted_at;
      break;
  }
  set_code(d, *a, d.received_at.value_or(*d.submitted_at));
}

void SyntheticDossiers::running(Dossier& d, const Agency& a, const Procedure& p) {
  const seconds total = working_days(p.working_days);
  const bool apology = chance(kRunningApology);
  Instant receipt;
  if (apology) {
    // The first deadline is near: from half a working day ahead to ten working days ago.
    const seconds missed_by = working_days(between(-0.5, 10));
    const Instant d0 = missed_by < seconds::zero()
                           ? calendar_.add_working_time(now_, -missed_by)
                           : calendar_.subtract_working_time(now_, missed_by);
    receipt = receipt_before(d0, total);
  } else if (chance(kRunningOverdue)) {
    receipt = receipt_before(calendar_.subtract_working_time(now_, working_days(between(0.02, 8))),
                             total);
  } else {
    receipt = receipt_before(now_, working_days(p.working_days * unit()));
  }
  receive(d, receipt, total);
  add_steps(d, a, total, now_);
  if (chance(kSupplements)) add_supplements(d, now_, false);
  if (apology) add_apologies(d, now_);
  // A dossier still with the one-stop desk is "received"; once handed over, "processing".
  d.status = d.steps.size() == 1 ? Status::received : Status::processing;
  d.updated_at = d.steps.back().at;
}

void SyntheticDossiers::paused(Dossier& d, const Agency& a, const Procedure& p) {
  const seconds total = working_days(p.working_days);
  receive(d, receipt_before(now_, working_days(p.working_days * between(0, 1.2))), total);
  add_steps(d, a, total, now_);
  if (d.status == Status::waiting_supplement)
    add_supplements(d, now_, true);
  else if (chance(kSupplements))
    add_supplements(d, now_, false);
  d.updated_at = d.steps.back().at;
}

void SyntheticDossiers::finished(Dossier& d, const Agency& a, const Procedure& p) {
  const seconds total = working_days(p.working_days);
  receive(d, receipt_before(now_, working_days(between(0.5, 38))), total);
  const Instant due = *d.due_at;
  const bool apology = chance(kFinishedApology);
  Instant end;
  if (apology) {
    // Mostly kept the new promise; some finished after it as well.
    end = calendar_.add_working_time(due, working_days(between(0.1, 6)));
  } else if (chance(kFinishedLate)) {
    end = calendar_.add_working_time(due, working_days(between(0.05, 5)));
  } else {
    end = calendar_.add_working_time(calendar_.normalize_receipt(*d.received_at),
                                     working_days(p.working_days * between(0.25, 1)));
  }
  if (end > now_) end = now_ - seconds(static_cast<std::int64_t>(between(0, 3 * 3600)));
  end = std::max(end, *d.received_at);
  if (apology) add_apologies(d, end);

  add_steps(d, a, total, end);
  add_step(d, a.leadership, a.leader_title, "Phê duyệt kết quả giải quyết", end, std::nullopt,
           Status::processed);
  // The finish time is sometimes left empty upstream; the rules then read the step (DOMAIN.md).
  if (chance(0.9)) d.finished_at = end;
  if (d.status == Status::returned) {
    d.returned_at = std::min(now_, end + seconds(static_cast<std::int64_t>(between(0, 2 * 86400))));
    add_step(d, a.reception, "Công chức Một cửa", "Trả kết quả cho tổ chức, cá nhân",
             *d.returned_at, std::nullopt, Status::returned);
  }
  if (chance(kSupplements)) add_supplements(d, end, false);
  d.updated_at = d.steps.back().at;
}

void SyntheticDossiers::ended(Dossier& d, const Agency& a, const Procedure& p) {
  const seconds total = working_days(p.working_days);
  receive(d, receipt_before(now_, working_days(between(0, 30))), total);
  const Instant receipt = calendar_.normalize_receipt(*d.received_at);
  if (d.status == Status::refused) {
    const Instant at =
        std::min(now_, calendar_.add_working_time(
                           receipt, seconds(static_cast<std::int64_t>(between(600, 4 * 3600)))));
    add_step(d, a.reception, "Công chức Một cửa", "Tiếp nhận hồ sơ", *d.received_at,
             calendar_.add_working_time(receipt, working_days(0.5)), Status::received);
    add_step(d, a.reception, "Công chức Một cửa",
             chance(0.25) ? std::string_view{} : pick_from(kRefusalReasons, engine_()), at,
             std::nullopt, Status::refused);
    d.refused_at = at;
    if (chance(0.25)) d.note = "Hồ sơ thiếu thành phần theo quy định";
    d.updated_at = at;
    return;
  }
  const Instant end = std::min(
      now_, calendar_.add_working_time(receipt, working_days(p.working_days * between(0.1, 0.9))));
  add_steps(d, a, total, end);
  add_step(d, a.specialist, "Chuyên viên",
           d.status == Status::withdrawn ? "Công dân rút hồ sơ" : "Dừng xử lý theo đề nghị", end,
           std::nullopt, d.status);
  d.updated_at = end;
}

Instant SyntheticDossiers::receipt_before(Instant at, seconds elapsed) const {
  return std::max(calendar_.subtract_working_time(at, elapsed), window_start_);
}

void SyntheticDossiers::receive(Dossier& d, Instant receipt, seconds total) {
  d.received_at = receipt;
  // Online dossiers arrive at any hour and wait for the desk; at the desk, minutes before receipt.
  const double before = d.channel == 2 ? between(0, 2 * 86400) : between(0, 1200);
  d.submitted_at = receipt - seconds(static_cast<std::int64_t>(before));
  d.due_at = calendar_.add_working_time(calendar_.normalize_receipt(receipt), total);
}

void SyntheticDossiers::add_step(Dossier& d, const std::string& department,
                                 const std::string& title, std::string_view content, Instant at,
                                 std::optional<Instant> due, Status status) {
  sla::Step& s = d.steps.emplace_back();
  s.handler = pick_from(kPeople, engine_());
  s.title = title;
  s.department = department;
  s.content = content;
  s.at = at;
  s.started_at = at;
  s.due_at = due;
  s.status = status;
}

void SyntheticDossiers::add_steps(Dossier& d, const Agency& a, seconds total, Instant limit) {
  const auto planned = static_cast<std::size_t>(1 + below(6));
  std::array<double, 6> weight{};
  double sum = 0;
  for (std::size_t i = 0; i < planned; ++i)
    sum += weight[i] = i == 0 ? 0.5 : between(1, 3);

  Instant start = calendar_.normalize_receipt(*d.received_at);
  for (std::size_t i = 0; i < planned; ++i) {
    const auto share = static_cast<double>(total.count()) * weight[i] / sum;
    const bool last = i + 1 == planned;
    // The last step is due with the dossier; earlier ones after their share of the time.
    const Instant due =
        last ? *d.due_at
             : calendar_.add_working_time(start, seconds(static_cast<std::int64_t>(share)));
    const Instant done = calendar_.add_working_time(
        start, seconds(static_cast<std::int64_t>(share * between(0.35, 1.15))));
    if (i == 0)
      add_step(d, a.reception, "Công chức Một cửa", "Tiếp nhận hồ sơ", *d.received_at, due,
               Status::received);
    else if (last && planned >= 3)
      add_step(d, a.leadership, a.leader_title, "Ký duyệt kết quả", start, due, Status::processing);
    else
      add_step(d, a.specialist, "Chuyên viên", pick_from(kExamination, engine_()), start, due,
               Status::processing);
    if (last || done >= limit) break;
    start = done;
  }
}

void SyntheticDossiers::add_supplements(Dossier& d, Instant limit, bool open_last) {
  const double r = unit();
  const std::size_t count = r < 0.72 ? 1 : (r < 0.94 ? 2 : 3);
  const Instant from = calendar_.normalize_receipt(*d.received_at);
  const seconds span = std::max(seconds::zero(), calendar_.working_time_between(from, limit));
  std::array<double, 3> at{};
  for (std::size_t i = 0; i < count; ++i)
    at[i] = unit();
  std::sort(at.begin(), at.begin() + static_cast<std::ptrdiff_t>(count));
  const Instant due = *d.due_at;
  for (std::size_t i = 0; i < count; ++i) {
    sla::SupplementRequest& s = d.supplements.emplace_back();
    s.requested_by = pick_from(kPeople, engine_());
    if (!chance(kBlankReason))
      s.reason = pick_from(kSupplementReasons, engine_());
    else if (chance(0.3))
      s.reason.assign(1, ' ');  // blank, not empty
    const Instant requested = calendar_.add_working_time(
        from, seconds(static_cast<std::int64_t>(static_cast<double>(span.count()) * at[i])));
    s.requested_at = requested;
    const Instant answered =
        requested + seconds(static_cast<std::int64_t>(between(86400, 6 * 86400)));
    if (!(open_last && i + 1 == count) && answered < limit) s.received_at = answered;
    // The one-stop system moves NgayHenTra by the applicant's time (DOMAIN.md "Deadlines").
    s.due_before = calendar_.subtract_working_time(due, working_days(between(0.5, 3)));
    s.due_after = due;
  }
}

void SyntheticDossiers::add_apology(Dossier& d, Instant covered, Instant promised, Instant limit) {
  sla::Apology& ap = d.apologies.emplace_back();
  ap.reason = pick_from(kApologyReasons, engine_());
  ap.signed_by = pick_from(kPeople, engine_());
  ap.due_before = covered;
  ap.due_after = promised;
  Instant issued = covered + seconds(static_cast<std::int64_t>(between(-2 * 3600, 10 * 3600)));
  // On time: on or before the working day before the deadline's day.
  if (chance(kApologyOnTime) || issued > limit)
    issued = calendar_.subtract_working_time(covered, working_days(between(1, 3)));
  ap.issued_at = std::min(issued, limit);
  // Not before the dossier was received: a deadline close to receipt leaves no earlier day.
  if (d.received_at && *ap.issued_at < *d.received_at) ap.issued_at = d.received_at;
}

void SyntheticDossiers::add_apologies(Dossier& d, Instant limit) {
  const Instant d0 = *d.due_at;
  const Instant n1 = calendar_.add_working_days(d0, static_cast<int>(2 + below(9)));
  add_apology(d, d0, n1, limit);
  Instant current = n1;
  if (n1 < limit && chance(kSecondApology)) {
    current = calendar_.add_working_days(n1, static_cast<int>(2 + below(7)));
    add_apology(d, n1, current, limit);
  }
  // NgayHenTra usually carries the latest promise already; some systems keep the first.
  if (chance(0.85)) d.due_at = current;
}

void SyntheticDossiers::set_code(Dossier& d, const Agency& a, Instant at) {
  const std::chrono::year_month_day ymd{calendar_.local_date(at)};
  char buf[48];
  std::snprintf(
      buf, sizeof buf, "%s-%02d%02u%02u-%04u", a.code.c_str(), static_cast<int>(ymd.year()) % 100,
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      ++sequence_[{a.code, static_cast<int>(calendar_.local_date(at).time_since_epoch().count())}]);
  d.code = buf;
}

}  // namespace motcua::sim
