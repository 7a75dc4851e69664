// The incremental sync of the one-stop listing.
//
// What the listing gives: for CapNhatTu = v, the records with NgayCapNhat >= v ordered by
// (NgayCapNhat, MaHoSo), cut into pages by Trang and SoLuong; each answer is a consistent snapshot,
// but the listing moves between two requests: a record that changes gets a new, later
// NgayCapNhat and moves towards the end, which shifts every record after its old place one
// position to the left. We assume (A) that a change is stamped no earlier than any NgayCapNhat
// already listed (the upstream stamps its own clock at commit): so once a value later than v is
// listed, no record can arrive at v any more.
//
// How the sync walks it, with the cursor (v, S) = (value, codes stored at v):
// 1. Page 1 at v is a snapshot. When it is short, it is the rest of the listing: store it, the
//    cursor becomes its largest value M with the codes at M (plus S when M = v), done.
// 2. When it is full and its largest value M is later than v, every record before M is on this
//    page (the listing is sorted): store the page, the cursor becomes (M, codes at M on the page),
//    and start again at page 1 from M, so no later page is ever asked for across a moving
//    boundary. Records at M seen on this page come back first and are recognised by code.
// 3. When page 1 is full and holds only v, the value v is shared by more records than a page (the
//    one-stop system's nightly job stamps thousands of records with one second). Then pages 2, 3,
//    ... of v are read forward, each stored with the cursor still at v, until page L that shows a
//    later value or is short. Between two of these requests a record of v may change and shift the
//    rest left, so one record can fall between two pages unseen. So before the cursor leaves v,
//    pages L-1, L-2, ..., 1 are read again, from the last back to the first, and any record at v
//    not seen yet is stored. Read in that order nothing can fall through: a record that stays at v
//    only ever moves left, and when page p is read every such record sits on page p or before it
//    (true for L when it was read, as page L ended the group, and kept by each step down), so it
//    is on the page being read or is still ahead of the pass. Records that leave v meanwhile are
//    later than everything listed (A), so they are found again at their new value. Only then is
//    page L stored, with the cursor at its largest value; go on at 1.
//    A record cannot arrive at v during the backward pass: page L showed a later value (A); when
//    page L was short instead, the cursor stays at v and the next sync reads v again.
// Nothing is counted twice: a record at the cursor's value whose code was already delivered in
// this sync is delivered again only when its text changed (a second change within one second),
// and then as `known`, not as a new record; codes at the cursor from an earlier sync are known
// too. Nothing is stored twice for a version before the cursor, because the filter excludes it.
// A page that is bad as a whole is an error before anything of it is stored.
//
// The request that follows a page depends only on that page (step 2: page 1 from its largest
// value; step 3: the next page forward or back, at the same value), and on little of it: whether
// it is full and its last readable NgayCapNhat. So it is sent as soon as the page's answer is in,
// guessed from those two, before the page is read (mapped) and stored: the upstream prepares the
// next answer while this side maps and the sink writes. The walk then uses the guessed request only
// when it is exactly the one it would send (same page, same CapNhatTu); otherwise (the page turned
// out bad, or the sync stops) the guessed answer is awaited (the session must outlive its calls)
// and dropped. An answer is read only after the commit before it, against the cursor that commit
// left. Nothing about which requests the walk uses, nor about what is stored, changes: only when
// a request leaves. One request is on its way at a time.
#include "connectors/motcua_sync.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "connectors/text.hpp"

namespace motcua::connectors {

SyncSink::~SyncSink() = default;

Cursor CursorChange::applied_to(std::optional<Cursor> before) const {
  if (!adds || !before || before->value != value) return Cursor{value, codes};
  std::vector<std::string> merged;
  merged.reserve(before->codes_at_cursor.size() + codes.size());
  std::set_union(before->codes_at_cursor.begin(), before->codes_at_cursor.end(), codes.begin(),
                 codes.end(), std::back_inserter(merged));
  return Cursor{value, std::move(merged)};
}

namespace {

namespace asio = boost::asio;
namespace json = boost::json;

// A place in the listing: NgayCapNhat as sent (trimmed) and the instant it means. Values compare
// by instant: only yyyyMMddHHmmss-like formats sort as text.
struct Value {
  sla::Instant at{};
  std::string text;
};

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

// Reads a NgayCapNhat value with exactly the rules of map_record (format, offset, calendar years),
// by mapping a record that holds nothing but a code and that value.
std::optional<Value> read_value(const json::value& v, const RecordMapping& mapping) {
  if (!v.is_string()) return std::nullopt;
  json::object probe;
  probe[mapping.fields.code] = "cursor";
  probe[mapping.fields.updated_at] = v;
  MapResult m = map_record(probe, mapping, "");
  if (!m.dossier || !m.dossier->updated_at) return std::nullopt;
  return Value{*m.dossier->updated_at, std::string(trimmed(v.get_string()))};
}

struct Entry {
  std::size_t index = 0;  // 1-based on its page
  std::string raw;
  std::size_t hash = 0;  // of raw
  std::string code;      // empty when the record has none readable
  std::optional<Value> updated;
  std::optional<sla::Dossier> dossier;  // set for a good record
  std::string error;                    // set for a bad one
};

struct Page {
  std::size_t number = 0;  // Trang
  std::string from;        // CapNhatTu
  std::vector<Entry> entries;
  bool full = false;
  std::optional<Value> max;  // the largest readable NgayCapNhat

