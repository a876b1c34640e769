// Dispatcher: the only producer of the job queue. It moves jobs from the frontier to the worker
// pool, one at a time and only when a worker is free to start it at once: a host's delay counts
// from the job's release, so a released job must not wait in the queue after it. Jobs of a dead
// host go straight to the results as failures without a fetch.
//
// It ends the crawl: when the frontier is finished (nothing queued, nothing in flight, confirmed
// by the pool's wait_idle), or when `stopping` is set (queued jobs are dropped; fetches in flight
// finish and are written).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <semaphore>
#include <vector>

#include "crawler/frontier/frontier.h"
#include "crawler/output/results_sink.h"
#include "crawler/page_worker.h"
#include "pool/worker_pool.h"

namespace crawler {

class Dispatcher {
 public:
  // One pool thread per worker; `queue_capacity` bounds the job queue. All references must
  // outlive run().
  Dispatcher(Frontier& frontier, std::vector<std::unique_ptr<PageWorker>>& workers,
             ResultsSink::Queue& results, std::size_t queue_capacity);

  // Runs the workers until the crawl ends; returns once every worker has stopped.
  void run(const std::atomic<bool>& stopping);

 private:
  using JobPool = pool::WorkerPool<CrawlJob, std::optional<PageRecord>>;

  // Takes the next job (waiting a little for a free worker and a ready host) and submits it.
  // False when there is nothing to release right now.
  bool release_one(JobPool& pool, std::counting_semaphore<>& free_workers,
                   const std::atomic<bool>& stopping);
  // A job of a dead host: its record says why, and it is completed without a fetch.
  void abandon(CrawlJob& job);

  Frontier& frontier_;
  std::vector<std::unique_ptr<PageWorker>>& workers_;
  ResultsSink::Queue& results_;
  std::size_t queue_capacity_;
};

}  // namespace crawler
