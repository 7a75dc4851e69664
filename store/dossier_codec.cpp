#include "store/dossier_codec.hpp"

#include <array>
#include <limits>
#include <optional>
#include <stdexcept>

namespace motcua::store {

namespace {

using sla::Instant;

// The fewest bytes each list element can take, so that a count can be checked against the bytes
// left before anything is allocated for it.
constexpr std::size_t kMinStepBytes = 4 + 1 + 1;  // four empty strings, status, presence bits
constexpr std::size_t kMinSupplementBytes = 2 + 1;
constexpr std::size_t kMinApologyBytes = 2 + 1;

constexpr std::uint8_t kFromStepBit = 1u << 3;

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

std::int64_t unzigzag(std::uint64_t u) {
  return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }

  void uint(std::uint64_t v) {
    while (v >= 0x80) {
      byte(static_cast<std::uint8_t>(v) | 0x80);
      v >>= 7;
    }
    byte(static_cast<std::uint8_t>(v));
  }

  void sint(std::int64_t v) { uint(zigzag(v)); }

  void str(const std::string& s) {
    uint(s.size());
    out_.append(s);
  }

  // The presence bits of up to 7 optional instants, then the present ones, in order.
  template <std::size_t N>
  void instants(const std::array<const std::optional<Instant>*, N>& ts, std::uint8_t extra = 0) {
    static_assert(N <= 7);
    std::uint8_t bits = extra;
    for (std::size_t i = 0; i < N; ++i)
      if (*ts[i]) bits |= static_cast<std::uint8_t>(1u << i);
    byte(bits);
    for (const auto* t : ts)
      if (*t) sint(t->value().time_since_epoch().count());
  }

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return error_ == nullptr; }
  DecodeResult result() const { return {error_, pos_}; }
  bool at_end() const { return pos_ == in_.size(); }
  std::size_t left() const { return in_.size() - pos_; }

  bool fail(const char* why) {
    if (!error_) error_ = why;
    return false;
  }

  bool byte(std::uint8_t& b) {
    if (!ok()) return false;
    if (pos_ >= in_.size()) return fail("truncated");
    b = static_cast<std::uint8_t>(in_[pos_++]);
    return true;
  }

  bool uint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t b = 0;
      if (!byte(b)) return false;
      // The tenth byte holds the 64th bit only.
      if (shift == 63 && b > 1) return fail("varint overflows 64 bits");
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift != 0) return fail("varint is not minimal");
        return true;
      }
    }
    return fail("varint overflows 64 bits");
  }

  bool sint(std::int64_t& v) {
    std::uint64_t u = 0;
    if (!uint(u)) return false;
    v = unzigzag(u);
    return true;
  }

  bool str(std::string& s) {
    std::uint64_t n = 0;
    if (!uint(n)) return false;
    if (n > left()) return fail("string longer than the blob");
    s.assign(in_.data() + pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return true;
  }

  bool count(std::size_t& n, std::size_t min_element_bytes) {
    std::uint64_t v = 0;
    if (!uint(v)) return false;
    if (v > left() / min_element_bytes) return fail("list longer than the blob");
    n = static_cast<std::size_t>(v);
    return true;
  }

  bool status(sla::Status& s) {
    std::uint8_t b = 0;
    if (!byte(b)) return false;
    if (b > sla::kMaxStatus) return fail("unknown status");
    s = static_cast<sla::Status>(b);
    return true;
  }

  template <std::size_t N>
  bool instants(const std::array<std::optional<Instant>*, N>& ts, std::uint8_t extra_bits = 0,
                std::uint8_t* extra = nullptr) {
    std::uint8_t bits = 0;
    if (!byte(bits)) return false;
    const auto known = static_cast<std::uint8_t>(((1u << N) - 1) | extra_bits);
    if (bits & ~known) return fail("unknown presence bits");
    if (extra) *extra = bits & extra_bits;
    for (std::size_t i = 0; i < N; ++i) {
      if (bits & (1u << i)) {
        std::int64_t s = 0;
        if (!sint(s)) return false;
        *ts[i] = Instant{std::chrono::seconds{s}};
      } else {
        ts[i]->reset();
      }
    }
    return true;
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  const char* error_ = nullptr;
};

bool read_step(Reader& r, sla::Step& s) {
  return r.str(s.handler) && r.str(s.title) && r.str(s.department) && r.str(s.content) &&
         r.status(s.status) && r.instants<3>({&s.at, &s.started_at, &s.due_at});
}

bool read_supplement(Reader& r, sla::SupplementRequest& s) {
  return r.str(s.requested_by) && r.str(s.reason) &&
         r.instants<4>({&s.requested_at, &s.received_at, &s.due_before, &s.due_after});
}

bool read_apology(Reader& r, sla::Apology& a) {
  std::uint8_t extra = 0;
  if (!(r.str(a.reason) && r.str(a.signed_by) &&
        r.instants<3>({&a.issued_at, &a.due_before, &a.due_after}, kFromStepBit, &extra)))
    return false;
  a.from_step = extra != 0;
  return true;
}

template <typename T, typename ReadOne>
bool read_list(Reader& r, std::vector<T>& items, std::size_t min_bytes, ReadOne read_one) {
  std::size_t n = 0;
  if (!r.count(n, min_bytes)) return false;
  items.resize(n);
  for (T& item : items)
    if (!read_one(r, item)) return false;
  return true;
}

bool read_version_1(Reader& r, sla::Dossier& d) {
  if (!(r.str(d.code) && r.str(d.source) && r.str(d.procedure) && r.str(d.procedure_name) &&
        r.str(d.sector) && r.str(d.agency) && r.str(d.agency_name) && r.str(d.applicant) &&
        r.str(d.note)))
    return false;
  std::int64_t channel = 0;
  if (!r.sint(channel)) return false;
  if (channel < std::numeric_limits<int>::min() || channel > std::numeric_limits<int>::max())
    return r.fail("channel out of range");
  d.channel = static_cast<int>(channel);
  return r.status(d.status) &&
         r.instants<7>({&d.submitted_at, &d.received_at, &d.due_at, &d.finished_at, &d.returned_at,
                        &d.refused_at, &d.updated_at}) &&
         read_list(r, d.steps, kMinStepBytes, read_step) &&
         read_list(r, d.supplements, kMinSupplementBytes, read_supplement) &&
         read_list(r, d.apologies, kMinApologyBytes, read_apology);
}

}  // namespace

