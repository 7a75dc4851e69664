// Listing pages that are wrong as a whole, and single records that are wrong, from a scripted
// upstream (the simulator cannot produce every shape): a bad page stores nothing and keeps the
// cursor; a bad record is quarantined with its place and the rest of the page is stored.
#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "connectors/motcua_sync.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "tests/net/io_thread.hpp"

namespace motcua::connectors {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

std::string record(const std::string& code, const std::string& updated) {
  return R"({"MaHoSo":")" + code + R"(","TrangThaiHoSo":"4","NgayTiepNhan":"20260305090000",)" +
         R"("NgayHenTra":"20260320170000","NgayCapNhat":")" + updated + R"("})";
}

class RecordingSink : public SyncSink {
 public:
  std::optional<Cursor> cursor() override { return stored; }
  CommitCounts commit_page(std::vector<FetchedRecord> r, std::vector<RejectedRecord> b,
                           const CursorChange& change) override {
    records.insert(records.end(), r.begin(), r.end());
    bad.insert(bad.end(), b.begin(), b.end());
    stored = change.applied_to(stored);
    // The store's contract: the cursor lists only codes stored by now.
    for (const std::string& code : stored->codes_at_cursor)
      if (std::none_of(records.begin(), records.end(),
                       [&](const FetchedRecord& f) { return f.dossier.code == code; }))
        unstored_at_cursor.push_back(code);
    ++commits;
    return {};
  }
  std::optional<Cursor> stored;
  std::vector<FetchedRecord> records;
  std::vector<RejectedRecord> bad;
  std::size_t commits = 0;
  std::vector<std::string> unstored_at_cursor;
};

class ListingPageTest : public ::testing::Test {
 protected:
  ListingPageTest() : client(io.executor()) {
    net::Router router;
    router.add("POST", "/fake/auth", [](const net::ServerRequest&) {
      net::ServerResponse r;
      r.body = R"({"error_code":0,"message":"","session":"phien-1"})";
      return r;
    });
    router.add("POST", "/fake/service", [this](const net::ServerRequest& request) {
      std::lock_guard lock(mutex);
      requests.push_back(json::parse(request.body).as_object());
      net::ServerResponse r;
      r.body = answers.empty() ? std::string(R"({"error_code":0,"TongSo":0,"data":[]})")
                               : answers.front();
      if (answers.size() > 1) answers.erase(answers.begin());
      return r;
    });
    server =
        std::make_unique<net::HttpServer>(io.executor(), net::ServerOptions{}, std::move(router));
    server->start();
  }
  void TearDown() override { io.halt(); }

  SyncReport sync(std::size_t page_size) {
    UpstreamEndpoint e;
    e.url = "http://127.0.0.1:" + std::to_string(server->port()) + "/fake";
    e.username = "u";
    e.password = "p";
    e.dstcode = "H37";
    UpstreamSession session(client, e);
    SyncOptions o;
    o.page_size = page_size;
    return io.run(sync_motcua(session, mapping, "motcua", sink, o));
  }

  void serve(std::vector<std::string> pages) {
    std::lock_guard lock(mutex);
    answers = std::move(pages);
  }

  net::fixtures::IoThread io;
  net::HttpClient client;
  std::unique_ptr<net::HttpServer> server;
  std::mutex mutex;
  std::vector<std::string> answers;
  std::vector<json::object> requests;
  RecordMapping mapping;
  RecordingSink sink;
};

// Expects a failed sync that stored nothing.
void expect_nothing_stored(const SyncReport& report, const RecordingSink& sink,
                           const std::string& says) {
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report.error, HasSubstr(says));
  EXPECT_THAT(report.error, HasSubstr("nothing of this page was stored"));
  EXPECT_EQ(sink.commits, 0u);
}

TEST_F(ListingPageTest, TongSoThatIsNotACount) {
  serve({R"({"error_code":0,"TongSo":"nhiều","data":[)" + record("A-1", "20260310090000") + "]}"});
  expect_nothing_stored(sync(5), sink, "TongSo is not a count");
}

TEST_F(ListingPageTest, DataThatIsNotAnArray) {
  serve({R"({"error_code":0,"TongSo":1,"data":)" + record("A-1", "20260310090000") + "}"});
  expect_nothing_stored(sync(5), sink, "no array data");
}

