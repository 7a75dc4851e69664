// The client against our own server and against misbehaving loopback peers: keep-alive, timeouts,
// limits and the faults the simulator injects, each a named case.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "tests/net/io_thread.hpp"
#include "tests/net/raw_socket.hpp"
#include "tests/net/request_log.hpp"

namespace motcua::net {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

ServerResponse text(std::string body, int status = 200) {
  ServerResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(body);
  return response;
}

class ClientTest : public ::testing::Test {
 protected:
  // The loop stops before the objects its handlers may still use (the log) go away.
  void TearDown() override { io.halt(); }

  // Started with the hook of `log`, on a free port.
  void serve(Router router, ServerOptions options = {}) {
    options.on_request = log.hook();
    server = std::make_unique<HttpServer>(io.executor(), std::move(options), std::move(router));
    server->start();
  }

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + std::string(path);
  }

  HttpResult fetch(HttpClient& client, std::string method, std::string target,
                   std::string body = {}) {
    return io.run(client.request(
        {.method = std::move(method), .url = std::move(target), .headers = {}, .body = body}));
  }

  HttpResult get(HttpClient& client, std::string_view path) {
    return fetch(client, "GET", url(path));
  }

  fixtures::IoThread io;  // first: the loop outlives everything that uses it
  fixtures::RequestLog log;
  std::unique_ptr<HttpServer> server;
};

TEST_F(ClientTest, RoundTripCarriesMethodTargetHeadersAndBody) {
  Router router;
  router.add("POST", "/echo/{name}", [](const ServerRequest& request) {
    auto response =
        text(request.method + " " + request.params.at("name") + " " + request.query.at("q") + " " +
                 request.header("x-trace") + " " + request.body,
             201);
    response.headers.emplace_back("X-Served-By", "test");
    return response;
  });
  serve(std::move(router));
  HttpClient client(io.executor());

  const auto result = io.run(client.request({.method = "POST",
                                             .url = url("/echo/h%E1%BB%93%20s%C6%A1?q=a+b"),
                                             .headers = {{"X-Trace", "abc"}},
                                             .body = "xin chào"}));
  ASSERT_TRUE(result.ok()) << result.error_text;
  EXPECT_EQ(result.response->status, 201);
  EXPECT_EQ(result.response->body, "POST hồ sơ a b abc xin chào");
  EXPECT_EQ(result.response->header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(result.response->header("X-SERVED-BY"), "test");

  ASSERT_TRUE(log.wait_for(1));
  const auto answered = log.entries();
  ASSERT_EQ(answered.size(), 1u);
  EXPECT_EQ(answered[0].method, "POST");
  EXPECT_EQ(answered[0].path, "/echo/hồ sơ");
  EXPECT_EQ(answered[0].status, 201);
  EXPECT_THAT(answered[0].remote, StartsWith("127.0.0.1:"));
}

TEST_F(ClientTest, KeepAliveReusesOneConnection) {
  Router router;
  router.add("GET", "/n", [](const ServerRequest&) { return text("ok"); });
  serve(std::move(router));
  HttpClient client(io.executor());

  for (int i = 0; i < 3; ++i) {
    const auto result = get(client, "/n");
    ASSERT_TRUE(result.ok()) << result.error_text;
  }
  ASSERT_TRUE(log.wait_for(3));
  EXPECT_EQ(log.connections(), 1u);
  EXPECT_EQ(client.idle_connections(), 1u);
  EXPECT_EQ(server->connections(), 1u);

  client.close_idle();
  EXPECT_EQ(client.idle_connections(), 0u);
  EXPECT_TRUE(fixtures::eventually([&] { return server->connections() == 0; }));
}

TEST_F(ClientTest, ConcurrentRequestsUseSeparateConnectionsAndKeepAtMostTheIdleLimit) {
  Router router;
  router.add("GET", "/slow", [](ServerRequest) -> asio::awaitable<ServerResponse> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
    co_await timer.async_wait(asio::use_awaitable);
    co_return text("late");
  });
  serve(std::move(router));
  HttpClient client(io.executor(), {.max_idle_per_host = 2});

  auto a = io.spawn(client.request({.url = url("/slow")}));
  auto b = io.spawn(client.request({.url = url("/slow")}));
  auto c = io.spawn(client.request({.url = url("/slow")}));
  for (auto* future : {&a, &b, &c}) {
    const auto result = io.wait(*future);
    ASSERT_TRUE(result.ok()) << result.error_text;
    EXPECT_EQ(result.response->body, "late");
  }
  ASSERT_TRUE(log.wait_for(3));
  EXPECT_EQ(log.connections(), 3u);
  EXPECT_EQ(client.idle_connections(), 2u);
}

// The server closes a kept-alive connection just as the next request arrives on it.
Router dropping_second_request(std::atomic<int>& calls) {
  Router router;
  auto handler = [&calls](const ServerRequest&) {
    ServerResponse response = text("call " + std::to_string(++calls));
    response.close_without_response = calls == 2;
    return response;
  };
  router.add("GET", "/r", handler);
  router.add("POST", "/r", handler);
  return router;
}

