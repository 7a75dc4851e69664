// The one-stop listing's incremental sync against motcua-sim over real HTTP on 127.0.0.1: whole
// and incremental syncs, timestamps shared across pages, records that change while the sync
// pages, expiring sessions, and every injected fault as a named case.
#include "connectors/motcua_sync.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/connectors/upstream_fixture.hpp"

namespace motcua::connectors {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::eventually;
using ::testing::HasSubstr;
using testing::kStart;
using ::testing::Not;
using testing::sim_options;
using testing::UpstreamFixture;

std::string updated_of(const std::string& raw) {
  return std::string(json::parse(raw).at("NgayCapNhat").as_string());
}

// The store, as far as the sync can tell: rows by code (the last write wins), the quarantine and
// the cursor, with the store's contract checked on every commit (store::SyncState::commit_page).
class MemorySink : public SyncSink {
 public:
  std::optional<Cursor> cursor() override { return stored; }

  CommitCounts commit_page(std::vector<FetchedRecord> records, std::vector<RejectedRecord> bad,
                           const CursorChange& change) override {
    // Adding codes continues the committed value with codes it does not hold yet.
    if (change.adds) {
      EXPECT_TRUE(stored && stored->value == change.value);
      if (stored) {
        for (const auto& code : change.codes) {
          EXPECT_FALSE(std::binary_search(stored->codes_at_cursor.begin(),
                                          stored->codes_at_cursor.end(), code))
              << code << " is at the cursor already";
        }
      }
    }
    const Cursor next = change.applied_to(stored);
    if (before_commit) before_commit(next);  // may throw: a failing store
    CommitCounts counts;
    for (FetchedRecord& r : records) {
      EXPECT_EQ(r.dossier.source, "motcua");
      auto it = rows.find(r.dossier.code);
      if (it == rows.end())
        ++counts.inserted;
      else if (it->second != r.raw)
        ++counts.updated;
      if (r.known)
        ++redelivered;
      else
        ++fresh[r.dossier.code + "@" + updated_of(r.raw)];
      rows[r.dossier.code] = std::move(r.raw);
    }
    for (RejectedRecord& b : bad)
      quarantine.push_back(std::move(b));
    const auto& codes = next.codes_at_cursor;
    EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
    EXPECT_EQ(std::adjacent_find(codes.begin(), codes.end()), codes.end());
    for (const auto& code : codes) {
      auto it = rows.find(code);
      if (it == rows.end()) {
        ADD_FAILURE() << "the cursor lists " << code << ", which is not stored";
        continue;
      }
      EXPECT_EQ(updated_of(it->second), next.value) << code;
    }
    // yyyyMMddHHmmss sorts as text: the cursor never moves back.
    if (stored) {
      EXPECT_GE(next.value, stored->value);
    }
    previous = stored;
    stored = next;
    ++commits;
    if (after_commit) after_commit(next);
    return counts;
  }

  // Record versions delivered as new more than once; empty when nothing was counted twice.
  std::vector<std::string> counted_twice() const {
    std::vector<std::string> out;
    for (const auto& [key, n] : fresh)
      if (n > 1) out.push_back(key);
    return out;
  }

  std::map<std::string, std::string> rows;
  std::map<std::string, int> fresh;  // "code@NgayCapNhat" → deliveries as new
  std::size_t redelivered = 0;
  std::vector<RejectedRecord> quarantine;
  std::optional<Cursor> stored;
  std::optional<Cursor> previous;
  std::size_t commits = 0;
  std::function<void(const Cursor&)> before_commit;
  std::function<void(const Cursor&)> after_commit;
};

// The cursor a complete sync must end with: the largest value and every code at it.
Cursor final_cursor(const std::map<std::string, std::string>& listing) {
  Cursor c;
  for (const auto& [code, raw] : listing)
    c.value = std::max(c.value, updated_of(raw));
  for (const auto& [code, raw] : listing)
    if (updated_of(raw) == c.value) c.codes_at_cursor.push_back(code);
  return c;
}

std::size_t largest_group(const std::map<std::string, std::string>& listing) {
  std::map<std::string, std::size_t> per_value;
  for (const auto& [code, raw] : listing)
    ++per_value[updated_of(raw)];
  std::size_t most = 0;
  for (const auto& [value, n] : per_value)
    most = std::max(most, n);
  return most;
}

class MotcuaSyncTest : public UpstreamFixture {
 protected:
  explicit MotcuaSyncTest(sim::SimOptions options = sim_options(600),
                          net::ClientOptions client_options = {})
      : UpstreamFixture(std::move(options), client_options), session(client, endpoint()) {}