  bool ends_group(const sla::Instant v) const { return !full || (max && max->at > v); }
};

// Which step of the walk reads a page, and so which request follows it: walk() at page 1, or
// pass_group() forward or back.
enum class Next { walk, forward, backward };

// A listing request on its way: started by MotcuaSync::start, read by MotcuaSync::finish.
struct Request {
  struct Answer {
    explicit Answer(const asio::any_io_executor& executor)
        : done(executor, asio::steady_timer::time_point::max()) {}
    std::optional<CallResult> result;
    asio::steady_timer done;  // cancelled when the result is in
  };
  std::size_t number = 0;  // Trang
  std::string from;        // CapNhatTu
  std::shared_ptr<Answer> answer;
};

std::optional<std::int64_t> count_of(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_string()) {
    const std::string_view s = v.get_string();
    if (s.empty() || s.size() > 18 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    return std::stoll(std::string(s));
  }
  return std::nullopt;
}

std::string show(const json::value& v) {
  return utf8_excerpt(json::serialize(v), 80);
}

class MotcuaSync {
 public:
  MotcuaSync(UpstreamSession& session, const RecordMapping& mapping, std::string_view source,
             SyncSink& sink, SyncOptions options)
      : session_(session), mapping_(mapping), sink_(sink), options_(std::move(options)) {
    report_.source = std::string(source);
  }

  asio::awaitable<SyncReport> run() {
    const auto started = std::chrono::steady_clock::now();
    co_await walk();
    if (guess_) co_await wait(*guess_);  // a guess the walk did not use: dropped
    if (cursor_value_) report_.cursor = Cursor{*cursor_value_, {known_.begin(), known_.end()}};
    report_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    co_return std::move(report_);
  }

 private:
  asio::awaitable<void> walk() {
    if (options_.page_size == 0) {
      fail("page_size must be at least 1");
      co_return;
    }
    if (auto problem = validate_date_format(mapping_.date_format)) {
      fail("date format \"" + mapping_.date_format + "\": " + *problem);
      co_return;
    }
    if (!load_cursor()) co_return;
    std::optional<Request> ahead;  // page 1 from the largest value of the page just stored
    for (;;) {
      std::optional<Page> page;
      if (ahead) {
        page = co_await finish(std::move(*ahead), Next::walk);
        ahead.reset();
      } else {
        if (may_request())
          page = co_await fetch(1, Next::walk);
        else
          co_return;
      }
      if (!page) co_return;
      if (page->entries.empty()) {
        report_.complete = true;
        co_return;
      }
      if (!page->full) {
        if (commit(*page, false)) report_.complete = true;
        co_return;
      }
      if (!page->max || (value_ && page->max->at == value_->at)) {
        if (!value_) {
          fail("page 1 holds no record with a readable " + mapping_.fields.updated_at +
               ": the sync cannot find its place in the listing");
          co_return;
        }
        if (!commit(*page, false)) co_return;
        if (!co_await pass_group()) co_return;
        if (report_.complete) co_return;
        continue;
      }
      if (may_request()) ahead = co_await start(1, page->max->text);
      if (!commit(*page, false)) {
        if (ahead) co_await wait(*ahead);
        co_return;
      }
    }
  }

  // Whether max_pages_per_sync allows another request before starting afresh at a value.
  bool may_request() const {
    return !options_.max_pages_per_sync || requests_ < *options_.max_pages_per_sync;
  }