TEST_F(ClientTest, StaleConnectionIsRetriedOnceForIdempotentRequests) {
  std::atomic<int> calls{0};
  serve(dropping_second_request(calls));
  HttpClient client(io.executor());

  ASSERT_TRUE(get(client, "/r").ok());
  const auto second = get(client, "/r");
  ASSERT_TRUE(second.ok()) << second.error_text;
  EXPECT_EQ(second.response->body, "call 3");
  ASSERT_TRUE(log.wait_for(3));
  EXPECT_EQ(log.connections(), 2u);
}

TEST_F(ClientTest, StaleConnectionIsNotRetriedForPostOnceTheRequestWasSent) {
  std::atomic<int> calls{0};
  serve(dropping_second_request(calls));
  HttpClient client(io.executor());

  ASSERT_TRUE(get(client, "/r").ok());
  const auto post = fetch(client, "POST", url("/r"), "create once");
  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.failure, HttpFailure::closed);
  EXPECT_EQ(post.error_text, "connection closed before the response was complete");
  EXPECT_EQ(calls, 2);
}

TEST_F(ClientTest, ConnectionClosedByTheServerWhileIdleIsNotUsedAgain) {
  Router router;
  router.add("POST", "/p", [](const ServerRequest& request) { return text(request.body); });
  serve(std::move(router), {.idle_timeout = 100ms});
  HttpClient client(io.executor());

  ASSERT_TRUE(fetch(client, "POST", url("/p"), "one").ok());
  ASSERT_TRUE(fixtures::eventually([&] { return server->connections() == 0; }));
  // Not retried if sent on the dead connection (POST): it must go out on a fresh one.
  const auto second = fetch(client, "POST", url("/p"), "two");
  ASSERT_TRUE(second.ok()) << second.error_text;
  EXPECT_EQ(second.response->body, "two");
  ASSERT_TRUE(log.wait_for(2));
  EXPECT_EQ(log.connections(), 2u);
}

TEST_F(ClientTest, HeadReportsTheLengthWithoutABody) {
  Router router;
  router.add("GET", "/page", [](const ServerRequest&) { return text("0123456789"); });
  serve(std::move(router));
  HttpClient client(io.executor());

  const auto head = fetch(client, "HEAD", url("/page"));
  ASSERT_TRUE(head.ok()) << head.error_text;
  EXPECT_EQ(head.response->header("Content-Length"), "10");
  EXPECT_EQ(head.response->body, "");
  // The connection is still in step: the next response is read correctly.
  const auto get_after = get(client, "/page");
  ASSERT_TRUE(get_after.ok()) << get_after.error_text;
  EXPECT_EQ(get_after.response->body, "0123456789");
  ASSERT_TRUE(log.wait_for(2));
  EXPECT_EQ(log.connections(), 1u);
}

TEST_F(ClientTest, HandlerExceptionIsA500AndReported) {
  Router router;
  router.add("GET", "/boom",
             [](const ServerRequest&) -> ServerResponse { throw std::runtime_error("kaput"); });
  // Shared with the hook, which lives as long as the server.
  struct Reported {
    std::mutex mutex;
    std::string text;
  };
  auto reported = std::make_shared<Reported>();
  serve(std::move(router), {.on_error = [reported](std::string_view message) {
          std::lock_guard lock(reported->mutex);
          reported->text = message;
        }});
  HttpClient client(io.executor());

  const auto result = get(client, "/boom");
  ASSERT_TRUE(result.ok()) << result.error_text;
  EXPECT_EQ(result.response->status, 500);
  EXPECT_EQ(result.response->body, R"({"error":"internal error"})");
  std::lock_guard lock(reported->mutex);
  EXPECT_EQ(reported->text, "handler for GET /boom failed: kaput");
}

TEST_F(ClientTest, ConnectionRefused) {
  const auto port = fixtures::unused_port();
  HttpClient client(io.executor());
  const auto result = fetch(client, "GET", "http://127.0.0.1:" + std::to_string(port) + "/");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure, HttpFailure::connect);
  EXPECT_EQ(result.error_text,
            "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_F(ClientTest, ConnectTimeoutWhenTheListenerBacklogIsFull) {
  fixtures::SilentListener listener(0);
  if (!listener.fill_backlog())
    GTEST_SKIP() << "this kernel completes connections past the backlog";
  HttpClient client(io.executor(), {.connect_timeout = 200ms});

  const auto started = std::chrono::steady_clock::now();
  const auto result =
      fetch(client, "GET", "http://127.0.0.1:" + std::to_string(listener.port()) + "/");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure, HttpFailure::connect);
  EXPECT_EQ(result.error_text,
            "connect to 127.0.0.1:" + std::to_string(listener.port()) + " timed out after 200 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(ClientTest, RequestTimeoutWhenTheServerNeverAnswers) {
  fixtures::SilentListener listener(16);  // connections complete, nobody reads them
  HttpClient client(io.executor(), {.request_timeout = 200ms});

  const auto started = std::chrono::steady_clock::now();
  const auto result =
      fetch(client, "GET", "http://127.0.0.1:" + std::to_string(listener.port()) + "/");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure, HttpFailure::timeout);
  EXPECT_EQ(result.error_text,
            "request to 127.0.0.1:" + std::to_string(listener.port()) + " timed out after 200 ms");
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 5s);
}

