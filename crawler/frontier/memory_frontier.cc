#include "crawler/frontier/memory_frontier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "crawler/url/url.h"

namespace crawler {

MemoryFrontier::MemoryFrontier(FrontierOptions options) : options_(options) {
  if (options_.per_host == 0) throw std::invalid_argument("MemoryFrontier: per_host must be >= 1");
}

void MemoryFrontier::attach_spill(std::unique_ptr<FrontierSpill> spill) {
  pool::MutexLock lock(mutex_);
  spill_ = std::move(spill);
}

bool MemoryFrontier::budget_left() const {
  return options_.max_pages == 0 || released_ < options_.max_pages;
}

bool MemoryFrontier::level_open(const CrawlJob& job) const {
  return !options_.depth_levels || job.kind == CrawlJob::Kind::kRobots ||
         active_by_depth_.empty() || job.depth <= active_by_depth_.begin()->first;
}

// True when the host's front job may pass the robots.txt gate. The first time a URL of an
// origin reaches the front (or when the answer expired), the robots.txt fetch is put in front
// of it, and that fetch itself passes.
bool MemoryFrontier::robots_open(Host& host, Clock::time_point now) {
  const CrawlJob& front = host.jobs.front();
  if (!options_.robots || front.kind == CrawlJob::Kind::kRobots) return true;
  Origin& origin = origins_[front.origin];
  if (origin.robots == Origin::Robots::kPending) return false;
  if (origin.robots == Origin::Robots::kReady && origin.expires > now) return true;
  CrawlJob robots;
  robots.kind = CrawlJob::Kind::kRobots;
  robots.url = front.origin + "/robots.txt";
  robots.host = front.host;
  robots.origin = front.origin;
  robots.depth = front.depth;
  host.jobs.push_front(std::move(robots));
  ++queued_;
  ++queued_continuations_;
  origin.robots = Origin::Robots::kPending;
  return true;
}

void MemoryFrontier::count_active(const CrawlJob& job, int delta) {
  if (!options_.depth_levels || job.kind != CrawlJob::Kind::kPage) return;
  auto& count = active_by_depth_[job.depth];
  count += delta;
  if (count != 0) return;
  active_by_depth_.erase(job.depth);
  unpark_all();  // the lowest level may have finished
}

void MemoryFrontier::unpark_all() {
  std::vector<std::string> parked;
  parked.swap(parked_);
  for (const auto& name : parked) {
    Host& host = hosts_[name];
    host.parked = false;
    schedule(name, host);
  }
}

bool MemoryFrontier::crawl_over() const {
  if (in_flight_ != 0) return false;
  return queued_ == 0 || (!budget_left() && queued_continuations_ == 0);
}

void MemoryFrontier::unschedule(const std::string& name, Host& host) {
  if (host.scheduled) ready_.erase({host.next_time, name});
  host.scheduled = false;
}

void MemoryFrontier::park(const std::string& name, Host& host) {
  if (host.parked) return;
  host.parked = true;
  parked_.push_back(name);
}

void MemoryFrontier::schedule(const std::string& name, Host& host) {
  if (host.scheduled || host.parked || host.jobs.empty() || !host.dead.empty()) return;
  if (host.in_flight >= options_.per_host) return;
  if (!budget_left() && !host.jobs.front().continuation()) return;
  if (!robots_open(host, Clock::now()) || !level_open(host.jobs.front())) {
    park(name, host);
    return;
  }
  ready_.emplace(host.next_time, name);
  host.scheduled = true;
}

void MemoryFrontier::enqueue(CrawlJob job, bool front) {
  const std::string name = job.host;
  Host& host = hosts_[name];
  if (host.jobs.empty() && host.in_flight == 0 && host.delay.count() == 0) {
    host.delay = options_.delay;
  }
  if (front) {
    host.jobs.push_front(std::move(job));
  } else {
    // With depth levels a host's queue must stay in depth order, or a deeper front URL would
    // hold back a shallower one behind it for ever. Discovery order already is depth order;
    // only a resume (queued URLs, then re-crawled older ones) inserts out of order.
    auto position = host.jobs.end();
    if (options_.depth_levels) {
      while (position != host.jobs.begin() && !std::prev(position)->continuation() &&
             std::prev(position)->depth > job.depth) {
        --position;
      }
    }
    front = position == host.jobs.begin() && !host.jobs.empty();
    host.jobs.insert(position, std::move(job));
  }
  peak_in_ram_ = std::max(peak_in_ram_, queued_ - spilled_);
  if (!host.dead.empty()) {
    dead_hosts_.push_back(name);
    return;
  }
  if (front) {
    // The new front may pass gates the old one did not: look at the host afresh.
    unschedule(name, host);
    if (host.parked) {
      host.parked = false;
      parked_.erase(std::remove(parked_.begin(), parked_.end(), name), parked_.end());
    }
  }
  schedule(name, host);
}

AddResult MemoryFrontier::add(std::vector<CrawlJob> jobs) {
  // Sixteen workers adding thirty links a page each made this lock contended, one futex wait
  // in every few links; per page it is not. Hashing needs no lock.
  std::vector<std::uint64_t> fingerprints;
  fingerprints.reserve(jobs.size());
  for (const CrawlJob& job : jobs) fingerprints.push_back(url_fingerprint(job.url));
  AddResult result;
  pool::MutexLock lock(mutex_);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (options_.max_pages_per_host == 0) {
      if (insert_new(std::move(jobs[i]), fingerprints[i])) ++result.added;
      continue;
    }
    // The budget is checked before the seen-set, so a spent host refuses known URLs too (each
    // refusal is a cut the caller counts), and a refused URL stays unseen.
    std::uint64_t& admitted = admitted_per_host_[jobs[i].host];
    if (admitted >= options_.max_pages_per_host) {
      result.over_budget.push_back(std::move(jobs[i]));
      continue;
    }
    if (insert_new(std::move(jobs[i]), fingerprints[i])) {
      ++admitted;
      ++result.added;
    }
  }
  if (result.added > 0) changed_.notify_all();
  return result;
}

