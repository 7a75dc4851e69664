#include "connectors/text.hpp"

#include <algorithm>

namespace motcua::connectors {
namespace {

// One decoded UTF-8 sequence; length 0 when the bytes at the position are not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF included).
struct CodePoint {
  char32_t value = 0;
  std::size_t length = 0;
};

CodePoint decode(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1};
  std::size_t length = 0;
  char32_t value = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2, value = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3, value = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4, value = b0 & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (s.size() - i < length) return {};
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return {};
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
  return {value, length};
}

// The ASCII base letter of a precomposed Vietnamese letter with diacritics, or 0. The 67 lower-case
// letters (and their upper-case forms) live in Latin-1 (à á â ã è é ê ì í ò ó ô õ ù ú ý),
// Latin Extended-A and -B (ă đ ĩ ũ ơ ư) and Latin Extended Additional (U+1EA0–U+1EF9, ạ … ỹ).
char base_letter(char32_t c) {
  if (c >= 0xC0 && c <= 0xFF) {
    // U+00C0–U+00DF and U+00E0–U+00FF: the same letters in upper and lower case. Ð/ð (eth) stand
    // in for Đ/đ in text converted from legacy Vietnamese encodings.
    constexpr std::string_view kLatin1 = "aaaa....eee.ii..d.oooo...uu..y..";
    const char base = kLatin1[(c - 0xC0) % 32];
    return base == '.' ? 0 : base;
  }
  struct Letter {
    char32_t code_point;
    char base;
  };
  static constexpr Letter kExtended[] = {
      {0x102, 'a'}, {0x103, 'a'}, {0x110, 'd'}, {0x111, 'd'}, {0x128, 'i'}, {0x129, 'i'},
      {0x168, 'u'}, {0x169, 'u'}, {0x1A0, 'o'}, {0x1A1, 'o'}, {0x1AF, 'u'}, {0x1B0, 'u'},
  };
  for (const Letter& letter : kExtended)
    if (letter.code_point == c) return letter.base;
  if (c >= 0x1EA0 && c <= 0x1EB7) return 'a';
  if (c >= 0x1EB8 && c <= 0x1EC7) return 'e';
  if (c >= 0x1EC8 && c <= 0x1ECB) return 'i';
  if (c >= 0x1ECC && c <= 0x1EE3) return 'o';
  if (c >= 0x1EE4 && c <= 0x1EF1) return 'u';
  if (c >= 0x1EF2 && c <= 0x1EF9) return 'y';
  return 0;
}

bool is_combining_mark(char32_t c) {
  return c >= 0x300 && c <= 0x36F;
}

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// fold_vietnamese with every run of white space as one space and no space at either end.
std::string fold_for_matching(std::string_view text) {
  std::string folded = fold_vietnamese(text);
  std::string out;
  out.reserve(folded.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < folded.size();) {
    std::size_t space_length = 0;
    if (is_ascii_space(folded[i])) {
      space_length = 1;
    } else if (folded.compare(i, 2, "\xC2\xA0") == 0) {  // U+00A0 no-break space
      space_length = 2;
    }
    if (space_length > 0) {
      pending_space = !out.empty();
      i += space_length;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(folded[i]);
    ++i;
  }
  return out;
}

}  // namespace

std::string fold_vietnamese(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    const CodePoint cp = decode(utf8, i);
    if (cp.length == 0) {
      out.push_back(utf8[i]);
      ++i;
      continue;
    }
    if (cp.value < 0x80) {
      char c = static_cast<char>(cp.value);
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      out.push_back(c);
    } else if (const char base = base_letter(cp.value); base != 0) {
      out.push_back(base);
    } else if (!is_combining_mark(cp.value)) {
      out.append(utf8.substr(i, cp.length));
    }
    i += cp.length;
  }
  return out;
}

bool contains_folded(std::string_view haystack, std::string_view needle) {
  const std::string folded_needle = fold_for_matching(needle);
  if (folded_needle.empty()) return false;
  return fold_for_matching(haystack).find(folded_needle) != std::string::npos;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint cp = decode(text, i);
    if (cp.length == 0) return false;
    i += cp.length;
  }
  return true;
}

std::string utf8_excerpt(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint cp = decode(text, i);
    const std::size_t length = std::max<std::size_t>(cp.length, 1);
    if (out.size() + length > max_bytes) break;
    const bool control = cp.length == 1 && cp.value < 0x20 && cp.value != '\t' &&
                         cp.value != '\n' && cp.value != '\r';
    if (cp.length == 0 || control || cp.value == 0x7F) {
      out.push_back('?');
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

}  // namespace motcua::connectors
