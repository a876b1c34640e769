// MemoryFrontier: the in-process frontier, after Mercator's design.
//
// One FIFO per host and an ordered set of the hosts that have work, keyed by the earliest time
// each may next be contacted. next() releases the front URL of the first host in that order
// once its time has come, provided the host has fewer than `per_host` requests in flight.
// After a release the host's next time is its delay later, so a single host sees the
// configured pace while different hosts are crawled in parallel at full speed.
//
// Gates that can hold a host's front job back (the host is "parked" until the gate opens):
// - robots.txt: with `robots` on, no URL of an origin is released before robots_ready() was
//   called for that origin. The frontier queues the robots.txt fetch itself, at the front of
//   the host's queue, the first time a URL of the origin reaches the front (and again when
//   the answer is older than `robots_ttl`).
// - depth levels (see FrontierOptions::depth_levels).
//
// A host whose requests fail to connect `fail_streak` times in a row is paused, with a pause
// that doubles each time; after `max_pauses` pauses it is dead, and its remaining URLs come out
// of next() marked `abandoned`, so one dead host cannot stall or dominate a crawl.
//
// A host's budget (max_pages_per_host) counts the new URLs add() admitted for it; past it add()
// hands URLs back as over budget, without marking them seen.
//
// Dedup uses a flat set of 64-bit fingerprints of normalised URLs (FingerprintSet: 11-21 bytes
// a URL), never the URL strings.
//
// RAM budget: with a spill attached and `memory_limit` set, at most `memory_limit` queued new
// URLs (plus one spill batch being gathered) are held in RAM. Past that, new URLs go to the
// spill in discovery order, and whenever RAM holds less than half the budget the oldest
// spilled URLs come back into their hosts' queues. Politeness is untouched: a URL only ever
// leaves through its host's queue. What the budget costs is breadth: while RAM is full of one
// slow host's URLs, other hosts' URLs wait in the spill. Continuations (retries, redirect
// hops, robots.txt) are never spilled.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crawler/frontier/fingerprint_set.h"
#include "crawler/frontier/frontier.h"
#include "crawler/frontier/frontier_spill.h"
#include "pool/mutex.h"

namespace crawler {

class MemoryFrontier final : public Frontier {
 public:
  explicit MemoryFrontier(FrontierOptions options);

  // Enforces options.memory_limit through `spill`. Call before the first add() or requeue().
  void attach_spill(std::unique_ptr<FrontierSpill> spill);

  // Resume from the crawl's state: `fp` was admitted by an earlier run.
  void restore_seen(std::uint64_t fp);
  // Resume and re-crawl: queues a URL admitted earlier (keys filled), outside the budgets.
  void requeue(CrawlJob job);

  using Frontier::add;
  AddResult add(std::vector<CrawlJob> jobs) override;
  bool mark_seen(std::string_view url) override;
  std::vector<CrawlJob> take_admitted() override;
  void add_continuation(CrawlJob job, Clock::time_point not_before) override;
  std::optional<CrawlJob> next(Clock::time_point deadline) override;
  void complete(const CrawlJob& job, HostOutcome outcome) override;
  void robots_ready(const std::string& origin, std::chrono::milliseconds crawl_delay) override;
  void pause_host(const std::string& host, Clock::time_point until) override;
  void stop() override;
  bool finished() const override;
  FrontierStats stats() const override;

 private:
  struct Host {
    std::deque<CrawlJob> jobs;  // continuations first, then new URLs in FIFO order
    std::size_t in_flight = 0;
    Clock::time_point next_time{};
    Clock::time_point last_release{};
    std::chrono::milliseconds delay{0};
    bool scheduled = false;  // present in ready_
    bool parked = false;     // in parked_: its front job waits for a gate
    int fail_streak = 0;
    int pauses = 0;
    std::string dead;  // non-empty: why the host was given up
  };
  struct Origin {
    enum class Robots { kUnknown, kPending, kReady } robots = Robots::kUnknown;
    Clock::time_point expires{};
  };
  struct Delayed {
    Clock::time_point when;
    std::uint64_t sequence;  // keeps equal times in arrival order
    CrawlJob job;
    bool operator>(const Delayed& other) const {
      return when != other.when ? when > other.when : sequence > other.sequence;
    }
  };