bool MemoryFrontier::insert_new(CrawlJob job, std::uint64_t fingerprint) {
  if (!seen_.insert(fingerprint)) return false;
  if (options_.track_admitted) admitted_.push_back(job);
  if (stopped_ || !budget_left()) return true;  // seen, but it will never be released
  queue_new(std::move(job));
  return true;
}

// Queues a new URL: into its host's queue, or into the spill when RAM holds the budget
// already. Once anything is spilled, newer URLs follow it there, keeping discovery order.
void MemoryFrontier::queue_new(CrawlJob job) {
  ++queued_;
  count_active(job, +1);
  const std::uint64_t in_ram = queued_ - 1 - queued_continuations_ - spilled_;
  if (!spill_ || spill_failed_ || options_.memory_limit == 0 ||
      (spilled_ == 0 && in_ram < options_.memory_limit)) {
    enqueue(std::move(job), false);
    return;
  }
  spill_batch_.push_back(std::move(job));
  ++spilled_;
  ++spilled_total_;
  // Writing in batches keeps the spill's transactions few; the batch is part of the budget's
  // slack, so it is small next to small budgets.
  const std::size_t batch = std::clamp<std::size_t>(options_.memory_limit / 4, 1, 1000);
  if (spill_batch_.size() >= batch) flush_spill();
}

void MemoryFrontier::flush_spill() {
  try {
    spill_->push(spill_batch_);
    spill_batch_.clear();
  } catch (const std::exception& error) {
    drop_spill(error);
  }
}

// The spill cannot be written: keep what RAM has rather than lose URLs. What the spill already
// holds is still read back; only the RAM budget is given up.
void MemoryFrontier::drop_spill(const std::exception& error) {
  spdlog::error(
      "frontier spill: {}; keeping new URLs in RAM (state.frontier_memory no longer holds)",
      error.what());
  std::vector<CrawlJob> batch;
  batch.swap(spill_batch_);
  spilled_ -= batch.size();
  for (CrawlJob& job : batch) enqueue(std::move(job), false);
  spill_failed_ = true;
}

