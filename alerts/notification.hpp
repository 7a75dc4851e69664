#pragma once
// One notification of one alert group to one receiver, as the notifiers render it: the same
// content whatever the channel (e-mail, native webhook, Alertmanager-format webhook). Plain data,
// filled by the outbox from what it stored; the notifiers only read it.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sla/time.hpp"

namespace motcua::alerts {

using LabelSet = std::map<std::string, std::string>;

enum class AlertStatus : std::uint8_t { firing, resolved };

inline std::string_view alert_status_name(AlertStatus s) {
  return s == AlertStatus::firing ? "firing" : "resolved";
}

// Why this notification is sent now.
enum class NotificationKind : std::uint8_t {
  initial,     // the group's first notification, or new alerts joined it
  repeat,      // still unresolved after repeat_interval: a reminder
  escalation,  // unresolved past an escalation step: sent to the supervisors' receiver
  resolved,    // every alert of the group has resolved (receivers with send_resolved)
};

inline std::string_view notification_kind_name(NotificationKind k) {
  switch (k) {
    case NotificationKind::initial:
      return "initial";
    case NotificationKind::repeat:
      return "repeat";
    case NotificationKind::escalation:
      return "escalation";
    case NotificationKind::resolved:
      return "resolved";
  }
  return "initial";
}

struct NotifiedAlert {
  // Stable identity of the alert (rule, source, dossier), hex; the same across notifications.
  std::string fingerprint;
  AlertStatus status = AlertStatus::firing;
  // rule, dossier, source, agency, procedure, severity, department, handler…
  LabelSet labels;
  // message (Vietnamese, for officials), summary, due, first_due…
  LabelSet annotations;
  sla::Instant starts_at{};
  std::optional<sla::Instant> ends_at;  // when it resolved
  std::string generator_url;            // a link to the dossier in the status API; may be empty
};

struct Notification {
  std::string receiver;  // the [[receiver]] name
  // Identifies the group across notifications (route and group_by values), e.g.
  // `{}/{agency="000.00.12.H37"}:{agency="000.00.12.H37"}`.
  std::string group_key;
  LabelSet group_labels;                     // the route's group_by labels and their values
  AlertStatus status = AlertStatus::firing;  // firing while any alert of the group fires
  std::vector<NotifiedAlert> alerts;
  std::string external_url;  // the daemon's status page, for links back
  // The same for every attempt of this notification and different for any other: receivers
  // drop duplicates by it, since delivery is at least once.
  std::string idempotency_key;
  NotificationKind kind = NotificationKind::initial;
  // Times are written in RFC 3339 at this offset ([daemon] utc_offset).
  std::chrono::seconds utc_offset = sla::kVietnamOffset;
};

}  // namespace motcua::alerts
