// The routing table without a socket: requests are built with ServerRequest::make and answered on
// a local io_context.
#include "net/router.hpp"

#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

namespace motcua::net {
namespace {
namespace asio = boost::asio;
using ::testing::HasSubstr;

ServerResponse answer(const Router& router, ServerRequest request) {
  asio::io_context context;
  auto future = asio::co_spawn(context, router.handle(std::move(request)), asio::use_future);
  context.run();
  return future.get();
}

ServerResponse answer(const Router& router, std::string method, std::string target) {
  return answer(router, ServerRequest::make(std::move(method), std::move(target)));
}

// A handler that answers with its name and the parameters it was given.
Router::SyncHandler echo(std::string name) {
  return [name](const ServerRequest& request) {
    ServerResponse response;
    response.body = name;
    for (const auto& [key, value] : request.params)
      response.body += " " + key + "=" + value;
    return response;
  };
}

TEST(Router, PathParametersArePercentDecodedPerSegment) {
  Router router;
  router.add("GET", "/api/v1/dossiers/{code}", echo("dossier"));
  router.add("GET", "/api/v1/{kind}/{id}/steps", echo("steps"));

  EXPECT_EQ(answer(router, "GET", "/api/v1/dossiers/000.00.12.H37-260301-0007").body,
            "dossier code=000.00.12.H37-260301-0007");
  // An encoded slash stays inside its segment instead of splitting the path.
  EXPECT_EQ(answer(router, "GET", "/api/v1/dossiers/a%2Fb%20c").body, "dossier code=a/b c");
  EXPECT_EQ(answer(router, "GET", "/api/v1/dossiers/x/steps").body, "steps id=x kind=dossiers");
}

TEST(Router, QueryIsDecoded) {
  const auto request =
      ServerRequest::make("GET", "/api/v1/findings?rule=overdue&agency=S%E1%BB%9F+Y+t%E1%BA%BF");
  EXPECT_EQ(request.path, "/api/v1/findings");
  EXPECT_EQ(request.query.at("rule"), "overdue");
  EXPECT_EQ(request.query.at("agency"), "Sở Y tế");
  EXPECT_THROW(ServerRequest::make("GET", "no slash"), std::invalid_argument);
}

TEST(Router, UnknownPathIsA404InJson) {
  Router router;
  router.add("GET", "/healthz", echo("health"));
  router.add("GET", "/api/v1/dossiers/{code}", echo("dossier"));

  EXPECT_EQ(answer(router, "GET", "/healthz").status, 200);
  for (const char* target : {"/nothing", "/healthz/", "/api/v1/dossiers", "/api/v1/dossiers/",
                             "/api/v1/dossiers/a/b", "/"}) {
    const auto response = answer(router, "GET", target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_THAT(response.body, HasSubstr("\"error\"")) << target;
  }
}

TEST(Router, WrongMethodIsA405ListingTheAllowedOnes) {
  Router router;
  router.add("GET", "/api/v1/silences", echo("list"));
  router.add("POST", "/api/v1/silences", echo("create"));
  router.add("DELETE", "/api/v1/silences/{id}", echo("delete"));

  const auto response = answer(router, "PUT", "/api/v1/silences");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(find_header(response.headers, "allow"), "GET, HEAD, POST");
  EXPECT_THAT(response.body, HasSubstr("PUT"));

  const auto on_item = answer(router, "GET", "/api/v1/silences/7");
  EXPECT_EQ(on_item.status, 405);
  EXPECT_EQ(find_header(on_item.headers, "Allow"), "DELETE");
  EXPECT_EQ(answer(router, "DELETE", "/api/v1/silences/7").body, "delete id=7");
}

TEST(Router, HeadIsAnsweredByTheGetHandler) {
  Router router;
  router.add("GET", "/", echo("status page"));
  EXPECT_EQ(answer(router, "HEAD", "/").body, "status page");
}

TEST(Router, LiteralSegmentWinsOverParameter) {
  Router router;
  router.add("GET", "/api/v1/silences/{id}", echo("one"));
  router.add("GET", "/api/v1/silences/export", echo("export"));
  EXPECT_EQ(answer(router, "GET", "/api/v1/silences/export").body, "export");
  EXPECT_EQ(answer(router, "GET", "/api/v1/silences/12").body, "one id=12");
}

TEST(Router, AsynchronousHandlerMayWait) {
  Router router;
  router.add("GET", "/slow/{ms}",
             Router::AsyncHandler([](ServerRequest request) -> asio::awaitable<ServerResponse> {
               asio::steady_timer timer(co_await asio::this_coro::executor,
                                        std::chrono::milliseconds(std::stoi(request.params["ms"])));
               co_await timer.async_wait(asio::use_awaitable);
               ServerResponse response;
               response.body = "waited " + request.params["ms"];
               co_return response;
             }));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(answer(router, "GET", "/slow/30").body, "waited 30");
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(30));
}

TEST(Router, RejectsMalformedAndDuplicateRoutes) {
  Router router;
  router.add("GET", "/api/v1/dossiers/{code}", echo("dossier"));
  EXPECT_THROW(router.add("GET", "/api/v1/dossiers/{other}", echo("again")), std::logic_error);
  EXPECT_NO_THROW(router.add("POST", "/api/v1/dossiers/{code}", echo("post")));
  EXPECT_THROW(router.add("GET", "relative", echo("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/{b", echo("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/x{b}", echo("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/{}", echo("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/{a}/{a}", echo("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/empty", Router::SyncHandler()), std::invalid_argument);
}

TEST(ServerResponse, JsonErrorEscapesTheMessage) {
  const auto response = ServerResponse::json_error(400, "bad \"code\"\\\n\x01 Hồ sơ");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, "{\"error\":\"bad \\\"code\\\"\\\\\\n\\u0001 Hồ sơ\"}");
}

}  // namespace
}  // namespace motcua::net
