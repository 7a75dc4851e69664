#pragma once
// From alerts to notifications (Alertmanager's dispatcher and notification log, Icinga's
// escalations): the stored alerts are routed into groups, and each group is told — once its
// `group_wait` has passed, again after `group_interval` when new alerts joined it, as a reminder
// after `repeat_interval` of working time, to each escalation step's receiver once the group has
// been unresolved for the step's working time, and (receivers with `send_resolved`) when all its
// alerts resolved. Every notification becomes one outbox row per channel of its receiver, in the
// same transaction as the group's new state; e-mail waits for the next working session unless the
// receiver says otherwise. Delivery is the outbox's business.
#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "alerts/notification.hpp"
#include "alerts/routing.hpp"
#include "config/config.hpp"
#include "sla/calendar.hpp"
#include "store/alert_store.hpp"
#include "store/database.hpp"
#include "store/group_log.hpp"
#include "store/outbox.hpp"

namespace motcua::alerts {

struct DispatchReport {
  std::size_t groups = 0;         // groups with firing alerts
  std::size_t notifications = 0;  // decided (each may have one or two channels)
  std::size_t outbox_rows = 0;    // queued
  std::size_t unrouted = 0;       // firing alerts no route takes
  std::size_t silenced = 0;       // alerts an active silence mutes
};

// Whether a silence with these matchers (label = value, all must hold) mutes an alert with these
// labels. Empty matchers mute nothing.
bool silenced(const std::map<std::string, std::string>& matchers,
              const std::map<std::string, std::string>& labels);

class Dispatcher {
 public:
  Dispatcher(const config::Config& cfg, const sla::WorkingCalendar& calendar, store::Database& db);

  // Decides what every group is owed at `now` and queues it. `flush` (the end of a --once cycle)
  // does not wait for group_wait or group_interval; reminders and escalations still wait for
  // their time.
  DispatchReport run(sla::Instant now, bool flush);

 private:
  sla::Instant after(sla::Instant from, const sla::Duration& d) const;

  const config::Config& cfg_;
  const sla::WorkingCalendar& calendar_;
  store::Database& db_;
  store::AlertStore alerts_;
  store::GroupLog groups_;
  store::Outbox outbox_;
  Routes routes_;
};

// The notification as the outbox stores it (the native webhook JSON) and back.
Notification parse_native_payload(std::string_view json);

}  // namespace motcua::alerts
