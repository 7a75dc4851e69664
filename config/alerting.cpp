// [smtp], [[receiver]] and [[route]]: who hears about findings, how, and when it escalates.
#include <algorithm>
#include <map>

#include "config/sections.hpp"

namespace motcua::config::detail {
namespace {

bool is_label(std::string_view name) {
  return std::find(std::begin(kAlertLabels), std::end(kAlertLabels), name) !=
         std::end(kAlertLabels);
}

std::string label_list() {
  std::string out;
  for (auto l : kAlertLabels) {
    if (!out.empty()) out += ", ";
    out += l;
  }
  return out;
}

// "Giám sát một cửa <giamsat@example.gov.vn>" or a bare address.
bool is_mailbox(std::string_view text) {
  auto open = text.rfind('<');
  if (open == std::string_view::npos) return is_email_address(text);
  if (text.back() != '>') return false;
  return is_email_address(text.substr(open + 1, text.size() - open - 2));
}

std::string names_of(const std::vector<ReceiverConfig>& receivers) {
  std::string out;
  for (const auto& r : receivers) {
    if (!out.empty()) out += ", ";
    out += r.name;
  }
  return out.empty() ? "none are defined" : "defined: " + out;
}

bool known_receiver(const std::vector<ReceiverConfig>& receivers, std::string_view name) {
  return std::any_of(receivers.begin(), receivers.end(),
                     [&](const ReceiverConfig& r) { return r.name == name; });
}

TemplateFiles read_template_files(TableReader& r) {
  TemplateFiles t;
  t.subject = r.optional_path("subject");
  t.text = r.optional_path("text");
  t.html = r.optional_path("html");
  return t;
}

std::optional<WebhookConfig> read_webhook(Document& doc, const toml::table& table,
                                          const std::string& receiver) {
  TableReader r(doc, table, "'webhook' of [[receiver]]");
  WebhookConfig w;
  w.where = r.position();
  if (auto url = r.required_string("url")) {
    if (is_http_url(*url))
      w.url = *url;
    else
      r.error_at("url", "webhook 'url' of receiver '" + receiver +
                            "' must start with http:// or https:// and name a host; got '" + *url +
                            "'");
  }
  w.secret_file = r.secret_file("secret_file");
  w.format = r.choice<WebhookFormat>("format", {{"native", WebhookFormat::native},
                                                {"alertmanager", WebhookFormat::alertmanager}})
                 .value_or(WebhookFormat::native);
  w.timeout = r.clock_duration("timeout", w.timeout);
  if (w.timeout <= std::chrono::seconds::zero())
    r.error_at("timeout",
               "webhook 'timeout' of receiver '" + receiver + "' must be longer than 0s");
  return w;
}

// Clock and working durations cannot be ordered without a calendar and an instant; within one
// kind they can.
std::int64_t comparable(const sla::Duration& d, std::chrono::seconds working_day) {
  return d.working_time(working_day).count();
}

}  // namespace

std::optional<SmtpConfig> read_smtp(Document& doc, const toml::table* table) {
  if (!table) return std::nullopt;
  TableReader r(doc, *table, "[smtp]");
  SmtpConfig s;
  s.where = r.position();
  s.host = r.required_string("host").value_or("");
  s.port = static_cast<int>(r.integer("port", s.port, 1, 65535));
  s.starttls = r.choice<StartTls>("starttls", {{"required", StartTls::required},
                                               {"opportunistic", StartTls::opportunistic},
                                               {"off", StartTls::off}})
                   .value_or(StartTls::required);
  s.username = r.string("username", "");
  s.password_file = r.secret_file("password_file");
  if (!s.username.empty() && !s.password_file)
    r.error_at("username", "[smtp] has a username but no 'password_file'");
  if (s.username.empty() && s.password_file)
    r.error_at("password_file", "[smtp] has a 'password_file' but no username");
  if (auto from = r.required_string("from")) {
    if (is_mailbox(*from))
      s.from = *from;
    else
      r.error_at("from",
                 "'from' in [smtp] must be an address such as \"Giám sát <giamsat@"
                 "example.gov.vn>\"; got '" +
                     *from + "'");
  }
  s.tls_verify = r.boolean("tls_verify", true);
  s.ca_file = r.optional_path("ca_file");
  s.timeout = r.clock_duration("timeout", s.timeout);
  if (s.timeout <= std::chrono::seconds::zero())
    r.error_at("timeout", "'timeout' in [smtp] must be longer than 0s");
  s.helo = r.string("helo", "");
  return s;
}

std::vector<ReceiverConfig> read_receivers(Document& doc,
                                           const std::vector<const toml::table*>& list,
                                           bool have_smtp) {
  std::vector<ReceiverConfig> out;
  std::map<std::string, Position> names;
  for (const toml::table* table : list) {
    TableReader r(doc, *table, "[[receiver]]");
    ReceiverConfig rc;
    rc.where = r.position();
    if (auto name = r.required_string("name")) {
      if (name->empty())
        r.error_at("name", "receiver 'name' must not be empty");
      else if (auto [it, inserted] = names.emplace(*name, r.position_of("name")); !inserted)
        r.error_at("name", "duplicate receiver name '" + *name + "' (also at line " +
                               std::to_string(it->second.line) + ")");
      rc.name = *name;
    }
    if (auto emails = r.string_array_with_positions("email")) {
      for (auto& [address, where] : *emails) {
        if (!is_email_address(address))
          doc.error(where, "'" + address + "' in 'email' of receiver '" + rc.name +
                               "' is not an e-mail address (local@domain)");
        else
          rc.email.push_back(address);
      }
      if (!emails->empty() && !have_smtp)
        r.error_at("email", "receiver '" + rc.name +
                                "' has e-mail addresses but the config has no [smtp] section");
    }
    if (const toml::table* webhook = r.table("webhook"))
      rc.webhook = read_webhook(doc, *webhook, rc.name);
    rc.send_resolved = r.boolean("send_resolved", false);
    rc.email_working_hours_only = r.boolean("email_working_hours_only", true);
    if (const toml::table* templates = r.table("templates")) {
      TableReader t(doc, *templates, "'templates' of [[receiver]]");
      rc.templates = read_template_files(t);
    }
    out.push_back(std::move(rc));
  }
  return out;
}

std::vector<RouteConfig> read_routes(Document& doc, const std::vector<const toml::table*>& list,
                                     const std::vector<ReceiverConfig>& receivers,
                                     const std::vector<SourceConfig>& sources,
                                     std::chrono::seconds working_day) {
  std::vector<RouteConfig> out;
  for (const toml::table* table : list) {
    TableReader r(doc, *table, "[[route]]");
    RouteConfig route;
    route.where = r.position();
    if (auto receiver = r.required_string("receiver")) {
      if (!known_receiver(receivers, *receiver))
        r.error_at("receiver", "unknown receiver '" + *receiver + "' in [[route]] (" +
                                   names_of(receivers) + ")");
      route.receiver = *receiver;
    }

    if (const toml::table* match = r.table("match")) {
      for (const auto& [key, value] : *match) {
        const std::string label(key.str());
        Position at = doc.position(key.source().begin);
        if (!is_label(label)) {
          doc.error(at, "unknown label '" + label +
                            "' in 'match' of [[route]] (labels: " + label_list() + ")");
          continue;
        }
        const auto* text = value.as_string();
        if (!text) {
          doc.error(value, "'match' value for '" + label + "' in [[route]] must be a string, not " +
                               std::string(type_phrase(value)));
          continue;
        }
        const std::string& v = text->get();
        if (label == "rule" && !sla::parse_rule(v))
          doc.error(value, "unknown rule '" + v + "' in 'match' of [[route]]");
        else if (label == "severity" && !sla::parse_severity(v))
          doc.error(value, "unknown severity '" + v +
                               "' in 'match' of [[route]] (info, warning, critical)");
        else if (label == "source" &&
                 std::none_of(sources.begin(), sources.end(),
                              [&](const SourceConfig& s) { return s.name == v; }))
          doc.error(value, "unknown source '" + v + "' in 'match' of [[route]]");
        route.match[label] = v;
      }
    }

    if (auto group_by = r.string_array_with_positions("group_by")) {
      route.group_by.clear();
      for (auto& [label, where] : *group_by) {
        if (!is_label(label))
          doc.error(where, "unknown label '" + label +
                               "' in 'group_by' of [[route]] (labels: " + label_list() + ")");
        else if (std::find(route.group_by.begin(), route.group_by.end(), label) !=
                 route.group_by.end())
          doc.error(where, "label '" + label + "' is listed twice in 'group_by' of [[route]]");
        else
          route.group_by.push_back(label);
      }
    }

    route.group_wait = r.clock_duration("group_wait", route.group_wait);
    route.group_interval = r.clock_duration("group_interval", route.group_interval);
    if (route.group_interval <= std::chrono::seconds::zero())
      r.error_at("group_interval", "'group_interval' in [[route]] must be longer than 0s");
    route.repeat_interval = r.duration("repeat_interval", route.repeat_interval, DurationKind::any);
    if (route.repeat_interval.amount <= 0)
      r.error_at("repeat_interval", "'repeat_interval' in [[route]] must be longer than 0");
    route.continue_matching = r.boolean("continue", false);

    if (const toml::array* steps = r.array("escalate")) {
      std::optional<sla::Duration> previous;
      for (const toml::node& item : *steps) {
        const toml::table* step = item.as_table();
        if (!step) {
          doc.error(item,
                    "entries of 'escalate' in [[route]] must be tables such as { after = "
                    "\"2 working days\", receiver = \"…\" }, not " +
                        std::string(type_phrase(item)));
          continue;
        }
        TableReader e(doc, *step, "an 'escalate' step of [[route]]");
        EscalationStep s;
        s.where = e.position();
        if (!e.has("after")) e.missing("after");
        auto after = e.optional_duration("after", DurationKind::any);
        auto receiver = e.required_string("receiver");
        if (receiver) {
          if (!known_receiver(receivers, *receiver))
            e.error_at("receiver", "unknown receiver '" + *receiver +
                                       "' in 'escalate' of [[route]] (" + names_of(receivers) +
                                       ")");
          s.receiver = *receiver;
        }
        if (!after || !receiver) continue;
        s.after = *after;
        if (previous) {
          if (previous->is_working() != s.after.is_working()) {
            e.error_at("after",
                       "'after' in 'escalate' of [[route]] mixes clock and working time "
                       "with the step before it; use one kind");
          } else if (comparable(s.after, working_day) <= comparable(*previous, working_day)) {
            e.error_at("after",
                       "'after' in 'escalate' of [[route]] must be later than the step "
                       "before it (" +
                           sla::format_duration(*previous) + ")");
          }
        }
        previous = s.after;
        route.escalate.push_back(std::move(s));
      }
    }
    out.push_back(std::move(route));
  }
  return out;
}

}  // namespace motcua::config::detail
