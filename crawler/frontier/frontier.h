// The frontier: every URL the crawl knows of and has not finished, and the rule for which one
// may be fetched next. Politeness lives here: a job leaves only when its host may be contacted.
//
// Contract (every implementation; tests/unit/frontier_contract_test.cc checks it):
// - add() never blocks on the crawl (only on the frontier's own short lock), so workers can
//   hand over discovered links without risking the worker-pool deadlock.
// - A URL is admitted once per crawl: add() of a URL already seen does not queue it again.
// - A host's budget (max_pages_per_host) is exact: add() admits at most that many new URLs of a
//   host and hands the rest back as over budget; a known URL costs nothing.
// - next() is called by the single dispatcher. It returns a job only when that job's host may
//   be contacted now (fewer than per_host in flight, `delay` since its last release, no pause,
//   robots.txt known), continuations before new URLs of their host, and returns std::nullopt
//   when the crawl is finished (nothing queued, nothing in flight), when stop() was called, or
//   when the deadline passed.
// - Every job returned by next() is in flight until complete() is called for it. A worker
//   calls complete() only after it has add()ed the job's discovered links, so "nothing queued
//   and nothing in flight" really means the crawl is over.
// - Jobs carry host and origin (crawl_job.h); the frontier never derives them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/frontier/crawl_job.h"

namespace crawler {

// How a released job ended, for the frontier's view of its host's health.
enum class HostOutcome {
  kResponse,        // the host answered (any HTTP status)
  kConnectFailure,  // no answer: refused, timed out, reset, DNS
  kNotContacted,    // nothing was sent (e.g. blocked by robots.txt)
};

struct FrontierStats {
  std::uint64_t seen = 0;           // distinct URLs ever admitted
  std::uint64_t queued = 0;         // waiting to be released (in RAM or spilled)
  std::uint64_t spilled = 0;        // of those, parked outside RAM
  std::uint64_t peak_in_ram = 0;    // most queued URLs held in RAM at once
  std::uint64_t spilled_total = 0;  // URLs ever parked outside RAM
  std::uint64_t in_flight = 0;      // released, not yet complete()d
  std::uint64_t released = 0;       // new URLs released (what max_pages counts)
  std::uint64_t hosts = 0;          // hosts with a queue
};

// The rules a frontier applies; every implementation honours all of them.
struct FrontierOptions {
  std::size_t per_host = 1000000;      // requests in flight to one host at once
  std::chrono::milliseconds delay{0};  // gap between two releases to one host
  std::uint64_t max_pages = 0;         // new URLs released at most (0 = no limit)
  // Release depth d+1 only once every URL of depth <= d has finished (level-synchronous BFS).
  // Then each URL is first seen by a shortest path, so depths, and a max_depth cut, are exact.
  // Costs some parallelism at level boundaries; used only when max_depth is set.
  bool depth_levels = false;
  bool robots = false;          // gate origins on robots.txt
  bool track_admitted = false;  // keep admitted URLs for take_admitted()
  std::chrono::milliseconds robots_ttl{24 * 3600 * 1000};
  int fail_streak = 5;                          // connect failures in a row before a pause
  int max_pauses = 3;                           // pauses before the host is dead
  std::chrono::milliseconds first_pause{1000};  // doubles with each pause
  std::chrono::milliseconds max_pause{30000};
  std::size_t memory_limit = 0;          // queued new URLs kept in RAM with a spill (0 = no limit)
  std::uint64_t max_pages_per_host = 0;  // new URLs add() admits per host (0 = no limit)
};

// What add() did with a batch of new URLs.
struct AddResult {
  std::size_t added = 0;              // admitted now (not seen before, within budget)
  std::vector<CrawlJob> over_budget;  // refused by their host's budget, for the caller to count
};

class Frontier {
 public:
  virtual ~Frontier() = default;

  // Admits newly discovered URLs (normalised, in scope, keys filled), in order. One call per
  // page lets an implementation take its lock (or make its round trip) once.
  virtual AddResult add(std::vector<CrawlJob> jobs) = 0;
  // Marks a URL as seen without queueing it (a redirect target about to be fetched as a
  // continuation). False when it was seen already.
  virtual bool mark_seen(std::string_view url) = 0;
  // Queues a continuation of an in-flight job: a redirect hop whose target was mark_seen(), a
  // retry, or a robots.txt fetch retried; released no earlier than `not_before`.
  virtual void add_continuation(CrawlJob job, Clock::time_point not_before) = 0;

  // The next job whose host is ready, waiting until `deadline` at most. Jobs whose `abandoned`
  // is set were given up by the frontier (a dead host): the caller records them with that
  // reason and complete()s them without fetching.
  virtual std::optional<CrawlJob> next(Clock::time_point deadline) = 0;
  virtual void complete(const CrawlJob& job, HostOutcome outcome) = 0;

  // robots.txt of `origin` is known now: its URLs may be released. `crawl_delay` (already
  // capped) raises the host's gap between requests when longer than the configured delay.
  virtual void robots_ready(const std::string& origin, std::chrono::milliseconds crawl_delay) = 0;
  // No request to `host` before `until` (Retry-After on 429/503).
  virtual void pause_host(const std::string& host, Clock::time_point until) = 0;

  // The URLs admitted by add() since the last call (when admission tracking is on), so the
  // state can persist them in the same commit as the records that discovered them.
  virtual std::vector<CrawlJob> take_admitted() = 0;

  // Ends the crawl early: next() returns std::nullopt from now on. Any thread, any time.
  virtual void stop() = 0;
  virtual bool finished() const = 0;
  virtual FrontierStats stats() const = 0;

  // add() of one URL; true when it was admitted.
  bool add(CrawlJob job) {
    std::vector<CrawlJob> one;
    one.push_back(std::move(job));
    return add(std::move(one)).added == 1;
  }
};

}  // namespace crawler