  // Commits `page` while the request `next` (already started) is on its way; when the commit
  // fails, waits for that answer and drops it.
  asio::awaitable<bool> commit_while(Page& page, bool at_value_only, Request& next) {
    if (commit(page, at_value_only)) co_return true;
    co_await wait(next);
    co_return false;
  }

  // Step 3 of the walk (see the top of the file): the cursor's value spans pages.
  asio::awaitable<bool> pass_group() {
    ++report_.group_passes;
    const sla::Instant v = value_->at;
    std::size_t last = 2;
    std::optional<Page> end;
    std::optional<Request> next;
    for (;; ++last) {
      // (No co_await inside a conditional expression: GCC 12 miscompiles it.)
      if (next)
        end = co_await finish(std::move(*next), Next::forward);
      else
        end = co_await fetch(last, Next::forward);
      next.reset();
      if (!end) co_return false;
      if (end->ends_group(v)) break;
      next = co_await start(last + 1, from_text());
      if (!co_await commit_while(*end, false, *next)) co_return false;
    }
    // Page `last` is stored after the backward pass, so its records at v are not delivered by
    // the pass too; a newer text of one of them found by the pass wins over the held one.
    held_.clear();
    for (const Entry& e : end->entries)
      if (e.dossier && at_value(e)) held_.emplace(e.code, e.hash);
    for (std::size_t p = last - 1; p >= 1; --p) {
      std::optional<Page> page;
      if (next)
        page = co_await finish(std::move(*next), Next::backward);
      else
        page = co_await fetch(p, Next::backward);
      next.reset();
      if (!page) co_return false;
      if (p > 1) {
        next = co_await start(p - 1, from_text());
        if (!co_await commit_while(*page, true, *next)) co_return false;
      } else if (!commit(*page, true)) {
        co_return false;
      }
    }
    std::erase_if(end->entries, [this](const Entry& e) {
      auto it = held_.find(e.code);
      return e.dossier && at_value(e) && it != held_.end() && it->second != e.hash;
    });
    held_.clear();
    if (!commit(*end, false)) co_return false;
    if (!end->full) report_.complete = true;
    co_return true;
  }

  bool load_cursor() {
    std::optional<Cursor> cursor;
    try {
      cursor = sink_.cursor();
    } catch (const std::exception& e) {
      return fail(std::string("reading the cursor failed: ") + e.what());
    }
    report_.cursor = cursor;
    if (!cursor) return true;
    cursor_value_ = cursor->value;
    value_ = read_value(json::string(cursor->value), mapping_);
    if (!value_)
      return fail("the stored cursor \"" + utf8_excerpt(cursor->value, 80) +
                  "\" does not match the date format " + mapping_.date_format +
                  " (reset the source's cursor after changing the format)");
    known_.insert(cursor->codes_at_cursor.begin(), cursor->codes_at_cursor.end());
    return true;
  }

  bool fail(std::string message) {
    if (report_.error.empty()) report_.error = std::move(message);
    return false;
  }

  std::string from_text() const { return value_ ? value_->text : options_.listing.initial_from; }

  asio::awaitable<std::optional<Page>> fetch(std::size_t number, Next next) {
    co_return co_await finish(co_await start(number, from_text()), next);
  }

  // The listing request for page `number` from `from`, on its way: the guessed one when it is
  // that request, else one sent now (after the guessed answer, if any, is in and dropped).
  asio::awaitable<Request> start(std::size_t number, std::string from) {
    if (guess_) {
      Request guessed = std::move(*guess_);
      guess_.reset();
      if (guessed.number == number && guessed.from == from) {
        ++requests_;
        co_return guessed;
      }
      co_await wait(guessed);
    }
    ++requests_;
    co_return co_await send(number, std::move(from));
  }

  // Sends the listing request for page `number` from `from` and returns once it is on its way
  // (the call runs on this coroutine's executor up to its first wait).
  asio::awaitable<Request> send(std::size_t number, std::string from) {
    const ListingProtocol& l = options_.listing;
    json::object params;
    params[l.updated_from] = from;
    params[l.page] = number;
    params[l.page_size] = options_.page_size;
    const auto executor = co_await asio::this_coro::executor;
    Request request{number, std::move(from), std::make_shared<Request::Answer>(executor)};
    asio::co_spawn(executor, session_.call(l.service, std::move(params)),
                   [answer = request.answer](std::exception_ptr e, CallResult r) {
                     if (e) {
                       r = CallResult{};
                       r.error.kind = CallFailure::invalid_answer;
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& x) {
                         r.error.message = std::string("the listing call failed: ") + x.what();
                       } catch (...) {
                         r.error.message = "the listing call failed";
                       }
                     }
                     answer->result = std::move(r);
                     answer->done.cancel();
                   });
    co_await asio::post(executor, asio::use_awaitable);
    co_return request;
  }

