#include "net/tls_client.hpp"

#include <openssl/ssl.h>

#include <stdexcept>
#include <string>

namespace motcua::net {

void configure_client_tls(boost::asio::ssl::context& tls, bool verify,
                          const std::optional<std::filesystem::path>& ca_file) {
  namespace ssl = boost::asio::ssl;
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  if (!verify) {
    tls.set_verify_mode(ssl::verify_none);
    return;
  }
  tls.set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file) {
    tls.load_verify_file(ca_file->string(), ec);
    if (ec)
      throw std::runtime_error("cannot load the CA file " + ca_file->string() + ": " +
                               ec.message());
  } else {
    tls.set_default_verify_paths(ec);
    if (ec) throw std::runtime_error("cannot load the system trust store: " + ec.message());
  }
}

}  // namespace motcua::net
