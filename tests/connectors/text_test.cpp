#include "connectors/text.hpp"

#include <array>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace motcua::connectors {
namespace {

// The Vietnamese vowels: base letter, the modifier mark it carries (breve, circumflex, horn) and
// its six forms in tone order: none, sắc (U+0301), huyền (U+0300), hỏi (U+0309), ngã (U+0303),
// nặng (U+0323).
struct VowelRow {
  const char* base;
  const char* modifier;
  std::array<const char*, 6> forms;
};

constexpr std::array<const char*, 6> kToneMarks = {"",       "\u0301", "\u0300",
                                                   "\u0309", "\u0303", "\u0323"};

constexpr VowelRow kVowels[] = {
    {"a", "", {"a", "á", "à", "ả", "ã", "ạ"}},
    {"A", "", {"A", "Á", "À", "Ả", "Ã", "Ạ"}},
    {"a", "\u0306", {"ă", "ắ", "ằ", "ẳ", "ẵ", "ặ"}},
    {"A", "\u0306", {"Ă", "Ắ", "Ằ", "Ẳ", "Ẵ", "Ặ"}},
    {"a", "\u0302", {"â", "ấ", "ầ", "ẩ", "ẫ", "ậ"}},
    {"A", "\u0302", {"Â", "Ấ", "Ầ", "Ẩ", "Ẫ", "Ậ"}},
    {"e", "", {"e", "é", "è", "ẻ", "ẽ", "ẹ"}},
    {"E", "", {"E", "É", "È", "Ẻ", "Ẽ", "Ẹ"}},
    {"e", "\u0302", {"ê", "ế", "ề", "ể", "ễ", "ệ"}},
    {"E", "\u0302", {"Ê", "Ế", "Ề", "Ể", "Ễ", "Ệ"}},
    {"i", "", {"i", "í", "ì", "ỉ", "ĩ", "ị"}},
    {"I", "", {"I", "Í", "Ì", "Ỉ", "Ĩ", "Ị"}},
    {"o", "", {"o", "ó", "ò", "ỏ", "õ", "ọ"}},
    {"O", "", {"O", "Ó", "Ò", "Ỏ", "Õ", "Ọ"}},
    {"o", "\u0302", {"ô", "ố", "ồ", "ổ", "ỗ", "ộ"}},
    {"O", "\u0302", {"Ô", "Ố", "Ồ", "Ổ", "Ỗ", "Ộ"}},
    {"o", "\u031B", {"ơ", "ớ", "ờ", "ở", "ỡ", "ợ"}},
    {"O", "\u031B", {"Ơ", "Ớ", "Ờ", "Ở", "Ỡ", "Ợ"}},
    {"u", "", {"u", "ú", "ù", "ủ", "ũ", "ụ"}},
    {"U", "", {"U", "Ú", "Ù", "Ủ", "Ũ", "Ụ"}},
    {"u", "\u031B", {"ư", "ứ", "ừ", "ử", "ữ", "ự"}},
    {"U", "\u031B", {"Ư", "Ứ", "Ừ", "Ử", "Ữ", "Ự"}},
    {"y", "", {"y", "ý", "ỳ", "ỷ", "ỹ", "ỵ"}},
    {"Y", "", {"Y", "Ý", "Ỳ", "Ỷ", "Ỹ", "Ỵ"}},
};

std::string lower_ascii(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

TEST(FoldVietnamese, EveryPrecomposedLetterFoldsToItsBaseLetter) {
  std::set<std::string> letters;
  for (const VowelRow& row : kVowels) {
    for (const char* form : row.forms) {
      const std::string letter = form;
      if (letter != row.base) letters.insert(letter);
      EXPECT_EQ(fold_vietnamese(letter), lower_ascii(row.base)) << letter;
    }
  }
  for (const char* d : {"đ", "Đ"}) {
    letters.insert(d);
    EXPECT_EQ(fold_vietnamese(d), "d") << d;
  }
  // 12 vowels × 6 forms − 12 plain vowels + đ = 67 lower-case letters, and as many upper-case.
  EXPECT_EQ(letters.size(), 134u);
  for (const std::string& letter : letters)
    EXPECT_GE(letter.size(), 2u) << letter;
}

TEST(FoldVietnamese, DecomposedLettersFoldLikePrecomposedOnes) {
  for (const VowelRow& row : kVowels) {
    for (std::size_t tone = 0; tone < kToneMarks.size(); ++tone) {
      // Both orders of the two marks occur: canonical NFD puts the dot below first.
      const std::string modifier_first = std::string(row.base) + row.modifier + kToneMarks[tone];
      const std::string tone_first = std::string(row.base) + kToneMarks[tone] + row.modifier;
      EXPECT_EQ(fold_vietnamese(modifier_first), fold_vietnamese(row.forms[tone]))
          << row.forms[tone];
      EXPECT_EQ(fold_vietnamese(tone_first), fold_vietnamese(row.forms[tone])) << row.forms[tone];
    }
  }
  // đ has no canonical decomposition, but some text writes it as d and a stroke overlay.
  EXPECT_EQ(fold_vietnamese("d\u0335"), "d");
}

TEST(FoldVietnamese, ApologyWordingsFoldAlike) {
  for (const char* text : {"XIN LỖI", "Xin lỗi", "xin loi", "xin lo\u0302\u0303i", "Xin Lỗi",
                           "xin lô\u0303i", "XIN LO\u0302\u0303I"}) {
    EXPECT_EQ(fold_vietnamese(text), "xin loi") << text;
  }
  EXPECT_EQ(fold_vietnamese("Ban hành văn bản xin lỗi"), "ban hanh van ban xin loi");
  EXPECT_EQ(fold_vietnamese("ĐƯỜNG Đồng Khởi"), "duong dong khoi");
}

TEST(FoldVietnamese, KeepsOtherTextAsItIs) {
  EXPECT_EQ(fold_vietnamese(""), "");
  EXPECT_EQ(fold_vietnamese("ABC-123 xyz"), "abc-123 xyz");
  EXPECT_EQ(fold_vietnamese("Müller Ça ß"), "müller Ça ß");  // not Vietnamese letters
  EXPECT_EQ(fold_vietnamese("東京 €"), "東京 €");
  EXPECT_EQ(fold_vietnamese(std::string("A\xFF\xC3(B\0", 6)), std::string("a\xFF\xC3(b\0", 6));
  EXPECT_EQ(fold_vietnamese("Ðà Nẵng"), "da nang");  // eth, as legacy conversions write Đ
}

TEST(ContainsFolded, MatchesAccentCaseAndSpaceInsensitively) {
  EXPECT_TRUE(contains_folded("Ban hành văn bản XIN LỖI", "xin lỗi"));
  EXPECT_TRUE(contains_folded("Ban hanh van ban xin loi cong dan", "xin lỗi"));
  EXPECT_TRUE(contains_folded("Gửi thư Xin  lỗi", "xin lỗi"));
  EXPECT_TRUE(contains_folded("Gửi thư Xin\u00A0lỗi", "xin lỗi"));
  EXPECT_TRUE(contains_folded("xin lo\u0302\u0303i", "XIN LỖI"));
  EXPECT_TRUE(contains_folded("xin lỗi", "  xin   lỗi "));
  EXPECT_FALSE(contains_folded("Xin phép gia hạn", "xin lỗi"));
  EXPECT_FALSE(contains_folded("xinlỗi", "xin lỗi"));
  EXPECT_FALSE(contains_folded("", "xin lỗi"));
}

TEST(ContainsFolded, AnEmptyPatternMatchesNothing) {
  EXPECT_FALSE(contains_folded("xin lỗi", ""));
  EXPECT_FALSE(contains_folded("xin lỗi", " \t"));
  EXPECT_FALSE(contains_folded("", ""));
}

TEST(IsValidUtf8, AcceptsUtf8AndRejectsEverythingElse) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("Nguyễn Văn An 東京 \U0001F600"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("ab\xE1\xBB"));        // cut short
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(Utf8Excerpt, CutsAtCharacterBoundaries) {
  EXPECT_EQ(utf8_excerpt("abc", 10), "abc");
  EXPECT_EQ(utf8_excerpt("abcdef", 3), "abc");
  EXPECT_EQ(utf8_excerpt("aễ", 3), "a");  // ễ is 3 bytes: it does not fit
  EXPECT_EQ(utf8_excerpt("aễ", 4), "aễ");
  EXPECT_EQ(utf8_excerpt("", 0), "");
  EXPECT_EQ(utf8_excerpt("abc", 0), "");
}

TEST(Utf8Excerpt, ShowsInvalidBytesAndControlCharactersAsQuestionMarks) {
  EXPECT_EQ(utf8_excerpt(std::string("a\0b", 3), 10), "a?b");
  EXPECT_EQ(utf8_excerpt("a\xFF\xFE"
                         "b",
                         10),
            "a??b");
  EXPECT_EQ(utf8_excerpt("a\xE1\xBB", 10), "a??");  // a cut sequence: one '?' per byte
  EXPECT_EQ(utf8_excerpt("a\x1B[1m\x7F", 10), "a?[1m?");
  EXPECT_EQ(utf8_excerpt("line 1\r\n\tline 2", 20), "line 1\r\n\tline 2");
  const std::string junk = "\xFF\xFF\xFF\xFF\xFF";
  EXPECT_EQ(utf8_excerpt(junk, 3), "???");
  EXPECT_TRUE(is_valid_utf8(utf8_excerpt(junk, 3)));
}

}  // namespace
}  // namespace motcua::connectors