  // Waits for the answer of a started request.
  asio::awaitable<void> wait(Request& request) {
    // One thread (or strand) runs this coroutine and the call's completion, so the result cannot
    // arrive between the test and the start of the wait.
    if (request.answer->result) co_return;
    boost::system::error_code ignored;
    co_await request.answer->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }

  // Reads the answer of a started request as a page, checked against the cursor as it is now;
  // first sends the request that `next` expects to follow it (see the top of the file).
  asio::awaitable<std::optional<Page>> finish(Request request, Next next) {
    const ListingProtocol& l = options_.listing;
    co_await wait(request);
    CallResult r = std::move(*request.answer->result);
    const std::size_t number = request.number;
    const std::string where = "page " + std::to_string(number) + " from " + l.updated_from + "=" +
                              (request.from.empty() ? "(start)" : request.from);
    if (!r.ok()) {
      fail(r.error.message + " (" + where + "; the cursor stays where it was)");
      co_return std::nullopt;
    }
    if (auto g = guess(r.answer, number, next))
      guess_ = co_await send(g->first, std::move(g->second));
    Page page;
    page.number = number;
    page.from = std::move(request.from);
    if (std::string problem = read_page(r.answer, page); !problem.empty()) {
      fail(l.service + " " + where + ": " + problem +
           "; nothing of this page was stored and the cursor stays where it was");
      co_return std::nullopt;
    }
    ++report_.pages;
    report_.reachable = true;
    co_return page;
  }

  // Where an answer holds its records: the listing's field, else "result"; null when neither.
  const json::value* records_of(const json::object& answer) const {
    const json::value* data = answer.if_contains(options_.listing.data);
    return data != nullptr ? data : answer.if_contains("result");
  }

  // The request the walk will send after the page of `answer` (page `number`) if the page is
  // good, read from only whether the page is full and its last readable NgayCapNhat: the rules of
  // walk() (Next::walk) and of pass_group() forward and back. None when no request would follow
  // or the answer is not a page; a wrong guess costs one dropped answer, never a wrong page.
  std::optional<std::pair<std::size_t, std::string>> guess(const json::object& answer,
                                                           std::size_t number, Next next) const {
    if (next == Next::backward)
      return number > 1 && value_ ? std::optional(std::pair(number - 1, value_->text))
                                  : std::nullopt;
    const json::value* data = records_of(answer);
    if (data == nullptr || !data->is_array()) return std::nullopt;
    const json::array& records = data->get_array();
    const bool full = records.size() == options_.page_size;
    std::optional<Value> last;
    for (auto it = records.rbegin(); it != records.rend() && !last; ++it)
      if (const json::object* o = it->if_object())
        if (const json::value* u = o->if_contains(mapping_.fields.updated_at))
          last = read_value(*u, mapping_);
    if (next == Next::forward) {
      if (!value_) return std::nullopt;
      const bool ends = !full || (last && last->at > value_->at);
      return std::pair(ends ? number - 1 : number + 1, value_->text);
    }
    if (!full) return std::nullopt;
    if (!last || (value_ && last->at == value_->at))
      return value_ ? std::optional(std::pair(std::size_t{2}, value_->text)) : std::nullopt;
    if (!may_request()) return std::nullopt;
    return std::pair(std::size_t{1}, last->text);
  }

