#include "crawler/memory_frontier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "crawler/url.h"

namespace crawler {

MemoryFrontier::MemoryFrontier(FrontierOptions options) : options_(options) {
  if (options_.per_host == 0) throw std::invalid_argument("MemoryFrontier: per_host must be >= 1");
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
    schedule_locked(name, host);
  }
}

bool MemoryFrontier::finished_locked() const {
  if (in_flight_ != 0) return false;
  return queued_ == 0 || (!budget_left() && queued_continuations_ == 0);
}

void MemoryFrontier::fill_keys(CrawlJob& job) const {
  if (!job.host.empty() && !job.origin.empty()) return;
  if (auto parts = split_url(job.url)) {
    job.host = parts->host;
    job.origin = url_origin(*parts);
  }
}

void MemoryFrontier::park(const std::string& name, Host& host) {
  if (host.parked) return;
  host.parked = true;
  parked_.push_back(name);
}

void MemoryFrontier::schedule_locked(const std::string& name, Host& host) {
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

void MemoryFrontier::enqueue_locked(CrawlJob job, bool front) {
  fill_keys(job);
  const std::string name = job.host;
  Host& host = hosts_[name];
  if (host.jobs.empty() && host.in_flight == 0 && host.delay.count() == 0) {
    host.delay = options_.delay;
  }
  if (front) {
    host.jobs.push_front(std::move(job));
  } else {
    host.jobs.push_back(std::move(job));
  }
  if (!host.dead.empty()) {
    dead_hosts_.push_back(name);
    return;
  }
  if (front) {
    // The new front may pass gates the old one did not: look at the host afresh.
    if (host.scheduled) ready_.erase({host.next_time, name});
    host.scheduled = false;
    if (host.parked) {
      host.parked = false;
      parked_.erase(std::remove(parked_.begin(), parked_.end(), name), parked_.end());
    }
  }
  schedule_locked(name, host);
}

bool MemoryFrontier::add(CrawlJob job) {
  std::lock_guard lock(mutex_);
  if (!seen_.insert(url_fingerprint(job.url)).second) return false;
  if (options_.track_admitted) admitted_.push_back(job);
  if (stopped_ || !budget_left()) return true;  // seen, but it will never be released
  ++queued_;
  count_active(job, +1);
  enqueue_locked(std::move(job), false);
  changed_.notify_all();
  return true;
}

void MemoryFrontier::restore_seen(std::uint64_t fp) {
  std::lock_guard lock(mutex_);
  seen_.insert(fp);
}

void MemoryFrontier::requeue(CrawlJob job) {
  std::lock_guard lock(mutex_);
  seen_.insert(url_fingerprint(job.url));
  if (stopped_) return;
  ++queued_;
  count_active(job, +1);
  enqueue_locked(std::move(job), false);
  changed_.notify_all();
}

std::vector<CrawlJob> MemoryFrontier::take_admitted() {
  std::lock_guard lock(mutex_);
  std::vector<CrawlJob> taken;
  taken.swap(admitted_);
  return taken;
}

bool MemoryFrontier::mark_seen(const std::string& url) {
  std::lock_guard lock(mutex_);
  return seen_.insert(url_fingerprint(url)).second;
}

void MemoryFrontier::add_continuation(CrawlJob job, Clock::time_point not_before) {
  std::lock_guard lock(mutex_);
  ++queued_;
  ++queued_continuations_;
  count_active(job, +1);
  if (not_before <= Clock::now()) {
    enqueue_locked(std::move(job), true);
  } else {
    delayed_.push(Delayed{not_before, delayed_sequence_++, std::move(job)});
  }
  changed_.notify_all();
}

void MemoryFrontier::promote_due_locked(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.top().when <= now) {
    // priority_queue::top() is const; the element is popped right after, so moving is safe.
    CrawlJob job = std::move(const_cast<Delayed&>(delayed_.top()).job);
    delayed_.pop();
    enqueue_locked(std::move(job), true);
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
  std::unique_lock lock(mutex_);
  while (true) {
    if (stopped_) return std::nullopt;
    const auto now = Clock::now();
    promote_due_locked(now);
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
    if (finished_locked()) {
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
      schedule_locked(name, host);
      return job;
    }
    if (now >= deadline) return std::nullopt;
    auto wake = deadline;
    if (!ready_.empty()) wake = std::min(wake, ready_.begin()->first);
    if (!delayed_.empty()) wake = std::min(wake, delayed_.top().when);
    changed_.wait_until(lock, wake);
  }
}

void MemoryFrontier::complete(const CrawlJob& job, HostOutcome outcome) {
  std::lock_guard lock(mutex_);
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
        if (host.scheduled) ready_.erase({host.next_time, it->first});
        host.scheduled = false;
        dead_hosts_.push_back(it->first);
        spdlog::warn("{}: {}; its remaining URLs are recorded as failed", it->first, host.dead);
      } else {
        const std::chrono::milliseconds pause = std::min<std::chrono::milliseconds>(
            options_.first_pause * (1LL << std::min(host.pauses - 1, 20)), options_.max_pause);
        if (host.scheduled) ready_.erase({host.next_time, it->first});
        host.scheduled = false;
        host.next_time = std::max<Clock::time_point>(host.next_time, Clock::now() + pause);
        spdlog::info("{}: {} connection failures in a row, pausing it for {} ms", it->first,
                     options_.fail_streak, pause.count());
      }
    }
    schedule_locked(it->first, host);
  }
  changed_.notify_all();
}

void MemoryFrontier::robots_ready(const std::string& origin,
                                  std::chrono::milliseconds crawl_delay) {
  std::lock_guard lock(mutex_);
  Origin& state = origins_[origin];
  state.robots = Origin::Robots::kReady;
  state.expires = Clock::now() + options_.robots_ttl;
  if (auto parts = split_url(origin + "/")) {
    Host& host = hosts_[parts->host];
    host.delay = std::max(options_.delay, crawl_delay);
    // The robots.txt fetch was a request too: the first page waits the new delay after it.
    const auto earliest = host.last_release + host.delay;
    if (earliest > host.next_time) {
      if (host.scheduled) ready_.erase({host.next_time, parts->host});
      host.scheduled = false;
      host.next_time = earliest;
    }
  }
  unpark_all();
  changed_.notify_all();
}

void MemoryFrontier::pause_host(const std::string& name, Clock::time_point until) {
  std::lock_guard lock(mutex_);
  Host& host = hosts_[name];
  if (until <= host.next_time) return;
  if (host.scheduled) ready_.erase({host.next_time, name});
  host.scheduled = false;
  host.next_time = until;
  schedule_locked(name, host);
  changed_.notify_all();
}

void MemoryFrontier::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  changed_.notify_all();
}

bool MemoryFrontier::finished() const {
  std::lock_guard lock(mutex_);
  return finished_locked();
}

FrontierStats MemoryFrontier::stats() const {
  std::lock_guard lock(mutex_);
  FrontierStats s;
  s.seen = seen_.size();
  s.queued = queued_;
  s.in_flight = in_flight_;
  s.released = released_;
  s.hosts = hosts_.size();
  return s;
}

}  // namespace crawler