TEST_F(ClientTest, ResponseLargerThanTheLimitIsRefused) {
  Router router;
  router.add("GET", "/big", [](const ServerRequest&) { return text(std::string(2000, 'x')); });
  router.add("GET", "/fits", [](const ServerRequest&) { return text(std::string(1000, 'x')); });
  router.add("GET", "/fat-header", [](const ServerRequest&) {
    auto response = text("small");
    response.headers.emplace_back("X-Padding", std::string(300, 'p'));
    return response;
  });
  serve(std::move(router));
  HttpClient client(io.executor(), {.max_response_bytes = 1000, .max_header_bytes = 256});

  const auto fits = get(client, "/fits");
  ASSERT_TRUE(fits.ok()) << fits.error_text;
  EXPECT_EQ(fits.response->body.size(), 1000u);

  const auto big = get(client, "/big");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.failure, HttpFailure::too_large);
  EXPECT_EQ(big.error_text, "response larger than 1000 bytes");

  const auto fat = get(client, "/fat-header");
  ASSERT_FALSE(fat.ok());
  EXPECT_EQ(fat.failure, HttpFailure::too_large);
  EXPECT_EQ(fat.error_text, "response header larger than 256 bytes");
}

TEST_F(ClientTest, ServerDroppingTheConnectionIsAClearError) {
  Router router;
  router.add("GET", "/drop", [](const ServerRequest&) {
    ServerResponse response;
    response.close_without_response = true;
    return response;
  });
  serve(std::move(router));
  HttpClient client(io.executor());

  const auto result = get(client, "/drop");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure, HttpFailure::closed);
  EXPECT_EQ(result.error_text, "connection closed before the response was complete");
  ASSERT_TRUE(log.wait_for(1));
  EXPECT_EQ(log.entries()[0].status, 0);
}

TEST_F(ClientTest, TruncatedBodyIsAnError) {
  Router router;
  router.add("GET", "/cut", [](const ServerRequest&) {
    auto response = text(std::string(100, 'x'));
    response.truncate_body_to = 10;
    return response;
  });
  serve(std::move(router));
  HttpClient client(io.executor());

  const auto result = get(client, "/cut");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure, HttpFailure::closed);
  EXPECT_EQ(result.error_text, "connection closed before the response was complete");
}

TEST_F(ClientTest, InvalidRequestsFailBeforeAnyConnection) {
  HttpClient client(io.executor());
  const struct {
    HttpRequest request;
    const char* error;
  } cases[] = {
      {{.url = "ftp://example.org/file"}, "unsupported URL scheme 'ftp' (only http and https)"},
      {{.url = "http://user:secret@example.org/"}, "user info in URL is not accepted"},
      {{.url = "not a url"}, "invalid URL 'not a url'"},
      {{.method = "GE T", .url = "http://127.0.0.1/"}, "invalid method 'GE T'"},
      {{.url = "http://127.0.0.1/", .headers = {{"X-A", "1\r\nX-Injected: 1"}}},
       "invalid header field 'X-A'"},
  };
  for (const auto& c : cases) {
    const auto result = io.run(client.request(c.request));
    ASSERT_FALSE(result.ok()) << c.request.url;
    EXPECT_EQ(result.failure, HttpFailure::invalid_request) << c.request.url;
    EXPECT_THAT(result.error_text, HasSubstr(c.error));
    EXPECT_THAT(result.error_text, ::testing::Not(HasSubstr("secret")));
  }
}

TEST_F(ClientTest, StopClosesIdleConnectionsAndStopsAccepting) {
  Router router;
  router.add("GET", "/", [](const ServerRequest&) { return text("up"); });
  serve(std::move(router));
  HttpClient client(io.executor());
  ASSERT_TRUE(get(client, "/").ok());
  ASSERT_EQ(server->connections(), 1u);

  server->stop();
  EXPECT_TRUE(fixtures::eventually([&] { return server->connections() == 0; }));
  HttpClient fresh(io.executor());
  const auto refused = get(fresh, "/");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.failure, HttpFailure::connect);
}

TEST(HttpClient, UnreadableCaFileFailsAtConstruction) {
  fixtures::IoThread io;
  EXPECT_THROW(HttpClient(io.executor(), {.ca_file = "/nonexistent/ca.pem"}), std::runtime_error);
}

}  // namespace
}  // namespace motcua::net
