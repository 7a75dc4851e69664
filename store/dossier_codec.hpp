#pragma once
// A compact, versioned binary encoding of a whole sla::Dossier: what the store keeps in a
// dossier's `body`, so that evaluation decodes a few hundred bytes instead of parsing JSON.
//
// Format version 1 (all integers are LEB128 varints; signed ones zigzag-encoded first):
//   u8 version (= 1)
//   str code, source, procedure, procedure_name, sector, agency, agency_name, applicant, note
//   sint channel, u8 status, u8 presence bits (submitted, received, due, finished, returned,
//     refused, updated), then each present instant as sint Unix seconds
//   uint step count, each: str handler, title, department, content; u8 status;
//     u8 presence bits (at, started_at, due_at) and the present instants
//   uint supplement count, each: str requested_by, reason; u8 presence bits (requested_at,
//     received_at, due_before, due_after) and the present instants
//   uint apology count, each: str reason, signed_by; u8 bits (issued_at, due_before, due_after
//     present; from_step) and the present instants
// where str is a uint byte length followed by the bytes.
//
// The encoding is canonical: a blob decodes only if re-encoding the result gives the same bytes
// (minimal varints, no unknown bits, nothing after the last field). A new version gets a new
// version byte; the decoder keeps reading the old ones.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sla/dossier.hpp"

namespace motcua::store {

inline constexpr std::uint8_t kDossierCodecVersion = 1;

// Replaces `out` with the encoding of `d`. `out` is a byte buffer; reusing one across calls keeps
// its capacity. Throws std::invalid_argument for a status (of the dossier or a step) that is not
// one of sla::Status's values.
void encode_dossier(const sla::Dossier& d, std::string& out);
std::string encode_dossier(const sla::Dossier& d);

struct DecodeResult {
  const char* error = nullptr;  // static text; nullptr when the blob decoded
  std::size_t offset = 0;       // where decoding stopped: the blob's size on success

  explicit operator bool() const { return error == nullptr; }
  std::string message() const;  // "truncated string at byte 17"
};

// Decodes a blob into `out`, overwriting every field and reusing its strings' and vectors'
// capacity. Never reads outside the blob and never allocates more than the blob could describe: a
// corrupt blob gives an error, and `out` then holds an unspecified but valid dossier.
DecodeResult decode_dossier(std::string_view blob, sla::Dossier& out);

}  // namespace motcua::store