TEST_F(ListingPageTest, MissingTongSo) {
  serve({R"({"error_code":0,"data":[]})"});
  expect_nothing_stored(sync(5), sink, "no TongSo");
}

TEST_F(ListingPageTest, TongSoSmallerThanTheRecordsListed) {
  serve({R"({"error_code":0,"TongSo":1,"data":[)" + record("A-1", "20260310090000") + "," +
         record("A-2", "20260310090000") + "]}"});
  expect_nothing_stored(sync(5), sink, "is less than the 2 records listed");
}

TEST_F(ListingPageTest, MoreRecordsThanAskedFor) {
  serve({R"({"error_code":0,"TongSo":2,"data":[)" + record("A-1", "20260310090000") + "," +
         record("A-2", "20260310090000") + "]}"});
  expect_nothing_stored(sync(1), sink, "2 records where SoLuong was 1");
}

TEST_F(ListingPageTest, ShortPageWhileTongSoSaysMoreFollow) {
  // An upstream that caps SoLuong below what we ask would otherwise end every sync early.
  serve({R"({"error_code":0,"TongSo":900,"data":[)" + record("A-1", "20260310090000") + "]}"});
  expect_nothing_stored(sync(5), sink, "says more follow");
}

TEST_F(ListingPageTest, RecordsOutOfOrder) {
  serve({R"({"error_code":0,"TongSo":2,"data":[)" + record("A-1", "20260310090000") + "," +
         record("A-2", "20260310080000") + "]}"});
  expect_nothing_stored(sync(5), sink, "not ordered by NgayCapNhat");
}

TEST_F(ListingPageTest, RecordsBeforeTheCursorMeanTheFilterIsIgnored) {
  sink.stored = Cursor{"20260310090000", {"A-1"}};
  serve({R"({"error_code":0,"TongSo":1,"data":[)" + record("A-0", "20260301080000") + "]}"});
  expect_nothing_stored(sync(5), sink, "the listing ignores the filter");
  EXPECT_EQ(sink.stored, (Cursor{"20260310090000", {"A-1"}}));
}

TEST_F(ListingPageTest, SameCodeTwiceOnOnePage) {
  serve({R"({"error_code":0,"TongSo":2,"data":[)" + record("A-1", "20260310090000") + "," +
         record("A-1", "20260310090000") + "]}"});
  expect_nothing_stored(sync(5), sink, "appears twice");
}

TEST_F(ListingPageTest, UpstreamErrorCodeStopsTheSyncWithItsMessage) {
  serve({R"({"error_code":99,"message":"Hệ thống đang bận"})"});
  const SyncReport report = sync(5);
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report.error, HasSubstr("error_code 99: Hệ thống đang bận"));
  EXPECT_FALSE(report.reachable);
  EXPECT_EQ(sink.commits, 0u);
}

TEST_F(ListingPageTest, BadRecordsAreQuarantinedWithTheirPlaceAndTheRestIsStored) {
  serve({R"({"error_code":0,"TongSo":5,"data":[)" + record("A-1", "20260310090000") + ",42," +
         record("A-2", "20260231090000") + "," +
         R"({"MaHoSo":"A-3","TrangThaiHoSo":"4","NgayCapNhat":""})" + "," +
         record("A-4", "20260310100000") + "]}"});
  const SyncReport report = sync(10);
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_TRUE(report.complete);
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].dossier.code, "A-1");
  EXPECT_EQ(sink.records[1].dossier.code, "A-4");
  ASSERT_EQ(sink.bad.size(), 3u);
  EXPECT_THAT(sink.bad[0].position, HasSubstr("record 2"));
  EXPECT_THAT(sink.bad[0].reason, HasSubstr("not a JSON object"));
  EXPECT_EQ(sink.bad[0].raw, "42");
  EXPECT_THAT(sink.bad[1].position, HasSubstr("record 3 (A-2)"));
  EXPECT_THAT(sink.bad[1].reason, HasSubstr("not a valid date"));
  EXPECT_EQ(sink.bad[1].code, "A-2");
  EXPECT_THAT(sink.bad[2].reason, HasSubstr("NgayCapNhat is missing or blank"));
  EXPECT_EQ(report.bad, 3u);
  EXPECT_EQ(report.records, 2u);
  EXPECT_EQ(sink.stored, (Cursor{"20260310100000", {"A-4"}}));
}

