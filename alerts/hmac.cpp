#include "alerts/hmac.hpp"

#include <array>
#include <memory>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace motcua::alerts {
namespace {

struct MacFree {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct MacContextFree {
  void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL HMAC-SHA256: ") + what + " failed");
}

}  // namespace

std::string hmac_sha256_hex(std::string_view secret, std::string_view body) {
  // OpenSSL 3's EVP_MAC interface: the older HMAC_* functions are deprecated.
  const std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  check(mac != nullptr, "EVP_MAC_fetch");
  const std::unique_ptr<EVP_MAC_CTX, MacContextFree> context(EVP_MAC_CTX_new(mac.get()));
  check(context != nullptr, "EVP_MAC_CTX_new");

  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end(),
  };
  // A zero-length key is valid HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char empty_key = 0;
  const auto* key =
      secret.empty() ? &empty_key : reinterpret_cast<const unsigned char*>(secret.data());
  check(EVP_MAC_init(context.get(), key, secret.size(), params) == 1, "EVP_MAC_init");
  check(EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(body.data()),
                       body.size()) == 1,
        "EVP_MAC_update");
  std::array<unsigned char, 32> digest{};
  std::size_t length = 0;
  check(EVP_MAC_final(context.get(), digest.data(), &length, digest.size()) == 1 &&
            length == digest.size(),
        "EVP_MAC_final");

  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * digest.size());
  for (const unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0f]);
  }
  return hex;
}

}  // namespace motcua::alerts
