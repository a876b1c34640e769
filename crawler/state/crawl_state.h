// CrawlState: one run's use of the state folder (state.dir). It holds the folder's lock for the
// run, repairs what a killed run left, gives the frontier what earlier runs queued, and is the
// CommitTarget of the results sink: each commit is one StateStore transaction with the outcomes
// of the records just synced, the URLs the frontier admitted since the last commit, and the
// results file's committed length.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "crawler/frontier/memory_frontier.h"
#include "crawler/output/results_sink.h"
#include "crawler/state/state_lock.h"
#include "crawler/state/state_store.h"

namespace crawler {

class CrawlState final : public CommitTarget {
 public:
  // Locks `dir` (with `fresh`, sets an existing state aside as <dir>.<UTC time> first), opens
  // its database, and cuts the results file of a run that was killed back to its committed
  // length. Throws StateLocked, StateUnreadable or StateError.
  CrawlState(const std::filesystem::path& dir, bool fresh);

  // This run's results file (absolute) becomes the run the commits belong to.
  void begin_run(const std::filesystem::path& results_file);

  struct Restored {
    std::uint64_t resumed = 0;  // queued URLs an earlier run left
    std::uint64_t recrawl = 0;  // finished URLs older than recrawl_after, queued again
  };
  // Attaches the spill (state.frontier_memory) to `frontier`, gives it every fingerprint ever
  // admitted and queues what is left to do. `frontier` is also where commits take the newly
  // admitted URLs from, so it must outlive this object's commits.
  Restored restore(MemoryFrontier& frontier, std::chrono::milliseconds recrawl_after);

  void remember(const PageRecord& record) override;
  std::size_t pending() const override { return finished_.size(); }
  void commit(const std::vector<CommittedLength>& lengths) override;
  // A file of this run other than the results file (a WARC file), before anything is written to
  // it: a resume after a kill cuts it back to its committed length (see StateStore::RunFile).
  void add_file(const std::filesystem::path& file);

  // Why a run that starts with nothing queued has nothing to fetch, in one line: how many URLs
  // the state knows, that all were fetched within `recrawl_after`, when the next re-crawl is
  // due, and that --fresh starts over.
  std::string nothing_to_fetch(std::uint64_t known, std::chrono::milliseconds recrawl_after) const;

  // Files of a killed run the constructor cut back and closed (their ".open" suffix dropped).
  const std::vector<std::filesystem::path>& repaired_files() const { return repaired_; }

  // The run ended (however): a later run has nothing of it to repair.
  void finish_run();

 private:
  std::filesystem::path dir_;
  std::vector<std::filesystem::path> repaired_;  // before store_: filled while it is opened
  StateLock lock_;
  StateStore store_;
  std::int64_t run_id_ = 0;
  Frontier* frontier_ = nullptr;
  std::vector<UrlRow> finished_;  // outcomes remembered since the last commit
};

}  // namespace crawler
