#pragma once
// The TLS policy of every client that calls out (HTTP, SMTP): TLS 1.2 or newer, no compression,
// and unless verification is turned off, the peer's certificate checked against `ca_file` or the
// system trust store. Host names are checked per connection by the caller (SNI and
// host_name_verification need the name).
#include <filesystem>
#include <optional>

#include <boost/asio/ssl/context.hpp>

namespace motcua::net {

// Throws std::runtime_error when the CA file or the system trust store cannot be loaded (at
// start-up, not per connection).
void configure_client_tls(boost::asio::ssl::context& tls, bool verify,
                          const std::optional<std::filesystem::path>& ca_file);

}  // namespace motcua::net
