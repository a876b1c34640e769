// Crawl: one run of the crawler, wiring the data flow
//   frontier -> dispatcher -> job queue -> workers (fetch, parse) -> results queue -> writer,
// with discovered links going from the workers back into the frontier.
//
// Threads: the caller's thread runs the dispatcher (the only producer of the job queue), the
// pool runs `pool.workers` workers, and one writer thread owns the results file and the stats.
// The crawl ends when the frontier has nothing queued and nothing in flight (confirmed by the
// pool's wait_idle), when max_pages URLs were released and finished, or after stop().
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "crawler/config.h"
#include "crawler/output/crawl_stats.h"

namespace crawler {

struct CrawlProgress {
  std::uint64_t pages = 0;      // records written
  std::uint64_t errors = 0;     // records with an error
  std::uint64_t queued = 0;     // URLs waiting in the frontier
  std::uint64_t in_flight = 0;  // released to the workers, not finished
  double elapsed_s = 0;
};

class Crawl {
 public:
  // Validates what the config loader cannot (scope regexes) and creates the output folder.
  // Throws ConfigError for configuration problems, std::runtime_error for I/O problems.
  // `fresh`: set an existing state folder aside (state.<UTC time>) and start over.
  explicit Crawl(Config config, bool fresh = false);
  ~Crawl();
  Crawl(const Crawl&) = delete;
  Crawl& operator=(const Crawl&) = delete;

  // Runs the crawl to its end and returns the summary (also written to stats.json). With a
  // state folder it resumes what an earlier run left and re-crawls what is older than
  // state.recrawl_after. Throws StateLocked when another run holds the state folder and
  // StateUnreadable when the state cannot be used.
  CrawlStats run();

  // Asks a running crawl to stop: nothing new is dispatched, fetches in flight finish and are
  // written. Safe from any thread, any number of times.
  void stop();

  CrawlProgress progress() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace crawler