  SyncReport sync(std::size_t page_size, std::optional<std::size_t> max_pages = std::nullopt) {
    SyncOptions o;
    o.page_size = page_size;
    o.max_pages_per_sync = max_pages;
    return io.run(sync_motcua(session, mapping, "motcua", sink, o), 60s);
  }

  // Runs `action` once, after the commit numbered `n` (from 1).
  void after_commit_number(std::size_t n, std::function<void()> action) {
    sink.after_commit = [this, n, action](const Cursor&) {
      if (sink.commits == n) action();
    };
  }

  RecordMapping mapping;
  UpstreamSession session;
  MemorySink sink;
};

class LargeProvinceSyncTest : public MotcuaSyncTest {
 protected:
  LargeProvinceSyncTest() : MotcuaSyncTest(sim_options(8000)) {}
};

TEST_F(LargeProvinceSyncTest, FullSyncFetchesEveryRecordOnce) {
  const auto truth = listing();
  ASSERT_GT(truth.size(), 2000u);

  const SyncReport report = sync(100);

  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_TRUE(report.reachable);
  EXPECT_TRUE(report.complete);
  EXPECT_EQ(sink.rows, truth);
  EXPECT_THAT(sink.counted_twice(), ::testing::IsEmpty());
  EXPECT_EQ(report.records, truth.size());
  EXPECT_EQ(sink.fresh.size(), truth.size());
  EXPECT_EQ(report.inserted, truth.size());
  EXPECT_EQ(report.redelivered, 0u);
  EXPECT_TRUE(sink.quarantine.empty());
  EXPECT_EQ(report.bad, 0u);
  ASSERT_TRUE(sink.stored);
  EXPECT_EQ(*sink.stored, final_cursor(truth));
  EXPECT_EQ(report.cursor, sink.stored);
  EXPECT_EQ(log.count_path("/motcua/auth"), 1u);
  // Each request was sent as soon as the page before it was in, and each was the one needed.
  EXPECT_EQ(log.count_service("LayDanhSachHoSo"), report.pages);
}

TEST_F(LargeProvinceSyncTest, SecondSyncFetchesOnlyWhatChanged) {
  const auto before = listing();
  ASSERT_TRUE(sync(100).ok());
  ASSERT_EQ(sink.rows, before);

  sim.set_now(kStart + 3h);
  const auto after = listing();
  std::size_t changed = 0;
  for (const auto& [code, raw] : after) {
    auto it = before.find(code);
    if (it == before.end() || it->second != raw) ++changed;
  }
  ASSERT_GT(changed, 0u);
  ASSERT_LT(changed, after.size() / 2);

  const Cursor first_cursor = *sink.stored;
  const SyncReport second = sync(100);
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_EQ(sink.rows, after);
  EXPECT_EQ(second.records, changed);
  EXPECT_EQ(second.inserted + second.updated, changed);
  // Only the records stored at the old cursor come again, and they are not counted.
  EXPECT_LE(second.redelivered, first_cursor.codes_at_cursor.size());
  EXPECT_THAT(sink.counted_twice(), ::testing::IsEmpty());

  const SyncReport third = sync(100);
  ASSERT_TRUE(third.ok()) << third.error;
  EXPECT_EQ(third.records, 0u);
  EXPECT_EQ(third.inserted + third.updated, 0u);
  EXPECT_EQ(sink.rows, after);
}

TEST_F(LargeProvinceSyncTest, EqualTimestampsAcrossPageBoundaries) {
  const auto truth = listing();
  // The nightly job stamped one second on many open dossiers: far more than a page of 7.
  ASSERT_GT(largest_group(truth), 5 * 7u);

  const SyncReport report = sync(7);

  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_TRUE(report.complete);
  EXPECT_GE(report.group_passes, 1u);
  EXPECT_EQ(sink.rows, truth);
  EXPECT_THAT(sink.counted_twice(), ::testing::IsEmpty());
  EXPECT_EQ(report.records, truth.size());
  EXPECT_EQ(*sink.stored, final_cursor(truth));
  // Pages forward and back over the shared second, each request guessed from the page before it
  // while that page was still being read: no guess was wrong, so no answer was thrown away.
  EXPECT_EQ(log.count_service("LayDanhSachHoSo"), report.pages);
}

TEST_F(MotcuaSyncTest, ARequestSentBeforeAPageTurnsOutBadIsAnsweredAndDropped) {
  const auto truth = listing();
  // The listing's order, (NgayCapNhat, MaHoSo); a second copy of the record at position 60 sits
  // right beside it, on the same page of 25: a page that parses but is bad as a whole.
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& [code, raw] : truth)
    order.emplace_back(updated_of(raw), code);
  std::sort(order.begin(), order.end());
  ASSERT_GT(order.size(), 100u);
  const std::string& twice = order[60].second;
  sim.add_scenario(json::parse(truth.at(twice)).as_object(), std::nullopt);

