#include "alerts/dispatcher.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include <boost/json.hpp>

#include "alerts/alert.hpp"
#include "alerts/webhook.hpp"
#include "store/silence_store.hpp"

namespace motcua::alerts {

namespace json = boost::json;
using namespace std::chrono;

namespace {

struct Group {
  std::size_t route = 0;
  std::map<std::string, std::string> labels;
  std::vector<const store::StoredAlert*> firing;
  std::vector<const store::StoredAlert*> resolved;
};

NotifiedAlert notified(const store::StoredAlert& a, const std::string& external_url) {
  NotifiedAlert n;
  n.fingerprint = a.alert.fingerprint;
  n.status = a.firing ? AlertStatus::firing : AlertStatus::resolved;
  n.labels = parse_string_map(a.alert.labels);
  n.annotations = parse_string_map(a.alert.annotations);
  n.starts_at = a.alert.starts_at;
  if (!a.firing) n.ends_at = a.resolved_at;
  if (!a.alert.dossier.empty() && !external_url.empty())
    n.generator_url = external_url + "api/v1/dossiers/" + a.alert.dossier;
  return n;
}

std::optional<sla::Instant> parse_time(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return sla::parse_rfc3339(std::string(v->as_string()));
}

LabelSet string_map(const json::value* v) {
  LabelSet out;
  if (!v || !v->is_object()) return out;
  for (const auto& [k, val] : v->as_object())
    if (val.is_string()) out.emplace(std::string(k), std::string(val.as_string()));
  return out;
}

std::string text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

bool silenced(const std::map<std::string, std::string>& matchers,
              const std::map<std::string, std::string>& labels) {
  if (matchers.empty()) return false;  // a silence of everything is refused when it is made
  for (const auto& [k, v] : matchers) {
    const auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

Dispatcher::Dispatcher(const config::Config& cfg, const sla::WorkingCalendar& calendar,
                       store::Database& db)
    : cfg_(cfg),
      calendar_(calendar),
      db_(db),
      alerts_(db),
      groups_(db),
      outbox_(db),
      routes_(cfg.routes) {}

sla::Instant Dispatcher::after(sla::Instant from, const sla::Duration& d) const {
  if (d.is_working())
    return calendar_.add_working_time(from, d.working_time(calendar_.working_day_length()));
  return from + seconds(d.amount);
}

DispatchReport Dispatcher::run(sla::Instant now, bool flush) {
  DispatchReport report;
  const std::string external_url = "http://" + cfg_.daemon.listen + "/";
  std::map<std::string, store::GroupState> states;
  for (auto& g : groups_.all())
    states.emplace(g.group_key, std::move(g));

  // Route every alert that can still matter: the firing ones, and the resolved ones a group has
  // not been told about yet.
  sla::Instant oldest_news = now;
  for (const auto& [key, g] : states)
    if (g.last_notified_at) oldest_news = std::min(oldest_news, *g.last_notified_at);
  std::vector<store::StoredAlert> alerts = alerts_.list(true);
  for (auto& a : alerts_.resolved_since(oldest_news))
    alerts.push_back(std::move(a));

  // Silenced alerts notify nobody: they are left out of their groups as if they were not there.
  std::vector<std::map<std::string, std::string>> silences;
  for (const auto& s : store::SilenceStore(db_).active(now))
    silences.push_back(parse_string_map(s.matchers));

  std::map<std::string, Group> groups;
  for (const auto& a : alerts) {
    const auto labels = parse_string_map(a.alert.labels);
    if (std::any_of(silences.begin(), silences.end(),
                    [&](const auto& m) { return silenced(m, labels); })) {
      ++report.silenced;
      continue;
    }
    const auto matches = routes_.match(labels);
    if (matches.empty() && a.firing) ++report.unrouted;
    for (const auto& m : matches) {
      Group& g = groups[m.group_key];
      g.route = m.route;
      g.labels = m.group_labels;
      (a.firing ? g.firing : g.resolved).push_back(&a);
    }
  }

  const auto receiver_of = [&](const std::string& name) -> const config::ReceiverConfig* {
    for (const auto& r : cfg_.receivers)
      if (r.name == name) return &r;
    return nullptr;
  };

  store::Transaction tx(db_);
  const auto queue = [&](const std::string& group_key, const Group& g,
                         const std::string& receiver_name, NotificationKind kind,
                         store::GroupState& state) {
    const config::ReceiverConfig* receiver = receiver_of(receiver_name);
    if (!receiver) return;  // config validation makes this impossible
    Notification n;
    n.receiver = receiver_name;
    n.group_key = group_key;
    n.group_labels = g.labels;
    n.kind = kind;
    n.status = kind == NotificationKind::resolved ? AlertStatus::resolved : AlertStatus::firing;
    n.external_url = external_url;
    n.utc_offset = cfg_.daemon.utc_offset;
    for (const auto* a : kind == NotificationKind::resolved ? g.resolved : g.firing)
      n.alerts.push_back(notified(*a, external_url));
    ++state.sequence;
    // The episode (its first sight) and the sequence within it: unique for every notification,
    // and the same when a crash makes the daemon decide it again (the state commits with the rows).
    n.idempotency_key = receiver_name + "/" + hash_hex(group_key) + "/" +
                        std::to_string(state.first_seen.time_since_epoch().count()) + "-" +
                        std::to_string(state.sequence);
    const std::string payload = native_payload(n);
    ++report.notifications;
    const auto put = [&](store::Channel channel, sla::Instant not_before) {
      store::OutboxMessage m;
      m.idempotency_key = n.idempotency_key + "/" + std::string(store::channel_name(channel));
      m.receiver = receiver_name;
      m.channel = channel;
      m.group_key = group_key;
      m.kind = std::string(notification_kind_name(kind));
      m.payload = payload;
      m.not_before = not_before;
      outbox_.enqueue(m, now);
      ++report.outbox_rows;
    };
    if (!receiver->email.empty())
      put(store::Channel::email,
          receiver->email_working_hours_only ? calendar_.normalize_receipt(now) : now);
    if (receiver->webhook) put(store::Channel::webhook, now);
  };

  for (const auto& [key, g] : groups) {
    const config::RouteConfig& route = routes_.route(g.route);
    auto it = states.find(key);
    if (g.firing.empty()) {
      // Every alert of the group resolved: one last word to receivers who want it, then the
      // group is forgotten (a new firing alert starts a new episode with group_wait).
      if (it == states.end()) continue;
      const config::ReceiverConfig* receiver = receiver_of(route.receiver);
      if (it->second.last_notified_at && receiver && receiver->send_resolved)
        queue(key, g, route.receiver, NotificationKind::resolved, it->second);
      groups_.remove(key);
      states.erase(it);
      continue;
    }
    ++report.groups;
    if (it == states.end()) {
      store::GroupState fresh;
      fresh.group_key = key;
      fresh.receiver = route.receiver;
      fresh.first_seen = now;
      it = states.emplace(key, std::move(fresh)).first;
    }
    store::GroupState& state = it->second;
    std::vector<std::string> firing;
    for (const auto* a : g.firing)
      firing.push_back(a->alert.fingerprint);
    std::sort(firing.begin(), firing.end());
    const bool joined =
        !std::includes(state.notified.begin(), state.notified.end(), firing.begin(), firing.end());
    std::optional<NotificationKind> kind;
    if (!state.last_notified_at) {
      if (flush || now >= state.first_seen + route.group_wait) kind = NotificationKind::initial;
    } else if (joined) {
      if (flush || now >= *state.last_notified_at + route.group_interval)
        kind = NotificationKind::initial;
    } else if (now >= after(*state.last_notified_at, route.repeat_interval)) {
      kind = NotificationKind::repeat;
    }
    if (kind) {
      queue(key, g, route.receiver, *kind, state);
      state.last_notified_at = now;
      state.notified = firing;
    }
    // Escalation steps, each once per episode, counted in working time from the first sight.
    const auto unresolved = calendar_.working_time_between(state.first_seen, now);
    while (state.escalations_sent < static_cast<int>(route.escalate.size())) {
      const auto& step = route.escalate[static_cast<std::size_t>(state.escalations_sent)];
      const auto needed = step.after.is_working()
                              ? step.after.working_time(calendar_.working_day_length())
                              : seconds(step.after.amount);
      if (step.after.is_working() ? unresolved < needed : now - state.first_seen < needed) break;
      queue(key, g, step.receiver, NotificationKind::escalation, state);
      ++state.escalations_sent;
    }
    groups_.put(state);
  }
  // Groups whose alerts are all gone from the store and from routing (a route removed).
  for (const auto& [key, state] : states)
    if (!groups.contains(key)) groups_.remove(key);
  tx.commit();
  return report;
}

Notification parse_native_payload(std::string_view payload) {
  Notification n;
  json::error_code ec;
  const json::value v = json::parse(payload, ec);
  if (ec || !v.is_object()) return n;
  const auto& o = v.as_object();
  n.receiver = text(o, "receiver");
  n.group_key = text(o, "group_key");
  n.group_labels = string_map(o.if_contains("group_labels"));
  n.idempotency_key = text(o, "idempotency_key");
  n.external_url = text(o, "external_url");
  n.status = text(o, "status") == "resolved" ? AlertStatus::resolved : AlertStatus::firing;
  const std::string kind = text(o, "kind");
  for (auto k : {NotificationKind::initial, NotificationKind::repeat, NotificationKind::escalation,
                 NotificationKind::resolved})
    if (notification_kind_name(k) == kind) n.kind = k;
  if (const auto* alerts = o.if_contains("alerts"); alerts && alerts->is_array()) {
    for (const auto& item : alerts->as_array()) {
      if (!item.is_object()) continue;
      const auto& a = item.as_object();
      NotifiedAlert& na = n.alerts.emplace_back();
      na.fingerprint = text(a, "fingerprint");
      na.status = text(a, "status") == "resolved" ? AlertStatus::resolved : AlertStatus::firing;
      na.labels = string_map(a.if_contains("labels"));
      na.annotations = string_map(a.if_contains("annotations"));
      na.starts_at = parse_time(a, "starts_at").value_or(sla::Instant{});
      na.ends_at = parse_time(a, "ends_at");
      na.generator_url = text(a, "generator_url");
    }
  }
  return n;
}

}  // namespace motcua::alerts
