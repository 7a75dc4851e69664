#include "connectors/file_source.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/text.hpp"
#include "tests/connectors/records.hpp"

namespace motcua::connectors {
namespace {
using fixtures::kFullRecord;
using fixtures::small_record;
using fixtures::utc_text;
using ::testing::HasSubstr;
using ::testing::StartsWith;

FileRead read(std::string_view text) {
  return read_dossier_text(text, {}, "motcua");
}

std::vector<std::string> codes(const FileRead& r) {
  std::vector<std::string> out;
  for (const sla::Dossier& d : r.dossiers)
    out.push_back(d.code);
  return out;
}

using Codes = std::vector<std::string>;

// The accounting every read must keep, whatever the input.
void expect_consistent(const FileRead& r) {
  EXPECT_EQ(r.records, r.dossiers.size() + r.duplicates + r.bad.size());
  for (const BadRecord& bad : r.bad) {
    EXPECT_FALSE(bad.position.empty());
    EXPECT_FALSE(bad.reason.empty());
    EXPECT_LE(bad.excerpt.size(), kExcerptBytes);
    EXPECT_TRUE(is_valid_utf8(bad.excerpt));
    EXPECT_TRUE(is_valid_utf8(bad.reason));
  }
}

// A JSON array of records, one per line, as "[\n" rec ",\n" rec "\n]\n".
std::string array_of(const std::vector<std::string>& records) {
  std::string text = "[\n";
  for (std::size_t i = 0; i < records.size(); ++i) {
    text += "  " + records[i] + (i + 1 < records.size() ? ",\n" : "\n");
  }
  return text + "]\n";
}

std::string lines_of(const std::vector<std::string>& records) {
  std::string text;
  for (const std::string& r : records)
    text += r + "\n";
  return text;
}

// --- formats ----------------------------------------------------------------------------------

TEST(ReadDossierText, ReadsAJsonArray) {
  const FileRead r =
      read(array_of({std::string(kFullRecord), small_record("A-2"), small_record("A-3")}));
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"000.00.12.H37-260105-0001", "A-2", "A-3"}));
  EXPECT_TRUE(r.bad.empty());
  EXPECT_EQ(r.records, 3u);
  EXPECT_EQ(r.duplicates, 0u);
  EXPECT_EQ(r.dossiers[0].source, "motcua");
  EXPECT_EQ(r.dossiers[0].steps.size(), 2u);
  EXPECT_EQ(utc_text(r.dossiers[1].received_at), "2026-01-05T01:30:00Z");
}

TEST(ReadDossierText, ReadsJsonLines) {
  const std::string text = small_record("A-1") + "\n\n   \n" + small_record("A-2") + "\r\n" +
                           small_record("A-3");  // no final line break
  const FileRead r = read(text);
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"A-1", "A-2", "A-3"}));
  EXPECT_TRUE(r.bad.empty());
  EXPECT_EQ(r.records, 3u);
}

TEST(ReadDossierText, SkipsAByteOrderMark) {
  const std::string bom = "\xEF\xBB\xBF";
  const FileRead array = read(bom + " \n" + array_of({small_record("A-1"), small_record("A-2")}));
  expect_consistent(array);
  EXPECT_EQ(codes(array), (Codes{"A-1", "A-2"}));
  const FileRead lines = read(bom + lines_of({small_record("L-1"), small_record("L-2")}));
  expect_consistent(lines);
  EXPECT_EQ(codes(lines), (Codes{"L-1", "L-2"}));
  EXPECT_TRUE(lines.bad.empty());
}

TEST(ReadDossierText, EmptyInputHasNoRecords) {
  for (const std::string text :
       {"", "\n\n", " \t\r\n", "\xEF\xBB\xBF", "[]", "[ \n ]", "\xEF\xBB\xBF[]\n"}) {
    const FileRead r = read(text);
    EXPECT_EQ(r.records, 0u) << text;
    EXPECT_TRUE(r.dossiers.empty()) << text;
    EXPECT_TRUE(r.bad.empty()) << text;
  }
}

// --- bad records ------------------------------------------------------------------------------

