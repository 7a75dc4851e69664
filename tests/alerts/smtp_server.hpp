#pragma once
// tests/alerts/smtp_server.py as a real process on a random loopback port: aiosmtpd with
// STARTTLS or implicit TLS, AUTH, and every message it takes written to a folder, where Python's
// email package has already read it into N.json.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "tests/net/io_thread.hpp"
#include "tests/support/process.hpp"

namespace motcua::alerts::fixtures {

struct SmtpServerOptions {
  std::optional<std::filesystem::path> certificate_file;  // with a key: TLS (STARTTLS by default)
  std::optional<std::filesystem::path> private_key_file;
  bool implicit_tls = false;
  bool no_starttls = false;  // TLS files given, but STARTTLS not offered
  std::string user;          // "USER:PASSWORD": AUTH required
  std::string auth_mechanisms = "PLAIN,LOGIN";
  std::string mode = "smtp";  // or "starttls-inject", "silent"
};

class SmtpServer {
 public:
  explicit SmtpServer(const SmtpServerOptions& options) {
    std::vector<std::string> args = {
        (testing::source_dir() / "tests/alerts/smtp_server.py").string(),
        "--maildir",
        maildir_.path().string(),
        "--mode",
        options.mode,
        "--auth-mechanisms",
        options.auth_mechanisms};
    if (options.certificate_file) {
      args.insert(args.end(), {"--cert", options.certificate_file->string(), "--key",
                               options.private_key_file->string()});
    }
    if (options.implicit_tls) args.push_back("--implicit-tls");
    if (options.no_starttls) args.push_back("--no-starttls");
    if (!options.user.empty()) args.insert(args.end(), {"--user", options.user});
    process_ = std::make_unique<testing::BackgroundProcess>("/usr/bin/python3", args);
    const std::string line = process_->wait_for_line("listening on ", std::chrono::seconds(30));
    if (line.empty()) throw std::runtime_error("the SMTP test server did not start");
    port_ = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
  }

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& maildir() const { return maildir_.path(); }

  // The N-th message taken (from 1), as the server's N.json, once it is there.
  std::optional<boost::json::value> message(
      int n, std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
    const auto file = maildir_.path() / (std::to_string(n) + ".json");
    if (!net::fixtures::eventually([&] { return std::filesystem::exists(file); }, limit))
      return std::nullopt;
    return boost::json::parse(read(file));
  }
  // The bytes of the N-th message as the server took them (dot-stuffing undone).
  std::string raw(int n) const { return read(maildir_.path() / (std::to_string(n) + ".eml")); }
  // How many messages the server took so far.
  int count() const {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(maildir_.path()))
      if (entry.path().extension() == ".json") ++n;
    return n;
  }

 private:
  static std::string read(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  testing::TempDir maildir_;
  std::unique_ptr<testing::BackgroundProcess> process_;
  std::uint16_t port_ = 0;
};

}  // namespace motcua::alerts::fixtures
