// The shapes of addresses written in the config. Deliberately shallow: they catch typos at load
// time; the network decides the rest.
#include <charconv>
#include <string_view>

#include "config/sections.hpp"

namespace motcua::config::detail {
namespace {

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

bool is_host(std::string_view host) {
  if (host.empty() || host.front() == '.' || host.back() == '.') return false;
  for (char c : host)
    if (!is_host_char(c)) return false;
  return true;
}

bool is_ipv6(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
          c == '.'))
      return false;
  return host.find(':') != std::string_view::npos;
}

}  // namespace

std::optional<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    if (!is_ipv6(host)) return std::nullopt;
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (!is_host(host)) return std::nullopt;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535)
    return std::nullopt;
  return std::pair{std::string(host), static_cast<std::uint16_t>(value)};
}

bool is_http_url(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("https://"))
    rest = url.substr(8);
  else if (url.starts_with("http://"))
    rest = url.substr(7);
  else
    return false;
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return false;  // credentials go in files
  if (!authority.empty() && authority.front() == '[')
    return split_host_port(authority).has_value() ||
           (authority.back() == ']' && is_ipv6(authority.substr(1, authority.size() - 2)));
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) return is_host(authority);
  return split_host_port(authority).has_value();
}

bool is_email_address(std::string_view address) {
  auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 ||
      address.find('@', at + 1) != std::string_view::npos)
    return false;
  for (char c : address.substr(0, at)) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (std::string_view("<>()[],;:\"\\").find(c) != std::string_view::npos) return false;
  }
  return is_host(address.substr(at + 1));
}

}  // namespace motcua::config::detail