  const SyncReport report = sync(25);

  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report.error, HasSubstr("appears twice on one page"));
  EXPECT_THAT(report.error, HasSubstr("nothing of this page was stored"));
  EXPECT_FALSE(sink.rows.contains(twice));
  ASSERT_TRUE(sink.stored);
  EXPECT_LE(sink.stored->value, order[60].first);
  // The good pages, the bad one, and the request that had left for the page after it, guessed
  // while the bad page was still unread: answered (the sync waits for it) and not used.
  EXPECT_EQ(log.count_service("LayDanhSachHoSo"), report.pages + 2);
  EXPECT_TRUE(eventually([&] { return log.count_path("/motcua/service") == report.pages + 2; }));
}

TEST_F(MotcuaSyncTest, RecordsChangingDuringTheSyncAreNeitherMissedNorCountedTwice) {
  // Twenty simulated minutes pass after each of the first 15 pages: records change, move to
  // the end of the listing and shift what follows them, and new dossiers arrive.
  sink.after_commit = [this](const Cursor&) {
    if (sink.commits <= 15) sim.set_now(sim.now() + 20min);
  };
  const SyncReport report = sync(7);
  ASSERT_TRUE(report.ok()) << report.error;
  ASSERT_EQ(sim.now(), kStart + 300min);

  const auto truth = listing();
  EXPECT_EQ(sink.rows, truth);
  EXPECT_THAT(sink.counted_twice(), ::testing::IsEmpty());
  EXPECT_EQ(*sink.stored, final_cursor(truth));
}

TEST_F(MotcuaSyncTest, RecordsLeavingASharedTimestampWhileItIsPagedAreNotMissed) {
  // An hour passes after each page that continued the same second: some records of that second
  // change and leave it, which shifts the rest of its pages left under the sync.
  std::size_t moves = 0;
  sink.after_commit = [&](const Cursor& next) {
    if (sink.previous && sink.previous->value == next.value && moves < 4) {
      sim.set_now(sim.now() + 1h);
      ++moves;
    }
  };
  const SyncReport report = sync(7);
  ASSERT_TRUE(report.ok()) << report.error;
  ASSERT_GT(moves, 0u) << "no page continued a shared second";
  EXPECT_GE(report.group_passes, 1u);

  const auto truth = listing();
  EXPECT_EQ(sink.rows, truth);
  EXPECT_THAT(sink.counted_twice(), ::testing::IsEmpty());
}

TEST_F(MotcuaSyncTest, ResumesInsideASharedTimestampAfterAFailure) {
  const auto truth = listing();
  // The listing fails right after the second page that continued one second.
  std::size_t continued = 0;
  sink.after_commit = [&](const Cursor& next) {
    if (sink.previous && sink.previous->value == next.value && ++continued == 2) {
      sim::Fault f;
      f.kind = sim::Fault::Kind::http_500;
      f.target = "LayDanhSachHoSo";
      sim.add_fault(f);
    }
  };
  const SyncReport first = sync(7);
  ASSERT_FALSE(first.ok());
  ASSERT_EQ(continued, 2u);
  const Cursor interrupted = *sink.stored;
  EXPECT_GT(interrupted.codes_at_cursor.size(), 7u);

  sink.after_commit = nullptr;
  const SyncReport second = sync(7);
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_EQ(sink.rows, truth);
  // The codes stored at the interrupted cursor come again as known, not as new.
  EXPECT_THAT(sink.counted_twice(), ::testing::IsEmpty());
  EXPECT_GE(second.redelivered, interrupted.codes_at_cursor.size());
  EXPECT_EQ(first.records + second.records, truth.size());
}

TEST_F(MotcuaSyncTest, SessionExpiryDuringTheSyncLogsInAgainAndContinues) {
  const auto truth = listing();
  after_commit_number(3, [this] {
    sim::Fault f;
    f.kind = sim::Fault::Kind::expire_session;
    f.target = "LayDanhSachHoSo";
    sim.add_fault(f);
  });
  const SyncReport report = sync(25);
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(sink.rows, truth);
  EXPECT_THAT(sink.counted_twice(), ::testing::IsEmpty());
  EXPECT_EQ(session.login_attempts(), 2u);
  EXPECT_EQ(log.count_path("/motcua/auth"), 2u);
}