  // Checks the page as a whole and reads its records; returns what is wrong with it, or "".
  std::string read_page(const json::object& answer, Page& page) const {
    const ListingProtocol& l = options_.listing;
    const json::value* data = records_of(answer);
    if (data == nullptr || !data->is_array())
      return "the answer has no array " + l.data +
             (data ? " (got " + show(*data) + ")" : std::string());
    const json::value* total_value = answer.if_contains(l.total);
    if (total_value == nullptr) return "the answer has no " + l.total;
    const auto total = count_of(*total_value);
    if (!total || *total < 0) return l.total + " is not a count: " + show(*total_value);
    const json::array& records = data->get_array();
    const std::size_t size = options_.page_size;
    if (records.size() > size)
      return std::to_string(records.size()) + " records where " + l.page_size + " was " +
             std::to_string(size);
    const auto before = static_cast<std::int64_t>((page.number - 1) * size);
    const auto listed = before + static_cast<std::int64_t>(records.size());
    if (!records.empty() && *total < listed)
      return l.total + " " + std::to_string(*total) + " is less than the " +
             std::to_string(listed) + " records listed up to this page";
    if (records.size() < size && !records.empty() && *total > listed)
      return "a short page of " + std::to_string(records.size()) + " records while " + l.total +
             " " + std::to_string(*total) +
             " says more follow (does the upstream cap SoLuong? lower page_size)";
    page.full = records.size() == size;

    std::unordered_set<std::string> codes;
    for (std::size_t i = 0; i < records.size(); ++i) {
      Entry e;
      e.index = i + 1;
      e.raw = json::serialize(records[i]);
      e.hash = std::hash<std::string>{}(e.raw);
      MapResult m = map_record(records[i], mapping_, report_.source);
      e.code = m.code;
      if (m.dossier) {
        const json::value* u = records[i].get_object().if_contains(mapping_.fields.updated_at);
        if (!m.dossier->updated_at || u == nullptr || !u->is_string()) {
          e.error = mapping_.fields.updated_at +
                    " is missing or blank: the record has no place in the incremental sync";
        } else {
          e.updated = Value{*m.dossier->updated_at, std::string(trimmed(u->get_string()))};
          e.dossier = std::move(m.dossier);
        }
      } else {
        e.error = m.error;
        if (const json::object* o = records[i].if_object())
          if (const json::value* u = o->if_contains(mapping_.fields.updated_at);
              u != nullptr && u->is_string())
            e.updated = read_value(*u, mapping_);
      }
      if (e.updated) {
        if (value_ && e.updated->at < value_->at)
          return "record " + std::to_string(e.index) + " has " + mapping_.fields.updated_at + " " +
                 e.updated->text + ", before " + l.updated_from + " " + value_->text +
                 " (the listing ignores the filter)";
        if (page.max && e.updated->at < page.max->at)
          return "record " + std::to_string(e.index) + " (" + e.updated->text +
                 ") comes after a later one (" + page.max->text +
                 "): the listing is not ordered by " + mapping_.fields.updated_at;
        page.max = e.updated;
      }
      if (!e.code.empty() && !codes.insert(e.code).second)
        return "the code " + utf8_excerpt(e.code, 80) + " appears twice on one page";
      page.entries.push_back(std::move(e));
    }
    return {};
  }

  bool at_value(const Entry& e) const { return value_ && e.updated && e.updated->at == value_->at; }

  enum class Disposition { skip, fresh, again };

  // What to do with a good record, given what this sync and the cursor already hold.
  Disposition dispose(const Entry& e) const {
    if (!at_value(e)) return Disposition::fresh;
    const bool stored = delivered_.contains(e.code) || known_.contains(e.code);
    // The held last page of a group pass is not stored yet: a newer text of one of its records
    // is stored now, as new unless an earlier page had stored the code.
    if (auto it = held_.find(e.code); it != held_.end()) {
      if (it->second == e.hash) return Disposition::skip;
      return stored ? Disposition::again : Disposition::fresh;
    }
    if (auto it = delivered_.find(e.code); it != delivered_.end())
      return it->second == e.hash ? Disposition::skip : Disposition::again;
    return stored ? Disposition::again : Disposition::fresh;
  }

