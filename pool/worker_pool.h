// WorkerPool<Job, Result>: a fixed set of threads fed by one bounded job queue.
//
// N worker threads are started in the constructor and joined by join() or the destructor;
// no thread is ever created per job, so concurrency and memory stay bounded however many jobs
// arrive. Each worker pops a job, runs the handler, pushes the handler's Result to the results
// queue (when one was given) and repeats until the job queue is closed and drained, or until
// cancel() is called.
//
// THE DEADLOCK RULE. A handler must never block on this pool's job queue (never call submit()
// from a handler when the queue can be full). If every worker waits for room in the queue that
// only workers can make, the crawl stops forever: the classic crawler deadlock. A crawler's
// handlers hand discovered links to a frontier that never blocks, and a single dispatcher
// thread (not a worker) moves ready URLs from the frontier into this pool.
//
// Failures: a handler that throws does not kill its worker. The job counts as failed and, when
// an error mapper is given, the mapper turns (job, error text) into a Result for the results
// queue, so no job silently disappears.
//
// The results queue is owned by the caller, who must keep draining it (or close it) until the
// pool is joined: a worker blocks in push() while that queue is full.
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pool/bounded_queue.h"
#include "pool/mutex.h"

namespace pool {

struct PoolOptions {
  std::size_t workers = 4;
  std::size_t queue_capacity = 1024;
};

// A snapshot; every field is read without stopping the workers.
struct PoolStats {
  std::size_t workers = 0;    // threads in the pool
  std::size_t busy = 0;       // workers running a handler right now
  std::size_t queued = 0;     // jobs waiting in the job queue
  std::size_t completed = 0;  // handlers that returned normally
  std::size_t failed = 0;     // handlers that threw
  std::size_t dropped = 0;    // jobs discarded by cancel()
};

template <typename Job, typename Result>
class WorkerPool {
 public:
  // `worker` is the index (0..workers-1) of the calling thread, so a handler can use
  // per-worker state (a connection, a buffer) without locks or thread_local.
  using Handler = std::function<Result(Job& job, std::size_t worker)>;
  using ErrorMapper = std::function<Result(const Job&, const std::string& error)>;

  WorkerPool(PoolOptions options, Handler handler, BoundedQueue<Result>* results = nullptr,
             ErrorMapper on_error = {})
      : jobs_(options.queue_capacity),
        handler_(std::move(handler)),
        on_error_(std::move(on_error)),
        results_(results) {
    if (options.workers == 0) throw std::invalid_argument("WorkerPool needs at least 1 worker");
    threads_.reserve(options.workers);
    for (std::size_t i = 0; i < options.workers; ++i) {
      threads_.emplace_back([this, i] { run(i); });
    }
  }

  // Safe while workers are busy: pending jobs are dropped, running handlers finish, threads
  // are joined.
  ~WorkerPool() {
    cancel();
    join();
  }

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Blocks while the job queue is full (backpressure). False once the pool is closed.
  bool submit(Job job) {
    begin_job();
    if (jobs_.push(std::move(job))) return true;
    end_job();
    return false;
  }

  // Never blocks; false (job untouched) when the queue is full or the pool closed.
  bool try_submit(Job&& job) {
    begin_job();
    if (jobs_.try_push(std::move(job))) return true;
    end_job();
    return false;
  }

  template <typename Rep, typename Period>
  bool submit_for(Job&& job, std::chrono::duration<Rep, Period> timeout) {
    begin_job();
    if (jobs_.push_for(std::move(job), timeout)) return true;
    end_job();
    return false;
  }

  // No more jobs are accepted; workers finish every queued job, then exit.
  void close() { jobs_.close(); }

  // No more jobs are accepted; queued jobs are dropped (and counted); workers exit after the
  // job they are running.
  void cancel() {
    cancelled_.store(true);
    jobs_.close();
    const std::size_t dropped = jobs_.clear();
    dropped_.fetch_add(dropped);
    end_jobs(dropped);
  }

  // Waits for every worker thread to exit. Call close() or cancel() first.
  void join() {
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  // Returns once no job is queued and none is running. There is no window between the last
  // job finishing and a new one arriving: a job counts as outstanding from the moment submit()
  // is entered until its result has been pushed, so a handler that submits follow-up work
  // keeps the pool non-idle.
  void wait_idle() {
    MutexLock lock(idle_mutex_);
    while (outstanding_ != 0) idle_.wait(idle_mutex_);
  }

  template <typename Rep, typename Period>
  bool wait_idle_for(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    MutexLock lock(idle_mutex_);
    while (outstanding_ != 0) {
      if (!idle_.wait_until(idle_mutex_, deadline)) return outstanding_ == 0;
    }
    return true;
  }

  PoolStats stats() const {
    PoolStats s;
    s.workers = threads_.size();
    s.busy = busy_.load();
    s.queued = jobs_.size();
    s.completed = completed_.load();
    s.failed = failed_.load();
    s.dropped = dropped_.load();
    return s;
  }

 private:
  void run(std::size_t worker) {
    while (!cancelled_.load()) {
      std::optional<Job> job = jobs_.pop();
      if (!job) break;
      if (cancelled_.load()) {
        dropped_.fetch_add(1);
        end_job();
        break;
      }
      busy_.fetch_add(1);
      execute(*job, worker);
      busy_.fetch_sub(1);
      end_job();
    }
  }

  void execute(Job& job, std::size_t worker) {
    std::string error;
    try {
      Result result = handler_(job, worker);
      completed_.fetch_add(1);
      if (results_ != nullptr) results_->push(std::move(result));
      return;
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "unknown exception";
    }
    failed_.fetch_add(1);
    if (results_ != nullptr && on_error_) {
      try {
        results_->push(on_error_(job, error));
      } catch (...) {
        // The mapper itself failed; the job is still counted as failed.
      }
    }
  }

  void begin_job() {
    MutexLock lock(idle_mutex_);
    ++outstanding_;
  }
  void end_job() { end_jobs(1); }
  void end_jobs(std::size_t n) {
    if (n == 0) return;
    bool idle = false;
    {
      MutexLock lock(idle_mutex_);
      outstanding_ -= n;
      idle = outstanding_ == 0;
    }
    if (idle) idle_.notify_all();
  }

  BoundedQueue<Job> jobs_;
  Handler handler_;
  ErrorMapper on_error_;
  BoundedQueue<Result>* results_;

  std::atomic<bool> cancelled_{false};
  std::atomic<std::size_t> busy_{0};
  std::atomic<std::size_t> completed_{0};
  std::atomic<std::size_t> failed_{0};
  std::atomic<std::size_t> dropped_{0};

  Mutex idle_mutex_;
  CondVar idle_;
  std::size_t outstanding_ GUARDED_BY(idle_mutex_) = 0;  // submitted, not finished or dropped

  std::vector<std::thread> threads_;  // last: started after every other member exists
};

}  // namespace pool
