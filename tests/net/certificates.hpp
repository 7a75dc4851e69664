#pragma once
// A throwaway certificate authority made at run time, and server certificates it issues, written
// as PEM files into a temporary folder removed with the object. Nothing is checked in that could
// expire, and no test trusts anything but what it made.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace motcua::net::fixtures {

struct IssuedCertificate {
  std::filesystem::path certificate_file;  // the leaf, then the CA (a chain as servers send it)
  std::filesystem::path private_key_file;
};

class TestAuthority {
 public:
  TestAuthority();
  ~TestAuthority();
  TestAuthority(const TestAuthority&) = delete;
  TestAuthority& operator=(const TestAuthority&) = delete;

  // The CA certificate, for ClientOptions::ca_file.
  const std::filesystem::path& ca_file() const { return ca_file_; }
  // A server certificate for the DNS names and IP addresses given (subjectAltName).
  IssuedCertificate issue(const std::string& file_stem, const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses);

 private:
  struct Keys;
  std::filesystem::path dir_;
  std::filesystem::path ca_file_;
  std::unique_ptr<Keys> keys_;
};

}  // namespace motcua::net::fixtures