namespace {

// A status outside the canonical codes would encode into a blob that never decodes.
std::uint8_t status_byte(sla::Status s, const std::string& code) {
  const auto b = static_cast<std::uint8_t>(s);
  if (b > sla::kMaxStatus)
    throw std::invalid_argument("dossier " + code + " has status " + std::to_string(b) +
                                ", not a canonical status code");
  return b;
}

}  // namespace

void encode_dossier(const sla::Dossier& d, std::string& out) {
  out.clear();
  Writer w(out);
  w.byte(kDossierCodecVersion);
  for (const std::string* s : {&d.code, &d.source, &d.procedure, &d.procedure_name, &d.sector,
                               &d.agency, &d.agency_name, &d.applicant, &d.note})
    w.str(*s);
  w.sint(d.channel);
  w.byte(status_byte(d.status, d.code));
  w.instants<7>({&d.submitted_at, &d.received_at, &d.due_at, &d.finished_at, &d.returned_at,
                 &d.refused_at, &d.updated_at});

  w.uint(d.steps.size());
  for (const sla::Step& s : d.steps) {
    w.str(s.handler);
    w.str(s.title);
    w.str(s.department);
    w.str(s.content);
    w.byte(status_byte(s.status, d.code));
    w.instants<3>({&s.at, &s.started_at, &s.due_at});
  }
  w.uint(d.supplements.size());
  for (const sla::SupplementRequest& s : d.supplements) {
    w.str(s.requested_by);
    w.str(s.reason);
    w.instants<4>({&s.requested_at, &s.received_at, &s.due_before, &s.due_after});
  }
  w.uint(d.apologies.size());
  for (const sla::Apology& a : d.apologies) {
    w.str(a.reason);
    w.str(a.signed_by);
    w.instants<3>({&a.issued_at, &a.due_before, &a.due_after}, a.from_step ? kFromStepBit : 0);
  }
}

std::string encode_dossier(const sla::Dossier& d) {
  std::string out;
  encode_dossier(d, out);
  return out;
}

std::string DecodeResult::message() const {
  if (!error) return "ok";
  return std::string(error) + " at byte " + std::to_string(offset);
}

DecodeResult decode_dossier(std::string_view blob, sla::Dossier& out) {
  Reader r(blob);
  std::uint8_t version = 0;
  if (!r.byte(version)) return r.result();
  if (version != 1) {
    r.fail("unknown codec version");
    return r.result();
  }
  if (read_version_1(r, out) && !r.at_end()) r.fail("bytes after the last field");
  return r.result();
}

}  // namespace motcua::store
