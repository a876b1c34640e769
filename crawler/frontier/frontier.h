// The frontier: every URL the crawl knows of and has not finished, and the rule for which one
// may be fetched next.
//
// Contract (every implementation):
// - add() never blocks on the crawl (only on the frontier's own short lock), so workers can
//   hand over discovered links without risking the worker-pool deadlock.
// - A URL is admitted once per crawl: add() of a URL already seen returns false.
// - next() is called by the single dispatcher. It returns a job only when that job's host may
//   be contacted now (politeness lives here, not in the workers), and returns std::nullopt
//   when the crawl is finished (nothing queued, nothing in flight), when stop() was called, or
//   when the deadline passed.
// - Every job returned by next() is in flight until complete() is called for it. A worker
//   calls complete() only after it has add()ed the job's discovered links, so "nothing queued
//   and nothing in flight" really means the crawl is over.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crawler {

using Clock = std::chrono::steady_clock;

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

  // A continuation (redirect hop, retry, robots.txt fetch) finishes work already admitted: it
  // does not count against max_pages and goes before new URLs of its host.
  bool continuation() const { return kind == Kind::kRobots || !redirects.empty() || attempt > 0; }
};

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

class Frontier {
 public:
  virtual ~Frontier() = default;

  // Admits a newly discovered URL (normalised, in scope). False when seen before.
  virtual bool add(CrawlJob job) = 0;
  // add() for each of a page's links, in order; returns how many were new. One call per page
  // lets an implementation take its lock once rather than once per link.
  virtual std::size_t add_all(std::vector<CrawlJob> jobs) {
    std::size_t added = 0;
    for (CrawlJob& job : jobs) added += add(std::move(job)) ? 1 : 0;
    return added;
  }
  // Marks a URL as seen without queueing it (e.g. a URL recorded as blocked). False when seen.
  virtual bool mark_seen(const std::string& url) = 0;
  // Resume: `fp` was admitted by an earlier run.
  virtual void restore_seen(std::uint64_t fp) = 0;
  // Resume and re-crawl: queues a URL admitted earlier (its fingerprint is already seen).
  virtual void requeue(CrawlJob job) = 0;
  // The URLs admitted by add() since the last call (only when admission tracking is on), so
  // the state can persist them with the records that discovered them.
  virtual std::vector<CrawlJob> take_admitted() = 0;
  // Queues a continuation of an in-flight job: a redirect hop whose target was admitted with
  // mark_seen(), or a retry, released no earlier than `not_before`.
  virtual void add_continuation(CrawlJob job, Clock::time_point not_before) = 0;
  // Jobs whose `abandoned` is set were given up by the frontier (a dead host): the caller
  // records them with that reason and complete()s them without fetching.
  virtual std::optional<CrawlJob> next(Clock::time_point deadline) = 0;
  virtual void complete(const CrawlJob& job, HostOutcome outcome) = 0;
  // robots.txt of `origin` is known now: its URLs may be released. `crawl_delay` (already
  // capped) raises the host's gap between requests when longer than the configured delay.
  virtual void robots_ready(const std::string& origin, std::chrono::milliseconds crawl_delay) = 0;
  // No request to `host` before `until` (Retry-After on 429/503).
  virtual void pause_host(const std::string& host, Clock::time_point until) = 0;
  virtual void stop() = 0;
  virtual bool finished() const = 0;
  virtual FrontierStats stats() const = 0;
};

}  // namespace crawler
