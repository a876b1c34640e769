#include "crawler/output/results_sink.h"

#include <stdexcept>

namespace crawler {

ResultsSink::ResultsSink(SinkOptions options, std::vector<std::unique_ptr<ResultsWriter>> writers,
                         CommitTarget* state, Observer observe, std::function<void()> on_failure)
    : options_(options),
      writers_(std::move(writers)),
      state_(state),
      observe_(std::move(observe)),
      on_failure_(std::move(on_failure)),
      queue_(options.queue_capacity) {
  if (writers_.empty()) throw std::invalid_argument("ResultsSink: no results writer");
}

ResultsSink::~ResultsSink() {
  if (!thread_.joinable()) return;
  queue_.close();
  thread_.join();
}

void ResultsSink::start() {
  thread_ = std::thread([this] {
    try {
      run();
    } catch (...) {
      // The results cannot be written or committed: stop the crawl rather than fetch pages
      // whose records would be lost; finish() rethrows once the thread is joined.
      error_ = std::current_exception();
      if (on_failure_) on_failure_();
      while (queue_.pop()) {
      }
    }
  });
}

void ResultsSink::finish() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(error_);
}

void ResultsSink::take(const std::optional<PageRecord>& item) {
  if (!item) return;
  const PageRecord& record = *item;
  if (!record.skip_output) {
    for (const auto& writer : writers_) writer->write(record);
  }
  if (state_ != nullptr) state_->remember(record);
  if (observe_) observe_(record);
}

void ResultsSink::commit() {
  step(Step::kWritten);
  if (state_ == nullptr) {
    for (const auto& writer : writers_) writer->flush();
  } else {
    for (const auto& writer : writers_) writer->sync();
    step(Step::kSynced);
    std::vector<CommittedLength> lengths;
    lengths.reserve(writers_.size());
    for (const auto& writer : writers_) lengths.push_back({writer->path(), writer->length()});
    state_->commit(lengths);
    step(Step::kCommitted);
  }
  for (const auto& writer : writers_) writer->on_commit();
}

void ResultsSink::run() {
  auto last_commit = std::chrono::steady_clock::now();
  while (true) {
    auto item = queue_.pop_for(std::chrono::milliseconds(200));
    if (!item) {
      if (queue_.closed() && queue_.size() == 0) break;
    } else {
      take(*item);
      // In a fast crawl, waking for every record cost a futex wake and a context switch per
      // page; a millisecond's pause lets the next records gather and be taken in one go.
      // Records still reach the file within the same commit window.
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      while (auto more = queue_.try_pop()) take(*more);
    }
    // Commits in batches: a crash loses little, the file only ever grows by whole lines, and
    // the state's transactions stay few.
    const bool batch_full = state_ != nullptr && state_->pending() >= options_.commit_records;
    if (std::chrono::steady_clock::now() - last_commit >= options_.commit_interval || batch_full) {
      commit();
      last_commit = std::chrono::steady_clock::now();
    }
  }
  commit();
}

}  // namespace crawler