  // Every helper below runs under mutex_.
  bool budget_left() const REQUIRES(mutex_);
  bool level_open(const CrawlJob& job) const REQUIRES(mutex_);
  bool robots_open(Host& host, Clock::time_point now) REQUIRES(mutex_);
  void count_active(const CrawlJob& job, int delta) REQUIRES(mutex_);
  void unpark_all() REQUIRES(mutex_);
  bool crawl_over() const REQUIRES(mutex_);
  void enqueue(CrawlJob job, bool front) REQUIRES(mutex_);
  void schedule(const std::string& name, Host& host) REQUIRES(mutex_);
  void park(const std::string& name, Host& host) REQUIRES(mutex_);
  void promote_due(Clock::time_point now) REQUIRES(mutex_);
  // A new URL into the seen-set and, when it is new, the queue; `fingerprint` is
  // url_fingerprint(job.url). True when it was new.
  bool insert_new(CrawlJob job, std::uint64_t fingerprint) REQUIRES(mutex_);
  void queue_new(CrawlJob job) REQUIRES(mutex_);
  void flush_spill() REQUIRES(mutex_);
  void refill() REQUIRES(mutex_);
  void refill_batch(std::size_t want) REQUIRES(mutex_);
  void drop_spill(const std::exception& error) REQUIRES(mutex_);
  CrawlJob take_front(Host& host) REQUIRES(mutex_);
  void unschedule(const std::string& name, Host& host) REQUIRES(mutex_);

  const FrontierOptions options_;
  mutable pool::Mutex mutex_;
  pool::CondVar changed_;
  FingerprintSet seen_ GUARDED_BY(mutex_);
  std::unordered_map<std::string, Host> hosts_ GUARDED_BY(mutex_);
  std::unordered_map<std::string, Origin> origins_ GUARDED_BY(mutex_);
  // Hosts that may have work, by the time each may next be contacted.
  std::set<std::pair<Clock::time_point, std::string>> ready_ GUARDED_BY(mutex_);
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed_ GUARDED_BY(mutex_);
  std::uint64_t delayed_sequence_ GUARDED_BY(mutex_) = 0;
  // Queued and in-flight page jobs per depth.
  std::map<int, std::uint64_t> active_by_depth_ GUARDED_BY(mutex_);
  std::vector<std::string> parked_ GUARDED_BY(mutex_);     // hosts waiting for a gate
  std::deque<std::string> dead_hosts_ GUARDED_BY(mutex_);  // dead, with jobs to abandon
  std::uint64_t queued_ GUARDED_BY(mutex_) = 0;
  std::uint64_t queued_continuations_ GUARDED_BY(mutex_) = 0;
  std::uint64_t in_flight_ GUARDED_BY(mutex_) = 0;
  std::uint64_t released_ GUARDED_BY(mutex_) = 0;
  // Since the last take_admitted(), when tracked.
  std::vector<CrawlJob> admitted_ GUARDED_BY(mutex_);
  // New URLs admitted per host, with a host budget.
  std::unordered_map<std::string, std::uint64_t> admitted_per_host_ GUARDED_BY(mutex_);
  std::unique_ptr<FrontierSpill> spill_ GUARDED_BY(mutex_);
  // Newest spilled URLs, not yet pushed to spill_.
  std::vector<CrawlJob> spill_batch_ GUARDED_BY(mutex_);
  std::uint64_t spilled_ GUARDED_BY(mutex_) = 0;  // in spill_ and spill_batch_ (in queued_)
  std::uint64_t spilled_total_ GUARDED_BY(mutex_) = 0;
  std::uint64_t peak_in_ram_ GUARDED_BY(mutex_) = 0;
  // The spill cannot be written: new URLs stay in RAM.
  bool spill_failed_ GUARDED_BY(mutex_) = false;
  bool stopped_ GUARDED_BY(mutex_) = false;
};

}  // namespace crawler
