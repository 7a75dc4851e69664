// The server's sessions and limits, driven by our client and by raw sockets that send what no
// well-behaved client would.
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "tests/net/io_thread.hpp"
#include "tests/net/raw_socket.hpp"
#include "tests/net/request_log.hpp"

namespace motcua::net {
namespace {
using namespace std::chrono_literals;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ServerTest : public ::testing::Test {
 protected:
  // The loop stops before the objects its handlers may still use (the log) go away.
  void TearDown() override { io.halt(); }

  void serve(ServerOptions options = {}) {
    Router router;
    router.add("GET", "/hello", [](const ServerRequest&) {
      ServerResponse response;
      response.content_type = "text/plain";
      response.body = "hello";
      return response;
    });
    router.add("POST", "/echo", [](const ServerRequest& request) {
      ServerResponse response;
      response.content_type = "text/plain";
      response.body = request.body;
      return response;
    });
    options.on_request = log.hook();
    server = std::make_unique<HttpServer>(io.executor(), std::move(options), std::move(router));
    server->start();
  }

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + std::string(path);
  }

  fixtures::IoThread io;
  fixtures::RequestLog log;
  std::unique_ptr<HttpServer> server;
};

TEST_F(ServerTest, OversizedHeaderIs431) {
  serve({.max_header_bytes = 1024});
  HttpClient client(io.executor());

  const auto fits =
      io.run(client.request({.url = url("/hello"), .headers = {{"X-Pad", std::string(500, 'a')}}}));
  ASSERT_TRUE(fits.ok()) << fits.error_text;
  EXPECT_EQ(fits.response->status, 200);

  const auto result = io.run(
      client.request({.url = url("/hello"), .headers = {{"X-Pad", std::string(4000, 'a')}}}));
  ASSERT_TRUE(result.ok()) << result.error_text;
  EXPECT_EQ(result.response->status, 431);
  EXPECT_EQ(result.response->body, R"({"error":"request header larger than 1024 bytes"})");
  EXPECT_EQ(result.response->header("Connection"), "close");
}

TEST_F(ServerTest, OversizedBodyIs413) {
  serve({.max_body_bytes = 64 * 1024});
  HttpClient client(io.executor());

  const auto fits = io.run(
      client.request({.method = "POST", .url = url("/echo"), .body = std::string(64 * 1024, 'b')}));
  ASSERT_TRUE(fits.ok()) << fits.error_text;
  EXPECT_EQ(fits.response->status, 200);
  EXPECT_EQ(fits.response->body.size(), 64u * 1024);

  // Large enough that the client is still sending when the answer comes: the server must drain
  // the rest, or the client's write fails with a reset before it can read the 413.
  const auto result = io.run(client.request(
      {.method = "POST", .url = url("/echo"), .body = std::string(32 * 1024 * 1024, 'b')}));
  ASSERT_TRUE(result.ok()) << result.error_text;
  EXPECT_EQ(result.response->status, 413);
  EXPECT_EQ(result.response->body, R"({"error":"request body larger than 65536 bytes"})");
}

TEST_F(ServerTest, OversizedChunkedBodyIs413) {
  serve({.max_body_bytes = 100});
  fixtures::RawConnection raw(server->port());
  raw.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "50\r\n" +
      std::string(80, 'c') + "\r\n50\r\n" + std::string(80, 'c') + "\r\n0\r\n\r\n");
  const auto answer = raw.read_until_closed(10s);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 413 "));
  EXPECT_TRUE(raw.closed_by_peer());
}

