// The status page as a browser builds it: a real server on a free loopback port, a headless
// Chromium that loads the page and prints the DOM it built. Markup in upstream text must arrive
// as text, not as elements.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "daemon/api.hpp"
#include "daemon/status_page.hpp"
#include "net/http_server.hpp"
#include "tests/daemon/page_test_fixture.hpp"
#include "tests/net/io_thread.hpp"

namespace motcua::daemon {
namespace {

using namespace std::chrono;
using testing::finding;
using ::testing::HasSubstr;
using ::testing::Not;

const std::filesystem::path kChromium = "/usr/bin/chromium";

class PageBrowserTest : public testing::ServiceFixture, public ::testing::Test {
 protected:
  void SetUp() override {
    net::Router router;
    add_page_routes(router, ctx);
    net::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.on_request = [m = metrics](const net::ServerRequest& request, int status,
                                       microseconds took) {
      m->http_request(route_label(request.path), status, took);
    };
    server =
        std::make_unique<net::HttpServer>(io.executor(), std::move(options), std::move(router));
    server->start();
  }

  // The DOM Chromium built from `url`, or why there is none. The new headless mode first, the old
  // one where this Chromium lacks it. `timeout` kills the whole process group (Chromium's helper
  // processes too) should it hang; run_process's deadline backs that up.
  ::motcua::testing::ProcessResult dump_dom(const std::string& url) {
    ::motcua::testing::ProcessResult last;
    for (const std::string mode : {"--headless=new", "--headless"}) {
      const auto profile = dir.path() / ("chromium-profile" + std::to_string(mode.size()));
      last = ::motcua::testing::run_process(
          "/usr/bin/timeout",
          {"-k", "5", "60", kChromium.string(), mode, "--no-sandbox", "--disable-gpu",
           "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
           "--disable-extensions", "--disable-background-networking",
           "--user-data-dir=" + profile.string(), "--dump-dom", url},
          seconds(75));
      if (last.exit_code == 0 && last.out.find("</html>") != std::string::npos) return last;
    }
    return last;
  }

  ApiContext ctx{state, db};
  net::fixtures::IoThread io;
  std::unique_ptr<net::HttpServer> server;
};

TEST_F(PageBrowserTest, ChromiumRendersVietnameseHeadingsAndMarkupAsText) {
  if (!std::filesystem::exists(kChromium)) GTEST_SKIP() << "chromium is not installed";
  set_realistic_sources();
  publish({
      finding(sla::Rule::overdue, "000.00.12.H37", "Sở <script>alert(1)</script> Xây dựng",
              "000.00.12.H37-260301-0007", "Cấp phép <img src=x onerror=alert(1)> nhà ở", 14.5),
      finding(sla::Rule::due_soon, "000.00.12.H37", "Sở Xây dựng", "000.00.12.H37-260301-0008",
              "Cấp phép"),
  });

  const auto url = "http://127.0.0.1:" + std::to_string(server->port()) + "/";
  const auto result = dump_dom(url);
  ASSERT_EQ(result.exit_code, 0) << "timed out: " << result.timed_out << "\n" << result.err;
  const std::string& dom = result.out;
  ASSERT_THAT(dom, HasSubstr("</html>")) << result.err;

  EXPECT_THAT(dom, HasSubstr("lang=\"vi\""));
  EXPECT_THAT(dom, HasSubstr("Giám sát giải quyết hồ sơ thủ tục hành chính"));
  EXPECT_THAT(dom, HasSubstr("Tình hình theo cơ quan"));
  EXPECT_THAT(dom, HasSubstr("Hồ sơ quá hạn nhiều nhất"));
  EXPECT_THAT(dom, HasSubstr("Tình trạng nguồn dữ liệu"));
  EXPECT_THAT(dom, HasSubstr("000.00.12.H37-260301-0007"));
  // The serialised DOM escapes text nodes again: markup that stayed text reads escaped here,
  // markup that became an element would read as a tag.
  EXPECT_THAT(dom, HasSubstr("Cấp phép &lt;img src=x onerror=alert(1)&gt; nhà ở"));
  EXPECT_THAT(dom, HasSubstr("Sở &lt;script&gt;alert(1)&lt;/script&gt; Xây dựng"));
  EXPECT_THAT(dom, Not(HasSubstr("<img")));
  EXPECT_THAT(dom, Not(HasSubstr("<script")));

  // The server counts a request once its answer is written, which may be just after the browser
  // has read it.
  EXPECT_TRUE(net::fixtures::eventually([&] {
    return metrics->render(state, db).find(
               R"(motcua_http_requests_total{route="/",code="200"} )") != std::string::npos;
  }));
}

}  // namespace
}  // namespace motcua::daemon