// Brings the oldest spilled URLs back into their hosts' queues when RAM is down to half the
// budget, or at once when nothing else can move (every queued URL in RAM is held by a gate that
// only a spilled URL can open, e.g. a lower depth level after a resume).
void MemoryFrontier::refill() {
  while (spilled_ > 0) {
    const std::uint64_t in_ram = queued_ - queued_continuations_ - spilled_;
    const bool stuck = budget_left() && in_flight_ == 0 && ready_.empty() && delayed_.empty();
    if (in_ram > options_.memory_limit / 2 && !stuck) return;
    refill_batch(std::max<std::uint64_t>(
        std::clamp<std::size_t>(options_.memory_limit / 4, 1, 1000),
        options_.memory_limit > in_ram ? options_.memory_limit - in_ram : 0));
  }
}

void MemoryFrontier::refill_batch(std::size_t want) {
  std::vector<CrawlJob> back;
  const std::uint64_t stored = spilled_ - spill_batch_.size();
  if (stored > 0) back = spill_->pop(std::min<std::uint64_t>(want, stored));
  if (back.size() < want && !spill_batch_.empty()) {
    const std::size_t from_batch = std::min(want - back.size(), spill_batch_.size());
    for (std::size_t i = 0; i < from_batch; ++i) back.push_back(std::move(spill_batch_[i]));
    spill_batch_.erase(spill_batch_.begin(), spill_batch_.begin() + static_cast<long>(from_batch));
  }
  if (back.empty()) {
    throw std::runtime_error("frontier spill: " + std::to_string(stored) +
                             " spilled URLs cannot be read back");
  }
  spilled_ -= back.size();
  for (CrawlJob& job : back) enqueue(std::move(job), false);
}

void MemoryFrontier::restore_seen(std::uint64_t fp) {
  pool::MutexLock lock(mutex_);
  seen_.insert(fp);
}

void MemoryFrontier::requeue(CrawlJob job) {
  pool::MutexLock lock(mutex_);
  seen_.insert(url_fingerprint(job.url));
  if (stopped_) return;
  queue_new(std::move(job));
  changed_.notify_all();
}

std::vector<CrawlJob> MemoryFrontier::take_admitted() {
  pool::MutexLock lock(mutex_);
  std::vector<CrawlJob> taken;
  taken.swap(admitted_);
  return taken;
}

bool MemoryFrontier::mark_seen(std::string_view url) {
  pool::MutexLock lock(mutex_);
  return seen_.insert(url_fingerprint(url));
}

void MemoryFrontier::add_continuation(CrawlJob job, Clock::time_point not_before) {
  pool::MutexLock lock(mutex_);
  ++queued_;
  ++queued_continuations_;
  count_active(job, +1);
  if (not_before <= Clock::now()) {
    enqueue(std::move(job), true);
  } else {
    delayed_.push(Delayed{not_before, delayed_sequence_++, std::move(job)});
  }
  changed_.notify_all();
}

void MemoryFrontier::promote_due(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.top().when <= now) {
    // priority_queue::top() is const; the element is popped right after, so moving is safe.
    CrawlJob job = std::move(const_cast<Delayed&>(delayed_.top()).job);
    delayed_.pop();
    enqueue(std::move(job), true);
  }
}

CrawlJob MemoryFrontier::take_front(Host& host) {
  CrawlJob job = std::move(host.jobs.front());
  host.jobs.pop_front();
  --queued_;
  if (job.continuation()) {
    --queued_continuations_;
  } else {
    ++released_;
  }
  ++in_flight_;
  return job;
}

std::optional<CrawlJob> MemoryFrontier::next(Clock::time_point deadline) {
  pool::MutexLock lock(mutex_);
  while (true) {
    if (stopped_) return std::nullopt;
    const auto now = Clock::now();
    promote_due(now);
    refill();
    while (!dead_hosts_.empty()) {
      Host& host = hosts_[dead_hosts_.front()];
      if (host.jobs.empty() || (!budget_left() && !host.jobs.front().continuation())) {
        dead_hosts_.pop_front();
        continue;
      }
      CrawlJob job = take_front(host);
      job.abandoned = host.dead;
      return job;
    }
    if (crawl_over()) {
      changed_.notify_all();
      return std::nullopt;
    }
    if (!ready_.empty() && ready_.begin()->first <= now) {
      const std::string name = ready_.begin()->second;
      ready_.erase(ready_.begin());
      Host& host = hosts_[name];
      host.scheduled = false;
      if (host.jobs.empty() || !host.dead.empty() || host.in_flight >= options_.per_host ||
          (!budget_left() && !host.jobs.front().continuation())) {
        continue;
      }
      if (!robots_open(host, now) || !level_open(host.jobs.front())) {
        park(name, host);
        continue;
      }
      CrawlJob job = take_front(host);
      ++host.in_flight;
      host.last_release = now;
      host.next_time = now + host.delay;
      schedule(name, host);
      return job;
    }
    if (now >= deadline) return std::nullopt;
    auto wake = deadline;
    if (!ready_.empty()) wake = std::min(wake, ready_.begin()->first);
    if (!delayed_.empty()) wake = std::min(wake, delayed_.top().when);
    changed_.wait_until(mutex_, wake);
  }
}

