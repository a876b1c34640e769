// Admission: the one way a URL enters the frontier, whatever found it (a seed, a page's link, a
// redirect hop, and next a sitemap). Each URL is split once; that split serves the scope check
// (which also applies the trap limits, max_url_length and max_repeated_segments) and fills the
// job's host and origin; the frontier then applies the seen-set and the per-host budget, whose
// refusals are counted here as max_pages_per_host cuts.
//
// Thread-safe: workers admit concurrently (Scope is immutable, CrawlLimits and the frontier
// lock themselves, and no lock is held across the two).
#pragma once

#include <string>
#include <vector>

#include "crawler/frontier/crawl_job.h"
#include "crawler/frontier/crawl_limits.h"
#include "crawler/frontier/frontier.h"
#include "crawler/frontier/scope.h"

namespace crawler {

class Admission {
 public:
  // All three must outlive the Admission.
  Admission(const Scope& scope, CrawlLimits& limits, Frontier& frontier);

  // A seed (depth 0, no referrer): kInScope when it reached the frontier (new or known).
  ScopeVerdict admit_seed(const std::string& url);

  // A page's links (normalised http(s) URLs with referrer and depth set), in page order: those
  // in scope go to the frontier in one call. Returns how many were new.
  std::size_t admit_links(std::vector<CrawlJob> links);

  enum class Hop {
    kQueued,    // the target is new: queued as a continuation of the chain
    kKnown,     // the target was admitted before: it is (or will be) crawled on its own
    kRejected,  // out of scope (see `verdict`), or not a URL with a host
  };
  struct HopResult {
    Hop hop = Hop::kRejected;
    ScopeVerdict verdict = ScopeVerdict::kInScope;
  };
  // A redirect hop: `hop.url` is the normalised target; the other fields carry the chain.
  // Hops are continuations: they never count against a budget. `hop` is moved into the
  // frontier when queued, and left as it was otherwise (the caller keeps what it carries).
  HopResult admit_redirect(CrawlJob& hop);

 private:
  // Splits job.url, checks scope and fills the keys; the verdict says whether it may enter.
  ScopeVerdict prepare(CrawlJob& job) const;
  std::size_t add(std::vector<CrawlJob> jobs);

  const Scope& scope_;
  CrawlLimits& limits_;
  Frontier& frontier_;
};

}  // namespace crawler
