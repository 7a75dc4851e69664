#pragma once
// Header fields as plain pairs, shared by the client's and the server's message types, so that
// users of net/ never need Beast's field containers.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace motcua::net {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Field names are case-insensitive (RFC 9110 section 5.1).
inline bool header_name_equals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The first value of the field `name`, or "" when it is absent.
inline std::string find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (header_name_equals(key, name)) return value;
  return {};
}

}  // namespace motcua::net
