#include "crawler/memory_frontier.h"

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
  return !options_.depth_levels || active_by_depth_.empty() ||
         job.depth <= active_by_depth_.begin()->first;
}

void MemoryFrontier::count_active(int depth, int delta) {
  if (!options_.depth_levels) return;
  auto& count = active_by_depth_[depth];
  count += delta;
  if (count != 0) return;
  active_by_depth_.erase(depth);
  // The lowest level may have finished: hosts parked for the next level get another look.
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

MemoryFrontier::Host& MemoryFrontier::host_of(const std::string& url, CrawlJob& job) {
  if (job.host.empty()) {
    if (auto parts = split_url(url)) job.host = parts->host;
  }
  return hosts_[job.host];
}

void MemoryFrontier::schedule_locked(const std::string& name, Host& host) {
  if (host.scheduled || host.jobs.empty() || host.in_flight >= options_.per_host) return;
  if (!budget_left() && !host.jobs.front().continuation()) return;
  if (!level_open(host.jobs.front())) {
    if (!host.parked) {
      host.parked = true;
      parked_.push_back(name);
    }
    return;
  }
  ready_.emplace(host.next_time, name);
  host.scheduled = true;
}

void MemoryFrontier::enqueue_locked(CrawlJob job, bool front) {
  Host& host = host_of(job.url, job);
  const std::string name = job.host;
  if (front) {
    host.jobs.push_front(std::move(job));
  } else {
    host.jobs.push_back(std::move(job));
  }
  if (front && host.scheduled) {
    // A continuation may be releasable where the old front (a new URL past the budget) was
    // not; rescheduling keeps the host's time.
    ready_.erase({host.next_time, name});
    host.scheduled = false;
  }
  schedule_locked(name, host);
}

bool MemoryFrontier::add(CrawlJob job) {
  std::lock_guard lock(mutex_);
  if (!seen_.insert(url_fingerprint(job.url)).second) return false;
  if (stopped_ || !budget_left()) return true;  // seen, but it will never be released
  ++queued_;
  count_active(job.depth, +1);
  enqueue_locked(std::move(job), false);
  changed_.notify_all();
  return true;
}

bool MemoryFrontier::mark_seen(const std::string& url) {
  std::lock_guard lock(mutex_);
  return seen_.insert(url_fingerprint(url)).second;
}

void MemoryFrontier::add_continuation(CrawlJob job, Clock::time_point not_before) {
  std::lock_guard lock(mutex_);
  ++queued_;
  ++queued_continuations_;
  count_active(job.depth, +1);
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

std::optional<CrawlJob> MemoryFrontier::next(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (stopped_) return std::nullopt;
    const auto now = Clock::now();
    promote_due_locked(now);
    if (finished_locked()) {
      changed_.notify_all();
      return std::nullopt;
    }
    if (!ready_.empty() && ready_.begin()->first <= now) {
      const std::string name = ready_.begin()->second;
      ready_.erase(ready_.begin());
      Host& host = hosts_[name];
      host.scheduled = false;
      if (host.jobs.empty() || (!budget_left() && !host.jobs.front().continuation())) continue;
      if (!level_open(host.jobs.front())) {
        schedule_locked(name, host);  // parks it
        continue;
      }
      CrawlJob job = std::move(host.jobs.front());
      host.jobs.pop_front();
      --queued_;
      if (job.continuation()) {
        --queued_continuations_;
      } else {
        ++released_;
      }
      ++host.in_flight;
      ++in_flight_;
      host.next_time = now + options_.delay;
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

void MemoryFrontier::complete(const CrawlJob& job) {
  std::lock_guard lock(mutex_);
  auto it = hosts_.find(job.host);
  if (it != hosts_.end() && it->second.in_flight > 0) {
    --it->second.in_flight;
    schedule_locked(it->first, it->second);
  }
  if (in_flight_ > 0) --in_flight_;
  count_active(job.depth, -1);
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
