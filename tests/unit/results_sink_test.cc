// ResultsSink: the writer thread, its batches and the commit protocol (write, sync, then one
// state transaction with the committed length), without the executable.
#include "crawler/output/results_sink.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "crawler/output/jsonl_writer.h"
#include "crawler/state/crawl_state.h"
#include "crawler/state/state_store.h"
#include "tests/support/crawler_runner.h"

namespace crawler {
namespace {

using ::crawler::testing::read_jsonl;
using ::crawler::testing::TempDir;
using ::crawler::testing::wait_for;

PageRecord record(int i) {
  PageRecord r;
  r.url = "http://a.example/" + std::to_string(i);
  r.final_url = r.url;
  r.status = 200;
  return r;
}

// A CommitTarget that remembers what it was given; the test reads it after finish().
class RecordingTarget final : public CommitTarget {
 public:
  void remember(const PageRecord& r) override {
    std::lock_guard lock(mutex_);
    remembered.push_back(r.url);
    ++pending_;
  }
  std::size_t pending() const override {
    std::lock_guard lock(mutex_);
    return pending_;
  }
  void commit(const std::vector<CommittedLength>& committed) override {
    std::lock_guard lock(mutex_);
    lengths.push_back(committed.at(0).length);
    pending_ = 0;
    commits.fetch_add(1);
  }

  std::vector<std::string> remembered;
  std::vector<std::uint64_t> lengths;
  std::atomic<int> commits{0};

 private:
  mutable std::mutex mutex_;
  std::size_t pending_ = 0;
};

std::vector<std::unique_ptr<ResultsWriter>> jsonl(const std::vector<std::filesystem::path>& files) {
  std::vector<std::unique_ptr<ResultsWriter>> writers;
  for (const auto& file : files) writers.push_back(std::make_unique<JsonlWriter>(file, true));
  return writers;
}

void push(ResultsSink& sink, PageRecord r) {
  sink.queue().push(std::optional<PageRecord>(std::move(r)));
}

TEST(ResultsSink, WritesEveryRecordToEveryWriterAndCommitsTheFileLength) {
  TempDir tmp;
  const auto first = tmp.path() / "a.jsonl";
  const auto second = tmp.path() / "b.jsonl";
  RecordingTarget target;
  int observed = 0;
  ResultsSink sink(
      SinkOptions{}, jsonl({first, second}), &target, [&](const PageRecord&) { ++observed; },
      nullptr);
  sink.start();
  for (int i = 0; i < 50; ++i) push(sink, record(i));
  sink.queue().push(std::nullopt);  // a job without a record (a redirect hop)
  PageRecord skipped = record(50);
  skipped.skip_output = true;  // output.unchanged: skip
  push(sink, skipped);
  sink.finish();

  const auto lines = read_jsonl(first);
  ASSERT_EQ(lines.size(), 50u);
  EXPECT_EQ(lines[49].at("url"), "http://a.example/49");
  EXPECT_EQ(read_jsonl(second).size(), 50u);
  EXPECT_EQ(observed, 51) << "every record is observed, written or not";
  EXPECT_EQ(target.remembered.size(), 51u) << "a skipped record's outcome is still committed";
  ASSERT_FALSE(target.lengths.empty());
  EXPECT_EQ(target.lengths.back(), std::filesystem::file_size(first));
}

TEST(ResultsSink, EachCommitComesAfterTheSyncOfItsRecords) {
  TempDir tmp;
  const auto file = tmp.path() / "pages.jsonl";
  RecordingTarget target;
  ResultsSink sink(SinkOptions{}, jsonl({file}), &target, nullptr, nullptr);
  std::vector<ResultsSink::Step> steps;
  std::vector<std::uintmax_t> size_at_sync;
  sink.set_step_hook_for_testing([&](ResultsSink::Step step) {
    steps.push_back(step);
    if (step == ResultsSink::Step::kSynced)
      size_at_sync.push_back(std::filesystem::file_size(file));
  });
  sink.start();
  for (int i = 0; i < 20; ++i) push(sink, record(i));
  sink.finish();
  ASSERT_GE(steps.size(), 3u);
  ASSERT_EQ(steps.size() % 3, 0u);
  for (std::size_t i = 0; i < steps.size(); i += 3) {
    EXPECT_EQ(steps[i], ResultsSink::Step::kWritten);
    EXPECT_EQ(steps[i + 1], ResultsSink::Step::kSynced);
    EXPECT_EQ(steps[i + 2], ResultsSink::Step::kCommitted);
  }
  ASSERT_EQ(size_at_sync.size(), target.lengths.size());
  for (std::size_t i = 0; i < size_at_sync.size(); ++i) {
    EXPECT_EQ(size_at_sync[i], target.lengths[i]) << "the committed length is what was synced";
  }
}

TEST(ResultsSink, CommitsWhenABatchIsFullWithoutWaitingForTheInterval) {
  TempDir tmp;
  RecordingTarget target;
  ResultsSink sink(SinkOptions{.commit_interval = std::chrono::hours(1), .commit_records = 10},
                   jsonl({tmp.path() / "pages.jsonl"}), &target, nullptr, nullptr);
  sink.start();
  for (int i = 0; i < 10; ++i) push(sink, record(i));
  EXPECT_TRUE(wait_for([&] { return target.commits.load() == 1; }));
  for (int i = 10; i < 20; ++i) push(sink, record(i));
  EXPECT_TRUE(wait_for([&] { return target.commits.load() == 2; }));
  sink.finish();
  EXPECT_EQ(target.commits.load(), 3) << "two full batches, then the final commit";
}

// A writer that fails after a few records, as a full disk would.
class FailingWriter final : public ResultsWriter {
 public:
  explicit FailingWriter(std::filesystem::path path) : path_(std::move(path)) {}
  void write(const PageRecord&) override {
    if (++written_ > 3) throw std::runtime_error(path_.string() + ": write failed: No space");
  }
  void flush() override {}
  void sync() override {}
  std::uint64_t length() const override { return 0; }
  const std::filesystem::path& path() const override { return path_; }

