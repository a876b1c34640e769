// FrontierSpill: where a frontier parks the new URLs that do not fit in its RAM budget.
//
// Contract: a FIFO. pop() returns the oldest jobs pushed and not yet popped, in push order, so
// a frontier that spills its newest URLs and refills from the spill keeps discovery (roughly
// breadth-first) order. Only what identifies a new URL is kept: url, depth, referrer, and the
// re-crawl validators (etag, last_modified); pop() derives host and origin again (derive_keys).
// Implementations throw std::runtime_error (with the file and the cause) when storage fails;
// the frontier then keeps URLs in RAM rather than lose them.
//
// Not thread-safe: the frontier calls it under its own lock.
#pragma once

#include <cstddef>
#include <vector>

#include "crawler/frontier/frontier.h"

namespace crawler {

class FrontierSpill {
 public:
  virtual ~FrontierSpill() = default;
  // Appends `jobs`, in order, as one unit: after a throw none of them is in the spill.
  virtual void push(const std::vector<CrawlJob>& jobs) = 0;
  // Removes and returns up to `max_jobs` of the oldest jobs.
  virtual std::vector<CrawlJob> pop(std::size_t max_jobs) = 0;
};

}  // namespace crawler
