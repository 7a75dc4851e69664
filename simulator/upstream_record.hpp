#pragma once
// A dossier in the one-stop system's wire format (DOMAIN.md "The dossier record"): the field
// names of the national portal's DongBoHoSoMC record, dates as yyyyMMddHHmmss local time, empty
// strings for "not yet", and numbers sometimes sent as strings — as real vendors do.
#include <chrono>
#include <string>

#include <boost/json/object.hpp>

#include "sla/dossier.hpp"

namespace motcua::sim {

struct WireStyle {
  std::chrono::seconds utc_offset{7 * 3600};
  bool numbers_as_strings = false;  // "TrangThaiHoSo": "4" instead of 4
};

// `storage`: where the record's values live; the listing builds a whole page in one monotonic
// resource, so serving a page costs no malloc per field.
boost::json::object upstream_record(const sla::Dossier& d, const WireStyle& style,
                                    boost::json::storage_ptr storage = {});
std::string upstream_date(const std::optional<sla::Instant>& t, std::chrono::seconds utc_offset);

}  // namespace motcua::sim