TEST(ReadDossierText, BadJsonInTheMiddleOfAnArrayLosesNothingElse) {
  const std::string text = "[\n" + small_record("A-1") +
                           ",\n  {\"MaHoSo\": \"A-2\",, \"x\": 1},\n" + small_record("A-3") + "\n]";
  const FileRead r = read(text);
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"A-1", "A-3"}));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].position, "record 2 (line 3, column 3)");
  EXPECT_EQ(r.bad[0].reason, "invalid JSON at line 3, column 20: syntax error");
  EXPECT_EQ(r.bad[0].excerpt, R"({"MaHoSo": "A-2",, "x": 1})");
  EXPECT_EQ(r.records, 3u);
}

TEST(ReadDossierText, ColumnsCountCharactersNotBytes) {
  const std::string text =
      "[{\"ChuHoSo\": \"Đặng\", \"MaHoSo\": \"A-1\"}, {\"ChuHoSo\": \"Ánh\" x}]";
  const FileRead r = read(text);
  expect_consistent(r);
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].position, "record 2 (line 1, column 40)");
  EXPECT_EQ(r.bad[0].reason, "invalid JSON at line 1, column 58: syntax error");
}

TEST(ReadDossierText, BadJsonInTheMiddleOfJsonLines) {
  const std::string text = small_record("L-1") + "\n\n" + "{\"MaHoSo\": \"L-2\" \"x\": 1}\n" +
                           "not json at all\n" + small_record("L-5") + "\n";
  const FileRead r = read(text);
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"L-1", "L-5"}));
  ASSERT_EQ(r.bad.size(), 2u);
  EXPECT_EQ(r.bad[0].position, "line 3");
  EXPECT_EQ(r.bad[0].reason, "invalid JSON at column 18: syntax error");
  EXPECT_EQ(r.bad[0].excerpt, R"({"MaHoSo": "L-2" "x": 1})");
  EXPECT_EQ(r.bad[1].position, "line 4");
  EXPECT_EQ(r.records, 4u);
}

TEST(ReadDossierText, ATruncatedArrayKeepsTheCompleteRecords) {
  const std::string whole =
      array_of({small_record("A-1"), small_record("A-2"), small_record("A-3")});
  const std::string truncated = whole.substr(0, whole.find("A-3") + 10);
  const FileRead r = read(truncated);
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"A-1", "A-2"}));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].position, "record 3 (line 4, column 3)");
  EXPECT_THAT(r.bad[0].reason, HasSubstr("the file ends inside this record"));
  EXPECT_THAT(r.bad[0].reason, HasSubstr("never closed"));
  EXPECT_THAT(r.bad[0].excerpt, StartsWith(R"({"MaHoSo": "A-3")"));
}

TEST(ReadDossierText, AnArrayThatIsNeverClosed) {
  const FileRead only_bracket = read("[");
  expect_consistent(only_bracket);
  ASSERT_EQ(only_bracket.bad.size(), 1u);
  EXPECT_EQ(only_bracket.bad[0].position, "end of file (line 1, column 2)");
  EXPECT_EQ(only_bracket.bad[0].reason, "the array is never closed (truncated file?)");

  const FileRead after_record = read("[\n" + small_record("A-1") + "\n");
  expect_consistent(after_record);
  EXPECT_EQ(codes(after_record), (Codes{"A-1"}));
  ASSERT_EQ(after_record.bad.size(), 1u);
  EXPECT_EQ(after_record.bad[0].position, "end of file (line 3, column 1)");

  const FileRead after_comma = read("[" + small_record("A-1") + ",  ");
  expect_consistent(after_comma);
  EXPECT_EQ(codes(after_comma), (Codes{"A-1"}));
  ASSERT_EQ(after_comma.bad.size(), 1u);
  EXPECT_THAT(after_comma.bad[0].position, StartsWith("end of file"));
}

TEST(ReadDossierText, BrokenStructureIsOneBadRecordForWhatRemains) {
  // The second record opens an array it never closes, so nothing after it can be told apart.
  const std::string text = "[" + small_record("A-1") + ",\n{\"MaHoSo\": \"A-2\", \"x\": [1},\n" +
                           small_record("A-3") + "]";
  const FileRead r = read(text);
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"A-1"}));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].position, "record 2 (line 2, column 1)");
  EXPECT_THAT(r.bad[0].reason, HasSubstr("never closed"));
}

