#include "tests/support/sim_process.hpp"

#include <regex>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "net/http_client.hpp"

namespace motcua::testing {

namespace json = boost::json;

SimProcess::SimProcess(SimOptions options) : options_(std::move(options)) {
  std::vector<std::string> args{"--listen",   "127.0.0.1:0",
                                "--dossiers", std::to_string(options_.dossiers),
                                "--seed",     std::to_string(options_.seed),
                                "--now",      options_.now};
  if (options_.tls_cert) {
    args.insert(args.end(), {"--tls-cert", options_.tls_cert->string()});
    args.insert(args.end(), {"--tls-key", options_.tls_key.value().string()});
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  process_ = std::make_unique<BackgroundProcess>(binary_dir() / "motcua-sim", args);
  const auto line = process_->wait_for_line("listening on", std::chrono::seconds(30));
  std::smatch m;
  if (!std::regex_search(line, m, std::regex(R"((https?://127\.0\.0\.1:\d+))")))
    throw std::runtime_error("motcua-sim did not say where it listens: '" + line + "'");
  base_url_ = m[1];
}

SimProcess::~SimProcess() = default;

SimAnswer SimProcess::request(const std::string& method, const std::string& path,
                              const std::string& body) {
  boost::asio::io_context io;
  net::ClientOptions client_options;
  client_options.ca_file = options_.ca_file;
  client_options.request_timeout = std::chrono::seconds(30);
  net::HttpClient client(io.get_executor(), client_options);
  net::HttpRequest request;
  request.method = method;
  request.url = base_url_ + path;
  request.body = body;
  if (!body.empty()) request.headers = {{"Content-Type", "application/json"}, {"dstcode", "H37"}};
  auto future =
      boost::asio::co_spawn(io, client.request(std::move(request)), boost::asio::use_future);
  io.run();
  const net::HttpResult r = future.get();
  SimAnswer answer;
  if (r.ok()) {
    answer.status = r.response->status;
    answer.body = r.response->body;
  } else {
    answer.error = r.error_text;
  }
  return answer;
}

namespace {

void expect_ok(const SimAnswer& a, const std::string& what) {
  if (a.status != 200)
    throw std::runtime_error(what + ": HTTP " + std::to_string(a.status) + " " + a.body + a.error);
}

}  // namespace

void SimProcess::inject(const std::string& kind, const std::string& target, int count,
                        int delay_ms) {
  json::object fault{{"kind", kind}, {"target", target}, {"count", count}};
  if (delay_ms > 0) fault["delay_ms"] = delay_ms;
  expect_ok(request("POST", "/_sim/faults", json::serialize(fault)), "inject " + kind);
}

void SimProcess::clear_faults() {
  expect_ok(request("DELETE", "/_sim/faults"), "clear faults");
}

void SimProcess::expire_sessions() {
  expect_ok(request("POST", "/_sim/sessions/expire", "{}"), "expire sessions");
}

void SimProcess::advance_clock(const std::string& by) {
  expect_ok(request("POST", "/_sim/clock", json::serialize(json::object{{"advance", by}})),
            "advance the clock");
}

std::vector<ListedRecord> SimProcess::listing() {
  const SimAnswer login =
      request("POST", "/motcua/auth", R"({"username":"demo","password":"demo"})");
  expect_ok(login, "login");
  const std::string session(json::parse(login.body).at("session").as_string());
  std::vector<ListedRecord> out;
  constexpr int kPage = 5000;
  for (int page = 1;; ++page) {
    json::object call{{"session", session},
                      {"service", "LayDanhSachHoSo"},
                      {"CapNhatTu", ""},
                      {"Trang", page},
                      {"SoLuong", kPage}};
    const SimAnswer a = request("POST", "/motcua/service", json::serialize(call));
    expect_ok(a, "listing page " + std::to_string(page));
    const json::value answer = json::parse(a.body);
    const auto& data = answer.at("data").as_array();
    for (const auto& r : data)
      out.push_back(
          {std::string(r.at("MaHoSo").as_string()), std::string(r.at("NgayCapNhat").as_string())});
    if (data.size() < kPage) break;
  }
  return out;
}

}  // namespace motcua::testing
