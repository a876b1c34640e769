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

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crawler/frontier/fingerprint_set.h"
#include "crawler/frontier/frontier.h"
#include "crawler/frontier/frontier_spill.h"

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

  bool budget_left() const;
  bool level_open(const CrawlJob& job) const;
  bool robots_open(Host& host, Clock::time_point now);
  void count_active(const CrawlJob& job, int delta);
  void unpark_all();
  bool finished_locked() const;
  void enqueue_locked(CrawlJob job, bool front);
  void schedule_locked(const std::string& name, Host& host);
  void park(const std::string& name, Host& host);
  void promote_due_locked(Clock::time_point now);
  // add() without the lock or the notification; `fingerprint` is url_fingerprint(job.url).
  bool add_locked(CrawlJob job, std::uint64_t fingerprint);
  void admit_locked(CrawlJob job);
  void flush_spill_locked();
  void refill_locked();
  void refill_batch_locked(std::size_t want);
  void drop_spill_locked(const std::exception& error);
  CrawlJob take_front(Host& host);

  const FrontierOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  FingerprintSet seen_;
  std::unordered_map<std::string, Host> hosts_;
  std::unordered_map<std::string, Origin> origins_;
  std::set<std::pair<Clock::time_point, std::string>> ready_;  // hosts that may have work
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed_;
  std::uint64_t delayed_sequence_ = 0;
  std::map<int, std::uint64_t> active_by_depth_;  // queued + in flight page jobs, per depth
  std::vector<std::string> parked_;               // hosts waiting for a gate
  std::deque<std::string> dead_hosts_;            // dead hosts with jobs left to abandon
  std::uint64_t queued_ = 0;
  std::uint64_t queued_continuations_ = 0;
  std::uint64_t in_flight_ = 0;
  std::uint64_t released_ = 0;
  std::vector<CrawlJob> admitted_;  // since the last take_admitted(), when tracked
  std::unordered_map<std::string, std::uint64_t> admitted_per_host_;  // with a host budget
  std::unique_ptr<FrontierSpill> spill_;
  std::vector<CrawlJob> spill_batch_;  // newest spilled URLs, not yet pushed to spill_
  std::uint64_t spilled_ = 0;          // queued URLs in spill_ and spill_batch_ (in queued_)
  std::uint64_t spilled_total_ = 0;
  std::uint64_t peak_in_ram_ = 0;
  bool spill_failed_ = false;  // the spill cannot be written: new URLs stay in RAM
  bool stopped_ = false;
};

}  // namespace crawler