TEST(ReadDossierText, AStrayClosingBraceSpoilsOnlyItsRecord) {
  const std::string text =
      "[" + small_record("A-1") + "},\n" + small_record("A-2") + ",\n" + small_record("A-3") + "]";
  const FileRead r = read(text);
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"A-2", "A-3"}));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].position, "record 1 (line 1, column 2)");
  EXPECT_THAT(r.bad[0].reason, HasSubstr("invalid JSON"));
}

TEST(ReadDossierText, ARawLineBreakInAStringSpoilsOnlyItsRecord) {
  // JSON strings cannot hold a raw line break, but careless writers produce them.
  const std::string text = "[\n" + small_record("A-1") +
                           ",\n{\"MaHoSo\": \"A-2\", \"GhiChu\": \"dòng 1\ndòng 2\"},\n" +
                           small_record("A-3") + "\n]\n";
  const FileRead r = read(text);
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"A-1", "A-3"}));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].position, "record 2 (line 3, column 1)");
  EXPECT_THAT(r.bad[0].reason, HasSubstr("invalid JSON at line 3, column 36"));
}

TEST(ReadDossierText, AnUnterminatedStringTakesTheRestAsOneBadRecord) {
  const std::string text =
      "[\n" + small_record("A-1") + ",\n{\"MaHoSo\": \"A-2},\n" + small_record("A-3") + "\n]\n";
  const FileRead r = read(text);
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"A-1"}));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].position, "record 2 (line 3, column 1)");
}

TEST(ReadDossierText, StrayCommasAndTrailingText) {
  const FileRead r =
      read("[" + small_record("A-1") + ",, " + small_record("A-2") + ",]\n garbage [");
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"A-1", "A-2"}));
  ASSERT_EQ(r.bad.size(), 2u);
  EXPECT_THAT(r.bad[0].position, StartsWith("record 2 (line 1, column "));
  EXPECT_EQ(r.bad[0].reason, "empty element: a ',' with no record before it");
  EXPECT_EQ(r.bad[1].position, "after the array (line 2, column 2)");
  EXPECT_EQ(r.bad[1].reason, "unexpected text after the end of the array");
  EXPECT_EQ(r.bad[1].excerpt, "garbage [");
}

TEST(ReadDossierText, ElementsThatAreNotObjects) {
  const FileRead r =
      read("[1, \"x\", null, [" + small_record("A-1") + "], " + small_record("A-2") + "]");
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"A-2"}));
  ASSERT_EQ(r.bad.size(), 4u);
  EXPECT_EQ(r.bad[0].reason, "the record is not a JSON object: got a number 1");
  EXPECT_EQ(r.bad[3].position, "record 4 (line 1, column 16)");
}

TEST(ReadDossierText, AMissingCodeIsABadRecord) {
  const FileRead r =
      read(array_of({small_record("A-1"), R"({"MaTTHC": "1.004227"})", small_record("A-3")}));
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"A-1", "A-3"}));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].position, "record 2 (line 3, column 3)");
  EXPECT_EQ(r.bad[0].reason, "MaHoSo is missing or blank");
  EXPECT_EQ(r.bad[0].excerpt, R"({"MaTTHC": "1.004227"})");
}

TEST(ReadDossierText, ANonexistentDateIsABadRecord) {
  const FileRead r = read(
      lines_of({small_record("L-1"), small_record("L-2", R"(, "NgayTra": "20260230080000")")}));
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"L-1"}));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].position, "line 2");
  EXPECT_EQ(r.bad[0].reason,
            R"(NgayTra: "20260230080000" is not a valid date (there is no 2026-02-30))");
}

TEST(ReadDossierText, TheMappingApplies) {
  RecordMapping m;
  m.fields.set("code", "SoHoSo");
  const FileRead r = read_dossier_text(R"([{"SoHoSo": "V-1"}, {"MaHoSo": "V-2"}])", m, "vendor");
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"V-1"}));
  EXPECT_EQ(r.dossiers[0].source, "vendor");
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].reason, "SoHoSo is missing or blank");
}

// --- duplicates -------------------------------------------------------------------------------