class ShortLivedSessionSyncTest : public MotcuaSyncTest {
 protected:
  static sim::SimOptions options() {
    auto o = sim_options(600);
    o.session_ttl = 0s;  // every session has expired by its first use
    return o;
  }
  ShortLivedSessionSyncTest() : MotcuaSyncTest(options()) {}
};

TEST_F(ShortLivedSessionSyncTest, SessionThatExpiresAtOnceFailsAfterOneRepeat) {
  const SyncReport report = sync(25);
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report.error, HasSubstr("expired again right after a new login"));
  EXPECT_FALSE(report.reachable);
  EXPECT_EQ(sink.commits, 0u);
  ASSERT_TRUE(eventually([&] { return log.count_path("/motcua/service") >= 2; }));
  EXPECT_EQ(log.count_path("/motcua/auth"), 2u);
  EXPECT_EQ(log.count_path("/motcua/service"), 2u);
}

TEST_F(MotcuaSyncTest, WrongCredentialsAreReportedClearlyAndNotRetried) {
  UpstreamSession wrong(client, endpoint("motcua", "mat-khau-sai"));
  SyncOptions o;
  o.page_size = 25;
  for (int i = 0; i < 3; ++i) {
    const SyncReport report = io.run(sync_motcua(wrong, mapping, "motcua", sink, o));
    EXPECT_FALSE(report.ok());
    EXPECT_THAT(report.error, HasSubstr("refused"));
    EXPECT_THAT(report.error, HasSubstr("Tên đăng nhập hoặc mật khẩu không đúng"));
    EXPECT_THAT(report.error, Not(HasSubstr("mat-khau-sai")));
    EXPECT_FALSE(report.reachable);
  }
  EXPECT_EQ(sink.commits, 0u);
  EXPECT_FALSE(sink.stored);
  ASSERT_TRUE(eventually([&] { return log.count_path("/motcua/auth") >= 1; }));
  EXPECT_EQ(wrong.login_attempts(), 1u);
  EXPECT_EQ(log.count_path("/motcua/auth"), 1u);
  EXPECT_EQ(log.count_path("/motcua/service"), 0u);
}

TEST_F(MotcuaSyncTest, StoppingAtMaxPagesGoesOnFromTheCursorNextTime) {
  const auto truth = listing();
  const SyncReport first = sync(25, 3);
  ASSERT_TRUE(first.ok()) << first.error;
  EXPECT_FALSE(first.complete);
  EXPECT_EQ(first.pages, 3u);
  std::size_t syncs = 1;
  for (SyncReport r = first; !r.complete && syncs < 100; ++syncs) {
    r = sync(25, 3);
    ASSERT_TRUE(r.ok()) << r.error;
  }
  EXPECT_EQ(sink.rows, truth);
  EXPECT_THAT(sink.counted_twice(), ::testing::IsEmpty());
}

TEST_F(MotcuaSyncTest, FailingSinkStoresNothingAndTheNextSyncCompletes) {
  const auto truth = listing();
  sink.before_commit = [this](const Cursor&) {
    if (sink.commits == 2) throw std::runtime_error("database is locked");
  };
  const SyncReport first = sync(25);
  EXPECT_FALSE(first.ok());
  EXPECT_THAT(first.error, HasSubstr("database is locked"));
  EXPECT_EQ(sink.commits, 2u);
  EXPECT_EQ(first.cursor, sink.stored);

  sink.before_commit = nullptr;
  const SyncReport second = sync(25);
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_EQ(sink.rows, truth);
  EXPECT_THAT(sink.counted_twice(), ::testing::IsEmpty());
}

TEST_F(MotcuaSyncTest, CursorInAnotherDateFormatIsAnErrorBeforeAnyRequest) {
  sink.stored = Cursor{"2026-03-10 10:00:00", {}};
  const SyncReport report = sync(25);
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report.error, HasSubstr("does not match the date format yyyyMMddHHmmss"));
  EXPECT_EQ(session.login_attempts(), 0u);
}

