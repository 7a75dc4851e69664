#pragma once
// Source kind `dvc`: lookups on the public-service portal (DOMAIN.md "Upstream interfaces").
// TraCuuHoSo tells whether the portal holds a one-stop dossier and in what state; the daemon picks
// the codes (received in the last `lookback`, not yet confirmed on the portal in the state the
// one-stop system shows) from the store. LayThuTuc gives a procedure's statutory processing time
// per channel. Lookups run as parallel coroutines with a bound on concurrency and a request rate,
// because the portal is shared by a whole country and throttles its callers.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "connectors/mapping.hpp"
#include "connectors/upstream_session.hpp"
#include "sla/dossier.hpp"
#include "sla/duration.hpp"

namespace motcua::connectors {

// Service and parameter names; vendors differ (DOMAIN.md).
struct PortalProtocol {
  std::string lookup_service = "TraCuuHoSo";
  std::string code_param = "MaHoSo";
  std::string procedure_service = "LayThuTuc";
  std::string procedure_param = "MaTTHC";
  std::string result = "result";  // when absent, "data" is read instead
};

struct LookupOptions {
  std::size_t concurrency = 4;  // lookups in flight at once (at least 1)
  // Requests started per second over all lookups of one call (a token bucket); 0: no limit.
  double rate_limit = 5.0;
  std::size_t burst = 1;  // requests that may start at once after a quiet spell (at least 1)
  // After this many lookups in a row failed for the portal's sake (no answer, HTTP errors), the
  // rest are not tried: with a portal down, waiting out every timeout would hold the cycle for
  // hours. 0: never give up.
  std::size_t max_consecutive_failures = 5;
  PortalProtocol protocol;
};

struct PortalLookup {
  std::string code;    // as asked
  bool found = false;  // the portal holds a copy (meaningful when the lookup itself worked)
  // The copy mapped with the source's mapping; status and finished_at are its TrangThaiHoSo and
  // NgayKetThucXuLy, the fields the status_mismatch rule compares.
  std::optional<sla::Dossier> dossier;
  sla::Status status = sla::Status::unknown;
  std::optional<sla::Instant> finished_at;
  std::string raw;  // the copy's JSON text
  // The lookup failed (then `found` says nothing), or the copy was found but could not be mapped
  // (then `found` is true and `raw` holds it). Never credentials.
  std::string error;
  bool looked_up = false;  // false when skipped after a refused login or too many failures

  bool ok() const { return error.empty(); }
};

struct LookupReport {
  std::vector<PortalLookup> results;  // one per code asked, in the same order
  std::size_t requests = 0;           // TraCuuHoSo calls made
  std::size_t found = 0;
  std::size_t missing = 0;
  std::size_t failed = 0;  // results with an error, skipped ones included
  std::chrono::milliseconds duration{0};
  std::string error;       // why lookups stopped early, if they did
  bool reachable = false;  // at least one lookup got an answer
};

// Looks up every code. Runs on the calling coroutine's executor (one thread or a strand, as the
// session requires). Never throws for upstream failures.
boost::asio::awaitable<LookupReport> lookup_dossiers(UpstreamSession& session,
                                                     const RecordMapping& mapping,
                                                     std::string_view source,
                                                     std::vector<std::string> codes,
                                                     LookupOptions options);

// A processing time unit as the portal writes it in DONVITINH.
enum class TimeUnit { working_days, working_hours, days, hours, unknown };

struct StatutoryTime {
  std::string channel;           // KENH as sent: "1" in person, "2" online, "3" postal
  std::optional<double> amount;  // THOIGIANGIAIQUYET; nullopt when it is not a number
  TimeUnit unit = TimeUnit::unknown;
  std::string unit_text;    // DONVITINH as sent, e.g. "Ngày làm việc"
  std::string description;  // MOTA

  // The amount as an sla::Duration: whole working days, working or clock hours, clock days.
  // nullopt for an unknown unit, a missing amount, or a fraction of a working day (whose length
  // is the calendar's business).
  std::optional<sla::Duration> duration() const;
};

struct ProcedureInfo {
  std::string code;                  // MaTTHC
  std::string name;                  // TenTTHC
  std::string sector;                // MaLinhVuc
  std::vector<StatutoryTime> times;  // from CACHTHUCTHUCHIEN[].THOIGIAN[]
};

struct ProcedureLookup {
  bool found = false;
  ProcedureInfo procedure;
  std::string raw;    // the portal's record
  std::string error;  // the lookup failed or the answer had the wrong shape

  bool ok() const { return error.empty(); }
};

TimeUnit parse_time_unit(std::string_view donvitinh);

boost::asio::awaitable<ProcedureLookup> lookup_procedure(UpstreamSession& session,
                                                         std::string procedure_code,
                                                         PortalProtocol protocol = {});

}  // namespace motcua::connectors
