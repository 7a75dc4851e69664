#include "store/dossier_codec.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "tests/store/fixtures.hpp"

namespace motcua::store {
namespace {

using testing::expect_same_dossier;
using testing::full_dossier;

sla::Dossier round_trip(const sla::Dossier& d) {
  sla::Dossier out;
  auto r = decode_dossier(encode_dossier(d), out);
  EXPECT_TRUE(r) << r.message();
  return out;
}

TEST(DossierCodec, RoundTripsEveryFieldWithVietnameseText) {
  sla::Dossier d = full_dossier();
  expect_same_dossier(round_trip(d), d);
}

TEST(DossierCodec, RoundTripsAnEmptyDossier) {
  sla::Dossier d;
  sla::Dossier out = round_trip(d);
  expect_same_dossier(out, d);
  EXPECT_EQ(encode_dossier(d).size(), 1u + 9 + 1 + 1 + 1 + 3);
}

TEST(DossierCodec, RoundTripsEmptyStringsAndMissingInstantsInsideLists) {
  sla::Dossier d = full_dossier();
  d.steps.emplace_back();  // all blank, no instants, status unknown
  d.supplements.emplace_back();
  d.apologies.emplace_back();
  d.apologies.back().from_step = true;  // a flag with no instants
  d.received_at.reset();
  d.updated_at.reset();
  expect_same_dossier(round_trip(d), d);
}

TEST(DossierCodec, RoundTripsExtremeNumbers) {
  sla::Dossier d;
  d.channel = std::numeric_limits<int>::min();
  d.status = sla::Status::returned;
  d.submitted_at = sla::Instant{std::chrono::seconds{std::numeric_limits<std::int64_t>::min()}};
  d.received_at = sla::Instant{std::chrono::seconds{std::numeric_limits<std::int64_t>::max()}};
  d.due_at = sla::Instant{std::chrono::seconds{-1}};
  d.finished_at = sla::Instant{std::chrono::seconds{0}};
  expect_same_dossier(round_trip(d), d);
  d.channel = std::numeric_limits<int>::max();
  expect_same_dossier(round_trip(d), d);
}

TEST(DossierCodec, DecodingOverwritesEverythingInAReusedDossier) {
  sla::Dossier target = full_dossier();
  sla::Dossier small;
  small.code = "X-1";
  small.source = "file";
  ASSERT_TRUE(decode_dossier(encode_dossier(small), target));
  expect_same_dossier(target, small);
}

TEST(DossierCodec, IsCompact) {
  sla::Dossier d = full_dossier();
  std::size_t text = 0;
  for (const std::string* s : {&d.code, &d.source, &d.procedure, &d.procedure_name, &d.sector,
                               &d.agency, &d.agency_name, &d.applicant, &d.note})
    text += s->size();
  for (const auto& s : d.steps)
    text += s.handler.size() + s.title.size() + s.department.size() + s.content.size();
  for (const auto& s : d.supplements)
    text += s.requested_by.size() + s.reason.size();
  for (const auto& a : d.apologies)
    text += a.reason.size() + a.signed_by.size();
  // 20 instants of 5 bytes, a byte of length per string, a few bytes of structure.
  EXPECT_LE(encode_dossier(d).size(), text + 20 * 5 + 25 + 20);
}

TEST(DossierCodec, EveryTruncationFailsCleanly) {
  const std::string blob = encode_dossier(full_dossier());
  for (std::size_t n = 0; n < blob.size(); ++n) {
    sla::Dossier out;
    auto r = decode_dossier(std::string_view(blob).substr(0, n), out);
    EXPECT_FALSE(r) << "a prefix of " << n << " of " << blob.size() << " bytes decoded";
    EXPECT_LE(r.offset, n);
  }
}

TEST(DossierCodec, RefusesTrailingBytes) {
  std::string blob = encode_dossier(full_dossier());
  blob.push_back('\0');
  sla::Dossier out;
  auto r = decode_dossier(blob, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.message(), "bytes after the last field at byte " + std::to_string(blob.size() - 1));
}

TEST(DossierCodec, RefusesAnUnknownVersion) {
  std::string blob = encode_dossier(full_dossier());
  blob[0] = 2;
  sla::Dossier out;
  auto r = decode_dossier(blob, out);
  ASSERT_FALSE(r);
  EXPECT_STREQ(r.error, "unknown codec version");
}

TEST(DossierCodec, RefusesAnUnknownStatus) {
  sla::Dossier d;
  std::string blob = encode_dossier(d);
  // version, 9 empty strings, channel 0, then the status byte.
  ASSERT_EQ(blob[11], 0);
  blob[11] = static_cast<char>(sla::kMaxStatus + 1);
  sla::Dossier out;
  EXPECT_STREQ(decode_dossier(blob, out).error, "unknown status");
}

TEST(DossierCodec, RefusesToEncodeAStatusItCouldNotDecode) {
  sla::Dossier d = full_dossier();
  d.steps[1].status = static_cast<sla::Status>(sla::kMaxStatus + 1);
  EXPECT_THROW(encode_dossier(d), std::invalid_argument);
  d = full_dossier();
  d.status = static_cast<sla::Status>(200);
  EXPECT_THROW(encode_dossier(d), std::invalid_argument);
}

TEST(DossierCodec, RefusesHugeLengthsWithoutAllocatingThem) {
  sla::Dossier d;
  std::string blob = encode_dossier(d);
  // The step count (byte 13) claims 2^63 - 1 steps.
  std::string huge = blob.substr(0, 13) + std::string(8, '\xff') + '\x7f' + blob.substr(14);
  sla::Dossier out;
  auto r = decode_dossier(huge, out);
  ASSERT_FALSE(r);
  EXPECT_STREQ(r.error, "list longer than the blob");
  // The code's length claims 2^40 bytes.
  std::string long_string = std::string(1, '\x01') + "\x80\x80\x80\x80\x80\x20" + blob.substr(2);
  EXPECT_STREQ(decode_dossier(long_string, out).error, "string longer than the blob");
}

TEST(DossierCodec, RefusesNonMinimalAndOverlongVarints) {
  sla::Dossier d;
  std::string blob = encode_dossier(d);
  sla::Dossier out;
  // The code's length 0 written in two bytes.
  std::string padded = blob.substr(0, 1) + "\x80" + blob.substr(1);
  EXPECT_STREQ(decode_dossier(padded, out).error, "varint is not minimal");
  // The channel as an 11-byte varint.
  std::string overlong = blob.substr(0, 10) + std::string(10, '\x80') + '\x01' + blob.substr(11);
  EXPECT_STREQ(decode_dossier(overlong, out).error, "varint overflows 64 bits");
}

TEST(DossierCodec, RefusesUnknownPresenceBits) {
  sla::Dossier d;
  std::string blob = encode_dossier(d);
  blob[12] = '\x80';  // the dossier's presence byte has 7 instants, no 8th
  sla::Dossier out;
  EXPECT_STREQ(decode_dossier(blob, out).error, "unknown presence bits");
}

// Random mutations: decoding never reads out of bounds or hits undefined behaviour (the sanitizer
// build checks that), and a mutated blob that decodes is canonical, so it re-encodes to itself.
TEST(DossierCodec, MutatedBlobsFailOrDecodeCanonically) {
  const std::string blob = encode_dossier(full_dossier());
  std::mt19937_64 rng(20260310);
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string m = blob;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % m.size();
      switch (rng() % 4) {
        case 0:
          m[at] = static_cast<char>(rng());
          break;
        case 1:
          m[at] = static_cast<char>(m[at] ^ (1 << (rng() % 8)));
          break;
        case 2:
          m.erase(at, 1 + rng() % 8);
          break;
        default:
          m.insert(at, 1, static_cast<char>(rng()));
          break;
      }
      if (m.empty()) m.push_back('\x01');
    }
    sla::Dossier out;
    if (decode_dossier(m, out)) {
      ++decoded;
      EXPECT_EQ(encode_dossier(out), m) << "mutation " << i;
    }
  }
  // Flips inside text leave valid blobs: the loop above did check some.
  EXPECT_GT(decoded, 0);
}

TEST(DossierCodec, RandomBytesNeverCrash) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string m(rng() % 64, '\0');
    for (char& c : m)
      c = static_cast<char>(rng());
    if (!m.empty()) m[0] = 1;
    sla::Dossier out;
    auto r = decode_dossier(m, out);
    if (r) {
      EXPECT_EQ(encode_dossier(out), m);
    }
  }
}

}  // namespace
}  // namespace motcua::store