TEST_F(ServerTest, MalformedRequestIs400AndClosed) {
  serve();
  fixtures::RawConnection raw(server->port());
  raw.send("GET /hello HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n");
  const auto answer = raw.read_until_closed(10s);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(answer, HasSubstr(R"({"error":"malformed request: )"));
  EXPECT_TRUE(raw.closed_by_peer());
  ASSERT_TRUE(log.wait_for(1));
  EXPECT_EQ(log.entries()[0].status, 400);
}

TEST_F(ServerTest, SlowClientIsCutOffAfterTheReadTimeout) {
  serve({.read_timeout = 300ms});
  const auto started = std::chrono::steady_clock::now();
  fixtures::RawConnection raw(server->port());
  ASSERT_TRUE(raw.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  // One byte every 20 ms: the request would never end, but each byte comes quickly.
  bool cut_off = false;
  while (!cut_off && std::chrono::steady_clock::now() - started < 10s) {
    std::this_thread::sleep_for(20ms);
    cut_off = !raw.send("z");
  }
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(cut_off);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 3s);
  EXPECT_TRUE(fixtures::eventually([&] { return server->connections() == 0; }));
  EXPECT_EQ(log.size(), 0u);
}

TEST_F(ServerTest, SilentConnectionIsClosedAfterTheReadTimeout) {
  serve({.read_timeout = 200ms});
  // Before connecting: the server's clock starts when it accepts, which may precede connect()'s
  // return here.
  const auto started = std::chrono::steady_clock::now();
  fixtures::RawConnection raw(server->port());
  EXPECT_EQ(raw.read_until_closed(10s), "");
  EXPECT_TRUE(raw.closed_by_peer());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
}

TEST_F(ServerTest, ConnectionCapIsAnswered503) {
  serve({.max_connections = 1});
  auto hog = std::make_unique<fixtures::RawConnection>(server->port());
  ASSERT_TRUE(fixtures::eventually([&] { return server->connections() == 1; }));
  HttpClient client(io.executor());

  const auto refused = io.run(client.request({.url = url("/hello")}));
  ASSERT_TRUE(refused.ok()) << refused.error_text;
  EXPECT_EQ(refused.response->status, 503);
  EXPECT_EQ(refused.response->header("Retry-After"), "1");
  EXPECT_EQ(refused.response->body, R"({"error":"too many connections"})");
  EXPECT_EQ(client.idle_connections(), 0u);

  hog.reset();
  ASSERT_TRUE(fixtures::eventually([&] { return server->connections() == 0; }));
  const auto served = io.run(client.request({.url = url("/hello")}));
  ASSERT_TRUE(served.ok()) << served.error_text;
  EXPECT_EQ(served.response->status, 200);
}

TEST_F(ServerTest, ExpectContinueGetsAnInterimAnswerBeforeTheBody) {
  serve();
  fixtures::RawConnection raw(server->port());
  raw.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(raw.read_until("\r\n\r\n", 10s), "HTTP/1.1 100 Continue\r\n\r\n");
  raw.send("hello");
  EXPECT_THAT(raw.read_until("hello", 10s), StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  serve();
  fixtures::RawConnection raw(server->port());
  raw.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecond");
  const auto answers = raw.read_until_closed(10s);
  const auto first = answers.find("first");
  const auto second = answers.find("second");
  ASSERT_NE(first, std::string::npos) << answers;
  ASSERT_NE(second, std::string::npos) << answers;
  EXPECT_LT(first, second);
  EXPECT_TRUE(raw.closed_by_peer());
}

TEST_F(ServerTest, Http10RequestIsAnsweredAndClosed) {
  serve();
  fixtures::RawConnection raw(server->port());
  raw.send("GET /hello HTTP/1.0\r\n\r\n");
  const auto answer = raw.read_until_closed(10s);
  EXPECT_THAT(answer, StartsWith("HTTP/1.0 200 OK\r\n"));
  EXPECT_THAT(answer, EndsWith("\r\n\r\nhello"));
  EXPECT_TRUE(raw.closed_by_peer());
}

TEST_F(ServerTest, NoTwoServersOnOnePort) {
  serve();
  EXPECT_THROW(HttpServer(io.executor(), {.port = server->port()}, Router()), std::runtime_error);
}

}  // namespace
}  // namespace motcua::net
