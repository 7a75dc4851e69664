#include "connectors/upstream_session.hpp"

#include <memory>
#include <utility>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "connectors/text.hpp"

namespace motcua::connectors {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// How much of an unexpected answer goes into a message: enough to recognise an error page.
constexpr std::size_t kAnswerExcerptBytes = 200;

std::string strip_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

void replace_all(std::string& text, std::string_view secret, std::string_view mask) {
  if (secret.empty()) return;
  for (std::size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + mask.size()))
    text.replace(at, secret.size(), mask);
}

// error_code may come as a number or as a string ("0"); absent means success.
std::optional<std::int64_t> error_code_of(const json::object& answer) {
  const json::value* v = answer.if_contains("error_code");
  if (v == nullptr || v->is_null()) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  if (v->is_string()) {
    const std::string text(v->get_string());
    try {
      std::size_t used = 0;
      const auto n = std::stoll(text, &used);
      if (used == text.size()) return n;
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

std::string message_of(const json::object& answer) {
  const json::value* v = answer.if_contains("message");
  if (v != nullptr && v->is_string()) return utf8_excerpt(v->get_string(), kAnswerExcerptBytes);
  return "(no message)";
}

// json::object's move assignment copies when the two objects use different memory resources, and
// an answer lives in its own arena: it is moved by construction, which always takes the arena.
void adopt(json::object& to, json::object&& from) noexcept {
  std::destroy_at(&to);
  std::construct_at(&to, std::move(from));
}

struct ParsedAnswer {
  json::object object;
  std::string problem;  // empty when object is the answer
};

ParsedAnswer parse_answer(const std::string& body) {
  ParsedAnswer parsed;
  json::error_code ec;
  // One arena per answer: a listing page parses into tens of thousands of small nodes, all freed
  // together when the page is done. The object keeps the arena alive wherever it is moved.
  json::value v = json::parse(body, ec, json::make_shared_resource<json::monotonic_resource>());
  if (ec) {
    parsed.problem = "the answer is not valid JSON (" + ec.message() +
                     "): " + utf8_excerpt(body, kAnswerExcerptBytes);
  } else if (!v.is_object()) {
    parsed.problem = "the answer is not a JSON object: " + utf8_excerpt(body, kAnswerExcerptBytes);
  } else {
    adopt(parsed.object, std::move(v.as_object()));
  }
  return parsed;
}

CallError make_error(CallFailure kind, std::string message) {
  CallError e;
  e.kind = kind;
  e.message = std::move(message);
  return e;
}

}  // namespace

bool CallError::transient() const {
  switch (kind) {
    case CallFailure::transport:
      return transport != net::HttpFailure::invalid_request && transport != net::HttpFailure::tls &&
             transport != net::HttpFailure::too_large;
    case CallFailure::http_status:
      return http_status == 408 || http_status == 429 || http_status >= 500;
    default:
      return false;
  }
}

const char* call_failure_name(CallFailure kind) {
  switch (kind) {
    case CallFailure::none:
      return "none";
    case CallFailure::transport:
      return "transport";
    case CallFailure::http_status:
      return "http_status";
    case CallFailure::invalid_answer:
      return "invalid_answer";
    case CallFailure::upstream_error:
      return "upstream_error";
    case CallFailure::login_refused:
      return "login_refused";
    case CallFailure::session_expired:
      return "session_expired";
  }
  return "unknown";
}

struct UpstreamSession::State {
  State(net::HttpClient& c, UpstreamEndpoint e, SessionOptions o)
      : client(c), endpoint(std::move(e)), options(o), base(strip_trailing_slashes(endpoint.url)) {}

  net::HttpClient& client;
  UpstreamEndpoint endpoint;
  SessionOptions options;
  std::string base;

  std::optional<std::string> session;
  // One login at a time: while it runs, other calls wait on this timer, which is cancelled when
  // the login ends, and then share its outcome instead of each logging in (a burst of parallel
  // portal lookups after an expiry would otherwise be a burst of logins).
  std::shared_ptr<asio::steady_timer> login_done;
  std::optional<CallError> last_login_error;
  std::optional<Clock::time_point> refused_until;
  CallError refusal;
  std::size_t login_attempts = 0;
  // Bumped by reset(): a login that started before a reset must not install its session after it.
  std::uint64_t generation = 0;

  // Messages may quote upstream text, which could echo what we sent: mask the secrets.
  std::string scrub(std::string text, std::string_view token = {}) const {
    replace_all(text, endpoint.password, "***");
    replace_all(text, token, "***");
    if (session) replace_all(text, *session, "***");
    return text;
  }

  asio::awaitable<net::HttpResult> post(std::string url, std::string body) {
    net::HttpRequest request;
    request.method = "POST";
    request.url = std::move(url);
    request.headers = {{"Content-Type", "application/json; charset=utf-8"},
                       {"Accept", "application/json"}};
    if (!endpoint.dstcode.empty()) request.headers.emplace_back("dstcode", endpoint.dstcode);
    request.body = std::move(body);
    co_return co_await client.request(std::move(request));
  }

  CallError refuse(std::int64_t code, std::string message) {
    CallError e = make_error(CallFailure::login_refused, scrub(std::move(message)));
    e.upstream_code = code;
    refusal = e;
    refused_until = Clock::now() + options.refused_login_hold;
    return e;
  }

  // Logs in once; on success `session` holds the token.
  asio::awaitable<std::optional<CallError>> login() {
    ++login_attempts;
    const std::uint64_t started = generation;
    const std::string url = base + "/auth";
    json::object body;
    body["username"] = endpoint.username;
    body["password"] = endpoint.password;
    net::HttpResult r = co_await post(url, json::serialize(body));
    const std::string who = "login to " + url + " as '" + endpoint.username + "'";
    if (!r.ok()) {
      CallError e = make_error(CallFailure::transport, scrub(who + ": " + r.error_text));
      e.transport = r.failure;
      co_return e;
    }
    const net::HttpResponse& response = *r.response;
    if (response.status == 401 || response.status == 403)
      co_return refuse(0, who + " refused: HTTP " + std::to_string(response.status));
    if (response.status >= 400) {
      CallError e = make_error(CallFailure::http_status,
                               scrub(who + ": HTTP " + std::to_string(response.status) + ": " +
                                     utf8_excerpt(response.body, kAnswerExcerptBytes)));
      e.http_status = response.status;
      co_return e;
    }
    ParsedAnswer parsed = parse_answer(response.body);
    if (!parsed.problem.empty())
      co_return make_error(CallFailure::invalid_answer, scrub(who + ": " + parsed.problem));
    const auto code = error_code_of(parsed.object);
    if (!code)
      co_return make_error(CallFailure::invalid_answer, who + ": error_code is not a number");
    if (*code != 0)
      co_return refuse(*code, who + " refused (error_code " + std::to_string(*code) +
                                  "): " + message_of(parsed.object));
    const json::value* token = parsed.object.if_contains("session");
    if (token == nullptr || !token->is_string() || token->get_string().empty())
      co_return make_error(CallFailure::invalid_answer, who + ": the answer has no session");
    if (generation == started) session = std::string(token->get_string());
    refused_until.reset();
    co_return std::nullopt;
  }

  // Makes sure there is a session, logging in when there is none; nullopt when there is one.
  asio::awaitable<std::optional<CallError>> ensure_session() {
    for (;;) {
      if (session) co_return std::nullopt;
      if (refused_until && Clock::now() < *refused_until) co_return refusal;
      if (login_done) {
        auto done = login_done;  // keeps the timer alive while we wait on it
        boost::system::error_code ec;
        co_await done->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (session) co_return std::nullopt;
        if (last_login_error) co_return last_login_error;
        continue;  // a reset() in between: log in ourselves
      }
      login_done = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                        Clock::time_point::max());
      std::optional<CallError> error = co_await login();
      last_login_error = error;
      std::exchange(login_done, nullptr)->cancel();
      if (error) co_return error;
      if (!session) continue;  // reset() during the login
      co_return std::nullopt;
    }
  }

  struct Attempt {
    CallResult result;
    bool expired = false;
  };

  asio::awaitable<Attempt> send(const std::string& token, const std::string& service,
                                const json::object& params) {
    const std::string url = base + "/service";
    json::object body;
    body["session"] = token;
    body["madonvi"] = endpoint.madonvi;
    body["service"] = service;
    for (const auto& [key, value] : params)
      if (key != "session" && key != "madonvi" && key != "service") body[key] = value;
    net::HttpResult r = co_await post(url, json::serialize(body));
    Attempt a;
    CallError& e = a.result.error;
    if (!r.ok()) {
      e = make_error(CallFailure::transport, scrub(service + ": " + r.error_text, token));
      e.transport = r.failure;
      co_return a;
    }
    const net::HttpResponse& response = *r.response;
    if (response.status == 401) {
      a.expired = true;
      co_return a;
    }
    if (response.status >= 400) {
      e = make_error(CallFailure::http_status,
                     scrub(service + ": HTTP " + std::to_string(response.status) + " from " + url +
                               ": " + utf8_excerpt(response.body, kAnswerExcerptBytes),
                           token));
      e.http_status = response.status;
      co_return a;
    }
    ParsedAnswer parsed = parse_answer(response.body);
    if (!parsed.problem.empty()) {
      e = make_error(CallFailure::invalid_answer, scrub(service + ": " + parsed.problem, token));
      co_return a;
    }
    const auto code = error_code_of(parsed.object);
    if (!code) {
      e = make_error(CallFailure::invalid_answer, service + ": error_code is not a number");
      co_return a;
    }
    if (*code == endpoint.session_expired_code) {
      a.expired = true;
      co_return a;
    }
    if (*code != 0) {
      e = make_error(CallFailure::upstream_error,
                     scrub(service + ": error_code " + std::to_string(*code) + ": " +
                               message_of(parsed.object),
                           token));
      e.upstream_code = *code;
      co_return a;
    }
    adopt(a.result.answer, std::move(parsed.object));
    co_return a;
  }

  asio::awaitable<CallResult> call_once(const std::string& service, const json::object& params) {
    CallResult result;
    if (auto error = co_await ensure_session()) {
      result.error = *error;
      co_return result;
    }
    std::string token = *session;
    Attempt first = co_await send(token, service, params);
    if (!first.expired) co_return std::move(first.result);
    // Another call may have logged in again already; then its session is the one to use.
    if (session == token) session.reset();
    if (auto error = co_await ensure_session()) {
      result.error = *error;
      co_return result;
    }
    token = *session;
    Attempt second = co_await send(token, service, params);
    if (!second.expired) co_return std::move(second.result);
    if (session == token) session.reset();
    result.error = make_error(CallFailure::session_expired,
                              service + ": the session expired again right after a new login");
    co_return result;
  }
};

UpstreamSession::UpstreamSession(net::HttpClient& client, UpstreamEndpoint endpoint,
                                 SessionOptions options)
    : state_(std::make_unique<State>(client, std::move(endpoint), options)) {}

UpstreamSession::~UpstreamSession() = default;

asio::awaitable<CallResult> UpstreamSession::call(std::string service, json::object params) {
  State& s = *state_;
  const int attempts = std::max(1, s.options.max_attempts);
  std::optional<net::Backoff> backoff;
  for (int attempt = 1;; ++attempt) {
    CallResult result = co_await s.call_once(service, params);
    if (result.ok() || !result.error.transient() || attempt >= attempts) co_return result;
    if (!backoff) backoff.emplace(s.options.backoff);
    asio::steady_timer timer(co_await asio::this_coro::executor, backoff->next());
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void UpstreamSession::reset() {
  state_->session.reset();
  state_->refused_until.reset();
  state_->last_login_error.reset();
  ++state_->generation;
}

void UpstreamSession::set_endpoint(UpstreamEndpoint endpoint) {
  state_->endpoint = std::move(endpoint);
  state_->base = strip_trailing_slashes(state_->endpoint.url);
  reset();
}

bool UpstreamSession::has_session() const {
  return state_->session.has_value();
}

std::size_t UpstreamSession::login_attempts() const {
  return state_->login_attempts;
}

const std::string& UpstreamSession::url() const {
  return state_->base;
}

}  // namespace motcua::connectors