void MemoryFrontier::complete(const CrawlJob& job, HostOutcome outcome) {
  pool::MutexLock lock(mutex_);
  if (in_flight_ > 0) --in_flight_;
  count_active(job, -1);
  auto it = hosts_.find(job.host);
  if (it != hosts_.end()) {
    Host& host = it->second;
    if (host.in_flight > 0 && job.abandoned.empty()) --host.in_flight;
    if (outcome == HostOutcome::kResponse) {
      host.fail_streak = 0;
      host.pauses = 0;
    } else if (outcome == HostOutcome::kConnectFailure && host.dead.empty() &&
               ++host.fail_streak >= options_.fail_streak) {
      host.fail_streak = 0;
      if (++host.pauses > options_.max_pauses) {
        host.dead =
            "host unreachable: " +
            std::to_string(options_.fail_streak * options_.max_pauses + options_.fail_streak) +
            " connection failures in a row";
        unschedule(it->first, host);
        dead_hosts_.push_back(it->first);
        spdlog::warn("{}: {}; its remaining URLs are recorded as failed", it->first, host.dead);
      } else {
        const std::chrono::milliseconds pause = std::min<std::chrono::milliseconds>(
            options_.first_pause * (1LL << std::min(host.pauses - 1, 20)), options_.max_pause);
        unschedule(it->first, host);
        host.next_time = std::max<Clock::time_point>(host.next_time, Clock::now() + pause);
        spdlog::info("{}: {} connection failures in a row, pausing it for {} ms", it->first,
                     options_.fail_streak, pause.count());
      }
    }
    schedule(it->first, host);
  }
  changed_.notify_all();
}

void MemoryFrontier::robots_ready(const std::string& origin,
                                  std::chrono::milliseconds crawl_delay) {
  pool::MutexLock lock(mutex_);
  Origin& state = origins_[origin];
  state.robots = Origin::Robots::kReady;
  state.expires = Clock::now() + options_.robots_ttl;
  if (auto parts = split_url(origin + "/")) {
    Host& host = hosts_[parts->host];
    host.delay = std::max(options_.delay, crawl_delay);
    // The robots.txt fetch was a request too: the first page waits the new delay after it.
    const auto earliest = host.last_release + host.delay;
    if (earliest > host.next_time) {
      unschedule(parts->host, host);
      host.next_time = earliest;
    }
  }
  unpark_all();
  changed_.notify_all();
}

void MemoryFrontier::pause_host(const std::string& name, Clock::time_point until) {
  pool::MutexLock lock(mutex_);
  Host& host = hosts_[name];
  if (until <= host.next_time) return;
  unschedule(name, host);
  host.next_time = until;
  schedule(name, host);
  changed_.notify_all();
}

void MemoryFrontier::stop() {
  pool::MutexLock lock(mutex_);
  stopped_ = true;
  changed_.notify_all();
}

bool MemoryFrontier::finished() const {
  pool::MutexLock lock(mutex_);
  return crawl_over();
}

FrontierStats MemoryFrontier::stats() const {
  pool::MutexLock lock(mutex_);
  FrontierStats s;
  s.seen = seen_.size();
  s.queued = queued_;
  s.spilled = spilled_;
  s.peak_in_ram = peak_in_ram_;
  s.spilled_total = spilled_total_;
  s.in_flight = in_flight_;
  s.released = released_;
  s.hosts = hosts_.size();
  return s;
}

}  // namespace crawler
