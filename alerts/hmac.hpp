#pragma once
// HMAC-SHA256 (RFC 2104) for signing webhook bodies, so that a receiver holding the shared secret
// knows a request came from us and was not altered on the way.
#include <string>
#include <string_view>

namespace motcua::alerts {

// Lower-case hex of HMAC-SHA256(key = secret, message = body): 64 characters. Throws
// std::runtime_error only when OpenSSL itself fails (out of memory, no SHA-256 provider).
std::string hmac_sha256_hex(std::string_view secret, std::string_view body);

}  // namespace motcua::alerts
