#include "daemon/store_sink.hpp"

#include <stdexcept>

namespace motcua::daemon {

StoreSink::StoreSink(store::Database& db, store::SyncState& sync, store::Quarantine& quarantine,
                     std::string source, Clock clock, StoreSinkOptions options)
    : db_(db),
      sync_(sync),
      quarantine_(quarantine),
      source_(std::move(source)),
      clock_(std::move(clock)),
      options_(options) {}

StoreSink::~StoreSink() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void StoreSink::commit_open() {
  if (!open_) return;
  pending_ = 0;
  try {
    open_->commit();
  } catch (...) {
    open_.reset();  // rolls back: nothing of the merged pages stays, the cursor included
    throw;
  }
  open_.reset();
}

void StoreSink::wait_idle(std::unique_lock<std::mutex>& lock) {
  changed_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

void StoreSink::report_failure(std::unique_lock<std::mutex>& lock) {
  failure_reported_ = true;
  std::exception_ptr failure = failure_;
  lock.unlock();
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("an earlier page could not be stored: ") + e.what());
  }
}

void StoreSink::flush() {
  std::vector<Page> written;
  std::unique_lock lock(mutex_);
  wait_idle(lock);
  written.swap(written_);
  const bool unreported = failure_ && !failure_reported_;
  lock.unlock();
  commit_open();
  if (unreported) {
    lock.lock();
    report_failure(lock);
  }
}

connectors::CommitCounts StoreSink::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

std::optional<connectors::Cursor> StoreSink::cursor() {
  {
    std::unique_lock lock(mutex_);
    wait_idle(lock);
  }
  auto stored = sync_.cursor(source_);
  if (!stored) return std::nullopt;
  return connectors::Cursor{std::move(stored->value), std::move(stored->codes_at_cursor)};
}

connectors::CommitCounts StoreSink::write(const Page& page) {
  if (options_.pages_per_transaction > 1 && !open_) open_.emplace(db_);
  store::UpsertStats stats;
  {
    store::Transaction tx(db_);  // a savepoint inside open_
    if (!page.rejected.empty()) quarantine_.add(page.rejected, page.now);
    // SyncState::commit_page adds the codes to those stored when the value stays (change.adds)
    // and replaces them when it moves.
    stats = sync_.commit_page(source_, page.rows, page.change.value, page.change.codes, page.now);
    tx.commit();
  }
  if (open_ && ++pending_ >= options_.pages_per_transaction) commit_open();
  return {stats.inserted, stats.updated};
}

void StoreSink::run_writer() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    Page page = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    connectors::CommitCounts counts;
    std::exception_ptr failure;
    try {
      counts = write(page);
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    writing_ = false;
    written_.push_back(std::move(page));
    if (failure) {
      failure_ = failure;
      queue_.clear();  // nothing after a failed page: the cursor must not pass its records
    } else {
      totals_.inserted += counts.inserted;
      totals_.updated += counts.updated;
    }
    changed_.notify_all();
  }
}

connectors::CommitCounts StoreSink::commit_page(std::vector<connectors::FetchedRecord> records,
                                                std::vector<connectors::RejectedRecord> bad,
                                                const connectors::CursorChange& change) {
  Page page;
  page.now = clock_();
  page.rows.reserve(records.size());
  for (auto& r : records)
    page.rows.push_back({std::move(r.dossier), std::move(r.raw)});
  page.rejected.reserve(bad.size());
  for (auto& b : bad)
    page.rejected.push_back(
        {source_, std::move(b.position), std::move(b.reason), std::move(b.raw)});
  page.change = change;

  if (options_.queued_pages == 0) {
    const connectors::CommitCounts counts = write(page);
    std::lock_guard lock(mutex_);
    totals_.inserted += counts.inserted;
    totals_.updated += counts.updated;
    return counts;
  }

  std::vector<Page> written;  // freed here, after the lock, by the thread that allocated them
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return failure_ || queue_.size() < options_.queued_pages; });
  written.swap(written_);
  if (failure_) report_failure(lock);
  queue_.push_back(std::move(page));
  if (!writer_.joinable()) writer_ = std::thread([this] { run_writer(); });
  changed_.notify_all();
  return {};  // the lock is released before `written` is freed (declared first, destroyed last)
}

}  // namespace motcua::daemon