TEST_F(MotcuaSyncTest, WrongTypesMakeBadRecordsThatAreQuarantinedNotDropped) {
  const auto truth = listing();
  after_commit_number(2, [this] {
    sim::Fault f;
    f.kind = sim::Fault::Kind::wrong_types;
    f.target = "LayDanhSachHoSo";
    sim.add_fault(f);
  });
  const SyncReport report = sync(25);
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(report.bad, 25u);
  ASSERT_EQ(sink.quarantine.size(), 25u);
  std::set<std::string> quarantined;
  for (const auto& b : sink.quarantine) {
    EXPECT_THAT(b.position, HasSubstr("record"));
    EXPECT_FALSE(b.reason.empty());
    EXPECT_FALSE(b.raw.empty());
    EXPECT_LE(b.excerpt.size(), kExcerptBytes);
    quarantined.insert(b.code);
  }
  // Every record is stored or quarantined: the cursor passed the bad ones only as recorded.
  for (const auto& [code, raw] : truth)
    EXPECT_TRUE(sink.rows.contains(code) || quarantined.contains(code)) << code;
  for (const auto& [code, raw] : sink.rows)
    EXPECT_EQ(raw, truth.at(code));

  // Without the fault, the next sync neither loses nor repeats anything.
  const SyncReport again = sync(25);
  ASSERT_TRUE(again.ok()) << again.error;
  EXPECT_EQ(again.bad, 0u);
  EXPECT_THAT(sink.counted_twice(), ::testing::IsEmpty());
}

// --- faults of a whole page ---------------------------------------------------------------------

struct PageFault {
  std::string name;
  sim::Fault::Kind kind;
  std::chrono::milliseconds delay{0};
  std::string says;  // a part of the error
};

void PrintTo(const PageFault& p, std::ostream* os) {
  *os << p.name;
}

class PageFaultTest : public MotcuaSyncTest, public ::testing::WithParamInterface<PageFault> {
 protected:
  static net::ClientOptions client_options() {
    net::ClientOptions o;
    o.request_timeout = 700ms;
    o.max_response_bytes = 8 * 1024 * 1024;
    return o;
  }
  PageFaultTest() : MotcuaSyncTest(sim_options(600), client_options()) {}
};

TEST_P(PageFaultTest, StoresNothingOfThePageKeepsTheCursorAndTheNextSyncCompletes) {
  const auto truth = listing();
  const PageFault& p = GetParam();
  after_commit_number(3, [&] {
    sim::Fault f;
    f.kind = p.kind;
    f.target = "LayDanhSachHoSo";
    f.delay = p.delay;
    sim.add_fault(f);
  });
  const SyncReport first = sync(25);
  EXPECT_FALSE(first.ok());
  EXPECT_THAT(first.error, HasSubstr(p.says));
  EXPECT_THAT(first.error, HasSubstr("the cursor stays"));
  EXPECT_TRUE(first.reachable);
  EXPECT_EQ(sink.commits, 3u);
  EXPECT_EQ(first.cursor, sink.stored);
  EXPECT_TRUE(sink.quarantine.empty());

  const SyncReport second = sync(25);
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_EQ(sink.rows, truth);
  EXPECT_THAT(sink.counted_twice(), ::testing::IsEmpty());
  EXPECT_EQ(first.records + second.records, truth.size());
}

INSTANTIATE_TEST_SUITE_P(
    Faults, PageFaultTest,
    ::testing::Values(
        PageFault{"http_500", sim::Fault::Kind::http_500, 0ms, "HTTP 500"},
        PageFault{"http_503", sim::Fault::Kind::http_503, 0ms, "HTTP 503"},
        PageFault{"delay_beyond_timeout", sim::Fault::Kind::delay, 3000ms, "timed out"},
        PageFault{"drop_connection", sim::Fault::Kind::drop_connection, 0ms, "LayDanhSachHoSo"},
        PageFault{"truncated_body", sim::Fault::Kind::truncated_body, 0ms, "LayDanhSachHoSo"},
        PageFault{"malformed_json", sim::Fault::Kind::malformed_json, 0ms, "not valid JSON"},
        PageFault{"oversized_body", sim::Fault::Kind::oversized_body, 0ms, "LayDanhSachHoSo"}),
    [](const ::testing::TestParamInfo<PageFault>& info) { return info.param.name; });

TEST_F(MotcuaSyncTest, TransientFaultIsRetriedWhenTheSessionAllowsIt) {
  const auto truth = listing();
  SessionOptions patient;
  patient.max_attempts = 3;
  patient.backoff = {10ms, 50ms, 2.0};
  UpstreamSession retrying(client, endpoint(), patient);
  after_commit_number(2, [this] {
    sim::Fault f;
    f.kind = sim::Fault::Kind::http_503;
    f.target = "LayDanhSachHoSo";
    f.count = 2;
    sim.add_fault(f);
  });
  SyncOptions o;
  o.page_size = 25;
  const SyncReport report = io.run(sync_motcua(retrying, mapping, "motcua", sink, o));
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(sink.rows, truth);
}

}  // namespace
}  // namespace motcua::connectors