  // Stores the page's records (only those at the cursor's value when `at_value_only`, as the
  // backward pass does) and moves the cursor: to the page's largest value unless that is the
  // cursor's own. False (with the error set) when the sink failed. The records it passes on are
  // moved out of the page (each page is committed once and then dropped): copying a dossier with
  // its steps and its record text costs more than mapping it did.
  bool commit(Page& page, bool at_value_only) {
    std::vector<FetchedRecord> records;
    std::vector<RejectedRecord> bad;
    std::vector<std::size_t> bad_hashes;
    std::size_t fresh = 0;
    std::size_t again = 0;
    std::vector<std::pair<std::string, std::size_t>> delivered;  // code, hash

    const bool moves = !at_value_only && page.max && (!value_ || page.max->at > value_->at);
    const std::optional<Value> next = moves ? page.max : value_;
    // The codes this commit adds at `next`: those not at the cursor yet when it keeps its value,
    // else every one at the new value.
    std::string next_text = next ? next->text : options_.listing.initial_from;
    const bool adds = !moves && cursor_value_ == next_text;
    std::vector<std::string> at_next;
    if (!adds && !moves) at_next.assign(known_.begin(), known_.end());

    for (Entry& e : page.entries) {
      if (at_value_only && e.updated && !at_value(e)) continue;
      if (!e.dossier) {
        if (bad_seen_.contains(e.hash) ||
            std::find(bad_hashes.begin(), bad_hashes.end(), e.hash) != bad_hashes.end())
          continue;
        RejectedRecord b;
        b.position =
            "page " + std::to_string(page.number) + " from " + options_.listing.updated_from + "=" +
            (page.from.empty() ? "(start)" : page.from) + ", record " + std::to_string(e.index) +
            (e.code.empty() ? std::string() : " (" + utf8_excerpt(e.code, 80) + ")");
        b.reason = e.error;
        b.excerpt = utf8_excerpt(e.raw, kExcerptBytes);
        b.code = e.code;
        b.raw = e.raw;
        bad.push_back(std::move(b));
        bad_hashes.push_back(e.hash);
        continue;
      }
      const Disposition d = dispose(e);
      // A record skipped because the held last page of a group pass has it is not stored yet
      // (unless an earlier page stored it): the cursor lists it once that page is stored.
      const bool stored =
          d != Disposition::skip || delivered_.contains(e.code) || known_.contains(e.code);
      if (next && e.updated->at == next->at && stored && (moves || !known_.contains(e.code)))
        at_next.push_back(e.code);
      if (d == Disposition::skip) continue;
      FetchedRecord r;
      r.dossier = std::move(*e.dossier);
      r.raw = std::move(e.raw);
      r.known = d == Disposition::again;
      records.push_back(std::move(r));
      (d == Disposition::fresh ? fresh : again) += 1;
      delivered.emplace_back(e.code, e.hash);
    }
    if (records.empty() && bad.empty() && !moves) return true;

    std::sort(at_next.begin(), at_next.end());  // unique: read_page refuses a code twice
    CursorChange change;
    change.value = std::move(next_text);
    change.adds = adds;
    change.codes = std::move(at_next);
    CommitCounts counts;
    try {
      counts = sink_.commit_page(std::move(records), std::move(bad), change);
    } catch (const std::exception& e) {
      return fail("storing page " + std::to_string(page.number) + " failed: " + e.what() +
                  " (the cursor stays where it was)");
    }
    ++report_.commits;
    report_.records += fresh;
    report_.redelivered += again;
    report_.bad += bad_hashes.size();
    report_.inserted += counts.inserted;
    report_.updated += counts.updated;
    bad_seen_.insert(bad_hashes.begin(), bad_hashes.end());

    if (!change.adds) known_.clear();
    known_.insert(change.codes.begin(), change.codes.end());
    cursor_value_ = std::move(change.value);
    if (moves) {
      value_ = next;
      delivered_.clear();
      held_.clear();
    }
    for (auto& [code, hash] : delivered) {
      if (!value_ || !known_.contains(code)) continue;
      delivered_[code] = hash;
      if (auto it = held_.find(code); it != held_.end()) it->second = hash;
    }
    return true;
  }

  UpstreamSession& session_;
  const RecordMapping& mapping_;
  SyncSink& sink_;
  SyncOptions options_;
  SyncReport report_;
  std::size_t requests_ = 0;  // listing requests the walk used
  // The request sent when the last answer came in, expected to be the walk's next (see the top).
  std::optional<Request> guess_;

  // The cursor as committed: its text (none before the first commit), its value (none before
  // the first commit of a record with one) and the codes at it.
  std::optional<std::string> cursor_value_;
  std::optional<Value> value_;
  std::set<std::string> known_;
  // Codes at the cursor's value delivered in this sync, with the hash of the text delivered.
  std::unordered_map<std::string, std::size_t> delivered_;
  // During the backward pass: the records at the value on the held last page (code, hash).
  std::unordered_map<std::string, std::size_t> held_;
  // Bad records reported in this sync, by the hash of their text.
  std::unordered_set<std::size_t> bad_seen_;
};

}  // namespace

asio::awaitable<SyncReport> sync_motcua(UpstreamSession& session, const RecordMapping& mapping,
                                        std::string_view source, SyncSink& sink,
                                        SyncOptions options) {
  MotcuaSync sync(session, mapping, source, sink, std::move(options));
  co_return co_await sync.run();
}

}  // namespace motcua::connectors