 private:
  std::filesystem::path path_;
  int written_ = 0;
};

TEST(ResultsSink, AFailingWriteStopsTheCrawlDrainsTheQueueAndFinishRethrows) {
  RecordingTarget target;
  std::atomic<int> failures{0};
  std::vector<std::unique_ptr<ResultsWriter>> writers;
  writers.push_back(std::make_unique<FailingWriter>("/results/pages.jsonl"));
  ResultsSink sink(SinkOptions{.queue_capacity = 4}, std::move(writers), &target, nullptr,
                   [&] { failures.fetch_add(1); });
  sink.start();
  // Far more than the queue holds: a worker must never block on a sink that failed.
  for (int i = 0; i < 100; ++i) push(sink, record(i));
  try {
    sink.finish();
    ADD_FAILURE() << "finish() must rethrow the writer's error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("/results/pages.jsonl: write failed"),
              std::string::npos);
  }
  EXPECT_EQ(failures.load(), 1);
  EXPECT_EQ(target.commits.load(), 0) << "nothing is committed past a failed write";
}

// The crash the protocol is for: killed after the records were synced, before the state
// transaction. The next run must find the uncommitted tail and cut it off.
TEST(ResultsSink, AKillBetweenSyncAndCommitLeavesATailTheNextRunCutsOff) {
  TempDir tmp;
  const auto state_dir = tmp.path() / "state";
  const auto file = tmp.path() / "pages.jsonl";
  const pid_t child = ::fork();
  if (child == 0) {
    try {
      CrawlState state(state_dir, false);
      state.begin_run(file);
      ResultsSink sink(SinkOptions{.commit_interval = std::chrono::hours(1), .commit_records = 5},
                       jsonl({file}), &state, nullptr, nullptr);
      int synced = 0;
      std::atomic<bool> first_committed{false};
      sink.set_step_hook_for_testing([&](ResultsSink::Step step) {
        if (step == ResultsSink::Step::kCommitted) first_committed.store(true);
        if (step == ResultsSink::Step::kSynced && ++synced == 2) ::raise(SIGKILL);
      });
      sink.start();
      for (int i = 0; i < 5; ++i) push(sink, record(i));
      // The second batch only after the first one's commit, so the kill lands in batch two.
      while (!first_committed.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      for (int i = 5; i < 10; ++i) push(sink, record(i));
      sink.finish();
    } catch (...) {
    }
    ::_exit(1);
  }
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the child never got there";

  std::uint64_t committed = 0;
  {
    StateStore store = StateStore::open(state_dir);
    const auto run = store.last_unfinished_run();
    ASSERT_TRUE(run);
    committed = static_cast<std::uint64_t>(run->committed_length);
    EXPECT_EQ(store.count(UrlStatus::kDone), 5u) << "only the first batch was committed";
  }
  EXPECT_EQ(read_jsonl(file).size(), 10u) << "the second batch was synced";
  EXPECT_GT(std::filesystem::file_size(file), committed) << "a tail past the committed length";

  CrawlState next(state_dir, false);  // the next run repairs what the killed one left
  EXPECT_EQ(std::filesystem::file_size(file), committed);
  const auto kept = read_jsonl(file);
  ASSERT_EQ(kept.size(), 5u);
  EXPECT_EQ(kept.back().at("url"), "http://a.example/4");
}

}  // namespace
}  // namespace crawler
