// The upstream session against motcua-sim over real HTTP: lazy login, one shared login for
// parallel calls, re-login on expiry (both ways of saying it), refused credentials without a
// login storm, and every kind of failure as a value that never carries a secret.
#include "connectors/upstream_session.hpp"

#include <algorithm>
#include <future>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/connectors/upstream_fixture.hpp"

namespace motcua::connectors {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::sim_options;
using testing::UpstreamFixture;

const json::object kOnePage{{"CapNhatTu", ""}, {"Trang", 1}, {"SoLuong", 5}};

class UpstreamSessionTest : public UpstreamFixture {
 protected:
  explicit UpstreamSessionTest(sim::SimOptions options = sim_options(200))
      : UpstreamFixture(std::move(options)) {}

  CallResult list(UpstreamSession& s) { return io.run(s.call("LayDanhSachHoSo", kOnePage)); }

  void fault(sim::Fault::Kind kind, std::string target = "LayDanhSachHoSo", int count = 1) {
    sim::Fault f;
    f.kind = kind;
    f.target = std::move(target);
    f.count = count;
    sim.add_fault(f);
  }

  // The session tokens the server saw, so tests can check that no message carries one.
  std::vector<std::string> tokens() const { return log.sessions(); }

  void expect_no_secret(const std::string& message, const std::string& password) const {
    EXPECT_THAT(message, Not(HasSubstr(password)));
    for (const auto& token : tokens())
      EXPECT_THAT(message, Not(HasSubstr(token)));
  }
};

TEST_F(UpstreamSessionTest, LogsInLazilyOnceAndReusesTheSession) {
  UpstreamSession s(client, endpoint());
  EXPECT_FALSE(s.has_session());
  EXPECT_EQ(s.login_attempts(), 0u);
  for (int i = 0; i < 3; ++i) {
    CallResult r = list(s);
    ASSERT_TRUE(r.ok()) << r.error.message;
    EXPECT_EQ(r.answer.at("data").as_array().size(), 5u);
  }
  EXPECT_TRUE(s.has_session());
  EXPECT_EQ(s.login_attempts(), 1u);
  ASSERT_TRUE(testing::eventually([&] { return log.count_path("/motcua/service") == 3; }));
  EXPECT_EQ(log.count_path("/motcua/auth"), 1u);
}

TEST_F(UpstreamSessionTest, ParallelCallsShareOneLogin) {
  UpstreamSession s(client, endpoint());
  std::vector<std::future<CallResult>> calls;
  for (int i = 0; i < 5; ++i)
    calls.push_back(io.spawn(s.call("LayDanhSachHoSo", kOnePage)));
  for (auto& call : calls) {
    CallResult r = io.wait(call);
    EXPECT_TRUE(r.ok()) << r.error.message;
  }
  EXPECT_EQ(s.login_attempts(), 1u);
  ASSERT_TRUE(testing::eventually([&] { return log.count_path("/motcua/service") == 5; }));
  EXPECT_EQ(log.count_path("/motcua/auth"), 1u);
}

TEST_F(UpstreamSessionTest, ExpiredSessionAsErrorCodeLogsInAgainAndRepeatsOnce) {
  UpstreamSession s(client, endpoint());
  ASSERT_TRUE(list(s).ok());
  fault(sim::Fault::Kind::expire_session);
  CallResult r = list(s);
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(s.login_attempts(), 2u);
  ASSERT_TRUE(testing::eventually([&] { return log.count_path("/motcua/service") == 3; }));
  EXPECT_EQ(log.count_path("/motcua/auth"), 2u);
}

class HttpExpirySessionTest : public UpstreamSessionTest {
 protected:
  static sim::SimOptions options() {
    auto o = sim_options(200);
    o.expiry_as_http_status = true;
    return o;
  }
  HttpExpirySessionTest() : UpstreamSessionTest(options()) {}
};

TEST_F(HttpExpirySessionTest, ExpiredSessionAsHttp401LogsInAgainAndRepeatsOnce) {
  UpstreamSession s(client, endpoint());
  ASSERT_TRUE(list(s).ok());
  fault(sim::Fault::Kind::expire_session);
  CallResult r = list(s);
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(s.login_attempts(), 2u);
  ASSERT_TRUE(testing::eventually([&] { return log.count_path("/motcua/service") == 3; }));
  const auto entries = log.entries();
  EXPECT_EQ(std::count_if(entries.begin(), entries.end(), [](auto& e) { return e.status == 401; }),
            1);
}

class ExpiringSessionTest : public UpstreamSessionTest {
 protected:
  static sim::SimOptions options() {
    auto o = sim_options(200);
    o.session_ttl = 0s;
    return o;
  }
  ExpiringSessionTest() : UpstreamSessionTest(options()) {}
};

TEST_F(ExpiringSessionTest, SessionExpiringAgainAfterTheNewLoginIsAnErrorNotALoop) {
  UpstreamSession s(client, endpoint());
  CallResult r = list(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.kind, CallFailure::session_expired);
  EXPECT_THAT(r.error.message, HasSubstr("LayDanhSachHoSo"));
  EXPECT_FALSE(r.error.transient());
  EXPECT_EQ(s.login_attempts(), 2u);
  ASSERT_TRUE(testing::eventually([&] { return log.count_path("/motcua/service") == 2; }));
  EXPECT_EQ(log.count_path("/motcua/auth"), 2u);
}

TEST_F(UpstreamSessionTest, WrongCredentialsAreRefusedOnceAndHeldOff) {
  const std::string password = "Mat-khau-sai-2026";
  UpstreamSession s(client, endpoint("motcua", password));
  for (int i = 0; i < 4; ++i) {
    CallResult r = list(s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error.kind, CallFailure::login_refused);
    EXPECT_NE(r.error.upstream_code, 0);
    EXPECT_THAT(r.error.message, HasSubstr("refused"));
    EXPECT_THAT(r.error.message, HasSubstr("'demo'"));
    EXPECT_THAT(r.error.message, HasSubstr("Tên đăng nhập hoặc mật khẩu không đúng"));
    expect_no_secret(r.error.message, password);
    EXPECT_FALSE(r.error.transient());
  }
  EXPECT_EQ(s.login_attempts(), 1u);
  ASSERT_TRUE(testing::eventually([&] { return log.count_path("/motcua/auth") == 1; }));
  EXPECT_EQ(log.count_path("/motcua/service"), 0u);

  // New credentials (a reload) end the hold.
  auto fixed = endpoint();
  s.set_endpoint(fixed);
  EXPECT_TRUE(list(s).ok());
  EXPECT_EQ(s.login_attempts(), 2u);
}

TEST_F(UpstreamSessionTest, LoginWithoutDstcodeIsRefusedWithTheUpstreamsReason) {
  auto e = endpoint();
  e.dstcode.clear();
  UpstreamSession s(client, e);
  CallResult r = list(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.kind, CallFailure::login_refused);
  EXPECT_THAT(r.error.message, HasSubstr("dstcode"));
}

TEST_F(UpstreamSessionTest, UpstreamErrorCodeCarriesItsVietnameseMessage) {
  UpstreamSession s(client, endpoint());
  CallResult r = io.run(s.call("KhongCoDichVuNay", {}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.kind, CallFailure::upstream_error);
  EXPECT_EQ(r.error.upstream_code, 404);
  EXPECT_THAT(r.error.message, HasSubstr("Không tìm thấy dịch vụ"));
  EXPECT_FALSE(r.error.transient());
}

TEST_F(UpstreamSessionTest, HttpErrorStatusHasTheStatusAndAnExcerpt) {
  UpstreamSession s(client, endpoint());
  fault(sim::Fault::Kind::http_503);
  CallResult r = list(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.kind, CallFailure::http_status);
  EXPECT_EQ(r.error.http_status, 503);
  EXPECT_THAT(r.error.message, HasSubstr("HTTP 503"));
  EXPECT_THAT(r.error.message, HasSubstr("bảo trì"));
  EXPECT_TRUE(r.error.transient());
  expect_no_secret(r.error.message, "demo-password-unused");
}

TEST_F(UpstreamSessionTest, MalformedJsonIsAnInvalidAnswer) {
  UpstreamSession s(client, endpoint());
  fault(sim::Fault::Kind::malformed_json);
  CallResult r = list(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.kind, CallFailure::invalid_answer);
  EXPECT_THAT(r.error.message, HasSubstr("not valid JSON"));
  EXPECT_LT(r.error.message.size(), 600u);
  for (const auto& token : tokens())
    EXPECT_THAT(r.error.message, Not(HasSubstr(token)));
}

TEST_F(UpstreamSessionTest, DroppedConnectionIsATransportFailure) {
  UpstreamSession s(client, endpoint());
  fault(sim::Fault::Kind::drop_connection);
  CallResult r = list(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.kind, CallFailure::transport);
  EXPECT_NE(r.error.transport, net::HttpFailure::none);
  EXPECT_TRUE(r.error.transient());
}

TEST_F(UpstreamSessionTest, TransientFailuresAreRetriedUpToMaxAttempts) {
  SessionOptions o;
  o.max_attempts = 3;
  o.backoff = {5ms, 20ms, 2.0};
  UpstreamSession s(client, endpoint(), o);
  fault(sim::Fault::Kind::http_500, "LayDanhSachHoSo", 2);
  CallResult r = list(s);
  ASSERT_TRUE(r.ok()) << r.error.message;
  ASSERT_TRUE(testing::eventually([&] { return log.count_path("/motcua/service") == 3; }));

  fault(sim::Fault::Kind::http_500, "LayDanhSachHoSo", 3);
  r = list(s);
  EXPECT_EQ(r.error.http_status, 500);
  ASSERT_TRUE(testing::eventually([&] { return log.count_path("/motcua/service") == 6; }));
}

TEST_F(UpstreamSessionTest, RefusedLoginIsNotRetriedAsTransient) {
  SessionOptions o;
  o.max_attempts = 5;
  o.backoff = {5ms, 20ms, 2.0};
  UpstreamSession s(client, endpoint("motcua", "sai"), o);
  CallResult r = list(s);
  EXPECT_EQ(r.error.kind, CallFailure::login_refused);
  EXPECT_EQ(s.login_attempts(), 1u);
}

TEST_F(UpstreamSessionTest, UnreachableUpstreamIsATransportFailure) {
  auto e = endpoint();
  e.url = "http://127.0.0.1:1/motcua";  // nothing listens on port 1
  UpstreamSession s(client, e);
  CallResult r = list(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.kind, CallFailure::transport);
  EXPECT_EQ(r.error.transport, net::HttpFailure::connect);
  EXPECT_THAT(r.error.message, HasSubstr("login to http://127.0.0.1:1/motcua/auth"));
}

}  // namespace
}  // namespace motcua::connectors
