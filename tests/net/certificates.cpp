#include "tests/net/certificates.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace motcua::net::fixtures {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

KeyPtr new_key() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "EC key generation");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  check(extension != nullptr, "X509V3_EXT_conf_nid");
  check(X509_add_ext(cert, extension, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(extension);
}

// A certificate for `key`, valid from an hour ago for a day, signed by `issuer_key` (itself when
// `issuer` is null: the CA).
CertPtr make_certificate(EVP_PKEY* key, const std::string& common_name, X509* issuer,
                         EVP_PKEY* issuer_key, long serial, const std::string& alt_names = {}) {
  CertPtr cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("motcua-watch tests"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509* signer = issuer ? issuer : cert.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1,
        "X509_set_issuer_name");
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (!issuer) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    if (!alt_names.empty()) add_extension(cert.get(), signer, NID_subject_alt_name, alt_names);
  }
  check(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

void write_pem(const std::filesystem::path& path, const std::vector<X509*>& certs, EVP_PKEY* key) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  check(file != nullptr, "fopen");
  bool ok = true;
  for (X509* cert : certs)
    ok = ok && PEM_write_X509(file, cert) == 1;
  if (key) ok = ok && PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  ok = std::fclose(file) == 0 && ok;
  check(ok, "writing a PEM file");
}

}  // namespace

struct TestAuthority::Keys {
  KeyPtr key;
  CertPtr cert;
  long next_serial = 2;
};

TestAuthority::TestAuthority() {
  std::string pattern = (std::filesystem::temp_directory_path() / "motcua-net-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  keys_ = std::make_unique<Keys>();
  keys_->key = new_key();
  keys_->cert =
      make_certificate(keys_->key.get(), "motcua-watch test CA", nullptr, keys_->key.get(), 1);
  ca_file_ = dir_ / "ca.pem";
  write_pem(ca_file_, {keys_->cert.get()}, nullptr);
}

TestAuthority::~TestAuthority() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

IssuedCertificate TestAuthority::issue(const std::string& file_stem,
                                       const std::vector<std::string>& dns_names,
                                       const std::vector<std::string>& ip_addresses) {
  std::string alt_names;
  for (const auto& name : dns_names)
    alt_names += (alt_names.empty() ? "DNS:" : ",DNS:") + name;
  for (const auto& ip : ip_addresses)
    alt_names += (alt_names.empty() ? "IP:" : ",IP:") + ip;
  const std::string common_name = dns_names.empty() ? ip_addresses.at(0) : dns_names.front();

  auto key = new_key();
  auto cert = make_certificate(key.get(), common_name, keys_->cert.get(), keys_->key.get(),
                               keys_->next_serial++, alt_names);

  IssuedCertificate issued{dir_ / (file_stem + ".pem"), dir_ / (file_stem + "-key.pem")};
  write_pem(issued.certificate_file, {cert.get(), keys_->cert.get()}, nullptr);
  write_pem(issued.private_key_file, {}, key.get());
  return issued;
}

}  // namespace motcua::net::fixtures
