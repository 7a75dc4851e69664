#pragma once
// UTF-8 text helpers for upstream records: accent-insensitive matching of Vietnamese text and
// safe excerpts of raw input for error reports.
#include <cstddef>
#include <string>
#include <string_view>

namespace motcua::connectors {

// Folds Vietnamese text for accent- and case-insensitive comparison: every precomposed Vietnamese
// letter with diacritics becomes its ASCII base letter (ằ → a, Ữ → u, đ/Đ → d), ASCII letters
// become lower case, and combining diacritical marks (U+0300–U+036F) are dropped so that
// decomposed (NFD) text folds like precomposed (NFC) text. Other code points, and bytes that are
// not valid UTF-8, are copied unchanged.
std::string fold_vietnamese(std::string_view utf8);

// Whether `needle` occurs in `haystack` after folding both and collapsing every run of white space
// (ASCII white space and U+00A0 no-break space) to one space. An empty needle matches nothing:
// an empty pattern means "no pattern".
bool contains_folded(std::string_view haystack, std::string_view needle);

bool is_valid_utf8(std::string_view text);

// The first `max_bytes` of `text` as valid UTF-8, for logs and reports: cut before a character
// that would not fit; bytes that are not valid UTF-8, and control characters other than tab, CR
// and LF, each shown as one '?'. So the result is shorter than `text` exactly when it was cut.
std::string utf8_excerpt(std::string_view text, std::size_t max_bytes);

}  // namespace motcua::connectors
