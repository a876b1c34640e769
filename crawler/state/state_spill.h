// StateSpill: the frontier's spill in the crawl's state database (the `spill` table of
// DIR/state.db), through a connection of its own, so the frontier can use it under its lock
// while the writer thread commits through the main one (SQLite serialises the two writers;
// each transaction is short).
//
// The spill is a cache of the frontier, not a record: every spilled URL is also queued in the
// `urls` table (the writer commits what the frontier admits), so opening a StateSpill clears
// what an earlier run left in it, and a resume rebuilds the frontier from the `urls` table.
#pragma once

#include <filesystem>

#include "crawler/frontier/frontier_spill.h"
#include "crawler/state/state_store.h"

namespace crawler {

class StateSpill final : public FrontierSpill {
 public:
  // Opens state.db in `dir` (see StateStore::open for what it throws) and empties its spill.
  // The caller must hold dir's StateLock for as long as the spill is used.
  explicit StateSpill(const std::filesystem::path& dir);

  void push(const std::vector<CrawlJob>& jobs) override;
  // Re-crawl validators are not kept in the spill table: they are read back from the URL's row
  // in `urls` (present once the writer committed it; a URL too new to be there has none).
  std::vector<CrawlJob> pop(std::size_t max_jobs) override;

 private:
  StateStore store_;
};

}  // namespace crawler
