#pragma once
// A session with one upstream system over the transport DOMAIN.md describes ("Upstream
// interfaces"): log in at {url}/auth with a user name, a password and the `dstcode` header, then
// call services at {url}/service with the session token. A session expires; the session notices
// (HTTP 401, or the configured error_code in a 200 answer), logs in again and repeats the call
// once. Every failure is a value with a sentence fit for logs and the status page. The password
// and the session token never appear in a result or a message.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "net/backoff.hpp"
#include "net/http_client.hpp"

namespace motcua::connectors {

struct UpstreamEndpoint {
  std::string url;  // the base: {url}/auth and {url}/service
  std::string username;
  std::string password;  // the daemon reads it from the source's password_file
  std::string dstcode;   // sent as the `dstcode` header
  std::string madonvi;   // sent with every service call
  // The error_code with which a 200 answer says the session expired (HTTP 401 always does).
  int session_expired_code = 401;
};

struct SessionOptions {
  // Attempts per call for failures that may pass (transport failures other than a bad URL, TLS or
  // an oversized answer; HTTP 408, 429 and 5xx), with a backoff delay between them. 1: no retry,
  // the caller's schedule decides when to try again.
  int max_attempts = 1;
  net::BackoffPolicy backoff{std::chrono::milliseconds(500), std::chrono::seconds(10), 2.0};
  // After the upstream refused the credentials, calls fail at once, without contacting it, for
  // this long: a wrong password must not become a login storm (nor lock the account).
  std::chrono::seconds refused_login_hold{600};
};

enum class CallFailure {
  none,
  transport,        // no HTTP answer: net's failure and its sentence
  http_status,      // HTTP status >= 400 (401 on a service call is expiry, not this)
  invalid_answer,   // not JSON, not a JSON object, or a member the protocol needs is missing
  upstream_error,   // error_code != 0 with the upstream's (Vietnamese) message
  login_refused,    // the credentials were refused; not retried before refused_login_hold ends
  session_expired,  // expired again right after a fresh login
};

struct CallError {
  CallFailure kind = CallFailure::none;
  net::HttpFailure transport = net::HttpFailure::none;  // with kind transport
  int http_status = 0;                                  // with kind http_status
  std::int64_t upstream_code = 0;  // with kinds upstream_error and login_refused
  // E.g. "LayDanhSachHoSo: HTTP 503 from http://127.0.0.1:8080/motcua/service: {...}".
  std::string message;

  // Whether trying the same call again later may succeed.
  bool transient() const;
};

struct CallResult {
  boost::json::object answer;  // the whole parsed answer, when ok()
  CallError error;

  bool ok() const { return error.kind == CallFailure::none; }
};

const char* call_failure_name(CallFailure kind);

// Calls come from coroutines on the client's executor (one thread or a strand), like
// net::HttpClient's; several may run at once: they share one login. The session must outlive its
// calls.
class UpstreamSession {
 public:
  UpstreamSession(net::HttpClient& client, UpstreamEndpoint endpoint, SessionOptions options = {});
  ~UpstreamSession();
  UpstreamSession(const UpstreamSession&) = delete;
  UpstreamSession& operator=(const UpstreamSession&) = delete;

  // Sends {"session", "madonvi", "service", ...params} (params cannot override the first three)
  // and returns the answer when its error_code is 0 (or absent).
  boost::asio::awaitable<CallResult> call(std::string service, boost::json::object params);

  // Forgets the session and a refused login, e.g. after the password file changed.
  void reset();
  // Replaces the endpoint (a reload); implies reset().
  void set_endpoint(UpstreamEndpoint endpoint);

  bool has_session() const;
  // Login requests sent, successful or not (for tests and metrics).
  std::size_t login_attempts() const;
  const std::string& url() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace motcua::connectors