TEST_F(ListingPageTest, FirstSyncAsksFromTheStartThenFromTheCursorInclusive) {
  serve({R"({"error_code":0,"TongSo":2,"data":[)" + record("A-1", "20260310090000") + "," +
             record("A-2", "20260310090000") + "]}",
         R"({"error_code":0,"TongSo":2,"data":[)" + record("A-1", "20260310090000") + "," +
             record("A-2", "20260310090000") + "]}"});
  ASSERT_TRUE(sync(5).ok());
  EXPECT_EQ(sink.stored, (Cursor{"20260310090000", {"A-1", "A-2"}}));
  const SyncReport again = sync(5);
  ASSERT_TRUE(again.ok()) << again.error;
  EXPECT_EQ(again.records, 0u);
  EXPECT_EQ(again.redelivered, 2u);
  std::lock_guard lock(mutex);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].at("CapNhatTu").as_string(), "");
  EXPECT_EQ(requests[0].at("Trang").to_number<int>(), 1);
  EXPECT_EQ(requests[0].at("SoLuong").to_number<int>(), 5);
  EXPECT_EQ(requests[0].at("service").as_string(), "LayDanhSachHoSo");
  EXPECT_EQ(requests[1].at("CapNhatTu").as_string(), "20260310090000");
}

TEST_F(ListingPageTest, RecordOfTheHeldLastPageIsAtTheCursorOnlyOnceStored) {
  // A second shared by five records, two a page. The forward pass reads pages 2 and 3; page 3
  // (A-5 and a later B-1) ends the group and is held until the backward pass is done. Before the
  // pass reads page 2 again, A-1 changes and leaves the second, and A-4 changes within it: A-5
  // shifts onto page 2, which the pass stores for A-4's new text while it skips A-5 (the held page
  // has it). A-5 is not stored yet, so the cursor must not list it until page 3 is stored.
  const std::string v = "20260310090000", w = "20260310100000", z = "20260310110000";
  std::string a4_changed = record("A-4", v);
  a4_changed.replace(a4_changed.find(R"("TrangThaiHoSo":"4")"), 19, R"("TrangThaiHoSo":"5")");
  auto page = [](int total, std::vector<std::string> records) {
    std::string data;
    for (const auto& r : records)
      data += (data.empty() ? "" : ",") + r;
    return R"({"error_code":0,"TongSo":)" + std::to_string(total) + R"(,"data":[)" + data + "]}";
  };
  serve({
      page(6, {record("A-1", v), record("A-2", v)}),  // 1 from the start
      page(6, {record("A-1", v), record("A-2", v)}),  // 1 from v: the second spans pages
      page(6, {record("A-3", v), record("A-4", v)}),  // 2 from v
      page(6, {record("A-5", v), record("B-1", w)}),  // 3 from v: ends the group, held
      page(6, {a4_changed, record("A-5", v)}),        // 2 from v again: A-1 left v
      page(6, {record("A-2", v), record("A-3", v)}),  // 1 from v again
      page(2, {record("B-1", w), record("A-1", z)}),  // 1 from w
      page(1, {record("A-1", z)}),                    // 1 from z: the end
  });
  const SyncReport report = sync(2);
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_TRUE(report.complete);
  EXPECT_EQ(report.group_passes, 1u);
  ASSERT_EQ(requests.size(), 8u);
  EXPECT_EQ(requests[4].at("Trang").as_int64(), 2);
  EXPECT_THAT(sink.unstored_at_cursor, ::testing::IsEmpty());
  std::vector<std::string> codes;
  for (const auto& r : sink.records)
    codes.push_back(r.dossier.code + (r.known ? " again" : ""));
  // A-1 twice, as two versions: at v, then its change at z; A-4's second text at v again.
  EXPECT_THAT(codes, ::testing::UnorderedElementsAre("A-1", "A-2", "A-3", "A-4", "A-4 again", "A-5",
                                                     "B-1", "A-1"));
  ASSERT_TRUE(sink.stored);
  EXPECT_EQ(sink.stored->value, z);
  EXPECT_EQ(sink.stored->codes_at_cursor, std::vector<std::string>{"A-1"});
}

}  // namespace
}  // namespace motcua::connectors
