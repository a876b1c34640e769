// CrawlJob: one URL on its way through the crawl, from admission to its record.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "crawler/fetch/http_capture.h"

namespace crawler {

using Clock = std::chrono::steady_clock;

// Every job in a frontier has `host` and `origin` filled: the admission path (admission.h)
// derives them from the one split of the URL, and so do the other sources of jobs (the state on
// resume, the spill) through derive_keys().
struct CrawlJob {
  enum class Kind { kPage, kRobots };
  Kind kind = Kind::kPage;             // kRobots: fetch `origin`/robots.txt for the gate
  std::string url;                     // normalised URL to fetch now
  std::string requested_url;           // where a redirect chain started ("" = url itself)
  std::vector<std::string> redirects;  // URLs already fetched in this redirect chain
  std::string referrer;                // page that linked here ("" for seeds)
  int depth = 0;                       // link hops from a seed
  int attempt = 0;                     // tries already made (retries)
  std::string host;                    // the politeness key: the URL's host
  std::string origin;                  // scheme://host[:port], the robots.txt key
  std::string abandoned;               // set by the frontier: record this reason, do not fetch
  std::string etag;                    // re-crawl: validators of the known copy, sent as
  std::string last_modified;           // If-None-Match / If-Modified-Since
  std::string capture_digest;          // re-crawl: the archived copy's WARC-Payload-Digest
  std::string captured_at;             // and WARC-Date (revisit records refer to it)
  // With WARC output on, a redirect hop carries the exchanges of the chain so far, so they are
  // written (and committed) with the chain's record: all of it or none of it.
  std::vector<HttpCapture> captures;

  // A continuation (redirect hop, retry, robots.txt fetch) finishes work already admitted: it
  // does not count against max_pages and goes before new URLs of its host.
  bool continuation() const { return kind == Kind::kRobots || !redirects.empty() || attempt > 0; }
};

// Fills job.host and job.origin from job.url (one split). False, leaving them as they were,
// when the URL is not an absolute URL with a host.
bool derive_keys(CrawlJob& job);

}  // namespace crawler
