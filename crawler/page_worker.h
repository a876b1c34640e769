// PageWorker: what one fetcher worker does with one job. Fetch it; on a redirect hand the hop
// to the admission path; otherwise parse the page, send its links through the admission path
// to the frontier and return the page's record.
//
// One PageWorker per worker thread (it owns that worker's Fetcher and its curl handle). The
// objects it shares with the other workers (admission, frontier, robots cache) are thread-safe.
#pragma once

#include <optional>
#include <random>
#include <string>

#include "crawler/config.h"
#include "crawler/fetch/fetcher.h"
#include "crawler/fetch/robots_cache.h"
#include "crawler/frontier/admission.h"
#include "crawler/frontier/frontier.h"
#include "crawler/output/page_record.h"

namespace crawler {

class PageWorker {
 public:
  PageWorker(const Config& config, Admission& admission, Frontier& frontier, RobotsCache& robots,
             const CurlShare* share, const std::atomic<std::int64_t>* abort_at = nullptr);

  // Fetches and processes `job`. Returns the record, or std::nullopt when the job continues
  // as a redirect hop in the frontier (the chain's last hop writes the record). Always calls
  // frontier.complete(job), after every discovered link was added.
  std::optional<PageRecord> process(CrawlJob& job);

  // A record for a job whose processing threw: the crawl keeps one record per URL.
  static PageRecord failure_record(const CrawlJob& job, const std::string& error);

 private:
  void process_robots(const CrawlJob& job, HostOutcome& outcome);
  // Queues another try of `job` when its failure is retryable and tries are left.
  bool retry(const CrawlJob& job, const FetchResponse& response);
  std::optional<PageRecord> handle_redirect(CrawlJob& job, PageRecord& record,
                                            const FetchResponse& response);
  void handle_page(const CrawlJob& job, PageRecord& record, FetchResponse& response);

  const Config& config_;
  Admission& admission_;
  Frontier& frontier_;
  RobotsCache& robots_;
  const std::string agent_;
  Fetcher fetcher_;
  std::mt19937 random_;  // jitter for retry waits; one per worker, so no lock
};

}  // namespace crawler
