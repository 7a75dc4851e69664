// HTTPS between our client and our server, with a certificate authority made for each test:
// verification succeeds only with that authority and the right name, and fails with a reason.
#include <chrono>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "tests/net/certificates.hpp"
#include "tests/net/io_thread.hpp"
#include "tests/net/raw_socket.hpp"
#include "tests/net/request_log.hpp"

namespace motcua::net {
namespace {
using namespace std::chrono_literals;
using ::testing::HasSubstr;

class TlsTest : public ::testing::Test {
 protected:
  // The loop stops before the objects its handlers may still use (the log) go away.
  void TearDown() override { io.halt(); }

  void serve(const fixtures::IssuedCertificate& certificate) {
    Router router;
    router.add("GET", "/ok", [](const ServerRequest&) {
      ServerResponse response;
      response.body = R"({"ok":true})";
      return response;
    });
    ServerOptions options;
    options.tls_certificate_file = certificate.certificate_file;
    options.tls_private_key_file = certificate.private_key_file;
    options.on_request = log.hook();
    server = std::make_unique<HttpServer>(io.executor(), std::move(options), std::move(router));
    server->start();
  }

  std::string url(std::string_view host) const {
    return "https://" + std::string(host) + ":" + std::to_string(server->port()) + "/ok";
  }

  HttpResult get(const ClientOptions& options, std::string_view host) {
    HttpClient client(io.executor(), options);
    return io.run(client.request({.url = url(host)}));
  }

  ClientOptions trusting_test_ca() const {
    ClientOptions options;
    options.ca_file = authority.ca_file();
    return options;
  }

  fixtures::TestAuthority authority;
  fixtures::IoThread io;
  fixtures::RequestLog log;
  std::unique_ptr<HttpServer> server;
};

TEST_F(TlsTest, VerifiedWithTheGivenAuthority) {
  serve(authority.issue("localhost", {"localhost"}, {"127.0.0.1"}));

  const auto by_name = get(trusting_test_ca(), "localhost");
  ASSERT_TRUE(by_name.ok()) << by_name.error_text;
  EXPECT_EQ(by_name.response->status, 200);
  EXPECT_EQ(by_name.response->body, R"({"ok":true})");

  const auto by_address = get(trusting_test_ca(), "127.0.0.1");
  ASSERT_TRUE(by_address.ok()) << by_address.error_text;
  EXPECT_EQ(by_address.response->status, 200);
}

TEST_F(TlsTest, RefusedWhenTheAuthorityIsNotTrusted) {
  serve(authority.issue("localhost", {"localhost"}, {"127.0.0.1"}));

  const auto result = get(ClientOptions{}, "localhost");  // the system trust store only
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure, HttpFailure::tls);
  // The server sends its chain up to the test CA, which no system store trusts.
  EXPECT_EQ(result.error_text,
            "TLS: certificate verify failed (self-signed certificate in certificate chain) for "
            "host localhost");
  EXPECT_EQ(log.size(), 0u);
}

TEST_F(TlsTest, RefusedWhenTheNameDoesNotMatch) {
  serve(authority.issue("otherhost", {"otherhost"}, {}));

  const auto result = get(trusting_test_ca(), "localhost");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure, HttpFailure::tls);
  EXPECT_EQ(result.error_text,
            "TLS: certificate verify failed (hostname mismatch) for host localhost");
}

TEST_F(TlsTest, RefusedWhenTheAddressIsNotInTheCertificate) {
  serve(authority.issue("localhost", {"localhost"}, {}));

  const auto result = get(trusting_test_ca(), "127.0.0.1");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure, HttpFailure::tls);
  EXPECT_EQ(result.error_text,
            "TLS: certificate verify failed (IP address mismatch) for host 127.0.0.1");
}

TEST_F(TlsTest, VerificationOffAcceptsAnyCertificate) {
  serve(authority.issue("otherhost", {"otherhost"}, {}));

  ClientOptions options;
  options.verify_tls = false;
  const auto result = get(options, "localhost");
  ASSERT_TRUE(result.ok()) << result.error_text;
  EXPECT_EQ(result.response->status, 200);
}

TEST_F(TlsTest, KeepAliveOverTls) {
  serve(authority.issue("localhost", {"localhost"}, {"127.0.0.1"}));
  HttpClient client(io.executor(), trusting_test_ca());

  for (int i = 0; i < 3; ++i) {
    const auto result = io.run(client.request({.url = url("localhost")}));
    ASSERT_TRUE(result.ok()) << result.error_text;
  }
  ASSERT_TRUE(log.wait_for(3));
  EXPECT_EQ(log.connections(), 1u);
}

TEST_F(TlsTest, HandshakeTimeoutCountsAgainstTheConnectTimeout) {
  fixtures::SilentListener listener(16);  // connects, never says hello
  ClientOptions options = trusting_test_ca();
  options.connect_timeout = 200ms;
  HttpClient client(io.executor(), options);

  const auto result =
      io.run(client.request({.url = "https://127.0.0.1:" + std::to_string(listener.port()) + "/"}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure, HttpFailure::connect);
  EXPECT_EQ(result.error_text, "TLS handshake with 127.0.0.1:" + std::to_string(listener.port()) +
                                   " timed out after 200 ms");
}

TEST_F(TlsTest, PlainHttpToATlsServerFails) {
  serve(authority.issue("localhost", {"localhost"}, {"127.0.0.1"}));
  HttpClient client(io.executor());

  const auto result =
      io.run(client.request({.url = "http://127.0.0.1:" + std::to_string(server->port()) + "/ok"}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(log.size(), 0u);
}

TEST_F(TlsTest, ServerRefusesACertificateWithoutItsOwnKey) {
  const auto certificate = authority.issue("localhost", {"localhost"}, {});
  ServerOptions options;
  options.tls_certificate_file = certificate.certificate_file;
  EXPECT_THROW(HttpServer(io.executor(), options, Router()), std::invalid_argument);
  options.tls_private_key_file = certificate.certificate_file;  // not a key
  EXPECT_THROW(HttpServer(io.executor(), options, Router()), std::runtime_error);
  options.tls_private_key_file = authority.issue("other", {"otherhost"}, {}).private_key_file;
  try {
    HttpServer server(io.executor(), options, Router());
    ADD_FAILURE() << "a key of another certificate was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("key values mismatch"));
  }
}

}  // namespace
}  // namespace motcua::net