TEST(ReadDossierText, OfDuplicateCodesTheLaterUpdateWins) {
  const FileRead r = read(lines_of({
      small_record("D-1", R"(, "NgayCapNhat": "20260110080000", "GhiChu": "newer")"),
      small_record("D-2", R"(, "GhiChu": "first")"),
      small_record("D-1", R"(, "NgayCapNhat": "20260109080000", "GhiChu": "older")"),
      small_record("D-2", R"(, "GhiChu": "second")"),
      small_record("D-3", R"(, "NgayCapNhat": "20260109080000", "GhiChu": "dated")"),
      small_record("D-3", R"(, "GhiChu": "undated")"),
      small_record("D-4", R"(, "NgayCapNhat": "20260109080000", "GhiChu": "one")"),
      small_record("D-4", R"(, "NgayCapNhat": "20260109080000", "GhiChu": "two")"),
  }));
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"D-1", "D-2", "D-3", "D-4"}));
  EXPECT_EQ(r.duplicates, 4u);
  EXPECT_EQ(r.records, 8u);
  EXPECT_EQ(r.dossiers[0].note, "newer");   // a later NgayCapNhat
  EXPECT_EQ(r.dossiers[1].note, "second");  // neither has one: the later in the file
  EXPECT_EQ(r.dossiers[2].note, "dated");   // a date beats none
  EXPECT_EQ(r.dossiers[3].note, "two");     // equal: the later in the file
}

// --- hostile input ----------------------------------------------------------------------------

TEST(ReadDossierText, NestingIsBounded) {
  auto nested = [](std::size_t depth) {
    // The record is depth 1; "GhiChu" holds depth − 1 nested arrays.
    return R"({"MaHoSo": "N-1", "x": )" + std::string(depth - 1, '[') +
           std::string(depth - 1, ']') + "}";
  };
  const FileRead ok = read("[" + nested(kMaxRecordDepth) + "]");
  expect_consistent(ok);
  EXPECT_EQ(codes(ok), (Codes{"N-1"}));
  const FileRead deep = read("[" + nested(kMaxRecordDepth + 1) + "]");
  expect_consistent(deep);
  EXPECT_TRUE(deep.dossiers.empty());
  ASSERT_EQ(deep.bad.size(), 1u);
  EXPECT_THAT(deep.bad[0].reason, HasSubstr("nested deeper than 64 levels"));
  const FileRead deep_line = read(nested(kMaxRecordDepth + 1));
  ASSERT_EQ(deep_line.bad.size(), 1u);
  EXPECT_THAT(deep_line.bad[0].reason, HasSubstr("nested deeper than 64 levels"));

  const std::string abyss(1'000'000, '[');
  const FileRead unclosed = read(abyss);
  expect_consistent(unclosed);
  EXPECT_EQ(unclosed.bad.size(), 1u);
  const FileRead balanced = read(abyss + std::string(1'000'000, ']'));
  expect_consistent(balanced);
  EXPECT_EQ(balanced.bad.size(), 1u);
  EXPECT_EQ(balanced.bad[0].excerpt.size(), kExcerptBytes);
}

TEST(ReadDossierText, HugeStrings) {
  const std::string note(8 << 20, 'x');
  const FileRead r = read("[" + small_record("H-1", R"(, "GhiChu": ")" + note + "\"") + ", " +
                          small_record("H-2", R"(, "NgayTra": ")" + note + "\"") + "]");
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"H-1"}));
  EXPECT_EQ(r.dossiers[0].note.size(), note.size());
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_LT(r.bad[0].reason.size(), 200u);
  EXPECT_EQ(r.bad[0].excerpt.size(), kExcerptBytes);
}

TEST(ReadDossierText, BinaryJunkAndNulBytes) {
  std::string junk;
  std::mt19937 random(7);
  for (int i = 0; i < 100'000; ++i)
    junk.push_back(static_cast<char>(random() & 0xFF));
  const FileRead r = read(junk);
  expect_consistent(r);
  EXPECT_TRUE(r.dossiers.empty());
  EXPECT_FALSE(r.bad.empty());

  const std::string with_nul = small_record("Z-1") + "\n" +
                               std::string("{\"MaHoSo\": \"Z\0\"}", 16) + "\n" +
                               small_record("Z-3");
  const FileRead nul = read(with_nul);
  expect_consistent(nul);
  EXPECT_EQ(codes(nul), (Codes{"Z-1", "Z-3"}));
  ASSERT_EQ(nul.bad.size(), 1u);
  EXPECT_EQ(nul.bad[0].excerpt, "{\"MaHoSo\": \"Z?\"}");

  const FileRead in_array = read("[" + std::string("\0\0", 2) + ", " + small_record("Z-2") + "]");
  expect_consistent(in_array);
  EXPECT_EQ(codes(in_array), (Codes{"Z-2"}));
  EXPECT_EQ(in_array.bad.size(), 1u);
}

TEST(ReadDossierText, InvalidUtf8IsABadRecord) {
  const FileRead r = read(
      lines_of({"{\"MaHoSo\": \"B-1\", \"ChuHoSo\": \"Nguy\xE1\xBBn\"}", small_record("B-2")}));
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"B-2"}));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_THAT(r.bad[0].reason, HasSubstr("invalid JSON"));
}

