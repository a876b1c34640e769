// ResultsSink: the end of the pipeline. Workers push finished records into its bounded results
// queue; its one writer thread writes each record to every ResultsWriter and commits them in
// batches (every `commit_interval` or `commit_records` records, and at the end).
//
// The commit protocol (what makes a crawl safe to kill): every writer is synced (its records
// are on disk), then the CommitTarget makes the outcomes of those records durable in one
// transaction together with the results file's committed length. A kill between the two leaves
// records past the committed length, which the next run cuts off and fetches again; a kill
// after leaves nothing to redo. So each URL ends up in the results exactly once.
//
// A write or commit that fails stops the sink: `on_failure` is called (the crawl stops
// dispatching), the queue is drained so no worker blocks on it, and finish() rethrows the error.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "crawler/output/page_record.h"
#include "crawler/output/results_writer.h"
#include "pool/bounded_queue.h"

namespace crawler {

// A writer's file and its size at a commit.
struct CommittedLength {
  std::filesystem::path path;
  std::uint64_t length = 0;
};

// The durable side of a commit: the crawl state. Called on the writer thread only.
class CommitTarget {
 public:
  virtual ~CommitTarget() = default;
  // `record` was written; its outcome belongs to the next commit.
  virtual void remember(const PageRecord& record) = 0;
  // Outcomes remembered and not yet committed.
  virtual std::size_t pending() const = 0;
  // One transaction: the remembered outcomes and each writer's file size with every remembered
  // record in it (already synced to disk), the results file (the first writer's) first.
  virtual void commit(const std::vector<CommittedLength>& lengths) = 0;
};

struct SinkOptions {
  std::size_t queue_capacity = 1024;
  std::chrono::milliseconds commit_interval{250};
  std::size_t commit_records = 1000;
};

class ResultsSink {
 public:
  // std::nullopt items are jobs that produced no record (a redirect hop, a robots.txt fetch).
  using Queue = pool::BoundedQueue<std::optional<PageRecord>>;
  // Called on the writer thread after each record was written (stats, progress).
  using Observer = std::function<void(const PageRecord&)>;

  // `writers` must not be empty; the first one's file is the results file. With `state` null
  // there is no commit: records are flushed, not synced. After each commit (or flush) every
  // writer's on_commit() runs.
  ResultsSink(SinkOptions options, std::vector<std::unique_ptr<ResultsWriter>> writers,
              CommitTarget* state, Observer observe, std::function<void()> on_failure);
  ~ResultsSink();
  ResultsSink(const ResultsSink&) = delete;
  ResultsSink& operator=(const ResultsSink&) = delete;

  // Starts the writer thread.
  void start();
  Queue& queue() { return queue_; }
  // Closes the queue, waits until every queued record is written and committed, and rethrows
  // the writer thread's error if it had one.
  void finish();

  // Test only: called on the writer thread at each step of a commit, so a test can stop the
  // process between them.
  enum class Step { kWritten, kSynced, kCommitted };
  void set_step_hook_for_testing(std::function<void(Step)> hook) { step_hook_ = std::move(hook); }

 private:
  void run();
  void take(const std::optional<PageRecord>& item);
  void commit();
  void step(Step s) {
    if (step_hook_) step_hook_(s);
  }

  const SinkOptions options_;
  std::vector<std::unique_ptr<ResultsWriter>> writers_;
  CommitTarget* state_;
  Observer observe_;
  std::function<void()> on_failure_;
  std::function<void(Step)> step_hook_;
  Queue queue_;
  std::thread thread_;
  std::exception_ptr error_;
};

}  // namespace crawler
