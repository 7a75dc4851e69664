#include "sla/dossier.hpp"

namespace motcua::sla {

// DOMAIN.md "Rule semantics / Clock": running 2, 4; paused (the applicant's turn) 5, 6; ended 3,
// 7, 8; finished 9, 10; not started 1.
Clock clock_of(Status s) {
  switch (s) {
    case Status::received:
    case Status::processing:
      return Clock::running;
    case Status::waiting_supplement:
    case Status::waiting_payment:
      return Clock::paused;
    case Status::refused:
    case Status::withdrawn:
    case Status::stopped:
      return Clock::ended;
    case Status::processed:
    case Status::returned:
      return Clock::finished;
    case Status::submitted:
    case Status::unknown:
      break;
  }
  return Clock::not_started;
}

const char* status_name_vi(Status s) {
  switch (s) {
    case Status::submitted:
      return "Mới đăng ký";
    case Status::received:
      return "Được tiếp nhận";
    case Status::refused:
      return "Không được tiếp nhận";
    case Status::processing:
      return "Đang xử lý";
    case Status::waiting_supplement:
      return "Yêu cầu bổ sung giấy tờ";
    case Status::waiting_payment:
      return "Yêu cầu thực hiện nghĩa vụ tài chính";
    case Status::withdrawn:
      return "Công dân yêu cầu rút hồ sơ";
    case Status::stopped:
      return "Dừng xử lý";
    case Status::processed:
      return "Đã xử lý xong";
    case Status::returned:
      return "Đã trả kết quả";
    case Status::unknown:
      break;
  }
  return "Không rõ";
}

}  // namespace motcua::sla