// Random mutations of valid files: whatever comes in, the reader returns, and every record is
// either a dossier, a duplicate or a bad record.
class Mutator {
 public:
  explicit Mutator(std::uint32_t seed) : random_(seed) {}

  std::string mutate(std::string text) {
    const int edits = 1 + static_cast<int>(below(4));
    for (int i = 0; i < edits; ++i) {
      const std::size_t at = text.empty() ? 0 : below(text.size());
      switch (below(7)) {
        case 0:  // flip a byte
          if (!text.empty()) text[at] = static_cast<char>(below(256));
          break;
        case 1:  // insert a structural character
          text.insert(at, 1, "[]{}\",:\\\n0"[below(11)]);
          break;
        case 2:  // delete a range
          text.erase(at, below(40));
          break;
        case 3:  // duplicate a range
          text.insert(at, text.substr(at, below(200)));
          break;
        case 4:  // truncate
          text.resize(at);
          break;
        case 5:  // a multi-byte character or a broken one
          text.insert(at, below(2) == 0 ? "ễ" : "\xE1\xBB");
          break;
        default:  // a NUL byte
          text.insert(at, 1, '\0');
          break;
      }
    }
    return text;
  }

 private:
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(random_() % n); }
  std::mt19937 random_;
};

TEST(ReadDossierText, SurvivesRandomMutations) {
  const std::vector<std::string> records = {
      std::string(kFullRecord), small_record("F-2"),
      small_record("F-3", R"(, "DanhSachXinLoi": [{"NgayXinLoi": "20260118090000"}])"),
      small_record("F-2", R"(, "NgayCapNhat": "20260201000000")")};
  const std::string sources[] = {
      array_of(records), lines_of({small_record("F-1"), small_record("F-2"), small_record("F-3")})};
  Mutator mutator(20260105);
  std::size_t good = 0, bad = 0;
  for (const std::string& source : sources) {
    for (int i = 0; i < 2500; ++i) {
      const std::string text = mutator.mutate(source);
      FileRead r;
      ASSERT_NO_THROW(r = read(text)) << i;
      expect_consistent(r);
      if (::testing::Test::HasFailure()) FAIL() << "mutation " << i << ": " << text;
      good += r.dossiers.size();
      bad += r.bad.size();
    }
  }
  // The mutations exercise both outcomes.
  EXPECT_GT(good, 1000u);
  EXPECT_GT(bad, 1000u);
}

// --- files ------------------------------------------------------------------------------------

class ReadDossierFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("motcua-connectors-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& content) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(ReadDossierFile, ReadsAFile) {
  const auto path =
      write("dossiers.json", array_of({std::string(kFullRecord), small_record("A-2")}));
  const FileRead r = read_dossier_file(path, {}, "motcua");
  expect_consistent(r);
  EXPECT_EQ(codes(r), (Codes{"000.00.12.H37-260105-0001", "A-2"}));
}

TEST_F(ReadDossierFile, AnEmptyFileHasNoRecords) {
  const FileRead r = read_dossier_file(write("empty.json", ""), {}, "motcua");
  EXPECT_EQ(r.records, 0u);
}

TEST_F(ReadDossierFile, AMissingFileThrowsNamingIt) {
  const auto path = dir_ / "missing.json";
  try {
    read_dossier_file(path, {}, "motcua");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string()));
    EXPECT_THAT(e.what(), HasSubstr("No such file or directory"));
  }
}

TEST_F(ReadDossierFile, ADirectoryThrows) {
  try {
    read_dossier_file(dir_, {}, "motcua");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(dir_.string()));
    EXPECT_THAT(e.what(), HasSubstr("Is a directory"));
  }
}

}  // namespace
}  // namespace motcua::connectors
